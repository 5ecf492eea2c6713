/**
 * The web-stats topology: source → parse → aggregate → publish.
 *
 * Embedded (the default): a real site on 127.0.0.1 writes its access log while a traffic generator
 * drives it; the log is followed, parsed by `@shoal/logs`, aggregated into 1-second panes with
 * alert rules, and published to a dashboard over Server-Sent Events. Other sources: followed
 * files (`tail -F`, several at once) or a stream (stdin). {@link reportFile} is the batch report.
 */

import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BadLineLog, type FileCheckpoint } from '@shoal/logs'
import type { AlertRule, AlertRuleSpec } from '@shoal/stats'
import {
  type AggregateOptions,
  type AlertEvent,
  createAggregate,
  LiveStats,
  type WebReport,
} from './aggregation.js'
import { COMBINED_D } from './apache-log.js'
import { type Dashboard, startDashboard } from './dashboard.js'
import { type Site, type SiteCounters, startSite } from './site.js'
import { buildSnapshot, type RangeKey, type Snapshot, type SourceHealth } from './snapshot.js'
import { fileBatches, readSource, type SourceSpec } from './sources.js'
import {
  DEMO_INCIDENTS,
  DEMO_PERIOD_MS,
  generateTraffic,
  type Incident,
  type TrafficResult,
} from './traffic.js'

/** Options of {@link run}. */
export interface RunOptions {
  /** Stops the run: traffic stops, the log is read to its end, the final report is made. */
  readonly signal?: AbortSignal | undefined
  /** Where lines come from (default: the embedded site). */
  readonly source?: SourceSpec | undefined
  /** Embedded: requests per second (default 40). */
  readonly rate?: number | undefined
  /** Embedded: seed of the traffic and the site (default 1). */
  readonly seed?: number | undefined
  /** Embedded: the incident script (default: a 5xx burst and a slow period every 3 minutes). */
  readonly incidents?: readonly Incident[] | undefined
  /** Embedded: period of the incident script in ms (default 3 minutes with the default script; none otherwise). */
  readonly repeatEveryMs?: number | undefined
  /** Embedded: rotate the site's log by rename this often, in ms (default: never). */
  readonly rotateEveryMs?: number | undefined
  /** Embedded: directory of the access log (default: a new temporary one, removed at the end). */
  readonly logDir?: string | undefined
  /** Dashboard address; `false` for none (default: 127.0.0.1, any free port). */
  readonly dashboard?:
    | false
    | { readonly host?: string | undefined; readonly port?: number | undefined }
    | undefined
  /** Alert rules (default: `burstRule()`, 5xx ≥ 10 in 10 s for 3 s). */
  readonly rules?: readonly (AlertRule | AlertRuleSpec)[] | undefined
  /** How late a line may be, in ms (default 2,000). */
  readonly allowedLatenessMs?: number | undefined
  /** Rows of the top-N tables (default 10). */
  readonly top?: number | undefined
  /** Key normalisation. */
  readonly aggregate?: AggregateOptions | undefined
  /** Called once everything is listening. */
  readonly onReady?: ((ready: Ready) => void) | undefined
  /** Called every second with the snapshot of the last 5 minutes. */
  readonly onTick?: ((snapshot: Snapshot) => void) | undefined
  /** Called on every alert state change. */
  readonly onAlert?: ((event: AlertEvent) => void) | undefined
}

/** What is running, once it runs. */
export interface Ready {
  readonly dashboardUrl: string | null
  /** Embedded only. */
  readonly siteUrl: string | null
  /** Embedded only. */
  readonly logPath: string | null
}

/** What a run observed. */
export interface RunResult {
  /** Everything since the start. */
  readonly report: WebReport
  /** Every alert state change, in order. */
  readonly alerts: readonly AlertEvent[]
  /** Embedded: what the site itself logged. */
  readonly site: SiteCounters | null
  /** Embedded: what the traffic generator sent and got. */
  readonly traffic: TrafficResult | null
  /** Lines read and rejected. */
  readonly parser: { readonly lines: number; readonly bad: number; readonly late: number }
  readonly sources: readonly SourceHealth[]
  readonly dashboardUrl: string | null
}

/**
 * Runs the topology until `options.signal` aborts (or a stream source ends and no signal was given).
 *
 * @param options - source, traffic, dashboard, rules
 * @returns what it observed
 */
export async function run(options: RunOptions = {}): Promise<RunResult> {
  const outer = options.signal
  const badLines = new BadLineLog(20)
  const live = new LiveStats({
    rules: options.rules,
    allowedLatenessMs: options.allowedLatenessMs,
    aggregate: options.aggregate,
  })
  live.advance()
  const alerts: AlertEvent[] = []
  live.onAlert((event) => {
    alerts.push(event)
    options.onAlert?.(event)
  })
  const sourceHealth = new Map<string, { lines: number; bad: number; lastSeen: number | null }>()
  const activeIncidents = new Set<string>()
  let lines = 0
  const top = options.top ?? 10
  const stopReading = new AbortController()
  const cleanups: (() => Promise<void>)[] = []

  // ---- the embedded site, or the given source
  let site: Site | null = null
  let spec: SourceSpec
  if (options.source === undefined) {
    const dir = options.logDir ?? (await mkdtemp(join(tmpdir(), 'shoal-web-stats-')))
    if (options.logDir === undefined) cleanups.push(() => rm(dir, { recursive: true, force: true }))
    site = await startSite({ logPath: join(dir, 'access.log'), seed: options.seed })
    const started = site
    cleanups.unshift(() => started.close())
    spec = { kind: 'follow', paths: [site.logPath], format: COMBINED_D, fromStart: true }
  } else {
    spec = options.source
  }

  // ---- read, parse, aggregate
  let checkpoint: FileCheckpoint | undefined
  const reading = (async () => {
    try {
      for await (const batch of readSource(spec, {
        signal: stopReading.signal,
        badLines,
        pollIntervalMs: site === null ? undefined : 100,
      })) {
        const now = Date.now()
        for (const record of batch.records) live.add(record, batch.source)
        for (const error of batch.errors) live.addFailure(error.reason, error.sample, batch.source)
        lines += batch.records.length + batch.errors.length
        let health = sourceHealth.get(batch.source)
        if (health === undefined) {
          health = { lines: 0, bad: 0, lastSeen: null }
          sourceHealth.set(batch.source, health)
        }
        health.lines += batch.records.length + batch.errors.length
        health.bad += batch.errors.length
        health.lastSeen = now
        if (batch.checkpoint !== undefined) checkpoint = batch.checkpoint
      }
    } catch (error) {
      if (!stopReading.signal.aborted) throw error
    }
  })()

  const parserHealth = () => {
    const last = badLines.samples().at(-1)
    return {
      lines,
      bad: badLines.total,
      badByReason: Object.fromEntries(Object.entries(badLines.counts).filter(([, count]) => count > 0)),
      lastBad:
        last === undefined ? null : { reason: last.reason, sample: last.sample, message: last.message },
    }
  }
  const sources = (): SourceHealth[] => [...sourceHealth].map(([name, health]) => ({ name, ...health }))
  // one snapshot per range per second, however many pages ask
  const snapshots = new Map<RangeKey, Snapshot>()
  const snapshot = (range: RangeKey): Snapshot => {
    let made = snapshots.get(range)
    if (made === undefined) {
      made = buildSnapshot({
        live,
        range,
        top,
        parser: parserHealth(),
        sources: sources(),
        incidents: [...activeIncidents],
      })
      snapshots.set(range, made)
    }
    return made
  }

  // ---- the dashboard
  let dashboard: Dashboard | null = null
  if (options.dashboard !== false) {
    dashboard = await startDashboard({
      host: options.dashboard?.host,
      port: options.dashboard?.port,
      snapshot,
      report: (range, rows) =>
        live.report(range === 'all' ? 'all' : range === '1h' ? 3_600_000 : 300_000, { top: rows }),
    })
    const started = dashboard
    cleanups.unshift(() => started.close())
  }

  // ---- close panes (rules are evaluated as they close), publish
  const ticker = setInterval(() => live.advance(), 200)
  const publisher = setInterval(() => {
    snapshots.clear()
    dashboard?.publish()
    if (options.onTick !== undefined) options.onTick(snapshot('5m'))
  }, 1_000)

  options.onReady?.({
    dashboardUrl: dashboard?.url ?? null,
    siteUrl: site?.url ?? null,
    logPath: site?.logPath ?? null,
  })

  // ---- traffic (embedded), until the signal, or until reading fails
  const halt = new AbortController()
  let failure: { error: unknown } | undefined
  reading.catch((error: unknown) => {
    failure = { error }
    halt.abort()
  })
  const onAbort = (): void => halt.abort()
  if (outer?.aborted === true) halt.abort()
  else outer?.addEventListener('abort', onAbort, { once: true })
  let traffic: TrafficResult | null = null
  try {
    if (site !== null) {
      const s = site
      const rotator =
        options.rotateEveryMs === undefined
          ? undefined
          : setInterval(() => s.rotateLog(), options.rotateEveryMs)
      const incidents = options.incidents ?? DEMO_INCIDENTS
      traffic = await generateTraffic({
        url: s.url,
        rate: options.rate,
        seed: options.seed,
        signal: halt.signal,
        incidents,
        repeatEveryMs:
          options.repeatEveryMs ?? (options.incidents === undefined ? DEMO_PERIOD_MS : undefined),
        faults: s.faults,
        onIncident: (event) => {
          const name = event.incident.kind === '5xx' ? '5xx burst' : 'slow endpoint'
          if (event.state === 'start') activeIncidents.add(name)
          else activeIncidents.delete(name)
        },
      })
      clearInterval(rotator)
      // everything the site logged must be read before the final report
      await s.close()
      if (failure === undefined) await caughtUp(s.logPath, () => checkpoint, 15_000)
    } else if (outer !== undefined) {
      await new Promise<void>((resolve) => {
        if (halt.signal.aborted) return resolve()
        halt.signal.addEventListener('abort', () => resolve(), { once: true })
        // a stream source that ends also ends the run when nothing else would
        reading.then(resolve, resolve)
      })
    } else {
      await reading
    }
  } finally {
    stopReading.abort()
    await reading.catch(() => undefined)
    clearInterval(ticker)
    clearInterval(publisher)
    live.flush()
    snapshots.clear()
    dashboard?.publish()
    for (const cleanup of cleanups) await cleanup()
    outer?.removeEventListener('abort', onAbort)
  }
  if (failure !== undefined) throw failure.error

  return {
    report: live.report('all', { top }),
    alerts,
    site: site?.counters() ?? null,
    traffic,
    parser: { lines, bad: badLines.total, late: live.late },
    sources: sources(),
    dashboardUrl: dashboard?.url ?? null,
  }
}

/** Waits until the follower's checkpoint is at the end of the file now at `path`. */
async function caughtUp(
  path: string,
  checkpoint: () => FileCheckpoint | undefined,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const info = await stat(path, { bigint: true })
    const at = checkpoint()
    if (at !== undefined && at.inode === info.ino && BigInt(at.offset) >= info.size) return
    if (Date.now() > deadline)
      throw new Error(
        `the log was not read to its end within ${timeoutMs} ms (${at?.offset ?? 0} of ${info.size} bytes)`,
      )
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Options of {@link reportFile}. */
export interface ReportFileOptions {
  /** Format name or string (default: detected). */
  readonly format?: string | undefined
  /** Rows of each top-N table (default 10). */
  readonly top?: number | undefined
  readonly aggregate?: AggregateOptions | undefined
  readonly signal?: AbortSignal | undefined
}

/**
 * The batch report of a whole log file.
 *
 * @param path - the log
 * @param options - format, rows, key normalisation
 */
export async function reportFile(path: string, options: ReportFileOptions = {}): Promise<WebReport> {
  const aggregate = createAggregate(options.aggregate)
  for await (const batch of fileBatches(path, { format: options.format, signal: options.signal })) {
    for (const record of batch.records) aggregate.add(record)
    for (const error of batch.errors) aggregate.addFailure(error.reason, error.sample)
  }
  return aggregate.report({ top: options.top })
}
