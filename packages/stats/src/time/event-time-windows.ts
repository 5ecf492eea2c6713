import type { Clock, Startable } from '@shoal/core'
import {
  AsyncQueue,
  invalidArgument,
  type Subscription,
  type SubscriptionOptions,
  systemClock,
  TypedEventTarget,
} from '@shoal/core'
import { type Duration, parseDuration } from './duration.js'
import { MAX_SOURCE_BYTES, Pane } from './pane.js'
import type { AggregateFactory, MergeableAggregate, PaneAggregate } from './pane-aggregate.js'
import { PaneHistory, type WindowQuery, type WindowQueryOptions, type WindowResult } from './pane-history.js'
import type { ResolvedRollupLevel, RollupLevel } from './rollup-levels.js'
import { Ticker } from './ticker.js'
import { Watermarks, type WatermarksOptions } from './watermarks.js'

/**
 * What happens to an event whose pane has already closed:
 * - `'fold'`: it is added to the oldest open pane (totals stay exact, its time shifts forward);
 * - `'count'`: it is left out and only counted (in the stats and the oldest open pane's `late`).
 *
 * Either way it is counted as late, and a closed pane is never reopened.
 */
export type LatePolicy = 'fold' | 'count'

/** Why an event was not aggregated at all (see {@link EventTimeWindowsOptions.onDrop}). */
export type DropReason = 'invalid-time' | 'source-limit'

/** Options of {@link EventTimeWindows}. */
export interface EventTimeWindowsOptions<E, A> extends WatermarksOptions {
  /** Makes each pane's empty aggregate (and the ones windows merge into). */
  readonly aggregate: Pick<AggregateFactory<A>, 'create'>
  /** Id of this aggregator, written into its panes (default `'local'`). */
  readonly source?: string | undefined
  /**
   * Pane sizes and retention (default `DEFAULT_ROLLUPS`: 1 s, 1 min, 5 min, 1 h); the first level
   * is the pane size (1 s by default).
   */
  readonly levels?: readonly RollupLevel[] | undefined
  /** What to do with late events (default `'fold'`). */
  readonly latePolicy?: LatePolicy | undefined
  /** Processing time for events without a time and for {@link EventTimeWindows.start} (default: the system clock). */
  readonly clock?: Clock | undefined
  /** Interval of the ticks after {@link EventTimeWindows.start} (default: the pane duration). */
  readonly tick?: Duration | undefined
  /**
   * The most panes open at once (default 600). Opening one more first closes the oldest (counted
   * in `stats.forcedCloses`); events older than it are then late.
   */
  readonly maxOpenPanes?: number | undefined
  /** Called with each late event (after the policy was applied). Must not throw. */
  readonly onLate?: ((event: E, eventTimeMs: number, sourceId: string) => void) | undefined
  /** Called with each event that could not be aggregated at all, and why. Must not throw. */
  readonly onDrop?: ((reason: DropReason, event: E, sourceId: string) => void) | undefined
}

/** Progress reported by the `watermark` event, once per call that closed an interval. */
export interface WatermarkProgress {
  /** The global watermark. */
  readonly watermarkMs: number
  /** Every pane ending at or before this is closed. */
  readonly closedThroughMs: number
}

/** The typed events of {@link EventTimeWindows}. */
export type EventTimeWindowsEvents<A extends MergeableAggregate<A>> = {
  /** A pane closed (only panes that saw an event or a late one; empty intervals have none). */
  'pane-closed': Pane<A>
  /** The closed boundary moved (after that call's `pane-closed` events). */
  watermark: WatermarkProgress
}

/** Counters of {@link EventTimeWindows}. */
export interface EventTimeWindowsStats {
  /** Events aggregated (folded late events included). */
  readonly events: number
  /** Late events (folded or only counted). */
  readonly late: number
  /** Late events folded into the oldest open pane. */
  readonly folded: number
  /** Events refused because their time was not a finite number. */
  readonly invalidTime: number
  /** Events refused because the source table was full. */
  readonly sourceLimit: number
  /** Panes closed early because too many were open. */
  readonly forcedCloses: number
  /** Panes closed. */
  readonly panesClosed: number
  /** Panes open now. */
  readonly openPanes: number
}

/** Options of {@link EventTimeWindows.window} and {@link EventTimeWindows.query}. */
export interface WindowOptions extends WindowQueryOptions {
  /**
   * Also merge the open panes (default `false`): the window then ends at the newest open pane's
   * end, and its newest part may still change.
   */
  readonly includeOpen?: boolean | undefined
}

interface OpenPane<A> {
  readonly startMs: number
  readonly aggregate: A
  events: number
  late: number
}

/** The default source id of events. */
export const DEFAULT_SOURCE_ID = 'default'

/**
 * Event-time tumbling panes with watermarks, late-event policy, roll-ups and window queries,
 * generic over any {@link PaneAggregate}. Everything is driven by calls — {@link EventTimeWindows.add}
 * for events, {@link EventTimeWindows.advance} for processing time — and no timer runs unless
 * {@link EventTimeWindows.start} is called, so tests are deterministic.
 *
 * A pane closes when the global watermark passes its end; it is then immutable, appended to the
 * history (rolled up and bounded), and published as a `pane-closed` event and to every
 * {@link EventTimeWindows.panes} iterator, ready to be shipped as bytes to a `PaneMerger`.
 * Listeners run synchronously inside `add`/`advance`/`flush`, after the pane is in the history:
 * they may query windows (an alert engine does) but should not add events.
 *
 * Memory is bounded by configuration: the open panes (about `allowedLateness / pane + 2`, at
 * most `maxOpenPanes`), the history's panes (494 with the default levels, see
 * `DEFAULT_ROLLUPS`), one since-start total, and at most `maxSources` source entries.
 *
 * @example
 * ```ts
 * const windows = new EventTimeWindows({ aggregate: { create: () => new CountSum() } })
 * windows.addEventListener('pane-closed', ({ detail }) => send(detail.toBytes()))
 * windows.add(record.bytes, record.timeMs, 'web-1')
 * windows.advance(clock.now())
 * const lastMinute = windows.window('1m')
 * ```
 */
export class EventTimeWindows<E, A extends PaneAggregate<E, A>>
  extends TypedEventTarget<EventTimeWindowsEvents<A>>
  implements Startable, WindowQuery<A>
{
  /** Id written into this aggregator's panes. */
  readonly source: string
  /** Pane duration in milliseconds. */
  readonly paneMs: number
  /** The late-event policy. */
  readonly latePolicy: LatePolicy
  /** The watermarks (read-only use: its sources and global watermark). */
  readonly watermarks: Watermarks
  /** The closed panes, rolled up. */
  readonly history: PaneHistory<A>
  readonly #factory: Pick<AggregateFactory<A>, 'create'>
  readonly #clock: Clock
  readonly #ticker: Ticker
  readonly #maxOpen: number
  readonly #onLate: ((event: E, eventTimeMs: number, sourceId: string) => void) | undefined
  readonly #onDrop: ((reason: DropReason, event: E, sourceId: string) => void) | undefined
  readonly #open = new Map<number, OpenPane<A>>()
  readonly #queues = new Set<AsyncQueue<Pane<A>>>()
  #closedThrough = Number.NEGATIVE_INFINITY
  #closing = false
  #events = 0
  #late = 0
  #folded = 0
  #invalidTime = 0
  #sourceLimit = 0
  #forcedCloses = 0
  #panesClosed = 0

  /** Throws `ERR_INVALID_ARGUMENT` for invalid options. */
  constructor(options: EventTimeWindowsOptions<E, A>) {
    super()
    if (typeof options?.aggregate?.create !== 'function')
      throw invalidArgument('aggregate must be a factory with create()')
    const source = options.source ?? 'local'
    if (typeof source !== 'string' || new TextEncoder().encode(source).length > MAX_SOURCE_BYTES)
      throw invalidArgument(`source must be a string of at most ${MAX_SOURCE_BYTES} UTF-8 bytes`)
    const latePolicy = options.latePolicy ?? 'fold'
    if (latePolicy !== 'fold' && latePolicy !== 'count')
      throw invalidArgument(`latePolicy must be 'fold' or 'count', got ${String(latePolicy)}`)
    const maxOpen = options.maxOpenPanes ?? 600
    if (!Number.isSafeInteger(maxOpen) || maxOpen < 1)
      throw invalidArgument(`maxOpenPanes must be a positive integer, got ${String(maxOpen)}`)
    this.source = source
    this.latePolicy = latePolicy
    this.#factory = options.aggregate
    this.#maxOpen = maxOpen
    this.#clock = options.clock ?? systemClock
    this.#onLate = options.onLate
    this.#onDrop = options.onDrop
    this.watermarks = new Watermarks(options)
    this.history = new PaneHistory({ aggregate: options.aggregate, levels: options.levels, source })
    this.paneMs = this.history.paneMs
    const tickMs = parseDuration(options.tick ?? this.paneMs, 'tick', { allowZero: false })
    this.#ticker = new Ticker(this.#clock, tickMs, (now) => this.advance(now))
  }

  /** The roll-up levels with their pane bounds. */
  get levels(): readonly ResolvedRollupLevel[] {
    return this.history.levels
  }

  /** The global watermark (`-Infinity` before the first event). */
  get watermarkMs(): number {
    return this.watermarks.watermarkMs
  }

  /** Every pane ending at or before this is closed (`-Infinity` before the first close). */
  get closedThroughMs(): number {
    return this.#closedThrough
  }

  /** Counters since creation. */
  get stats(): EventTimeWindowsStats {
    return {
      events: this.#events,
      late: this.#late,
      folded: this.#folded,
      invalidTime: this.#invalidTime,
      sourceLimit: this.#sourceLimit,
      forcedCloses: this.#forcedCloses,
      panesClosed: this.#panesClosed,
      openPanes: this.#open.size,
    }
  }

  /** Start times of the open panes, oldest first. */
  openPanes(): number[] {
    return [...this.#open.keys()].sort((a, b) => a - b)
  }

  /**
   * Aggregates `event` into the pane of `eventTimeMs` (processing time from the clock when it is
   * `undefined` or `null`), as an event of `sourceId` for the watermark, then closes the panes
   * the watermark passed. Late events follow the {@link LatePolicy}. Never throws for bad data:
   * a non-finite time or a full source table is counted and reported to `onDrop`.
   * Returns whether the event was aggregated.
   */
  add(event: E, eventTimeMs?: number | null | undefined, sourceId: string = DEFAULT_SOURCE_ID): boolean {
    const time = eventTimeMs ?? this.#clock.now()
    if (typeof time !== 'number' || !Number.isFinite(time)) {
      this.#invalidTime++
      this.#onDrop?.('invalid-time', event, sourceId)
      return false
    }
    if (!this.watermarks.observe(sourceId, time)) {
      this.#sourceLimit++
      this.#onDrop?.('source-limit', event, sourceId)
      return false
    }
    const added = this.#place(event, time, sourceId)
    this.#closeDue()
    return added
  }

  /**
   * Moves processing time to `nowMs` (default: the clock's time): idle sources stop holding the
   * watermark back, and the panes it passed close. Returns the global watermark.
   */
  advance(nowMs: number = this.#clock.now()): number {
    this.watermarks.advance(nowMs)
    this.#closeDue()
    return this.watermarks.watermarkMs
  }

  /**
   * Closes every open pane now, whatever the watermark (at the end of a replay, or before
   * shutting down); events for them are late afterwards.
   */
  flush(): void {
    let end = this.#closedThrough
    for (const start of this.#open.keys()) end = Math.max(end, start + this.paneMs)
    this.#closeThrough(end)
  }

  /** The merged aggregate of the last `duration` (a new object): see {@link EventTimeWindows.query}. */
  window(duration: Duration, options: WindowOptions = {}): A {
    return this.query(duration, options).aggregate
  }

  /**
   * Merges the panes of the last `duration` before `options.endMs` (default: the newest closed
   * boundary; with `includeOpen`, the newest open pane's end) into a new aggregate, using the
   * finest roll-up level that still holds each part. `Infinity` means since the start.
   */
  query(duration: Duration, options: WindowOptions = {}): WindowResult<A> {
    if (options.includeOpen !== true) return this.history.query(duration, options)
    const ms = duration === Number.POSITIVE_INFINITY ? duration : parseDuration(duration, 'window duration')
    let end = this.#closedThrough
    for (const start of this.#open.keys()) end = Math.max(end, start + this.paneMs)
    if (options.endMs !== undefined) end = Math.min(end, options.endMs)
    const from = end - ms
    const closedEnd = Math.min(end, this.#closedThrough)
    let closed: WindowResult<A> | undefined
    if (ms === Number.POSITIVE_INFINITY) closed = this.history.total()
    else if (closedEnd > from && closedEnd > Number.NEGATIVE_INFINITY)
      closed = this.history.query(closedEnd - from, { endMs: closedEnd })
    const aggregate = closed?.aggregate ?? this.#factory.create()
    let panes = closed?.panes ?? 0
    let events = closed?.events ?? 0
    let late = closed?.late ?? 0
    let startMs = closed?.startMs ?? Math.ceil(from / this.paneMs) * this.paneMs
    for (const pane of this.#open.values()) {
      if (pane.startMs < from || pane.startMs + this.paneMs > end) continue
      aggregate.merge(pane.aggregate)
      panes++
      events += pane.events
      late += pane.late
      if (pane.startMs < startMs) startMs = pane.startMs
    }
    return { aggregate, startMs: Math.min(startMs, end), endMs: end, panes, events, late }
  }

  /**
   * The closed panes from now on, as an async iterator (bounded buffer, see
   * {@link SubscriptionOptions}). It ends at {@link EventTimeWindows.stop}.
   */
  panes(options: SubscriptionOptions = {}): Subscription<Pane<A>> {
    const queue: AsyncQueue<Pane<A>> = new AsyncQueue<Pane<A>>(options, () => this.#queues.delete(queue))
    if (!queue.closed) this.#queues.add(queue)
    return queue
  }

  /** Starts advancing processing time every `tick` with the clock. */
  async start(): Promise<void> {
    this.#ticker.start()
  }

  /** Stops the ticks and ends the {@link EventTimeWindows.panes} iterators; panes stay queryable. */
  async stop(): Promise<void> {
    this.#ticker.stop()
    for (const queue of [...this.#queues]) queue.end()
  }

  /** Same as {@link EventTimeWindows.stop}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }

  #place(event: E, time: number, sourceId: string): boolean {
    const start = Math.floor(time / this.paneMs) * this.paneMs
    let pane = this.#open.get(start)
    if (pane === undefined && start >= this.#closedThrough) {
      if (this.#open.size >= this.#maxOpen) this.#forceCloseOldest()
      if (start >= this.#closedThrough) {
        pane = { startMs: start, aggregate: this.#factory.create(), events: 0, late: 0 }
        this.#open.set(start, pane)
      }
    }
    if (pane !== undefined) {
      pane.aggregate.add(event)
      pane.events++
      this.#events++
      return true
    }
    // Late: its pane is closed. Counted against the oldest open pane, folded in by policy.
    this.#late++
    const oldest = this.#oldestOpen()
    pane = oldest ?? { startMs: this.#closedThrough, aggregate: this.#factory.create(), events: 0, late: 0 }
    if (oldest === undefined) this.#open.set(pane.startMs, pane)
    pane.late++
    const fold = this.latePolicy === 'fold'
    if (fold) {
      pane.aggregate.add(event)
      pane.events++
      this.#events++
      this.#folded++
    }
    this.#onLate?.(event, time, sourceId)
    return fold
  }

  #oldestOpen(): OpenPane<A> | undefined {
    let oldest: OpenPane<A> | undefined
    for (const pane of this.#open.values())
      if (oldest === undefined || pane.startMs < oldest.startMs) oldest = pane
    return oldest
  }

  #forceCloseOldest(): void {
    const oldest = this.#oldestOpen()
    if (oldest === undefined || this.#closing) return
    this.#forcedCloses++
    this.#closeThrough(oldest.startMs + this.paneMs)
  }

  #closeDue(): void {
    const watermark = this.watermarks.watermarkMs
    if (watermark >= this.#closedThrough + this.paneMs)
      this.#closeThrough(Math.floor(watermark / this.paneMs) * this.paneMs)
  }

  #closeThrough(boundary: number): void {
    if (this.#closing || !(boundary > this.#closedThrough)) return
    this.#closing = true
    try {
      const closing: OpenPane<A>[] = []
      for (const pane of this.#open.values()) if (pane.startMs + this.paneMs <= boundary) closing.push(pane)
      closing.sort((a, b) => a.startMs - b.startMs)
      for (const open of closing) {
        this.#open.delete(open.startMs)
        const pane = new Pane<A>({
          source: this.source,
          startMs: open.startMs,
          durationMs: this.paneMs,
          events: open.events,
          late: open.late,
          aggregate: open.aggregate,
        })
        this.#closedThrough = pane.endMs
        this.history.append(pane)
        this.#panesClosed++
        for (const queue of this.#queues) queue.push(pane)
        this.emit('pane-closed', pane)
      }
      this.#closedThrough = boundary
      this.history.advanceTo(boundary)
      this.emit('watermark', { watermarkMs: this.watermarks.watermarkMs, closedThroughMs: boundary })
    } finally {
      this.#closing = false
    }
  }
}
