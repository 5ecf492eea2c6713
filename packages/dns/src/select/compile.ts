import type { Cidr, Family } from './address.js'
import { formatAddress, parseAddress, parseCidr } from './address.js'
import { checkObject, configError, describe } from './errors.js'
import type { Filter } from './filter.js'
import { FailoverFilter } from './filters/composite.js'
import { SelectFirstGroupFilter, SelectFirstNFilter } from './filters/cut.js'
import { RoundRobinFilter, ShuffleFilter, StickyFilter, WeightedShuffleFilter } from './filters/distribute.js'
import { GeofenceFilter, NetfenceFilter, ViewFilter } from './filters/fence.js'
import { FamilyMatchFilter, UpFilter } from './filters/health.js'
import {
  CostFilter,
  GeotargetFilter,
  LatencyTableFilter,
  PreferSiteFilter,
  PriorityFilter,
} from './filters/order.js'
import {
  type Answer,
  type CandidateTable,
  CompiledPool,
  DOWN,
  DRAINING,
  OUTCOME_ALL,
  OUTCOME_FALLBACK,
  OUTCOME_NODATA,
  OUTCOME_REFUSED,
  OUTCOME_SERVFAIL,
  type PoolSettings,
  UP,
  Variant,
} from './pool.js'
import type { FilterName, PoolsSpec } from './spec.js'

/** The TTL of a pool that sets none. */
export const DEFAULT_TTL = 300
/** The most answers a pool returns unless it says otherwise (Route 53's multivalue limit). */
export const DEFAULT_MAX_ANSWERS = 8
const MAX_TTL = 2147483647
const MAX_ANSWERS_LIMIT = 1024

/** What {@link compilePools} produces. */
export interface CompiledPools {
  readonly pools: ReadonlyMap<string, CompiledPool>
  /** Every pool after the pools it uses (members, fallbacks), for per-epoch computation. */
  readonly order: readonly CompiledPool[]
  /** Site names; candidates and filters refer to them by index. */
  readonly sites: readonly string[]
  /** Every health target some candidate names. */
  readonly targets: ReadonlySet<string>
}

/** Compile-time facts from the selector's options. */
export interface CompileContext {
  /** Whether a GeoIP lookup was given (geo filters need one). */
  readonly hasGeo: boolean
  /** The answering node's site, if any. */
  readonly nodeSite: string | undefined
}

interface Meta {
  readonly site: string | undefined
  readonly weight: number
  readonly priority: number
  readonly cost: number
  readonly continent: readonly string[] | undefined
  readonly country: readonly string[] | undefined
  readonly subdivision: readonly string[] | undefined
  readonly lat: number | undefined
  readonly lon: number | undefined
  readonly bias: number
  readonly prefixes: readonly Cidr[]
  readonly asn: readonly number[] | undefined
  readonly health: readonly string[]
  readonly admin: number
}

interface Entry {
  readonly id: string
  readonly family: Family | 0
  readonly meta: Meta
  readonly path: string
  /** Leaf answers only. */
  readonly value?: string
  readonly rdata?: Uint8Array
  /** Composite members only: the member pool's name. */
  readonly pool?: string
}

interface Draft {
  readonly name: string
  readonly path: string
  readonly raw: Record<string, unknown>
  readonly composite: boolean
  readonly entries: readonly Entry[]
  readonly fallback: string | undefined
  kind: 'address' | 'cname' | undefined
}

const POOL_FIELDS = [
  'kind',
  'answers',
  'members',
  'chain',
  'ttl',
  'upThreshold',
  'onAllDown',
  'maxAnswers',
  'ignoreHealth',
  'ignoreEcs',
]
const META_FIELDS = ['site', 'weight', 'priority', 'cost', 'geo', 'prefixes', 'asn', 'health', 'admin']
const GEO_FIELDS = ['continent', 'country', 'subdivision', 'lat', 'lon', 'bias']
const SHORTHANDS: readonly string[] = [
  'up',
  'familyMatch',
  'netfence',
  'geofence',
  'geotarget',
  'priority',
  'cost',
  'preferSite',
  'shuffle',
  'weightedShuffle',
  'roundRobin',
  'sticky',
  'selectFirstGroup',
  'failover',
]
const FILTER_FIELDS: Readonly<Record<FilterName, readonly string[]>> = {
  up: ['threshold'],
  familyMatch: [],
  netfence: ['removeUnfencedOnMatch'],
  geofence: ['level', 'removeUnfencedOnMatch'],
  view: ['views', 'default'],
  geotarget: ['mode'],
  priority: [],
  cost: [],
  preferSite: ['site'],
  latencyTable: ['entries', 'default'],
  shuffle: [],
  weightedShuffle: [],
  roundRobin: [],
  sticky: ['by', 'prefix4', 'prefix6'],
  selectFirstN: ['n'],
  selectFirstGroup: ['by'],
  failover: [],
  spillover: ['k'],
}

/**
 * Validates pool specs and compiles them: answers parsed and encoded, metadata in arrays, chains
 * built into filters with their tries and tables, references resolved and checked for cycles.
 * Every problem throws `ERR_DNS_CONFIG` naming the pool, field or filter at fault.
 */
export function compilePools(spec: PoolsSpec, context: CompileContext): CompiledPools {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw configError('pools', `expected an object of pools by name, got ${describe(spec)}`)
  const drafts = new Map<string, Draft>()
  for (const [name, raw] of Object.entries(spec)) {
    const path = `pools.${name}`
    if (!/^[^\s]+$/.test(name)) throw configError(path, 'a pool name must be non-empty, without spaces')
    drafts.set(name, draftPool(name, path, raw))
  }
  if (drafts.size === 0) throw configError('pools', 'no pools: define at least one')
  const order = topologicalOrder(drafts)
  // kinds flow from members up to composites
  for (const draft of order) {
    const declared = draft.raw.kind
    if (declared !== undefined && declared !== 'address' && declared !== 'cname')
      throw configError(`${draft.path}.kind`, `must be "address" or "cname", got ${describe(declared)}`)
    if (!draft.composite) {
      draft.kind = (declared as 'address' | 'cname' | undefined) ?? 'address'
      continue
    }
    const kinds = new Set(draft.entries.map((e) => (drafts.get(e.pool as string) as Draft).kind))
    if (kinds.size > 1) {
      const list = draft.entries.map((e) => `${e.pool}: ${(drafts.get(e.pool as string) as Draft).kind}`)
      throw configError(`${draft.path}.members`, `members mix address and CNAME pools (${list.join(', ')})`)
    }
    const kind = [...kinds][0] as 'address' | 'cname'
    if (declared !== undefined && declared !== kind)
      throw configError(`${draft.path}.kind`, `is "${declared}" but the members are ${kind} pools`)
    draft.kind = kind
  }
  for (const draft of order) {
    if (draft.fallback === undefined) continue
    const target = drafts.get(draft.fallback) as Draft
    if (target.kind !== draft.kind)
      throw configError(
        `${draft.path}.onAllDown.pool`,
        `pool "${draft.fallback}" is ${article(target.kind)} pool, but this one is ${article(draft.kind)} pool`,
      )
  }
  // answers are parsed now that each pool's kind is known
  const sites: string[] = []
  const siteIndex = (site: string): number => {
    let index = sites.indexOf(site)
    if (index < 0) {
      index = sites.length
      sites.push(site)
    }
    return index
  }
  if (context.nodeSite !== undefined) siteIndex(context.nodeSite)
  const compiled = new Map<string, CompiledPool>()
  const targets = new Set<string>()
  for (const draft of order) {
    const entries = draft.composite ? draft.entries : draft.entries.map((e) => encodeAnswer(e, draft.kind))
    const table = buildTable(entries, siteIndex)
    for (const list of table.health) for (const target of list) targets.add(target)
    const settings = poolSettings(draft)
    const answers: Answer[] = draft.composite
      ? []
      : entries.map((e, index) => ({
          id: e.id,
          value: e.value as string,
          family: e.family === 0 ? undefined : e.family,
          rdata: e.rdata as Uint8Array,
          pool: draft.name,
          index,
          site: e.meta.site,
          weight: e.meta.weight,
          priority: e.meta.priority,
          cost: e.meta.cost,
        }))
    const pool = new CompiledPool(draft.name, draft.kind as 'address' | 'cname', answers, table, settings)
    if (draft.composite) pool.members = entries.map((e) => compiled.get(e.pool as string) as CompiledPool)
    const filters = buildChain(draft, pool, entries, context, siteIndex)
    pool.filters = filters
    const firstDynamic = filters.findIndex((f) => f.dynamic)
    pool.firstDynamic = firstDynamic < 0 ? filters.length : firstDynamic
    pool.variants = buildVariants(pool, entries)
    compiled.set(draft.name, pool)
  }
  for (const draft of order) {
    if (draft.fallback !== undefined)
      (compiled.get(draft.name) as CompiledPool).settings.fallback = compiled.get(draft.fallback)
  }
  return {
    pools: compiled,
    order: order.map((d) => compiled.get(d.name) as CompiledPool),
    sites,
    targets,
  }
}

function draftPool(name: string, path: string, value: unknown): Draft {
  const raw = checkObject(value, path, POOL_FIELDS)
  const { answers, members } = raw
  if ((answers === undefined) === (members === undefined))
    throw configError(
      path,
      'a pool has either "answers" (a leaf) or "members" (a composite of pools), not both or neither',
    )
  const composite = members !== undefined
  const field = composite ? 'members' : 'answers'
  const list = composite ? members : answers
  if (!Array.isArray(list) || list.length === 0)
    throw configError(`${path}.${field}`, `expected a non-empty array, got ${describe(list)}`)
  const ids = new Set<string>()
  const entries = list.map((item: unknown, index): Entry => {
    const at = `${path}.${field}[${index}]`
    const obj = checkObject(
      item,
      at,
      composite ? ['pool', 'id', ...META_FIELDS] : ['id', 'value', ...META_FIELDS],
    )
    let id: string
    let member: string | undefined
    if (composite) {
      if (typeof obj.pool !== 'string' || obj.pool === '')
        throw configError(`${at}.pool`, `expected the name of a pool, got ${describe(obj.pool)}`)
      member = obj.pool
      id = obj.id === undefined ? obj.pool : requireString(obj.id, `${at}.id`)
    } else {
      id = requireString(obj.id, `${at}.id`)
      requireString(obj.value, `${at}.value`)
    }
    if (ids.has(id)) throw configError(`${at}.id`, `duplicate id "${id}" in this pool`)
    ids.add(id)
    const entry: Entry = {
      id,
      family: 0,
      meta: parseMeta(obj, at),
      path: at,
      ...(composite ? { pool: member as string } : { value: obj.value as string }),
    }
    return entry
  })
  let fallback: string | undefined
  const onAllDown = raw.onAllDown
  if (typeof onAllDown === 'object' && onAllDown !== null) {
    const obj = checkObject(onAllDown, `${path}.onAllDown`, ['pool'])
    fallback = requireString(obj.pool, `${path}.onAllDown.pool`)
  }
  return { name, path, raw, composite, entries, fallback, kind: undefined }
}

function article(kind: 'address' | 'cname' | undefined): string {
  return kind === 'cname' ? 'a CNAME' : 'an address'
}

function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '')
    throw configError(path, `expected a non-empty string, got ${describe(value)}`)
  return value
}

function topologicalOrder(drafts: ReadonlyMap<string, Draft>): Draft[] {
  const order: Draft[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (draft: Draft, trail: string[]) => {
    const seen = state.get(draft.name)
    if (seen === 'done') return
    if (seen === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(draft.name)), draft.name]
      throw configError(draft.path, `pools refer to each other in a cycle: ${cycle.join(' → ')}`)
    }
    state.set(draft.name, 'visiting')
    const refs: [string, string][] = draft.entries.flatMap((e) =>
      e.pool === undefined ? [] : [[e.pool, `${e.path}.pool`] as [string, string]],
    )
    if (draft.fallback !== undefined) refs.push([draft.fallback, `${draft.path}.onAllDown.pool`])
    for (const [name, at] of refs) {
      const target = drafts.get(name)
      if (target === undefined)
        throw configError(at, `no pool named "${name}"${suggest(name, [...drafts.keys()])}`)
      visit(target, [...trail, draft.name])
    }
    state.set(draft.name, 'done')
    order.push(draft)
  }
  for (const draft of drafts.values()) visit(draft, [])
  return order
}

function suggest(name: string, known: readonly string[]): string {
  const lower = name.toLowerCase()
  const close = known.find((k) => k.toLowerCase() === lower || k.startsWith(name) || name.startsWith(k))
  return close === undefined ? ` (pools: ${known.join(', ')})` : ` (did you mean "${close}"?)`
}

function finite(value: unknown, path: string, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw configError(path, `expected a finite number, got ${describe(value)}`)
  return value
}

function codes(value: unknown, path: string): readonly string[] | undefined {
  if (value === undefined) return undefined
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string' && v !== ''))
    throw configError(path, `expected a code or a non-empty array of codes, got ${describe(value)}`)
  return list.map((v: string) => v.toUpperCase())
}

function parseMeta(obj: Record<string, unknown>, path: string): Meta {
  const site = obj.site === undefined ? undefined : requireString(obj.site, `${path}.site`)
  const weight = finite(obj.weight, `${path}.weight`, 1)
  if (!(weight > 0)) throw configError(`${path}.weight`, `must be positive, got ${weight}`)
  const priority = finite(obj.priority, `${path}.priority`, 0)
  const cost = finite(obj.cost, `${path}.cost`, 0)
  let continent: readonly string[] | undefined
  let country: readonly string[] | undefined
  let subdivision: readonly string[] | undefined
  let lat: number | undefined
  let lon: number | undefined
  let bias = 0
  if (obj.geo !== undefined) {
    const geo = checkObject(obj.geo, `${path}.geo`, GEO_FIELDS)
    continent = codes(geo.continent, `${path}.geo.continent`)
    country = codes(geo.country, `${path}.geo.country`)
    subdivision = codes(geo.subdivision, `${path}.geo.subdivision`)
    if ((geo.lat === undefined) !== (geo.lon === undefined))
      throw configError(`${path}.geo`, 'give both "lat" and "lon", or neither')
    if (geo.lat !== undefined) {
      lat = finite(geo.lat, `${path}.geo.lat`, 0)
      lon = finite(geo.lon, `${path}.geo.lon`, 0)
      if (lat < -90 || lat > 90) throw configError(`${path}.geo.lat`, `must be -90 to 90 degrees, got ${lat}`)
      if (lon < -180 || lon > 180)
        throw configError(`${path}.geo.lon`, `must be -180 to 180 degrees, got ${lon}`)
    }
    bias = finite(geo.bias, `${path}.geo.bias`, 0)
    if (bias < -99 || bias > 99)
      throw configError(`${path}.geo.bias`, `must be -99 to 99 (Route 53's range), got ${bias}`)
  }
  let prefixes: Cidr[] = []
  if (obj.prefixes !== undefined) {
    if (!Array.isArray(obj.prefixes))
      throw configError(`${path}.prefixes`, `expected an array of networks, got ${describe(obj.prefixes)}`)
    prefixes = obj.prefixes.map((text: unknown, i) => {
      const at = `${path}.prefixes[${i}]`
      const cidr = parseCidr(requireString(text, at))
      if (typeof cidr === 'string') throw configError(at, cidr)
      return cidr
    })
  }
  let asn: number[] | undefined
  if (obj.asn !== undefined) {
    if (!Array.isArray(obj.asn) || !obj.asn.every((n) => Number.isInteger(n) && n > 0 && n <= 0xffffffff))
      throw configError(
        `${path}.asn`,
        `expected an array of AS numbers (1 to 4294967295), got ${describe(obj.asn)}`,
      )
    asn = obj.asn as number[]
  }
  let health: string[] = []
  if (obj.health !== undefined) {
    if (!Array.isArray(obj.health))
      throw configError(
        `${path}.health`,
        `expected an array of health target ids, got ${describe(obj.health)}`,
      )
    health = obj.health.map((target: unknown, i) => requireString(target, `${path}.health[${i}]`))
  }
  const adminText = obj.admin ?? 'up'
  const admin = adminText === 'up' ? UP : adminText === 'drain' ? DRAINING : adminText === 'down' ? DOWN : -1
  if (admin < 0)
    throw configError(`${path}.admin`, `must be "up", "down" or "drain", got ${describe(obj.admin)}`)
  return {
    site,
    weight,
    priority,
    cost,
    continent,
    country,
    subdivision,
    lat,
    lon,
    bias,
    prefixes,
    asn,
    health,
    admin,
  }
}

function encodeAnswer(entry: Entry, kind: 'address' | 'cname' | undefined): Entry {
  const text = entry.value as string
  const at = `${entry.path}.value`
  if (kind === 'cname') return { ...entry, rdata: encodeName(text, at) }
  const words = new Uint32Array(4)
  const family = parseAddress(text, words)
  if (family === 0)
    throw configError(at, `"${text}" is not an IPv4 or IPv6 address (a pool of names needs "kind": "cname")`)
  if (family === 4 && text.indexOf(':') >= 0)
    throw configError(at, `"${text}" is IPv4-mapped: write it as an IPv4 address`)
  const rdata = new Uint8Array(family === 4 ? 4 : 16)
  for (let i = 0; i < rdata.length; i++) rdata[i] = ((words[i >>> 2] as number) >>> (24 - 8 * (i & 3))) & 255
  return { ...entry, family, value: formatAddress(words, family), rdata }
}

/** A domain name in uncompressed wire form (RFC 1035 §3.1), checked for label and name lengths. */
function encodeName(text: string, path: string): Uint8Array {
  const name = text.endsWith('.') ? text.slice(0, -1) : text
  if (name === '') throw configError(path, 'a CNAME target cannot be the root')
  const labels = name.split('.')
  const bytes: number[] = []
  for (const label of labels) {
    if (label === '') throw configError(path, `"${text}" has an empty label`)
    if (label.includes('\\')) throw configError(path, `"${text}": escapes are not supported in CNAME targets`)
    const encoded = new TextEncoder().encode(label)
    if (encoded.length > 63) throw configError(path, `"${text}" has a label longer than 63 bytes`)
    bytes.push(encoded.length, ...encoded)
  }
  bytes.push(0)
  if (bytes.length > 255) throw configError(path, `"${text}" is longer than 255 bytes on the wire`)
  return Uint8Array.from(bytes)
}

function buildTable(entries: readonly Entry[], siteIndex: (site: string) => number): CandidateTable {
  const radians = Math.PI / 180
  const table = {
    ids: entries.map((e) => e.id),
    family: Uint8Array.from(entries, (e) => e.family),
    weight: Float64Array.from(entries, (e) => e.meta.weight),
    priority: Float64Array.from(entries, (e) => e.meta.priority),
    cost: Float64Array.from(entries, (e) => e.meta.cost),
    site: Int32Array.from(entries, (e) => (e.meta.site === undefined ? -1 : siteIndex(e.meta.site))),
    latRad: Float64Array.from(entries, (e) => (e.meta.lat === undefined ? Number.NaN : e.meta.lat * radians)),
    lonRad: Float64Array.from(entries, (e) => (e.meta.lon === undefined ? Number.NaN : e.meta.lon * radians)),
    cosLat: Float64Array.from(entries, (e) =>
      e.meta.lat === undefined ? Number.NaN : Math.cos(e.meta.lat * radians),
    ),
    biasFactor: Float64Array.from(entries, (e) => 1 - e.meta.bias / 100),
    continent: entries.map((e) => e.meta.continent),
    country: entries.map((e) => e.meta.country),
    subdivision: entries.map((e) => e.meta.subdivision),
    asn: entries.map((e) => e.meta.asn),
    fenced: Uint8Array.from(entries, (e) => (e.meta.prefixes.length > 0 || e.meta.asn !== undefined ? 1 : 0)),
    health: entries.map((e) => e.meta.health),
    admin: Uint8Array.from(entries, (e) => e.meta.admin),
  }
  return table
}

function poolSettings(draft: Draft): PoolSettings {
  const { raw, path } = draft
  let ttlMax = DEFAULT_TTL
  let ttlMin: number | undefined
  if (raw.ttl !== undefined) {
    if (typeof raw.ttl === 'number') ttlMax = raw.ttl
    else {
      const ttl = checkObject(raw.ttl, `${path}.ttl`, ['max', 'min'])
      ttlMax = ttl.max as number
      if (ttl.min !== undefined) ttlMin = ttl.min as number
      checkTtl(ttl.max, `${path}.ttl.max`)
    }
    checkTtl(ttlMax, typeof raw.ttl === 'number' ? `${path}.ttl` : `${path}.ttl.max`)
    if (ttlMin !== undefined) {
      checkTtl(ttlMin, `${path}.ttl.min`)
      if (ttlMin > ttlMax) throw configError(`${path}.ttl.min`, `is ${ttlMin}, more than max ${ttlMax}`)
    }
  }
  const [threshold, thresholdByWeight] = parseThreshold(raw.upThreshold, `${path}.upThreshold`)
  if (draft.composite && raw.upThreshold !== undefined)
    throw configError(
      `${path}.upThreshold`,
      'applies to leaf pools only; a composite fails when every member has failed',
    )
  let onAllDown = OUTCOME_ALL
  if (raw.onAllDown !== undefined && draft.fallback === undefined) {
    const modes: Record<string, number> = {
      all: OUTCOME_ALL,
      nodata: OUTCOME_NODATA,
      refused: OUTCOME_REFUSED,
      servfail: OUTCOME_SERVFAIL,
    }
    const mode = typeof raw.onAllDown === 'string' ? modes[raw.onAllDown] : undefined
    if (mode === undefined)
      throw configError(
        `${path}.onAllDown`,
        `must be "all", "nodata", "refused", "servfail" or { "pool": name }, got ${describe(raw.onAllDown)}`,
      )
    onAllDown = mode
  }
  if (draft.fallback !== undefined) onAllDown = OUTCOME_FALLBACK
  let maxAnswers = draft.kind === 'cname' ? 1 : DEFAULT_MAX_ANSWERS
  if (raw.maxAnswers !== undefined) {
    const n = raw.maxAnswers
    if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > MAX_ANSWERS_LIMIT)
      throw configError(
        `${path}.maxAnswers`,
        `must be a whole number from 1 to ${MAX_ANSWERS_LIMIT}, got ${describe(n)}`,
      )
    if (draft.kind === 'cname' && n !== 1)
      throw configError(
        `${path}.maxAnswers`,
        'a CNAME pool answers with exactly one target (RFC 1034 §3.6.2): leave maxAnswers out or set it to 1',
      )
    maxAnswers = n as number
  }
  for (const flag of ['ignoreHealth', 'ignoreEcs'] as const) {
    if (raw[flag] !== undefined && typeof raw[flag] !== 'boolean')
      throw configError(`${path}.${flag}`, `expected true or false, got ${describe(raw[flag])}`)
  }
  if (draft.composite && raw.ignoreHealth !== undefined)
    throw configError(`${path}.ignoreHealth`, 'applies to leaf pools only (set it on the member pools)')
  return {
    ttlMax,
    ttlMin: ttlMin ?? Math.floor(ttlMax / 2),
    threshold,
    thresholdByWeight,
    onAllDown,
    fallback: undefined,
    maxAnswers,
    ignoreHealth: raw.ignoreHealth === true,
    ignoreEcs: raw.ignoreEcs === true,
  }
}

function checkTtl(value: unknown, path: string): void {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_TTL)
    throw configError(path, `a TTL is a whole number of seconds from 0 to ${MAX_TTL}, got ${describe(value)}`)
}

function parseThreshold(value: unknown, path: string): [number, boolean] {
  if (value === undefined) return [0, false]
  let share: unknown = value
  let by: unknown = 'count'
  if (typeof value === 'object' && value !== null) {
    const obj = checkObject(value, path, ['value', 'by'])
    share = obj.value
    by = obj.by ?? 'count'
  }
  if (typeof share !== 'number' || !(share > 0 && share <= 1))
    throw configError(path, `an up-threshold is a share in (0, 1], got ${describe(share)}`)
  if (by !== 'count' && by !== 'weight')
    throw configError(`${path}.by`, `must be "count" or "weight", got ${describe(by)}`)
  return [share, by === 'weight']
}

function buildChain(
  draft: Draft,
  pool: CompiledPool,
  entries: readonly Entry[],
  context: CompileContext,
  siteIndex: (site: string) => number,
): Filter[] {
  const rawChain = draft.raw.chain ?? []
  if (!Array.isArray(rawChain))
    throw configError(`${draft.path}.chain`, `expected an array of filters, got ${describe(rawChain)}`)
  const specs = rawChain.map((item: unknown, i): Record<string, unknown> & { filter: FilterName } => {
    const at = `${draft.path}.chain[${i}]`
    if (typeof item === 'string') {
      if (SHORTHANDS.includes(item)) return { filter: item as FilterName }
      if (item in FILTER_FIELDS)
        throw configError(at, `filter "${item}" needs options: write it as an object`)
      throw configError(at, `unknown filter "${item}" (filters: ${Object.keys(FILTER_FIELDS).join(', ')})`)
    }
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw configError(at, `expected a filter name or { "filter": name, … }, got ${describe(item)}`)
    const name = (item as { filter?: unknown }).filter
    if (typeof name !== 'string' || !(name in FILTER_FIELDS))
      throw configError(
        `${at}.filter`,
        `unknown filter ${describe(name)} (filters: ${Object.keys(FILTER_FIELDS).join(', ')})`,
      )
    checkObject(item, at, ['filter', ...(FILTER_FIELDS[name as FilterName] ?? [])])
    return item as Record<string, unknown> & { filter: FilterName }
  })
  const paths = specs.map((_, i) => `${draft.path}.chain[${i}]`)
  // implicit filters, documented on PoolSpec: health first, a terminal failover last
  if (!draft.composite) {
    if (!specs.some((f) => f.filter === 'up')) {
      specs.unshift({ filter: 'up' })
      paths.unshift(`${draft.path}.chain (implicit up)`)
    }
  } else {
    const last = specs[specs.length - 1]?.filter
    if (last !== 'failover' && last !== 'spillover') {
      specs.push({ filter: 'failover' })
      paths.push(`${draft.path}.chain (implicit failover)`)
    }
  }
  const n = entries.length
  const idIndex = new Map(entries.map((e, i) => [e.id, i] as const))
  const resolveIds = (list: unknown, at: string): Int32Array => {
    if (!Array.isArray(list))
      throw configError(
        at,
        `expected an array of ${draft.composite ? 'member' : 'answer'} ids, got ${describe(list)}`,
      )
    return Int32Array.from(list, (id: unknown, i) => {
      const index = typeof id === 'string' ? idIndex.get(id) : undefined
      if (index === undefined)
        throw configError(
          `${at}[${i}]`,
          `no ${draft.composite ? 'member' : 'answer'} "${String(id)}" in this pool (ids: ${[...idIndex.keys()].join(', ')})`,
        )
      return index
    })
  }
  const nets = (
    list: unknown,
    at: string,
    payload: number,
    out: { cidr: Cidr; payload: number }[],
    seen: Map<string, string>,
  ) => {
    if (!Array.isArray(list) || list.length === 0)
      throw configError(at, `expected a non-empty array of networks, got ${describe(list)}`)
    list.forEach((text: unknown, i) => {
      const where = `${at}[${i}]`
      const cidr = parseCidr(requireString(text, where))
      if (typeof cidr === 'string') throw configError(where, cidr)
      const key = `${formatAddress(cidr.words, cidr.family)}/${cidr.length}`
      const first = seen.get(key)
      if (first !== undefined) throw configError(where, `network ${key} is listed already at ${first}`)
      seen.set(key, where)
      out.push({ cidr, payload })
    })
  }
  const needGeo = (at: string, name: string) => {
    if (!context.hasGeo)
      throw configError(at, `${name} needs a GeoIP lookup: pass the selector a "geo" option`)
  }
  const filters: Filter[] = []
  specs.forEach((f, i) => {
    const at = paths[i] as string
    const terminal = f.filter === 'failover' || f.filter === 'spillover'
    if (terminal && !draft.composite)
      throw configError(at, `${f.filter} chooses among member pools: it belongs in a pool with "members"`)
    if (terminal && i !== specs.length - 1)
      throw configError(at, `${f.filter} must be the last filter of the chain`)
    switch (f.filter) {
      case 'up': {
        const [threshold, byWeight] =
          f.threshold === undefined
            ? [pool.settings.threshold, pool.settings.thresholdByWeight]
            : parseThreshold(f.threshold, `${at}.threshold`)
        filters.push(new UpFilter(threshold, byWeight))
        break
      }
      case 'familyMatch':
        filters.push(new FamilyMatchFilter())
        break
      case 'netfence': {
        const usesAsn = entries.some((e) => e.meta.asn !== undefined)
        if (!entries.some((e) => e.meta.prefixes.length > 0) && !usesAsn)
          throw configError(
            at,
            'netfence reads "prefixes" and "asn", but no candidate of this pool has either',
          )
        if (usesAsn) needGeo(at, 'netfence by "asn"')
        filters.push(
          new NetfenceFilter(
            { prefixes: entries.map((e) => e.meta.prefixes) },
            usesAsn,
            bool(f.removeUnfencedOnMatch, `${at}.removeUnfencedOnMatch`),
          ),
        )
        break
      }
      case 'geofence': {
        needGeo(at, 'geofence')
        const level = oneOf(f.level, `${at}.level`, ['country', 'continent', 'subdivision'] as const)
        if (!entries.some((e) => e.meta[level] !== undefined))
          throw configError(at, `geofence by ${level}, but no candidate of this pool has geo.${level}`)
        filters.push(new GeofenceFilter(level, bool(f.removeUnfencedOnMatch, `${at}.removeUnfencedOnMatch`)))
        break
      }
      case 'view': {
        if (!Array.isArray(f.views) || f.views.length === 0)
          throw configError(
            `${at}.views`,
            `expected a non-empty array of { "nets": […], "answers": […] }, got ${describe(f.views)}`,
          )
        const entriesOut: { cidr: Cidr; payload: number }[] = []
        const seen = new Map<string, string>()
        const orders = f.views.map((view: unknown, v) => {
          const vat = `${at}.views[${v}]`
          const obj = checkObject(view, vat, ['nets', 'answers'])
          nets(obj.nets, `${vat}.nets`, v, entriesOut, seen)
          return resolveIds(obj.answers, `${vat}.answers`)
        })
        const fallback = f.default === undefined ? undefined : resolveIds(f.default, `${at}.default`)
        filters.push(new ViewFilter(entriesOut, orders, fallback))
        break
      }
      case 'geotarget': {
        needGeo(at, 'geotarget')
        const mode = oneOf(f.mode, `${at}.mode`, ['latlon', 'country', 'continent'] as const)
        const field = mode === 'latlon' ? 'lat' : mode
        if (!entries.some((e) => e.meta[field] !== undefined))
          throw configError(
            at,
            `geotarget by ${mode}, but no candidate of this pool has geo.${mode === 'latlon' ? 'lat/lon' : mode}`,
          )
        filters.push(
          new GeotargetFilter(
            mode,
            entries.some((e) => e.meta.bias !== 0),
          ),
        )
        break
      }
      case 'priority':
        filters.push(new PriorityFilter())
        break
      case 'cost':
        filters.push(new CostFilter())
        break
      case 'preferSite': {
        const site = f.site === undefined ? -1 : siteIndex(requireString(f.site, `${at}.site`))
        if (!entries.some((e) => e.meta.site !== undefined))
          throw configError(at, 'preferSite reads "site", but no candidate of this pool has one')
        filters.push(new PreferSiteFilter(site))
        break
      }
      case 'latencyTable': {
        if (!Array.isArray(f.entries) || f.entries.length === 0)
          throw configError(
            `${at}.entries`,
            `expected a non-empty array of { "nets": […], "rtt": { site: ms } }, got ${describe(f.entries)}`,
          )
        const known = new Set(entries.flatMap((e) => (e.meta.site === undefined ? [] : [e.meta.site])))
        const row = (value: unknown, rat: string): Float64Array => {
          const obj = checkObject(value, rat, Object.keys(value ?? {}))
          const bySite = new Map<string, number>()
          for (const [site, ms] of Object.entries(obj)) {
            if (!known.has(site))
              throw configError(
                `${rat}.${site}`,
                `no candidate of this pool has site "${site}" (sites: ${[...known].join(', ')})`,
              )
            if (typeof ms !== 'number' || !(ms >= 0) || !Number.isFinite(ms))
              throw configError(
                `${rat}.${site}`,
                `an RTT is a non-negative number of milliseconds, got ${describe(ms)}`,
              )
            bySite.set(site, ms)
          }
          return Float64Array.from(entries, (e) =>
            e.meta.site === undefined ? Infinity : (bySite.get(e.meta.site) ?? Infinity),
          )
        }
        if (known.size === 0)
          throw configError(at, 'latencyTable reads "site", but no candidate of this pool has one')
        const netsOut: { cidr: Cidr; payload: number }[] = []
        const seen = new Map<string, string>()
        const rows = f.entries.map((entry: unknown, r) => {
          const rat = `${at}.entries[${r}]`
          const obj = checkObject(entry, rat, ['nets', 'rtt'])
          nets(obj.nets, `${rat}.nets`, r, netsOut, seen)
          return row(obj.rtt, `${rat}.rtt`)
        })
        filters.push(
          new LatencyTableFilter(
            netsOut,
            rows,
            f.default === undefined ? undefined : row(f.default, `${at}.default`),
          ),
        )
        break
      }
      case 'shuffle':
        filters.push(new ShuffleFilter())
        break
      case 'weightedShuffle': {
        const next = specs[i + 1]
        const keepOne =
          next === undefined ? pool.settings.maxAnswers === 1 : next.filter === 'selectFirstN' && next.n === 1
        filters.push(new WeightedShuffleFilter(keepOne ? 1 : n))
        break
      }
      case 'roundRobin':
        filters.push(new RoundRobinFilter(n))
        break
      case 'sticky': {
        const by = oneOf(f.by, `${at}.by`, ['client', 'qname'] as const)
        const prefix4 = bits(f.prefix4, `${at}.prefix4`, 24, 32)
        const prefix6 = bits(f.prefix6, `${at}.prefix6`, 56, 128)
        filters.push(new StickyFilter(pool.table.ids, pool.table.weight, by === 'client', prefix4, prefix6))
        break
      }
      case 'selectFirstN': {
        if (!Number.isInteger(f.n) || (f.n as number) < 1)
          throw configError(`${at}.n`, `must be a whole number of at least 1, got ${describe(f.n)}`)
        filters.push(new SelectFirstNFilter(f.n as number))
        break
      }
      case 'selectFirstGroup':
        oneOf(f.by, `${at}.by`, ['site'] as const)
        if (!entries.some((e) => e.meta.site !== undefined))
          throw configError(at, 'selectFirstGroup groups by "site", but no candidate of this pool has one')
        filters.push(new SelectFirstGroupFilter())
        break
      case 'failover':
        filters.push(new FailoverFilter(0))
        break
      case 'spillover': {
        if (!Number.isInteger(f.k) || (f.k as number) < 1)
          throw configError(`${at}.k`, `must be a whole number of at least 1, got ${describe(f.k)}`)
        filters.push(new FailoverFilter(f.k as number))
        break
      }
    }
  })
  return filters
}

function bool(value: unknown, path: string): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean') throw configError(path, `expected true or false, got ${describe(value)}`)
  return value
}

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (value === undefined) return allowed[0] as T
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw configError(path, `must be ${allowed.map((a) => `"${a}"`).join(' or ')}, got ${describe(value)}`)
  return value as T
}

function bits(value: unknown, path: string, fallback: number, max: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max)
    throw configError(path, `must be a whole number of bits from 1 to ${max}, got ${describe(value)}`)
  return value as number
}

function buildVariants(pool: CompiledPool, entries: readonly Entry[]): Variant[] {
  const n = entries.length
  const all = Int32Array.from(entries, (_, i) => i)
  if (pool.kind === 'cname') return [new Variant(0, all, n)]
  if (pool.composite) return [new Variant(4, all, n), new Variant(6, all, n)]
  const of = (family: Family) => Int32Array.from(entries.flatMap((e, i) => (e.family === family ? [i] : [])))
  // a leaf's states do not depend on the family, so its two variants share one array
  const v4 = new Variant(4, of(4), n)
  const v6 = new Variant(6, of(6), n)
  v6.state = v4.state
  return [v4, v6]
}
