import { type HealthSource, isShoalError, type Random } from '@shoal/core'
import type { ConfigIssue, DnsConfig } from '../config/config-types.js'
import type { GeoLookup } from '../select/geo.js'
import { compileSelector, type Selector } from '../select/selector.js'
import type { PoolsSpec } from '../select/spec.js'
import { RRType } from '../wire/constants.js'
import { nameKey } from '../wire/name.js'
import type { DnsQuery } from '../wire/query.js'
import { checkZoneFile } from '../zone/load.js'
import type { RRset } from '../zone/rrset.js'
import type { Zone } from '../zone/zone.js'
import type { ClientInfo } from './query-handler.js'

/**
 * What a dynamic name's selection decided for one query, filled in place (one object per
 * responder, reused): `none` when the name has no dynamic data of the query's type (the zone
 * answers), else an answer, an empty answer, or a pool's fail-closed REFUSED or SERVFAIL.
 */
export interface DynamicOutcome {
  kind: 'none' | 'answer' | 'nodata' | 'refused' | 'servfail'
  /** The answer's record type (A, AAAA or CNAME). */
  type: number
  /** The answer's TTL. */
  ttl: number
  /** The ECS scope the selection depended on (0 when it did not read the client's address). */
  scope: number
  /** The answers' RDATA. */
  rdatas: readonly Uint8Array[]
  /** The pool selected from, and the ids of the answers given (for per-answer counters). */
  pool: string
  ids: readonly string[]
}

/** The pools behind one dynamic name, by the record type they answer. */
export interface DynamicName {
  /** The name (lookup key). */
  readonly name: string
  /** The pool answering A queries. */
  readonly a: string | undefined
  /** The pool answering AAAA queries. */
  readonly aaaa: string | undefined
  /** The pool answering every query type with a CNAME (alone at its name). */
  readonly cname: string | undefined
}

/** A dynamic name as configured: the name (lookup key), the record type and the pool. */
export interface DynamicEntry {
  readonly name: string
  readonly type: 'A' | 'AAAA' | 'CNAME'
  readonly pool: string
}

/**
 * Everything a responder serves, compiled once and never changed: zones by origin, dynamic names,
 * and the selection over the pools. A reload builds a new one and swaps it in one assignment.
 */
export interface ServingData {
  /** Zones by origin (lookup key). */
  readonly zones: ReadonlyMap<string, Zone>
  /** Dynamic names (lookup keys) to the pools that answer them. */
  readonly dynamic: ReadonlyMap<string, DynamicName>
  /** Every name above a dynamic name inside its zone: they exist (NODATA, never NXDOMAIN). */
  readonly ancestors: ReadonlySet<string>
  /** The compiled pools, `undefined` when the configuration has none. */
  readonly selector: Selector | undefined
  /** How many zones, records and dynamic names, for logs and metrics. */
  readonly stats: { readonly zones: number; readonly records: number; readonly dynamic: number }
  /**
   * Runs the selection for a dynamic name (`node` from {@link ServingData.dynamic}) and writes the
   * outcome into `out`: `none` when the name has no pool for the query's type.
   */
  select(node: DynamicName, query: DnsQuery, client: ClientInfo, out: DynamicOutcome): void
  /** The in-zone address RRsets of the hosts an NS, MX or SRV RRset names (additional section data). */
  additionalFor(rrset: RRset): readonly RRset[]
  /** Stops the pools following health (after a reload replaced this data). */
  close(): void
}

/** Options of {@link compileServing}. */
export interface CompileServingOptions {
  /** Health of the pools' answers. */
  readonly health?: HealthSource | undefined
  /** The GeoIP lookup geofence, geotarget and netfence-by-ASN filters read. */
  readonly geo?: GeoLookup | undefined
  /** The random source of shuffles and weighted draws (default: seeded from the system). */
  readonly random?: Random | undefined
  /** Aborts loading. */
  readonly signal?: AbortSignal | undefined
}

/** What {@link compileServing} produced: the data, or every issue found (zone errors with file and line). */
export type CompileServingResult =
  | { readonly ok: true; readonly serving: ServingData; readonly warnings: readonly ConfigIssue[] }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[]; readonly warnings: readonly ConfigIssue[] }

/**
 * Loads every zone file of a validated configuration, compiles its pools and dynamic names into
 * one immutable {@link ServingData}. Collects the problems (zone syntax and consistency with file
 * and line, a pool the selection pipeline refuses, a dynamic name under a delegation or beside a
 * CNAME, a pool of the wrong kind for its type) instead of stopping at the first.
 *
 * @example
 * ```ts
 * const result = await compileServing(config)
 * if (result.ok) responder = new Responder({ serving: result.serving })
 * ```
 */
export async function compileServing(
  config: DnsConfig,
  options: CompileServingOptions = {},
): Promise<CompileServingResult> {
  const issues: ConfigIssue[] = []
  const warnings: ConfigIssue[] = []
  const zones = new Map<string, Zone>()
  let records = 0
  await Promise.all(
    config.zones.map(async (entry, i) => {
      try {
        const check = await checkZoneFile(entry.file, { origin: entry.origin, signal: options.signal })
        for (const error of check.errors) {
          const details = error.details as { file?: string; line?: number }
          issues.push({
            path: '',
            message: stripWhere(error.message),
            file: details.file,
            line: details.line,
          })
        }
        if (check.truncated)
          issues.push({ path: '', message: 'more errors follow; fix these first', file: entry.file })
        for (const warning of check.warnings)
          warnings.push({ path: '', message: warning.message, file: warning.file, line: warning.line })
        if (check.zone !== undefined) {
          zones.set(entry.origin, check.zone)
          records += check.zone.records
        }
      } catch (error) {
        options.signal?.throwIfAborted()
        issues.push({
          path: `$.zones[${i}].file`,
          message: `${(error as Error).message}; check the path (relative to the configuration file)`,
          file: config.file,
        })
      }
    }),
  )

  // The pools, compiled once; the selection pipeline checks them and names the field at fault.
  let selector: Selector | undefined
  if (Object.keys(config.pools).length > 0) {
    try {
      selector = compileSelector(config.pools as PoolsSpec, {
        health: options.health,
        geo: options.geo,
        random: options.random,
        node: config.node,
      })
    } catch (error) {
      if (!isShoalError(error)) throw error
      const path = typeof error.details.path === 'string' ? `$.${error.details.path}` : '$.pools'
      issues.push({ path, message: error.message.replace(/^[^:]*: /, ''), file: config.file })
    }
  }

  // Dynamic names must be names the zone can hold: not under a delegation, not beside a CNAME,
  // and their pools must give what the type asks (addresses for A and AAAA, names for CNAME).
  config.dynamic.forEach((entry, i) => {
    const kind = poolKind(config.pools, entry.pool)
    if (kind !== undefined && (entry.type === 'CNAME') !== (kind === 'cname'))
      issues.push({
        path: `$.dynamic[${i}].pool`,
        message:
          entry.type === 'CNAME'
            ? `pool "${entry.pool}" holds addresses; a CNAME needs a pool of "kind": "cname"`
            : `pool "${entry.pool}" holds names (kind cname); ${entry.type} needs a pool of addresses`,
        file: config.file,
      })
    const zone = longestZone(zones, entry.name)
    if (zone === undefined) return // the zone failed to load: reported above
    const found = zone.lookup(entry.name)
    const path = `$.dynamic[${i}].name`
    if (found.kind === 'delegation')
      issues.push({
        path,
        message: `"${entry.name}" is at or below the delegation ${found.name} in zone ${zone.origin}; a dynamic name must be served by this zone`,
        file: config.file,
      })
    else if (found.kind === 'answer') {
      const cname = found.rrsets.get(RRType.CNAME)
      if (cname !== undefined)
        issues.push({
          path,
          message: `"${entry.name}" has a CNAME in the zone file (${cname.sources[0] ?? zone.origin}); a dynamic name cannot sit beside a CNAME`,
          file: config.file,
        })
      else if (entry.type === 'CNAME' && found.rrsets.size > 0)
        issues.push({
          path,
          message: `"${entry.name}" has records in the zone file; a dynamic CNAME must be alone at its name (RFC 1034 §3.6.2)`,
          file: config.file,
        })
    }
  })

  if (issues.length > 0) {
    selector?.close()
    return { ok: false, issues, warnings }
  }
  return { ok: true, serving: buildServing([...zones.values()], config.dynamic, selector, records), warnings }
}

/**
 * Serving data for zones already loaded and pools already compiled: what `compileServing` builds,
 * and what tests and embedders that parse zones themselves (`parseZone`) hand a responder.
 *
 * @param dynamicEntries - names answered from pools (lookup keys), checked against the zones by `compileServing` only
 * @example
 * ```ts
 * const responder = new Responder({ serving: buildServing([parseZone(text, { origin: 'example.com' })]) })
 * ```
 */
export function buildServing(
  zoneList: readonly Zone[],
  dynamicEntries: readonly DynamicEntry[] = [],
  selector?: Selector | undefined,
  records = zoneList.reduce((n, z) => n + z.records, 0),
): ServingData {
  const zones = new Map(zoneList.map((zone) => [zone.origin, zone] as const))
  const dynamic = new Map<string, DynamicName>()
  const ancestors = new Set<string>()
  for (const entry of dynamicEntries) {
    const before = dynamic.get(entry.name)
    dynamic.set(entry.name, {
      name: entry.name,
      a: entry.type === 'A' ? entry.pool : before?.a,
      aaaa: entry.type === 'AAAA' ? entry.pool : before?.aaaa,
      cname: entry.type === 'CNAME' ? entry.pool : before?.cname,
    })
    const origin = longestZone(zones, entry.name)?.origin
    for (let name = parentOf(entry.name); name !== undefined && name !== origin; name = parentOf(name))
      ancestors.add(name)
  }
  // reused by every selection: the outcome's arrays are filled in place
  const rdatas: Uint8Array[] = []
  const ids: string[] = []
  return {
    zones,
    dynamic,
    ancestors,
    selector,
    stats: { zones: zones.size, records, dynamic: dynamic.size },
    select(node, query, client, out) {
      const qtype = query.qtype
      let pool: string | undefined
      let type: number = RRType.CNAME
      if (node.cname !== undefined) pool = node.cname
      else if (qtype === RRType.A) {
        pool = node.a
        type = RRType.A
      } else if (qtype === RRType.AAAA) {
        pool = node.aaaa
        type = RRType.AAAA
      }
      if (pool === undefined || selector === undefined) {
        out.kind = 'none'
        return
      }
      const selection = selector.select(pool, {
        qtype: type === RRType.CNAME ? qtype : type,
        qname: query.qname,
        resolver: client.address,
        ecs: query.ecs,
      })
      const answers = selection.answers
      rdatas.length = answers.length
      ids.length = answers.length
      for (let i = 0; i < answers.length; i++) {
        const answer = answers[i] as (typeof answers)[number]
        rdatas[i] = answer.rdata
        ids[i] = answer.id
      }
      out.kind = selection.outcome
      out.type = type
      out.ttl = selection.ttl
      // RFC 7871 §7.4: an empty answer does not depend on the client's address
      out.scope = selection.outcome === 'answer' ? selection.scope : 0
      out.rdatas = rdatas
      out.pool = selection.pool
      out.ids = ids
    },
    additionalFor: (rrset) => additionalFor(zones, rrset),
    close: () => selector?.close(),
  }
}

/**
 * The kind of a pool as the selection pipeline reads its spec: `kind`, else its first member's,
 * else `address`. `undefined` for a pool that is not there (the pipeline reports that).
 */
function poolKind(pools: Readonly<Record<string, unknown>>, name: string): 'address' | 'cname' | undefined {
  const seen = new Set<string>()
  for (let at: string | undefined = name; at !== undefined && !seen.has(at); ) {
    seen.add(at)
    const spec = pools[at] as { kind?: unknown; members?: readonly { pool?: unknown }[] } | undefined
    if (spec === undefined || spec === null || typeof spec !== 'object') return undefined
    if (spec.kind === 'cname' || spec.kind === 'address') return spec.kind
    const first = Array.isArray(spec.members) ? spec.members[0]?.pool : undefined
    if (typeof first !== 'string') return 'address'
    at = first
  }
  return undefined
}

/**
 * The zone whose origin is the longest suffix of `name`.
 *
 * @example
 * ```ts
 * longestZone(serving.zones, 'www.sub.example.com')?.origin // 'sub.example.com' when both are served
 * ```
 */
export function longestZone(zones: ReadonlyMap<string, Zone>, name: string): Zone | undefined {
  for (let at: string | undefined = name; at !== undefined; at = parentOf(at)) {
    const zone = zones.get(at)
    if (zone !== undefined) return zone
  }
  return undefined
}

/** The parent of a lookup key, `undefined` above the root. */
function parentOf(name: string): string | undefined {
  if (name === '') return undefined
  for (let at = name.indexOf('.'); at >= 0; at = name.indexOf('.', at + 1)) {
    if (at > 0 && name.charCodeAt(at - 1) === 92) continue
    return name.slice(at + 1)
  }
  return ''
}

function stripWhere(message: string): string {
  return message.replace(/^[^:]*:\d+: /, '')
}

function additionalFor(zones: ReadonlyMap<string, Zone>, rrset: RRset): readonly RRset[] {
  const offset =
    rrset.type === RRType.NS ? 0 : rrset.type === RRType.MX ? 2 : rrset.type === RRType.SRV ? 6 : -1
  if (offset < 0) return []
  const out: RRset[] = []
  for (const rdata of rrset.rdatas) {
    let key: string
    try {
      key = nameKey(rdata, offset)
    } catch {
      continue
    }
    const zone = longestZone(zones, key)
    if (zone === undefined) continue
    const found = zone.lookup(key)
    if (found.kind !== 'answer') continue
    const a = found.rrsets.get(RRType.A)
    const aaaa = found.rrsets.get(RRType.AAAA)
    if (a !== undefined && !out.includes(a)) out.push(a)
    if (aaaa !== undefined && !out.includes(aaaa)) out.push(aaaa)
  }
  return out
}
