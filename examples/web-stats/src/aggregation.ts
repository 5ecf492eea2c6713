/**
 * The aggregation seam of the example: the pipeline, the dashboard, the CLI and the tests use only
 * what this file exports, and all of it is `@shoal/stats`.
 *
 * Each 1-second pane holds a `webStats()` aggregate (exact counters, unique visitors exact then
 * HyperLogLog, top-N tables with error bounds, DDSketch latency quantiles). {@link LiveStats} puts
 * every line into the panes of an `EventTimeWindows` (per-source watermarks, idleness, late lines
 * folded in, roll-ups to 1 min / 5 min / 1 h), answers ranges by merging panes, and evaluates the
 * alert rules with an `AlertEngine` as panes close.
 */

// the record read, the report and the alert metrics are @shoal/stats's own, under this example's names
import type {
  TopRow as KeyCount,
  LatencySummary,
  WebMetrics,
  WebRecord as WebRecordLike,
  WebStatsReport as WebReport,
} from '@shoal/stats'
import {
  AlertEngine,
  type AlertRule,
  type AlertRuleSpec,
  type AlertTransition,
  EventTimeWindows,
  http5xxBurstRule,
  type Pane,
  type PathNormalization,
  webStats,
} from '@shoal/stats'

// ---------------------------------------------------------------------------------------------
// The contract

export type { KeyCount, LatencySummary, WebMetrics, WebRecordLike, WebReport }

/** Options of a report. */
export interface ReportOptions {
  /** Rows of each top-N table (default 10). */
  readonly top?: number | undefined
}

/** A mergeable aggregate of access-log records. */
export interface WebAggregate {
  /** Counts one parsed line. */
  add(record: WebRecordLike): void
  /** Counts one line that could not be parsed. */
  addFailure(reason: string, sample?: string): void
  /** Adds everything `other` has counted (`other` is left unchanged). */
  merge(other: WebAggregate): void
  /** The report of everything counted so far. */
  report(options?: ReportOptions): WebReport
  /** The numbers alert rules compare. */
  metrics(): WebMetrics
  /** A binary image (for shipping panes between processes). */
  toBytes(): Uint8Array
}

/** Options of {@link createAggregate}. */
export interface AggregateOptions {
  /** How request targets become path keys (default {@link DEFAULT_PATHS}). */
  readonly paths?: PathNormalization | undefined
  /** Count 4xx responses towards unique visitors (default false, as GoAccess). */
  readonly visitors4xx?: boolean | undefined
  /**
   * Size of the maps behind the top-N tables (a power of two, default 1,024): counts are exact
   * until a table needs more than 75 % of this many keys, then off by at most 3.5 N / maxMapSize
   * (N: the table's total), within the bounds each row reports.
   */
  readonly maxMapSize?: number | undefined
}

/** Which implementation is behind {@link createAggregate}, for people to see. */
export interface AggregatorInfo {
  /** Short name. */
  readonly name: string
  /** One sentence on what it is. */
  readonly note: string
}

/** The implementation in use. */
export const AGGREGATOR: AggregatorInfo = {
  name: '@shoal/stats webStats()',
  note:
    'exact counts; unique visitors exact up to 10,000, then HyperLogLog; top-N tables by ' +
    'Frequent Items with error bounds; latency quantiles by DDSketch (1 %)',
}

/** The example's path keys: query stripped, escapes decoded, ids kept (so keys compare with GoAccess's). */
export const DEFAULT_PATHS: PathNormalization = { stripQuery: true, percentDecode: true, collapseIds: false }

/**
 * A new, empty aggregate: `@shoal/stats`'s `webStats()`. Aggregates merge only with others made
 * with the same options.
 *
 * @param options - key normalisation, unique-visitor rule, size of the top-N maps
 */
export function createAggregate(options: AggregateOptions = {}): WebAggregate {
  return webStats({
    paths: options.paths ?? DEFAULT_PATHS,
    visitors4xx: options.visitors4xx ?? false,
    maxMapSize: options.maxMapSize,
  })
}

// ---------------------------------------------------------------------------------------------
// Live statistics: @shoal/stats windows and alert rules over the aggregate

/** A line that could not be parsed, as an event of the windows (it has no time of its own). */
class FailedLine {
  constructor(
    readonly reason: string,
    readonly sample: string | undefined,
  ) {}
}

/** What each pane holds: one aggregate, fed parsed lines and failed ones. */
class PaneStats {
  readonly web: WebAggregate

  constructor(web: WebAggregate) {
    this.web = web
  }

  add(event: WebRecordLike | FailedLine): void {
    if (event instanceof FailedLine) this.web.addFailure(event.reason, event.sample)
    else this.web.add(event)
  }

  merge(other: PaneStats): void {
    this.web.merge(other.web)
  }

  toBytes(): Uint8Array {
    return this.web.toBytes()
  }
}

/** The 5xx rule of the example (the package's built-in rule with the example's timings). */
export interface BurstRuleOptions {
  /** Fire at this many 5xx responses in the window, or more (default 10). */
  readonly threshold?: number | undefined
  /** Resolve once fewer than this many remain in the window (default 2). */
  readonly resolveThreshold?: number | undefined
  /** Window, in milliseconds (default 10,000). */
  readonly windowMs?: number | undefined
  /** How long it must hold before firing, in milliseconds (default 3,000). */
  readonly forMs?: number | undefined
  /** Least time between two firings, in milliseconds (default 60,000). */
  readonly cooldownMs?: number | undefined
}

/**
 * The example's alert rule: `@shoal/stats`'s built-in 5xx-burst rule, with timings for a live demo.
 *
 * @param options - threshold and timings
 */
export function burstRule(options: BurstRuleOptions = {}): AlertRule {
  return http5xxBurstRule({
    threshold: options.threshold ?? 10,
    resolveThreshold: options.resolveThreshold ?? Math.min(2, options.threshold ?? 10),
    window: options.windowMs ?? 10_000,
    for: options.forMs ?? 3_000,
    cooldown: options.cooldownMs ?? 60_000,
  })
}

/** A rule in words: `status5xx ≥ 10 in 10 s for 3 s`. */
export function describeRule(rule: AlertRule): string {
  const s = (ms: number): string => `${ms / 1000} s`
  const op = rule.comparator === '>=' ? '≥' : rule.comparator === '<=' ? '≤' : rule.comparator
  const metric = rule.metric === 'status5xx' ? '5xx' : rule.metric
  return `${metric} ${op} ${rule.threshold} in ${s(rule.window)}${rule.for > 0 ? ` for ${s(rule.for)}` : ''}`
}

/** Where a rule stands. */
export type AlertState = 'inactive' | 'pending' | 'firing' | 'resolved'

/** A rule changing state, decided when a pane closes. */
export interface AlertEvent {
  readonly rule: string
  /** The rule in words. */
  readonly description: string
  readonly from: AlertState
  readonly state: AlertState
  /** Event time of the end of the pane whose closing decided it, epoch milliseconds. */
  readonly at: number
  /** The metric over the window at that moment. */
  readonly value: number | null
  readonly threshold: number
}

/** The state of one rule now. */
export interface AlertStatus {
  readonly rule: string
  readonly description: string
  readonly state: AlertState
  /** When it entered this state (event time), or null. */
  readonly since: number | null
  /** The metric over the window at the last evaluation. */
  readonly value: number | null
  readonly threshold: number
}

/** Counters of one closed 1-second pane, for rates and sparklines. */
export interface PaneSummary {
  /** Pane start, epoch milliseconds (event time). */
  readonly start: number
  readonly requests: number
  readonly bytes: number
  readonly errors5xx: number
  readonly failed: number
  /** Latency p95 within the pane, microseconds (null without durations). */
  readonly p95: number | null
}

/** Options of {@link LiveStats}. */
export interface LiveOptions {
  /** Aggregate options of every pane. */
  readonly aggregate?: AggregateOptions | undefined
  /**
   * How late a line may arrive after later ones, in milliseconds (default 2,000). Lines are
   * written when requests end but stamped when they begin, so this covers slow requests.
   */
  readonly allowedLatenessMs?: number | undefined
  /** A source silent this long no longer holds the watermark back (default 3,000 ms). */
  readonly idleTimeoutMs?: number | undefined
  /** Alert rules (default: {@link burstRule}()). */
  readonly rules?: readonly (AlertRule | AlertRuleSpec)[] | undefined
}

const SECOND = 1_000

/**
 * Live statistics by event time, on `@shoal/stats`'s `EventTimeWindows` (1-second panes rolled up
 * to minutes and hours, per-source watermarks, late lines folded into the oldest open pane) and
 * `AlertEngine` (rules evaluated as panes close).
 */
export class LiveStats {
  readonly #windows: EventTimeWindows<WebRecordLike | FailedLine, PaneStats>
  readonly #engine: AlertEngine<PaneStats>
  readonly #summaries = new Map<number, PaneSummary>()
  readonly #events: AlertEvent[] = []
  readonly #lastTime = new Map<string, number>()
  readonly #onAlert: ((event: AlertEvent) => void)[] = []

  /** @param options - lateness, idleness, rules, key normalisation */
  constructor(options: LiveOptions = {}) {
    const factory = { create: () => new PaneStats(createAggregate(options.aggregate)) }
    this.#windows = new EventTimeWindows<WebRecordLike | FailedLine, PaneStats>({
      aggregate: factory,
      allowedLateness: options.allowedLatenessMs ?? 2_000,
      idleTimeout: options.idleTimeoutMs ?? 3_000,
      latePolicy: 'fold',
    })
    this.#engine = new AlertEngine<PaneStats>({
      rules: options.rules ?? [burstRule()],
      metrics: (pane) => pane.web.metrics(),
      windows: this.#windows,
    })
    this.#engine.attach(this.#windows)
    this.#windows.addEventListener('pane-closed', ({ detail }) => this.#closed(detail))
    this.#engine.addEventListener('transition', ({ detail }) => {
      const event = this.#event(detail)
      this.#events.push(event)
      if (this.#events.length > 200) this.#events.shift()
      for (const listener of this.#onAlert) listener(event)
    })
  }

  /** Calls `listener` with every alert state change. */
  onAlert(listener: (event: AlertEvent) => void): void {
    this.#onAlert.push(listener)
  }

  #event(t: AlertTransition): AlertEvent {
    const rule = this.#engine.rules.find((r) => r.id === t.ruleId)
    return {
      rule: t.ruleId,
      description: rule === undefined ? t.metric : describeRule(rule),
      from: t.from,
      state: t.to,
      at: t.atMs,
      value: t.value,
      threshold: t.threshold,
    }
  }

  #closed(pane: Pane<PaneStats>): void {
    const m = pane.aggregate.web.metrics()
    this.#summaries.set(pane.startMs, {
      start: pane.startMs,
      requests: m.requests,
      bytes: m.bandwidth,
      errors5xx: m.status5xx,
      failed: m.failedLines,
      p95: m.latencyP95,
    })
    // five minutes of per-second summaries, and a little more
    for (const start of this.#summaries.keys())
      if (start < pane.startMs - 400 * SECOND) this.#summaries.delete(start)
  }

  /**
   * Counts a parsed line at its event time (`record.time`; now if it has none).
   *
   * @param record - the parsed line
   * @param source - where it came from (one watermark per source)
   */
  add(record: WebRecordLike, source = 'default'): void {
    const time = record.time ?? Date.now()
    this.#lastTime.set(source, time)
    this.#windows.add(record, time, source)
  }

  /**
   * Counts a line that could not be parsed, at the time of the source's latest line (now before
   * its first), so that it never moves event time.
   *
   * @param reason - why it was rejected
   * @param sample - the start of the line
   * @param source - where it came from
   */
  addFailure(reason: string, sample: string | undefined, source = 'default'): void {
    this.#windows.add(new FailedLine(reason, sample), this.#lastTime.get(source) ?? Date.now(), source)
  }

  /**
   * Moves processing time on: idle sources stop holding the watermark back; panes the watermark
   * passed close; rules are evaluated. Call it often (every 100 ms to 1 s).
   *
   * @param now - wall clock, epoch milliseconds
   */
  advance(now = Date.now()): void {
    this.#windows.advance(now)
  }

  /** Closes every pane (end of input); rules are evaluated at each. */
  flush(): void {
    this.#windows.flush()
  }

  /** Everything up to this event time is complete (null before the first line). */
  get watermark(): number | null {
    const w = this.#windows.watermarkMs
    return Number.isFinite(w) ? w : null
  }

  /** Lines that arrived after their pane had closed (folded into the oldest open pane). */
  get late(): number {
    return this.#windows.stats.late
  }

  /**
   * The report over the last `rangeMs` of event time (panes merged, open ones included), or over
   * everything since the start (`'all'`). Ranges are whole panes of the finest level that still
   * holds them: seconds for the last 5 minutes, then minutes, 5 minutes and hours.
   *
   * @param range - milliseconds, or `'all'`
   * @param options - rows of the top-N tables
   */
  report(range: number | 'all', options: ReportOptions = {}): WebReport {
    const duration = range === 'all' ? Number.POSITIVE_INFINITY : range
    return this.#windows.query(duration, { includeOpen: true }).aggregate.web.report(options)
  }

  /** Per-second summaries of the `seconds` closed seconds before the closed boundary, oldest first (empty seconds as zeros). */
  series(seconds: number): PaneSummary[] {
    const end = this.#windows.closedThroughMs
    if (!Number.isFinite(end)) return []
    let first = end
    for (const start of this.#summaries.keys()) if (start < first) first = start
    const out: PaneSummary[] = []
    for (let start = Math.max(first, end - seconds * SECOND); start < end; start += SECOND)
      out.push(
        this.#summaries.get(start) ?? { start, requests: 0, bytes: 0, errors5xx: 0, failed: 0, p95: null },
      )
    return out
  }

  /** Every rule's state now. */
  alerts(): AlertStatus[] {
    return this.#engine.status().map((s) => ({
      rule: s.rule.id,
      description: describeRule(s.rule),
      state: s.state,
      since: s.sinceMs ?? null,
      value: s.value,
      threshold: s.rule.threshold,
    }))
  }

  /** The latest alert events (at most 200), oldest first. */
  alertEvents(): AlertEvent[] {
    return this.#events.slice()
  }
}
