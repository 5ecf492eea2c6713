import type { HealthSource } from '@shoal/core'
import type { ConfigIssue, DnsConfig } from '../config/config-types.js'
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

/**
 * Everything a responder serves, compiled once and never changed: zones by origin, dynamic names,
 * and the selection over the pools. A reload builds a new one and swaps it in one assignment.
 */
export interface ServingData {
  /** Zones by origin (lookup key). */
  readonly zones: ReadonlyMap<string, Zone>
  /** Dynamic names (lookup keys) to whatever `select` needs to answer them. */
  readonly dynamic: ReadonlyMap<string, unknown>
  /** Every name above a dynamic name inside its zone: they exist (NODATA, never NXDOMAIN). */
  readonly ancestors: ReadonlySet<string>
  /** How many zones, records and dynamic names, for logs and metrics. */
  readonly stats: { readonly zones: number; readonly records: number; readonly dynamic: number }
  /**
   * Runs the selection for a dynamic name (`node` from {@link ServingData.dynamic}) and writes the
   * outcome into `out`. `address` holds the client's address bytes when `family` is 4 or 6.
   */
  select(
    node: unknown,
    query: DnsQuery,
    client: ClientInfo,
    address: Uint8Array,
    family: 0 | 4 | 6,
    out: DynamicOutcome,
  ): void
  /** The in-zone address RRsets of the hosts an NS, MX or SRV RRset names (additional section data). */
  additionalFor(rrset: RRset): readonly RRset[]
}

/** Options of {@link compileServing}. */
export interface CompileServingOptions {
  /** Health of the pools' answers. */
  readonly health?: HealthSource | undefined
  /** Aborts loading. */
  readonly signal?: AbortSignal | undefined
}

/** What {@link compileServing} produced: the data, or every issue found (zone errors with file and line). */
export type CompileServingResult =
  | { readonly ok: true; readonly serving: ServingData; readonly warnings: readonly ConfigIssue[] }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[]; readonly warnings: readonly ConfigIssue[] }

/**
 * Loads every zone file of a validated configuration and compiles its pools and dynamic names
 * into one immutable {@link ServingData}. Collects every problem (zone syntax and consistency with
 * file and line, a dynamic name under a delegation or beside a CNAME, a pool that does not
 * compile) instead of stopping at the first.
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

  // Dynamic names must be names the zone can hold: not under a delegation, not beside a CNAME.
  const dynamic = new Map<string, unknown>()
  const ancestors = new Set<string>()
  config.dynamic.forEach((entry, i) => {
    const zone = longestZone(zones, entry.name)
    if (zone === undefined) return // the zone failed to load: reported above
    const found = zone.lookup(entry.name)
    const path = `$.dynamic[${i}].name`
    if (found.kind === 'delegation') {
      issues.push({
        path,
        message: `"${entry.name}" is at or below the delegation ${found.name} in zone ${zone.origin}; a dynamic name must be served by this zone`,
        file: config.file,
      })
      return
    }
    if (found.kind === 'answer') {
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
    for (let name = parentOf(entry.name); name !== undefined && name !== zone.origin; name = parentOf(name))
      ancestors.add(name)
    dynamic.set(entry.name, entry)
  })

  if (issues.length > 0) return { ok: false, issues, warnings }
  const serving: ServingData = {
    zones,
    dynamic,
    ancestors,
    stats: { zones: zones.size, records, dynamic: config.dynamic.length },
    select(_node, _query, _client, _address, _family, out) {
      out.kind = 'none'
    },
    additionalFor: (rrset) => additionalFor(zones, rrset),
  }
  return { ok: true, serving, warnings }
}

/**
 * Serving data for zones already loaded, without dynamic names: what tests and embedders that
 * parse zones themselves (`parseZone`) hand a responder.
 *
 * @example
 * ```ts
 * const responder = new Responder({ serving: staticServing([parseZone(text, { origin: 'example.com' })]) })
 * ```
 */
export function staticServing(zoneList: readonly Zone[]): ServingData {
  const zones = new Map(zoneList.map((zone) => [zone.origin, zone] as const))
  return {
    zones,
    dynamic: new Map(),
    ancestors: new Set(),
    stats: { zones: zones.size, records: zoneList.reduce((n, z) => n + z.records, 0), dynamic: 0 },
    select(_node, _query, _client, _address, _family, out) {
      out.kind = 'none'
    },
    additionalFor: (rrset) => additionalFor(zones, rrset),
  }
}

/** The zone whose origin is the longest suffix of `name`. */
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
