import type { ShoalError } from '@shoal/core'
import { invalidArgument, isShoalError } from '@shoal/core'
import { type Duration, parseDuration } from './duration.js'
import { MAX_SOURCE_BYTES, Pane } from './pane.js'
import type { AggregateFactory, MergeableAggregate } from './pane-aggregate.js'

/** Why {@link PaneMerger.accept} turned a pane away. */
export type PaneRejection = 'invalid' | 'duration' | 'duplicate' | 'sealed' | 'full'

/** Options of {@link PaneMerger}. */
export interface PaneMergerOptions<A> {
  /** Makes empty aggregates and reads shipped ones. */
  readonly aggregate: AggregateFactory<A>
  /** The pane duration accepted (default `'1s'`); panes of any other duration are refused. */
  readonly pane?: Duration | undefined
  /** Source id of the merged panes handed out by {@link PaneMerger.seal} (default `'merged'`). */
  readonly source?: string | undefined
  /** The most pane intervals held before sealing (default 3,600); panes of new intervals are refused beyond it. */
  readonly maxPanes?: number | undefined
  /** The most sources remembered per interval, to drop duplicates (default 1,024). */
  readonly maxSourcesPerPane?: number | undefined
  /** Called with every refused pane and why (an `ERR_INVALID_SKETCH` error for bad bytes). Must not throw. */
  readonly onReject?:
    | ((
        reason: PaneRejection,
        detail: { readonly error?: ShoalError | undefined; readonly source?: string | undefined },
      ) => void)
    | undefined
}

/** Counters of {@link PaneMerger}. */
export interface PaneMergerStats {
  /** Panes merged. */
  readonly accepted: number
  /** Panes refused, by reason. */
  readonly rejected: Readonly<Record<PaneRejection, number>>
  /** Intervals held now. */
  readonly held: number
}

interface Merged<A> {
  readonly startMs: number
  readonly aggregate: A
  readonly sources: Set<string>
  events: number
  late: number
}

/**
 * Combines the closed panes that many sources ship (as {@link Pane} objects or `pane` images)
 * into one pane per interval. Merging is commutative and associative, so arrival order does not
 * matter; a pane a source sends twice (a retry) is merged once. {@link PaneMerger.seal} hands out
 * the merged panes of intervals that are complete, in time order — ready to append to a
 * `PaneHistory` for windows and alert rules — and panes arriving for sealed intervals are refused
 * as `sealed`. Bad bytes from the network are counted and reported, never thrown.
 */
export class PaneMerger<A extends MergeableAggregate<A>> {
  /** Pane duration accepted, in milliseconds. */
  readonly paneMs: number
  /** Source id of merged panes. */
  readonly source: string
  readonly #factory: AggregateFactory<A>
  readonly #maxPanes: number
  readonly #maxSources: number
  readonly #onReject: PaneMergerOptions<A>['onReject']
  readonly #panes = new Map<number, Merged<A>>()
  #sealedThrough = Number.NEGATIVE_INFINITY
  #accepted = 0
  readonly #rejected: Record<PaneRejection, number> = {
    invalid: 0,
    duration: 0,
    duplicate: 0,
    sealed: 0,
    full: 0,
  }

  /** Throws `ERR_INVALID_ARGUMENT` for invalid options. */
  constructor(options: PaneMergerOptions<A>) {
    if (typeof options?.aggregate?.create !== 'function' || typeof options.aggregate.fromBytes !== 'function')
      throw invalidArgument('aggregate must be a factory with create() and fromBytes()')
    this.#factory = options.aggregate
    this.paneMs = parseDuration(options.pane ?? 1000, 'pane', { allowZero: false, integer: true })
    const source = options.source ?? 'merged'
    if (typeof source !== 'string' || new TextEncoder().encode(source).length > MAX_SOURCE_BYTES)
      throw invalidArgument(`source must be a string of at most ${MAX_SOURCE_BYTES} UTF-8 bytes`)
    this.source = source
    this.#maxPanes = positiveInteger(options.maxPanes ?? 3600, 'maxPanes')
    this.#maxSources = positiveInteger(options.maxSourcesPerPane ?? 1024, 'maxSourcesPerPane')
    this.#onReject = options.onReject
  }

  /** Counters since creation. */
  get stats(): PaneMergerStats {
    return { accepted: this.#accepted, rejected: { ...this.#rejected }, held: this.#panes.size }
  }

  /** Intervals ending at or before this have been sealed. */
  get sealedThroughMs(): number {
    return this.#sealedThrough
  }

  /**
   * Merges a shipped pane (a {@link Pane} or its image). Returns `true` if merged, `false` if
   * refused (counted in {@link PaneMerger.stats} and reported to `onReject`): unreadable bytes,
   * another duration, a duplicate of a source's pane, a sealed interval, or too many intervals held.
   */
  accept(input: Pane<A> | Uint8Array): boolean {
    let pane: Pane<A>
    if (input instanceof Pane) pane = input
    else {
      try {
        pane = Pane.fromBytes(input, this.#factory)
      } catch (err) {
        return this.#reject('invalid', undefined, isShoalError(err) ? err : undefined)
      }
    }
    if (pane.durationMs !== this.paneMs) return this.#reject('duration', pane.source)
    if (pane.endMs <= this.#sealedThrough) return this.#reject('sealed', pane.source)
    let merged = this.#panes.get(pane.startMs)
    if (merged === undefined) {
      if (this.#panes.size >= this.#maxPanes) return this.#reject('full', pane.source)
      merged = {
        startMs: pane.startMs,
        aggregate: this.#factory.create(),
        sources: new Set(),
        events: 0,
        late: 0,
      }
      this.#panes.set(pane.startMs, merged)
    }
    if (merged.sources.has(pane.source)) return this.#reject('duplicate', pane.source)
    if (merged.sources.size < this.#maxSources) merged.sources.add(pane.source)
    merged.aggregate.merge(pane.aggregate)
    merged.events += pane.events
    merged.late += pane.late
    this.#accepted++
    return true
  }

  /** The sources merged so far into the interval starting at `startMs`. */
  sourcesOf(startMs: number): string[] {
    return [...(this.#panes.get(startMs)?.sources ?? [])]
  }

  /** A copy of the merged pane of the interval starting at `startMs`, if any pane of it arrived. */
  peek(startMs: number): Pane<A> | undefined {
    const merged = this.#panes.get(startMs)
    return merged === undefined ? undefined : this.#toPane(merged, true)
  }

  /**
   * Hands out, oldest first, the merged panes of every interval ending at or before
   * `throughMs` and forgets them; panes arriving for them later are refused as `sealed`.
   */
  seal(throughMs: number): Pane<A>[] {
    if (typeof throughMs !== 'number' || Number.isNaN(throughMs))
      throw invalidArgument(`throughMs must be a number, got ${String(throughMs)}`)
    const boundary = Math.floor(throughMs / this.paneMs) * this.paneMs
    if (!(boundary > this.#sealedThrough)) return []
    this.#sealedThrough = boundary
    const out: Pane<A>[] = []
    for (const merged of this.#panes.values())
      if (merged.startMs + this.paneMs <= boundary) out.push(this.#toPane(merged, false))
    out.sort((a, b) => a.startMs - b.startMs)
    for (const pane of out) this.#panes.delete(pane.startMs)
    return out
  }

  #toPane(merged: Merged<A>, copy: boolean): Pane<A> {
    let aggregate = merged.aggregate
    if (copy) {
      aggregate = this.#factory.create()
      aggregate.merge(merged.aggregate)
    }
    return new Pane({
      source: this.source,
      startMs: merged.startMs,
      durationMs: this.paneMs,
      events: merged.events,
      late: merged.late,
      aggregate,
    })
  }

  #reject(reason: PaneRejection, source: string | undefined, error?: ShoalError): false {
    this.#rejected[reason]++
    this.#onReject?.(reason, { error, source })
    return false
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw invalidArgument(`${name} must be a positive integer, got ${String(value)}`)
  return value
}
