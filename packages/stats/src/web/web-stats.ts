import { invalidArgument } from '@shoal/core'
import { ByteReader } from '../bytes/byte-reader.js'
import { ByteWriter } from '../bytes/byte-writer.js'
import { readEnvelope, writeEnvelope } from '../bytes/envelope.js'
import { CounterByKey } from '../counters/counter-by-key.js'
import { Rate } from '../counters/rate.js'
import { incompatibleSketches, invalidSketch } from '../errors.js'
import { FrequentItemsSketch } from '../frequency/frequent-items-sketch.js'
import { ErrorType } from '../frequency/query.js'
import { DDSketch } from '../quantiles/ddsketch.js'
import type { Sketch } from '../sketch.js'
import type { AggregateFactory, PaneAggregate } from '../time/pane-aggregate.js'
import { normalizePath, type PathNormalization, refererSite } from './normalize-path.js'
import { UniqueCount } from './unique-count.js'
import { UserAgentFamilies } from './user-agent-family.js'
import type { WebRecord } from './web-record.js'
import type { LatencySummary, TopRow, WebStatsReport } from './web-stats-report.js'

/** Options of {@link webStats}. Every aggregate of one deployment must use the same ones to merge. */
export interface WebStatsOptions {
  /** Top-N tables keep up to 75 % of this many keys (a power of two, default 1024): error ≤ 3.5 N / maxMapSize. */
  readonly maxMapSize?: number | undefined
  /** Unique visitors counted exactly up to this many, then by HLL (default 10,000). */
  readonly exactVisitors?: number | undefined
  /** log2 of the HLL registers for unique visitors (default 12). */
  readonly lgK?: number | undefined
  /** Relative accuracy of latency quantiles (default 0.01). */
  readonly relativeAccuracy?: number | undefined
  /** How paths become keys (query stripped, escapes decoded, ids collapsed, length capped). */
  readonly paths?: PathNormalization | undefined
  /** Seconds of per-second request counts kept (default 300: the 5-minute sparkline). */
  readonly rateSeconds?: number | undefined
  /** Count 4xx responses towards unique visitors (default false, as GoAccess). */
  readonly visitors4xx?: boolean | undefined
  /** The UTC offset, in minutes, of the day that delimits a visit (default 0: UTC days). */
  readonly dayOffsetMinutes?: number | undefined
}

/** The numbers alert rules can name, from a {@link WebStats} of a window. */
export interface WebMetrics {
  readonly [metric: string]: number | null
  readonly requests: number
  readonly failedLines: number
  readonly bandwidth: number
  readonly status2xx: number
  readonly status3xx: number
  readonly status4xx: number
  readonly status5xx: number
  /** 5xx responses per request, or null without requests. */
  readonly ratio5xx: number | null
  readonly visitors: number
  readonly latencyP50: number | null
  readonly latencyP95: number | null
  readonly latencyP99: number | null
}

const VERSION = 1
const STATUS_SLOTS = 1000
const DAY_MS = 86_400_000
const SAMPLE_CHARS = 200

interface Settings {
  readonly maxMapSize: number
  readonly exactVisitors: number
  readonly lgK: number
  readonly relativeAccuracy: number
  readonly rateSeconds: number
  readonly visitors4xx: boolean
  readonly dayOffsetMinutes: number
  readonly paths: PathNormalization
}

function settingsOf(options: WebStatsOptions): Settings {
  const dayOffsetMinutes = options.dayOffsetMinutes ?? 0
  if (!Number.isInteger(dayOffsetMinutes) || Math.abs(dayOffsetMinutes) > 1440) {
    throw invalidArgument(`dayOffsetMinutes must be an integer within ±1440, got ${dayOffsetMinutes}`)
  }
  return {
    maxMapSize: options.maxMapSize ?? 1024,
    exactVisitors: options.exactVisitors ?? 10_000,
    lgK: options.lgK ?? 12,
    relativeAccuracy: options.relativeAccuracy ?? 0.01,
    rateSeconds: options.rateSeconds ?? 300,
    visitors4xx: options.visitors4xx ?? false,
    dayOffsetMinutes,
    paths: options.paths ?? {},
  }
}

const sameSettings = (a: Settings, b: Settings): boolean => JSON.stringify(a) === JSON.stringify(b)

/**
 * Live web statistics over access-log records, built from this package's mergeable blocks:
 * exact counts (requests, bandwidth, status codes, failed lines by reason), unique visitors
 * (exact while small, HLL beyond), top-N tables with error bounds (Frequent Items), latency
 * quantiles (DDSketch) and a per-second request rate. Bounded in memory by its options, however
 * long it runs; mergeable in any order, so each web node or each one-second pane can keep its
 * own and a merger can combine them.
 */
export class WebStats implements Sketch<WebStats>, PaneAggregate<WebRecord, WebStats> {
  readonly #settings: Settings
  #requests = 0
  #bandwidth = 0
  #firstTime = Number.POSITIVE_INFINITY
  #lastTime = Number.NEGATIVE_INFINITY
  readonly #status = new Float64Array(STATUS_SLOTS)
  #failures: CounterByKey
  #lastFailure: { reason: string; sample: string } | null = null
  #visitors: UniqueCount
  #paths: FrequentItemsSketch
  #notFound: FrequentItemsSketch
  #clients: FrequentItemsSketch
  #sites: FrequentItemsSketch
  #agents: FrequentItemsSketch
  #hosts: FrequentItemsSketch
  #latency: DDSketch
  #rate: Rate
  readonly #families = new UserAgentFamilies()

  /** @param options - table sizes, accuracy and key normalisation; see {@link WebStatsOptions} */
  constructor(options: WebStatsOptions = {}) {
    const settings = settingsOf(options)
    this.#settings = settings
    const top = { maxMapSize: settings.maxMapSize }
    this.#failures = new CounterByKey({ maxKeys: 64 })
    this.#visitors = new UniqueCount({ exactLimit: settings.exactVisitors, lgK: settings.lgK })
    this.#paths = new FrequentItemsSketch(top)
    this.#notFound = new FrequentItemsSketch(top)
    this.#clients = new FrequentItemsSketch(top)
    this.#sites = new FrequentItemsSketch(top)
    this.#agents = new FrequentItemsSketch(top)
    this.#hosts = new FrequentItemsSketch(top)
    this.#latency = new DDSketch({ relativeAccuracy: settings.relativeAccuracy })
    this.#rate = new Rate({ seconds: settings.rateSeconds })
  }

  /** Valid requests counted. */
  get requests(): number {
    return this.#requests
  }

  /** Lines that failed to parse, counted. */
  get failedLines(): number {
    return this.#failures.total
  }

  /** Counts one parsed request. */
  add(record: WebRecord): void {
    this.#requests++
    const bytes = record.bytes
    if (typeof bytes === 'number') this.#bandwidth += bytes
    const status =
      typeof record.status === 'number' && record.status >= 0 && record.status < STATUS_SLOTS
        ? record.status
        : 0
    this.#status[status] = (this.#status[status] as number) + 1
    const time = record.time
    if (typeof time === 'number' && Number.isFinite(time)) {
      if (time < this.#firstTime) this.#firstTime = time
      if (time > this.#lastTime) this.#lastTime = time
      this.#rate.update(time)
    }
    const client = record.clientIp ?? record.remoteHost
    const agent = record.userAgent ?? ''
    if (client != null) {
      this.#clients.update(client)
      if (this.#settings.visitors4xx || status < 400 || status > 499) {
        const day =
          typeof time === 'number'
            ? Math.floor((time + this.#settings.dayOffsetMinutes * 60_000) / DAY_MS)
            : 0
        this.#visitors.add(`${client}|${day}|${agent}`)
      }
    }
    const target = record.target ?? record.path
    if (target != null && target !== '') {
      const path = normalizePath(target, this.#settings.paths)
      this.#paths.update(path)
      if (status === 404) this.#notFound.update(path)
    }
    const site = refererSite(record.referer)
    if (site !== null) this.#sites.update(site)
    this.#agents.update(this.#families.familyOf(agent))
    if (record.virtualHost != null) this.#hosts.update(record.virtualHost)
    const duration = record.duration
    if (typeof duration === 'number' && duration >= 0) this.#latency.add(duration)
  }

  /** Counts one line that failed to parse, by reason, keeping a short sample of the latest. */
  addFailure(reason: string, sample?: string): void {
    this.#failures.update(reason)
    if (sample !== undefined)
      this.#lastFailure = {
        reason,
        sample: Buffer.from(sample.slice(0, SAMPLE_CHARS), 'utf8').toString('utf8'),
      }
  }

  /** Adds everything `other` has counted; both must have been made with the same options. */
  merge(other: WebStats): void {
    if (!sameSettings(this.#settings, other.#settings))
      throw incompatibleSketches('web statistics made with different options cannot be merged')
    this.#requests += other.#requests
    this.#bandwidth += other.#bandwidth
    this.#firstTime = Math.min(this.#firstTime, other.#firstTime)
    this.#lastTime = Math.max(this.#lastTime, other.#lastTime)
    for (let i = 0; i < STATUS_SLOTS; i++)
      this.#status[i] = (this.#status[i] as number) + (other.#status[i] as number)
    this.#failures.merge(other.#failures)
    if (other.#lastFailure !== null) this.#lastFailure = other.#lastFailure
    this.#visitors.merge(other.#visitors)
    this.#paths.merge(other.#paths)
    this.#notFound.merge(other.#notFound)
    this.#clients.merge(other.#clients)
    this.#sites.merge(other.#sites)
    this.#agents.merge(other.#agents)
    this.#hosts.merge(other.#hosts)
    this.#latency.merge(other.#latency)
    this.#rate.merge(other.#rate)
  }

  /** Requests per second over the last {@link WebStatsOptions.rateSeconds} seconds, oldest first. */
  perSecond(): Float64Array {
    return this.#rate.perSecond()
  }

  /** The numbers alert rules can name. */
  metrics(): WebMetrics {
    const classes = this.#classes()
    const latency = this.#latency.isEmpty
    return {
      requests: this.#requests,
      failedLines: this.#failures.total,
      bandwidth: this.#bandwidth,
      status2xx: classes['2xx'],
      status3xx: classes['3xx'],
      status4xx: classes['4xx'],
      status5xx: classes['5xx'],
      ratio5xx: this.#requests === 0 ? null : classes['5xx'] / this.#requests,
      visitors: this.#visitors.summary().estimate,
      latencyP50: latency ? null : this.#latency.quantile(0.5),
      latencyP95: latency ? null : this.#latency.quantile(0.95),
      latencyP99: latency ? null : this.#latency.quantile(0.99),
    }
  }

  /** Everything counted, as plain data; top-N tables hold `top` rows (default 10). */
  report(options: { readonly top?: number | undefined } = {}): WebStatsReport {
    const top = options.top ?? 10
    const statusCodes: Record<string, number> = {}
    for (let i = 0; i < STATUS_SLOTS; i++) {
      const n = this.#status[i] as number
      if (n > 0) statusCodes[i === 0 ? 'unknown' : String(i)] = n
    }
    const failedByReason: Record<string, number> = {}
    for (const { key, count } of this.#failures.top()) failedByReason[key] = count
    return {
      requests: this.#requests,
      failedLines: this.#failures.total,
      failedByReason,
      lastFailure: this.#lastFailure,
      bandwidth: this.#bandwidth,
      statusCodes,
      statusClasses: this.#classes(),
      uniqueVisitors: this.#visitors.summary(),
      paths: rows(this.#paths, top),
      notFound: rows(this.#notFound, top),
      clients: rows(this.#clients, top),
      referringSites: rows(this.#sites, top),
      userAgents: rows(this.#agents, top),
      virtualHosts: rows(this.#hosts, top),
      latency: this.#latencySummary(),
      firstTime: Number.isFinite(this.#firstTime) ? this.#firstTime : null,
      lastTime: Number.isFinite(this.#lastTime) ? this.#lastTime : null,
    }
  }

  #classes(): Record<'1xx' | '2xx' | '3xx' | '4xx' | '5xx', number> {
    const sum = (from: number): number => {
      let n = 0
      for (let i = from; i < from + 100; i++) n += this.#status[i] as number
      return n
    }
    return { '1xx': sum(100), '2xx': sum(200), '3xx': sum(300), '4xx': sum(400), '5xx': sum(500) }
  }

  #latencySummary(): LatencySummary | null {
    const sketch = this.#latency
    if (sketch.isEmpty) return null
    const [p50, p90, p95, p99] = sketch.quantiles([0.5, 0.9, 0.95, 0.99]) as [number, number, number, number]
    return { count: sketch.count, mean: sketch.mean, p50, p90, p95, p99, max: sketch.max }
  }

  /** The image: options, exact counts, then each block's own image. */
  toBytes(): Uint8Array {
    const writer = new ByteWriter(4096)
    writeEnvelope(writer, 'web-stats', VERSION)
    const settings = Buffer.from(JSON.stringify(this.#settings), 'utf8')
    writer.u32(settings.length).bytes(settings)
    writer.f64(this.#requests).f64(this.#bandwidth).f64(this.#firstTime).f64(this.#lastTime)
    let used = 0
    for (let i = 0; i < STATUS_SLOTS; i++) if ((this.#status[i] as number) > 0) used++
    writer.u32(used)
    for (let i = 0; i < STATUS_SLOTS; i++) {
      const n = this.#status[i] as number
      if (n > 0) writer.u16(i).f64(n)
    }
    const failure = this.#lastFailure === null ? null : Buffer.from(JSON.stringify(this.#lastFailure), 'utf8')
    writer.i32(failure === null ? -1 : failure.length)
    if (failure !== null) writer.bytes(failure)
    for (const block of this.#blocks()) {
      const bytes = block.toBytes()
      writer.u32(bytes.length).bytes(bytes)
    }
    return writer.finish()
  }

  #blocks(): Sketch<unknown>[] {
    return [
      this.#failures,
      this.#visitors,
      this.#paths,
      this.#notFound,
      this.#clients,
      this.#sites,
      this.#agents,
      this.#hosts,
      this.#latency,
      this.#rate,
    ]
  }

  /** Reads an image made by {@link WebStats.toBytes}; throws `ERR_INVALID_SKETCH` for anything else. */
  static fromBytes(bytes: Uint8Array): WebStats {
    const reader = new ByteReader(bytes)
    readEnvelope(reader, 'web-stats', VERSION)
    let options: WebStatsOptions
    const settingsAt = reader.offset
    try {
      options = JSON.parse(reader.utf8(reader.u32())) as WebStatsOptions
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ERR_INVALID_SKETCH') throw err
      throw invalidSketch('the options are not valid JSON', settingsAt)
    }
    let stats: WebStats
    try {
      stats = new WebStats(options)
    } catch {
      throw invalidSketch('the options are not valid', settingsAt)
    }
    stats.#requests = reader.f64()
    stats.#bandwidth = reader.f64()
    stats.#firstTime = reader.f64()
    stats.#lastTime = reader.f64()
    const used = reader.u32()
    if (used > STATUS_SLOTS) throw invalidSketch(`${used} status codes`, reader.offset - 4)
    for (let i = 0; i < used; i++) {
      const code = reader.u16()
      if (code >= STATUS_SLOTS) throw invalidSketch(`status code ${code}`, reader.offset - 2)
      stats.#status[code] = reader.f64()
    }
    const failure = reader.i32()
    if (failure >= 0) {
      const at = reader.offset
      try {
        const parsed = JSON.parse(reader.utf8(failure)) as { reason: unknown; sample: unknown }
        if (typeof parsed.reason !== 'string' || typeof parsed.sample !== 'string') throw new Error('shape')
        stats.#lastFailure = { reason: parsed.reason, sample: parsed.sample }
      } catch {
        throw invalidSketch('the last failure is not valid', at)
      }
    }
    const block = (): Uint8Array => reader.bytes(reader.u32())
    stats.#failures = CounterByKey.fromBytes(block())
    stats.#visitors = UniqueCount.fromBytes(block())
    stats.#paths = FrequentItemsSketch.fromBytes(block())
    stats.#notFound = FrequentItemsSketch.fromBytes(block())
    stats.#clients = FrequentItemsSketch.fromBytes(block())
    stats.#sites = FrequentItemsSketch.fromBytes(block())
    stats.#agents = FrequentItemsSketch.fromBytes(block())
    stats.#hosts = FrequentItemsSketch.fromBytes(block())
    stats.#latency = DDSketch.fromBytes(block())
    stats.#rate = Rate.fromBytes(block())
    reader.end()
    return stats
  }

  /** The report, as JSON. */
  toJSON(): WebStatsReport {
    return this.report()
  }
}

function rows(sketch: FrequentItemsSketch, top: number): TopRow[] {
  // ties broken by key, so equal data gives an equal report whatever the merge order
  return sketch
    .getFrequentItems(ErrorType.NO_FALSE_NEGATIVES)
    .sort((a, b) => b.estimate - a.estimate || (a.item < b.item ? -1 : a.item > b.item ? 1 : 0))
    .slice(0, top)
    .map((row) => ({
      key: row.item,
      count: row.estimate,
      lowerBound: row.lowerBound,
      upperBound: row.upperBound,
    }))
}

/**
 * Web statistics over access-log records (see {@link WebStats}).
 *
 * @example
 * ```ts
 * const stats = webStats()
 * stats.add({ time: Date.now(), status: 200, bytes: 512, remoteHost: '192.0.2.1', target: '/a?x=1', userAgent: 'curl/8.5' })
 * const paths = stats.report().paths // [{ key: '/a', count: 1, lowerBound: 1, upperBound: 1 }]
 * ```
 */
export function webStats(options: WebStatsOptions = {}): WebStats {
  return new WebStats(options)
}

/** The {@link AggregateFactory} that event-time windows use to make and read {@link WebStats} panes. */
export function webStatsFactory(options: WebStatsOptions = {}): AggregateFactory<WebStats> {
  return { create: () => new WebStats(options), fromBytes: (bytes) => WebStats.fromBytes(bytes) }
}
