import { invalidArgument } from '@shoal/core'
import { type Duration, parseDuration } from './duration.js'
import { Pane } from './pane.js'
import type { AggregateFactory, MergeableAggregate } from './pane-aggregate.js'
import {
  DEFAULT_ROLLUPS,
  type ResolvedRollupLevel,
  type RollupLevel,
  resolveRollups,
} from './rollup-levels.js'

/** Options of {@link PaneHistory}. */
export interface PaneHistoryOptions<A> {
  /** Makes the empty aggregates that roll-ups and window queries merge into. */
  readonly aggregate: Pick<AggregateFactory<A>, 'create'>
  /** Pane sizes and retention (default {@link DEFAULT_ROLLUPS}); the first level is the pane size. */
  readonly levels?: readonly RollupLevel[] | undefined
  /** Source id written into rolled-up panes (default `'local'`). */
  readonly source?: string | undefined
}

/** Options of a window query. */
export interface WindowQueryOptions {
  /** End of the window in event time (default: the end of the newest closed pane). */
  readonly endMs?: number | undefined
}

/** A window query's answer: the merged aggregate and the interval it really covers. */
export interface WindowResult<A> {
  /** A new aggregate, the caller's to keep or change. */
  readonly aggregate: A
  /**
   * Start of the covered interval: the first pane boundary at or after `end − duration` at the
   * coarsest level used (whole panes only, so a window may cover a little less than asked).
   */
  readonly startMs: number
  /** End of the covered interval. */
  readonly endMs: number
  /** How many panes were merged. */
  readonly panes: number
  /** Events in those panes. */
  readonly events: number
  /** Late events counted in those panes. */
  readonly late: number
}

/** Something that answers window queries: a {@link PaneHistory}, or the windows that own one. */
export interface WindowQuery<A> {
  /** The merge of the closed panes in the `duration` before `options.endMs` (or the newest). */
  window(duration: Duration, options?: WindowQueryOptions): A
}

interface Level<A extends MergeableAggregate<A>> {
  readonly durationMs: number
  readonly keep: number
  readonly panes: Pane<A>[]
  /** Every pane of this level ending at or before `hi` is complete. */
  hi: number
}

function alignDown(ms: number, size: number): number {
  return Math.floor(ms / size) * size
}

function alignUp(ms: number, size: number): number {
  return Math.ceil(ms / size) * size
}

/**
 * The closed panes of one aggregation, rolled up level by level so that memory is bounded by
 * configuration, not by how long it runs: with {@link DEFAULT_ROLLUPS}, 24 h of history is at
 * most 494 panes (see {@link ResolvedRollupLevel.maxPanes}) plus the since-start total. Panes are
 * appended in time order; a pane of level n + 1 is built by merging the level-n panes within it
 * once they are all closed, and level-n panes are dropped only after that. Window queries merge
 * the finest panes available, then coarser ones for older parts.
 */
export class PaneHistory<A extends MergeableAggregate<A>> implements WindowQuery<A> {
  /** The levels, finest first, with their bounds. */
  readonly levels: readonly ResolvedRollupLevel[]
  /** Source id of rolled-up panes. */
  readonly source: string
  readonly #factory: Pick<AggregateFactory<A>, 'create'>
  readonly #levels: Level<A>[]
  readonly #total: A
  #totalPanes = 0
  #totalEvents = 0
  #totalLate = 0

  /** Throws `ERR_INVALID_ARGUMENT` for invalid levels. */
  constructor(options: PaneHistoryOptions<A>) {
    if (typeof options?.aggregate?.create !== 'function')
      throw invalidArgument('aggregate must be a factory with create()')
    this.#factory = options.aggregate
    this.levels = Object.freeze(resolveRollups(options.levels ?? DEFAULT_ROLLUPS))
    this.source = options.source ?? 'local'
    this.#levels = this.levels.map((level) => ({
      durationMs: level.durationMs,
      keep: level.keep,
      panes: [],
      hi: Number.NEGATIVE_INFINITY,
    }))
    this.#total = this.#factory.create()
  }

  /** The pane duration (first level) in milliseconds. */
  get paneMs(): number {
    return (this.#levels[0] as Level<A>).durationMs
  }

  /** End of the newest closed interval: every pane ending at or before it is in the history. */
  get closedThroughMs(): number {
    return (this.#levels[0] as Level<A>).hi
  }

  /** How many panes are held, over all levels. */
  get size(): number {
    let size = 0
    for (const level of this.#levels) size += level.panes.length
    return size
  }

  /** The panes held at `level` (0 = finest), oldest first. */
  panes(level = 0): readonly Pane<A>[] {
    const found = this.#levels[level]
    if (found === undefined) throw invalidArgument(`level must be from 0 to ${this.#levels.length - 1}`)
    return found.panes.slice()
  }

  /**
   * Appends a closed pane of the first level's duration, starting at or after
   * {@link PaneHistory.closedThroughMs}; it must not change afterwards. Throws `ERR_INVALID_ARGUMENT`
   * for a pane of another duration or one older than what is already closed.
   */
  append(pane: Pane<A>): void {
    const base = this.#levels[0] as Level<A>
    if (!(pane instanceof Pane) || pane.durationMs !== base.durationMs)
      throw invalidArgument(`a history pane must be a Pane of ${base.durationMs} ms`)
    if (pane.startMs < base.hi)
      throw invalidArgument(
        `pane ${pane.startMs} is older than the closed history (closed through ${base.hi}); panes are appended in order`,
      )
    this.advanceTo(pane.startMs)
    base.panes.push(pane)
    base.hi = pane.endMs
    this.#total.merge(pane.aggregate)
    this.#totalPanes++
    this.#totalEvents += pane.events
    this.#totalLate += pane.late
    this.#cascade()
  }

  /**
   * Declares every pane ending at or before `boundaryMs` closed (an empty interval has no
   * pane): roll-ups are built and old panes dropped. Earlier boundaries are ignored.
   */
  advanceTo(boundaryMs: number): void {
    const base = this.#levels[0] as Level<A>
    const hi = alignDown(boundaryMs, base.durationMs)
    if (!(hi > base.hi)) return
    base.hi = hi
    this.#cascade()
  }

  /** The merged aggregate of every pane ever appended (a new object), with its counts. */
  total(): WindowResult<A> {
    const aggregate = this.#factory.create()
    aggregate.merge(this.#total)
    const first = this.#oldestStart()
    return {
      aggregate,
      startMs: first,
      endMs: this.closedThroughMs,
      panes: this.#totalPanes,
      events: this.#totalEvents,
      late: this.#totalLate,
    }
  }

  /** {@link PaneHistory.query}'s aggregate alone. */
  window(duration: Duration, options: WindowQueryOptions = {}): A {
    return this.query(duration, options).aggregate
  }

  /**
   * Merges the closed panes within `duration` before `options.endMs` (default: the newest closed
   * boundary), finest levels first. `Infinity` means since the start ({@link PaneHistory.total},
   * `endMs` ignored). Throws `ERR_INVALID_ARGUMENT` for a duration that is not one.
   */
  query(duration: Duration, options: WindowQueryOptions = {}): WindowResult<A> {
    const ms = duration === Number.POSITIVE_INFINITY ? duration : parseDuration(duration, 'window duration')
    if (ms === Number.POSITIVE_INFINITY) return this.total()
    const requested = options.endMs ?? this.closedThroughMs
    if (typeof requested !== 'number' || Number.isNaN(requested))
      throw invalidArgument(`endMs must be a number, got ${String(requested)}`)
    const aggregate = this.#factory.create()
    const end = Math.min(requested, this.closedThroughMs)
    if (end === Number.NEGATIVE_INFINITY)
      return { aggregate, startMs: end, endMs: end, panes: 0, events: 0, late: 0 }
    const start = end - ms
    let cursor = end
    let top: number | undefined
    let panes = 0
    let events = 0
    let late = 0
    for (let i = 0; i < this.#levels.length; i++) {
      const level = this.#levels[i] as Level<A>
      const size = level.durationMs
      cursor = alignDown(cursor, size)
      const fromStart = alignUp(start, size)
      const a = Math.max(fromStart, this.#lowBound(i))
      if (a < cursor) {
        top ??= cursor
        const list = level.panes
        for (let j = firstAtOrAfter(list, a); j < list.length; j++) {
          const pane = list[j] as Pane<A>
          if (pane.endMs > cursor) break
          aggregate.merge(pane.aggregate)
          panes++
          events += pane.events
          late += pane.late
        }
        cursor = a
      }
      if (a === fromStart) break
    }
    if (top === undefined) return { aggregate, startMs: end, endMs: end, panes, events, late }
    return { aggregate, startMs: cursor, endMs: top, panes, events, late }
  }

  /** Start of the oldest pane held, at any level (`closedThroughMs` when there is none). */
  #oldestStart(): number {
    let oldest = this.closedThroughMs
    for (const level of this.#levels) {
      const first = level.panes[0]
      if (first !== undefined && first.startMs < oldest) oldest = first.startMs
    }
    return oldest
  }

  /** Where level `i`'s retained panes begin: nothing older than this is held at that level. */
  #lowBound(i: number): number {
    const level = this.#levels[i] as Level<A>
    const next = this.#levels[i + 1]
    const lo = level.hi - level.keep * level.durationMs
    return next === undefined ? lo : alignDown(lo, next.durationMs)
  }

  #cascade(): void {
    for (let i = 1; i < this.#levels.length; i++) {
      const child = this.#levels[i - 1] as Level<A>
      const parent = this.#levels[i] as Level<A>
      const hi = alignDown(child.hi, parent.durationMs)
      if (hi > parent.hi) {
        this.#rollUp(child, parent, hi)
        parent.hi = hi
      }
      dropBefore(child.panes, this.#lowBound(i - 1))
    }
    dropBefore(
      (this.#levels[this.#levels.length - 1] as Level<A>).panes,
      this.#lowBound(this.#levels.length - 1),
    )
  }

  /** Builds the parent panes of every child pane in `[parent.hi, hi)`. */
  #rollUp(child: Level<A>, parent: Level<A>, hi: number): void {
    const list = child.panes
    let j = firstAtOrAfter(list, parent.hi)
    while (j < list.length) {
      const first = list[j] as Pane<A>
      if (first.startMs >= hi) break
      const startMs = alignDown(first.startMs, parent.durationMs)
      const endMs = startMs + parent.durationMs
      const aggregate = this.#factory.create()
      let events = 0
      let late = 0
      for (; j < list.length; j++) {
        const pane = list[j] as Pane<A>
        if (pane.startMs >= endMs) break
        aggregate.merge(pane.aggregate)
        events += pane.events
        late += pane.late
      }
      parent.panes.push(
        new Pane({ source: this.source, startMs, durationMs: parent.durationMs, events, late, aggregate }),
      )
    }
  }
}

/** Index of the first pane starting at or after `ms` (panes sorted by start). */
function firstAtOrAfter<A extends MergeableAggregate<A>>(list: readonly Pane<A>[], ms: number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((list[mid] as Pane<A>).startMs < ms) lo = mid + 1
    else hi = mid
  }
  return lo
}

function dropBefore<A extends MergeableAggregate<A>>(list: Pane<A>[], ms: number): void {
  const count = firstAtOrAfter(list, ms)
  if (count > 0) list.splice(0, count)
}
