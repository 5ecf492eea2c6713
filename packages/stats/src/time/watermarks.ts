import { invalidArgument } from '@shoal/core'
import { type Duration, parseDuration } from './duration.js'

/**
 * How a source's idleness is measured:
 * - `'processing-time'`: no event from it for `idleTimeout` of processing time, as given to
 *   {@link Watermarks.advance} (an injected clock in practice, a `ManualClock` in tests);
 * - `'event-time'`: its newest event time lags the newest event time of all sources by more than
 *   `idleTimeout` (no clock involved at all).
 */
export type IdleBasis = 'processing-time' | 'event-time'

/** Options of {@link Watermarks}. */
export interface WatermarksOptions {
  /** How far behind its newest event a source's watermark stays (default `'5s'`). */
  readonly allowedLateness?: Duration | undefined
  /** How long a source may be silent before it stops holding back the watermark (default `'10s'`). */
  readonly idleTimeout?: Duration | undefined
  /** Whether `idleTimeout` is processing time or event time (default `'processing-time'`). */
  readonly idleBasis?: IdleBasis | undefined
  /**
   * With `'processing-time'` idleness: when every known source is idle, the watermark follows
   * processing time (`now − allowedLateness`) so the last panes close even if no event comes
   * (default `true`). Turn it off when replaying old logs that may pause.
   */
  readonly followClockWhenIdle?: boolean | undefined
  /**
   * The most sources tracked (default 1,024). A new source beyond it replaces the source idle for
   * the longest; when none is idle its events are refused ({@link Watermarks.observe} returns `false`).
   */
  readonly maxSources?: number | undefined
}

/** One source's progress, as reported by {@link Watermarks.sources}. */
export interface SourceWatermark {
  /** The source id given to {@link Watermarks.observe}. */
  readonly sourceId: string
  /** The newest event time seen from it. */
  readonly maxEventTimeMs: number
  /** Its own watermark: `maxEventTimeMs − allowedLateness`. */
  readonly watermarkMs: number
  /** Processing time of its last event (the last time given to {@link Watermarks.advance}). */
  readonly lastSeenMs: number
  /** Whether it is idle, so excluded from the global watermark. */
  readonly idle: boolean
}

interface SourceState {
  readonly id: string
  max: number
  lastSeen: number
  idle: boolean
}

/** The default allowed lateness: 5 s. */
export const DEFAULT_ALLOWED_LATENESS_MS = 5000
/** The default idle timeout: 10 s. */
export const DEFAULT_IDLE_TIMEOUT_MS = 10_000

/**
 * Event-time progress of many sources. Each source's watermark is its newest event time minus
 * the allowed lateness; the global watermark is the minimum over live sources (idle ones are
 * excluded, as in Flink's idleness rule) and never moves back. Driven only by calls: events
 * through {@link Watermarks.observe}, processing time through {@link Watermarks.advance}.
 */
export class Watermarks {
  /** The allowed lateness in milliseconds. */
  readonly allowedLatenessMs: number
  /** The idle timeout in milliseconds. */
  readonly idleTimeoutMs: number
  /** How idleness is measured. */
  readonly idleBasis: IdleBasis
  readonly #followClock: boolean
  readonly #maxSources: number
  readonly #sources = new Map<string, SourceState>()
  #now = Number.NEGATIVE_INFINITY
  #maxAll = Number.NEGATIVE_INFINITY
  #watermark = Number.NEGATIVE_INFINITY
  /** The live source with the lowest max, or undefined when it must be looked for again. */
  #holder: SourceState | undefined

  /** Throws `ERR_INVALID_ARGUMENT` for options out of range. */
  constructor(options: WatermarksOptions = {}) {
    this.allowedLatenessMs = parseDuration(
      options.allowedLateness ?? DEFAULT_ALLOWED_LATENESS_MS,
      'allowedLateness',
    )
    this.idleTimeoutMs = parseDuration(options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT_MS, 'idleTimeout', {
      allowZero: false,
    })
    const basis = options.idleBasis ?? 'processing-time'
    if (basis !== 'processing-time' && basis !== 'event-time')
      throw invalidArgument(`idleBasis must be 'processing-time' or 'event-time', got ${String(basis)}`)
    this.idleBasis = basis
    this.#followClock = options.followClockWhenIdle ?? true
    const maxSources = options.maxSources ?? 1024
    if (!Number.isSafeInteger(maxSources) || maxSources < 1)
      throw invalidArgument(`maxSources must be a positive integer, got ${maxSources}`)
    this.#maxSources = maxSources
  }

  /** The global watermark: `-Infinity` until the first event. It never decreases. */
  get watermarkMs(): number {
    return this.#watermark
  }

  /** The processing time last given to {@link Watermarks.advance} (`-Infinity` before). */
  get nowMs(): number {
    return this.#now
  }

  /** How many sources are tracked. */
  get size(): number {
    return this.#sources.size
  }

  /**
   * Records an event of `sourceId` at `eventTimeMs` (a finite number) and updates the
   * watermark. Returns `false`, recording nothing, when the source is new and the source table
   * is full of live sources.
   */
  observe(sourceId: string, eventTimeMs: number): boolean {
    let source = this.#sources.get(sourceId)
    let recompute = false
    if (source === undefined) {
      if (this.#sources.size >= this.#maxSources && !this.#evictIdle()) return false
      source = { id: sourceId, max: eventTimeMs, lastSeen: this.#now, idle: false }
      this.#sources.set(sourceId, source)
      recompute = true
    } else {
      source.lastSeen = this.#now
      if (source.idle) {
        source.idle = false
        recompute = true
      }
      if (eventTimeMs > source.max) {
        if (source === this.#holder) recompute = true
        source.max = eventTimeMs
      }
    }
    if (eventTimeMs > this.#maxAll) {
      this.#maxAll = eventTimeMs
      const holder = this.#holder
      if (
        this.idleBasis === 'event-time' &&
        holder !== undefined &&
        holder.max < this.#maxAll - this.idleTimeoutMs
      )
        recompute = true
    }
    if (recompute || this.#holder === undefined) this.#recompute()
    return true
  }

  /**
   * Moves processing time to `nowMs` (times earlier than the last one are ignored), marks sources
   * idle or live again, and updates the watermark. Returns the global watermark.
   */
  advance(nowMs: number): number {
    if (!Number.isFinite(nowMs)) throw invalidArgument(`nowMs must be a finite number, got ${nowMs}`)
    if (this.#now === Number.NEGATIVE_INFINITY)
      for (const source of this.#sources.values()) source.lastSeen = nowMs
    if (nowMs > this.#now) this.#now = nowMs
    this.#recompute()
    return this.#watermark
  }

  /** Each tracked source's progress. */
  sources(): SourceWatermark[] {
    const out: SourceWatermark[] = []
    for (const source of this.#sources.values())
      out.push({
        sourceId: source.id,
        maxEventTimeMs: source.max,
        watermarkMs: source.max - this.allowedLatenessMs,
        lastSeenMs: source.lastSeen,
        idle: source.idle,
      })
    return out
  }

  /** Forgets `sourceId` (a source known to be gone); returns whether it was tracked. */
  remove(sourceId: string): boolean {
    const removed = this.#sources.delete(sourceId)
    if (removed) this.#recompute()
    return removed
  }

  #isIdle(source: SourceState): boolean {
    if (this.idleBasis === 'event-time') return source.max < this.#maxAll - this.idleTimeoutMs
    return this.#now - source.lastSeen > this.idleTimeoutMs
  }

  #recompute(): void {
    let holder: SourceState | undefined
    for (const source of this.#sources.values()) {
      source.idle = this.#isIdle(source)
      if (!source.idle && (holder === undefined || source.max < holder.max)) holder = source
    }
    this.#holder = holder
    let candidate = Number.NEGATIVE_INFINITY
    if (holder !== undefined) candidate = holder.max - this.allowedLatenessMs
    else if (this.#followClock && this.idleBasis === 'processing-time' && this.#sources.size > 0)
      candidate = this.#now - this.allowedLatenessMs
    if (candidate > this.#watermark) this.#watermark = candidate
  }

  #evictIdle(): boolean {
    let oldest: SourceState | undefined
    for (const source of this.#sources.values())
      if (this.#isIdle(source) && (oldest === undefined || source.lastSeen < oldest.lastSeen)) oldest = source
    if (oldest === undefined) return false
    this.#sources.delete(oldest.id)
    return true
  }
}
