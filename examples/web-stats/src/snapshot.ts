/**
 * The snapshot the dashboard shows every second, and the TTY summary made from it.
 */

import {
  AGGREGATOR,
  type AggregatorInfo,
  type AlertEvent,
  type AlertStatus,
  type LatencySummary,
  type LiveStats,
  type WebReport,
} from './aggregation.js'

/** The time ranges the dashboard offers. */
export const RANGES = {
  '5m': { label: 'last 5 minutes', ms: 5 * 60_000 },
  '1h': { label: 'last hour', ms: 60 * 60_000 },
  all: { label: 'since start', ms: null },
} as const

/** A key of {@link RANGES}. */
export type RangeKey = keyof typeof RANGES

/** Whether `value` is a {@link RangeKey}. */
export function isRangeKey(value: unknown): value is RangeKey {
  return typeof value === 'string' && Object.hasOwn(RANGES, value)
}

/** Lines read from one source. */
export interface SourceHealth {
  readonly name: string
  readonly lines: number
  readonly bad: number
  /** Wall clock of its latest batch, epoch milliseconds (null: nothing yet). */
  readonly lastSeen: number | null
}

/** The parser's health. */
export interface ParserHealth {
  /** Lines read (parsed and rejected). */
  readonly lines: number
  /** Lines per second over the last 10 closed seconds. */
  readonly linesPerSec: number
  /** Lines rejected. */
  readonly bad: number
  readonly badByReason: Readonly<Record<string, number>>
  /** The latest rejected line. */
  readonly lastBad: { readonly reason: string; readonly sample: string; readonly message: string } | null
  /** Lines that arrived after their 1-second pane had closed. */
  readonly late: number
}

/** What the dashboard shows, once a second. */
export interface Snapshot {
  /** Wall clock, epoch milliseconds. */
  readonly now: number
  readonly aggregator: AggregatorInfo
  readonly range: { readonly key: RangeKey; readonly label: string }
  /** Event time up to which panes are complete. */
  readonly watermark: number | null
  /** Wall clock minus watermark. */
  readonly lagMs: number | null
  readonly rates: {
    /** Requests in the latest closed second. */
    readonly requestsPerSec: number
    /** Averages over the last 10 closed seconds. */
    readonly requestsPerSec10s: number
    readonly bytesPerSec10s: number
    readonly errorsPerSec10s: number
  }
  /** Per-second history of the last 5 minutes (closed panes), oldest first. */
  readonly series: {
    readonly t: number[]
    readonly requests: number[]
    readonly errors5xx: number[]
    readonly bytes: number[]
    readonly p95: (number | null)[]
  }
  /** The report over the selected range. */
  readonly report: WebReport
  /** Latency over the last 10 seconds. */
  readonly recentLatency: LatencySummary | null
  readonly alerts: AlertStatus[]
  /** Latest alert events, newest last. */
  readonly alertEvents: AlertEvent[]
  readonly parser: ParserHealth
  readonly sources: SourceHealth[]
  /** Embedded demo only: the scripted incidents running now (what the statistics should reveal). */
  readonly incidents: string[]
}

/** What {@link buildSnapshot} reads. */
export interface SnapshotInputs {
  readonly live: LiveStats
  readonly range: RangeKey
  readonly top: number
  readonly parser: Omit<ParserHealth, 'linesPerSec' | 'late'>
  readonly sources: SourceHealth[]
  readonly incidents: string[]
  readonly now?: number | undefined
}

/**
 * Builds a snapshot.
 *
 * @param inputs - live statistics, range, parser and source health
 */
export function buildSnapshot(inputs: SnapshotInputs): Snapshot {
  const { live } = inputs
  const now = inputs.now ?? Date.now()
  const watermark = live.watermark
  const history = live.series(300)
  const last10 = history.slice(-10)
  const sum = (f: (p: (typeof history)[number]) => number): number => last10.reduce((a, p) => a + f(p), 0)
  const span = Math.max(1, last10.length)
  const range = RANGES[inputs.range]
  return {
    now,
    aggregator: AGGREGATOR,
    range: { key: inputs.range, label: range.label },
    watermark,
    lagMs: watermark === null ? null : now - watermark,
    rates: {
      requestsPerSec: history.at(-1)?.requests ?? 0,
      requestsPerSec10s: sum((p) => p.requests) / span,
      bytesPerSec10s: sum((p) => p.bytes) / span,
      errorsPerSec10s: sum((p) => p.errors5xx) / span,
    },
    series: {
      t: history.map((p) => p.start / 1000),
      requests: history.map((p) => p.requests),
      errors5xx: history.map((p) => p.errors5xx),
      bytes: history.map((p) => p.bytes),
      p95: history.map((p) => p.p95),
    },
    report: live.report(range.ms ?? 'all', { top: inputs.top }),
    recentLatency: live.report(10_000, { top: 0 }).latency,
    alerts: live.alerts(),
    alertEvents: live.alertEvents().slice(-20),
    parser: {
      ...inputs.parser,
      linesPerSec: sum((p) => p.requests + p.failed) / span,
      late: live.late,
    },
    sources: inputs.sources,
    incidents: inputs.incidents,
  }
}

// ---------------------------------------------------------------------------------------------
// text

/** `1234567` → `1.2 MB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

/** Microseconds → `12 ms` / `1.25 s`. */
export function formatMicros(us: number | null | undefined): string {
  if (us === null || us === undefined) return '–'
  if (us < 1_000) return `${Math.round(us)} µs`
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 1 : 0)} ms`
  return `${(us / 1_000_000).toFixed(2)} s`
}

/** A count with its bounds: `1,234` when exact, `1,234 (1,220–1,240)` otherwise. */
export function formatCount(row: { count: number; lowerBound: number; upperBound: number }): string {
  const n = (x: number): string => x.toLocaleString('en-US')
  return row.lowerBound === row.upperBound
    ? n(row.count)
    : `${n(row.count)} (${n(row.lowerBound)}–${n(row.upperBound)})`
}

/**
 * The compact summary the CLI refreshes on a terminal: a few lines, no colours needed.
 *
 * @param snapshot - the latest snapshot
 * @param url - the dashboard URL
 */
export function summaryLines(snapshot: Snapshot, url: string | null): string[] {
  const r = snapshot.report
  const classes = (['2xx', '3xx', '4xx', '5xx'] as const)
    .map((c) => `${c} ${r.requests === 0 ? 0 : Math.round(((r.statusClasses[c] ?? 0) / r.requests) * 100)}%`)
    .join('  ')
  const alert = snapshot.alerts
    .map(
      (a) =>
        `${a.rule} ${a.state === 'inactive' ? 'ok' : a.state.toUpperCase()} (${a.value}/${a.threshold}; ${a.description})`,
    )
    .join(', ')
  const lat = snapshot.recentLatency
  const lag = snapshot.lagMs === null ? '–' : `${(snapshot.lagMs / 1000).toFixed(1)} s`
  return [
    ...(url === null ? [] : [`dashboard  ${url}`]),
    `requests   ${r.requests.toLocaleString('en-US')} total, ${snapshot.rates.requestsPerSec10s.toFixed(1)}/s, ` +
      `${formatBytes(snapshot.rates.bytesPerSec10s)}/s   visitors ${r.uniqueVisitors.estimate.toLocaleString('en-US')}`,
    `status     ${classes}`,
    `latency    p50 ${formatMicros(lat?.p50)}  p95 ${formatMicros(lat?.p95)}  p99 ${formatMicros(lat?.p99)} (last 10 s)`,
    `alert      ${alert}`,
    `parser     ${snapshot.parser.lines.toLocaleString('en-US')} lines, ${snapshot.parser.bad} bad, ` +
      `${snapshot.parser.late} late   lag ${lag}` +
      (snapshot.incidents.length > 0 ? `   incident: ${snapshot.incidents.join(', ')}` : ''),
  ]
}

/**
 * The batch report as a human-readable table.
 *
 * @param report - the report
 * @param title - the first line
 */
export function reportTable(report: WebReport, title: string): string {
  const lines: string[] = [title, '']
  const n = (x: number): string => x.toLocaleString('en-US')
  const row = (label: string, value: string): void => {
    lines.push(`  ${label.padEnd(18)} ${value}`)
  }
  row('requests', n(report.requests))
  row('failed lines', n(report.failedLines))
  for (const [reason, count] of Object.entries(report.failedByReason)) row(`  ${reason}`, n(count))
  const visitors = report.uniqueVisitors
  row(
    'unique visitors',
    visitors.exact
      ? n(visitors.estimate)
      : `${n(visitors.estimate)} (${n(visitors.lowerBound)}–${n(visitors.upperBound)})`,
  )
  row('bandwidth', `${formatBytes(report.bandwidth)} (${n(report.bandwidth)} bytes)`)
  row(
    'status classes',
    Object.entries(report.statusClasses)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join('  '),
  )
  row(
    'status codes',
    Object.entries(report.statusCodes)
      .map(([k, v]) => `${k} ${n(v)}`)
      .join('  '),
  )
  if (report.latency !== null) {
    const l = report.latency
    row(
      'latency',
      `p50 ${formatMicros(l.p50)}  p90 ${formatMicros(l.p90)}  p95 ${formatMicros(l.p95)}  p99 ${formatMicros(l.p99)}  ` +
        `max ${formatMicros(l.max)}  mean ${formatMicros(l.mean)}`,
    )
  }
  const table = (label: string, rows: WebReport['paths']): void => {
    if (rows.length === 0) return
    lines.push('', `  ${label}`)
    const width = Math.max(...rows.map((r) => formatCount(r).length))
    for (const r of rows) lines.push(`    ${formatCount(r).padStart(width)}  ${r.key}`)
  }
  table('top paths', report.paths)
  table('top 404s', report.notFound)
  table('top clients', report.clients)
  table('top referring sites', report.referringSites)
  table('top user agents', report.userAgents)
  table('virtual hosts', report.virtualHosts)
  return `${lines.join('\n')}\n`
}
