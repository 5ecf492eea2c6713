import { randomInt } from 'node:crypto'
import { createRandom, invalidArgument, type Random } from '@shoal/core'
import { incompatibleSketches } from '../errors.js'
import type { Sketch } from '../sketch.js'
import {
  KLL_DEFAULT_K,
  KLL_DEFAULT_M,
  KLL_MAX_K,
  KLL_MIN_K,
  kllNormalizedRankError,
  levelCapacity,
  levelsUpperBound,
} from './kll-capacity.js'
import {
  generalCompress,
  halveDown,
  halveUp,
  mergeInPlace,
  mergeRuns,
  randomBit,
  sortRange,
} from './kll-compaction.js'
import { type KllDoublesState, readKllDoubles, writeKllDoubles } from './kll-image.js'
import { KllSortedView, type QuantileSearchCriteria } from './kll-sorted-view.js'
import type { QuantileSummary } from './quantile-summary.js'

/** Options of {@link KllDoublesSketch}. */
export interface KllDoublesSketchOptions {
  /**
   * The accuracy parameter k, an integer in [8, 65535]; default 200 (DataSketches' default), for a
   * normalized rank error of about 1.33 % (single-sided, 99 % confidence).
   */
  k?: number | undefined
  /**
   * The source of the random bits that choose which half of a level survives a compaction. Pass
   * a seeded one (`createRandom(seed)` from `@shoal/core`) for reproducible sketches; by default
   * each sketch gets its own source seeded from `node:crypto`.
   */
  random?: Random | undefined
}

/** The plain-data view of a {@link KllDoublesSketch} ({@link KllDoublesSketch.toJSON}). */
export interface KllDoublesSketchJSON {
  /** Always `'kll-doubles'`. */
  readonly kind: 'kll-doubles'
  /** The accuracy parameter. */
  readonly k: number
  /** The smallest k among the sketches merged into this one (it sets the error bound). */
  readonly minK: number
  /** The number of values seen. */
  readonly n: number
  /** The number of items retained. */
  readonly retained: number
  /** The number of levels. */
  readonly levels: number
  /** The smallest value, `null` when empty. */
  readonly min: number | null
  /** The largest value, `null` when empty. */
  readonly max: number | null
  /** The single-sided normalized rank error at 99 % confidence. */
  readonly normalizedRankError: number
  /** Inclusive quantiles at ranks 0.5, 0.9, 0.95, 0.99 and 0.999; `null` when empty. */
  readonly quantiles: QuantileSummary
}

/**
 * A KLL quantiles sketch of doubles (Karnin, Lang and Liberty, FOCS 2016), compatible with Apache
 * DataSketches' `KllDoublesSketch` (Java) and `kll_sketch<double>` (C++): the same compaction
 * scheme, level capacities and merge, the same query semantics, and the same binary images, so
 * sketches made here can be merged in Druid, Spark, Pinot or PostgreSQL and the other way round.
 *
 * Its error is on ranks, not values: a quantile of rank r is an item whose true rank is within
 * ±{@link KllDoublesSketch.getNormalizedRankError} of r with 99 % confidence (≈ 1.33 % at
 * k = 200), using about 3k retained items. For relative-value guarantees on latencies, prefer
 * {@link DDSketch}; use this one for interoperability.
 *
 * Queries follow DataSketches' search criteria, with `'inclusive'` as the default (as in
 * DataSketches 4 and later): `getRank(v)` is the fraction of values ≤ v, and `getQuantile(r)` is
 * the smallest retained item whose inclusive rank is ≥ r; `getQuantile(0)` is thus the smallest
 * retained item, not necessarily the minimum (use {@link KllDoublesSketch.min}).
 *
 * Compaction keeps every other item of a level from a random start, one random bit per compaction,
 * as DataSketches does; inject a seeded source for reproducible sketches.
 *
 * Differences from DataSketches: `update(NaN)` throws `ERR_INVALID_ARGUMENT` (DataSketches ignores
 * NaN silently); queries on an empty sketch return `NaN` (DataSketches throws); and queries never
 * sort level 0 in place, so an image does not change because a query ran (DataSketches may then
 * set the "level zero sorted" flag).
 *
 * @example
 * ```ts
 * const sketch = new KllDoublesSketch()        // k = 200
 * for (const bytes of responseSizes) sketch.update(bytes)
 * sketch.getQuantile(0.5)                      // the median, within ±1.33 % in rank
 * sketch.toBytes()                             // a DataSketches KLL image, readable by Druid
 * ```
 */
export class KllDoublesSketch implements Sketch<KllDoublesSketch> {
  /** DataSketches' default k. */
  static readonly DEFAULT_K = KLL_DEFAULT_K

  #k: number
  #m: number
  readonly #random: Random
  #minK: number
  #n = 0
  #numLevels = 1
  /** Level boundaries in #items; #levels[#numLevels] is the capacity. */
  #levels: Int32Array
  #items: Float64Array
  #min = Number.NaN
  #max = Number.NaN
  #levelZeroSorted = false
  #view: KllSortedView | undefined
  /** Nominal level capacities for the current number of levels (by height), cached. */
  #capacities: Int32Array = EMPTY_CAPACITIES
  #capacitiesLevels = 0

  /**
   * @param options - k and the random source
   * @throws `ERR_INVALID_ARGUMENT` if k is not an integer in [8, 65535]
   */
  constructor(options: KllDoublesSketchOptions = {}) {
    const k = options.k ?? KLL_DEFAULT_K
    if (!Number.isInteger(k) || k < KLL_MIN_K || k > KLL_MAX_K)
      throw invalidArgument(`k must be an integer in [${KLL_MIN_K}, ${KLL_MAX_K}], got ${k}`)
    this.#k = k
    this.#m = KLL_DEFAULT_M
    this.#minK = k
    this.#random = options.random ?? createRandom(randomInt(0x100000000))
    this.#levels = Int32Array.of(k, k)
    this.#items = new Float64Array(k)
  }

  /** The accuracy parameter k. */
  get k(): number {
    return this.#k
  }

  /** The minimum level width m (8 unless read from an image that says otherwise). */
  get m(): number {
    return this.#m
  }

  /** The smallest k among the sketches merged into this one; the error bound uses it. */
  get minK(): number {
    return this.#minK
  }

  /** The number of values seen. */
  get n(): number {
    return this.#n
  }

  /** Whether no value was seen. */
  get isEmpty(): boolean {
    return this.#n === 0
  }

  /** Whether values were compacted (more than one level), so answers are estimates. */
  get isEstimationMode(): boolean {
    return this.#numLevels > 1
  }

  /** The number of items retained. */
  get numRetained(): number {
    return (this.#levels[this.#numLevels] as number) - (this.#levels[0] as number)
  }

  /** The number of levels. */
  get numLevels(): number {
    return this.#numLevels
  }

  /** The smallest value seen, exactly; `NaN` when empty. */
  get min(): number {
    return this.#min
  }

  /** The largest value seen, exactly; `NaN` when empty. */
  get max(): number {
    return this.#max
  }

  /**
   * Adds a value. Infinities are allowed (they are ordered); NaN is not.
   *
   * @throws `ERR_INVALID_ARGUMENT` for NaN
   */
  update(value: number): void {
    if (Number.isNaN(value)) throw invalidArgument('a KLL sketch cannot take NaN')
    this.#insert(value)
  }

  /**
   * The quantile of normalized rank `rank`: an item retained by the sketch (so a value seen)
   * whose true rank is within ± the normalized rank error of `rank` (99 % confidence).
   *
   * @param rank - in [0, 1]
   * @param criteria - `'inclusive'` (default) or `'exclusive'`, see {@link QuantileSearchCriteria}
   * @returns the quantile, or `NaN` when the sketch is empty
   * @throws `ERR_INVALID_ARGUMENT` for a rank outside [0, 1]
   */
  getQuantile(rank: number, criteria: QuantileSearchCriteria = 'inclusive'): number {
    checkRank(rank)
    checkCriteria(criteria)
    if (this.#n === 0) return Number.NaN
    return this.#sortedView().quantile(rank, criteria)
  }

  /** {@link KllDoublesSketch.getQuantile} for several ranks. */
  getQuantiles(ranks: readonly number[], criteria: QuantileSearchCriteria = 'inclusive'): number[] {
    for (const rank of ranks) checkRank(rank)
    checkCriteria(criteria)
    if (this.#n === 0) return ranks.map(() => Number.NaN)
    const view = this.#sortedView()
    return ranks.map((rank) => view.quantile(rank, criteria))
  }

  /**
   * A lower bound of the true quantile of `rank` at 99 % confidence: the quantile of
   * `rank − ε` (DataSketches' `getQuantileLowerBound`).
   */
  getQuantileLowerBound(rank: number, criteria: QuantileSearchCriteria = 'inclusive'): number {
    checkRank(rank)
    return this.getQuantile(Math.max(0, rank - this.getNormalizedRankError(false)), criteria)
  }

  /**
   * An upper bound of the true quantile of `rank` at 99 % confidence: the quantile of
   * `rank + ε` (DataSketches' `getQuantileUpperBound`).
   */
  getQuantileUpperBound(rank: number, criteria: QuantileSearchCriteria = 'inclusive'): number {
    checkRank(rank)
    return this.getQuantile(Math.min(1, rank + this.getNormalizedRankError(false)), criteria)
  }

  /**
   * The normalized rank of `value`: the estimated fraction of values ≤ it (`'inclusive'`, the
   * default) or < it (`'exclusive'`), within ± the normalized rank error (99 % confidence).
   *
   * @returns the rank in [0, 1], or `NaN` when the sketch is empty
   * @throws `ERR_INVALID_ARGUMENT` for NaN
   */
  getRank(value: number, criteria: QuantileSearchCriteria = 'inclusive'): number {
    if (Number.isNaN(value)) throw invalidArgument('cannot rank NaN')
    checkCriteria(criteria)
    if (this.#n === 0) return Number.NaN
    return this.#sortedView().rank(value, criteria)
  }

  /**
   * The cumulative distribution at the split points: entry i is the rank of `splitPoints[i]`, and
   * the last entry (one more than the split points) is 1.
   *
   * @param splitPoints - distinct, increasing, not NaN
   * @returns `splitPoints.length + 1` ranks (all `NaN` when the sketch is empty)
   * @throws `ERR_INVALID_ARGUMENT` for split points that are not distinct and increasing
   */
  getCDF(splitPoints: readonly number[], criteria: QuantileSearchCriteria = 'inclusive'): number[] {
    checkSplitPoints(splitPoints)
    checkCriteria(criteria)
    if (this.#n === 0) return new Array<number>(splitPoints.length + 1).fill(Number.NaN)
    const view = this.#sortedView()
    const cdf = splitPoints.map((point) => view.rank(point, criteria))
    cdf.push(1)
    return cdf
  }

  /**
   * The probability mass between consecutive split points: entry 0 is the mass at or below the
   * first (`'inclusive'`) and the last the mass above the last; differences of
   * {@link KllDoublesSketch.getCDF}, so their error is the double-sided one (`getNormalizedRankError(true)`).
   *
   * @throws `ERR_INVALID_ARGUMENT` for split points that are not distinct and increasing
   */
  getPMF(splitPoints: readonly number[], criteria: QuantileSearchCriteria = 'inclusive'): number[] {
    const cdf = this.getCDF(splitPoints, criteria)
    for (let i = cdf.length - 1; i > 0; i--) cdf[i] = (cdf[i] as number) - (cdf[i - 1] as number)
    return cdf
  }

  /**
   * The normalized rank error at 99 % confidence, for this sketch's min k, as DataSketches
   * computes it: 2.296 / k^0.9723 for ranks and quantiles (single-sided), 2.446 / k^0.9433 for
   * PMF masses (double-sided). About 1.33 % and 1.65 % at k = 200.
   *
   * @param pmf - true for the double-sided (PMF) error
   */
  getNormalizedRankError(pmf: boolean): number {
    return kllNormalizedRankError(this.#minK, pmf)
  }

  /** {@link KllDoublesSketch.getNormalizedRankError} for a given k. */
  static getNormalizedRankError(k: number, pmf: boolean): number {
    if (!Number.isInteger(k) || k < 1) throw invalidArgument(`k must be a positive integer, got ${k}`)
    return kllNormalizedRankError(k, pmf)
  }

  /**
   * Adds everything `other` has seen, as DataSketches merges: the other's level-0 items are
   * updated into this sketch one by one, then the higher levels are merged level by level and
   * compacted where over capacity. This sketch keeps its own k; min k becomes the smaller of the
   * two when `other` is in estimation mode. The error bound of the result is that of min k.
   *
   * @throws `ERR_INCOMPATIBLE_SKETCH` if `other` is not a KllDoublesSketch or the minimum level widths m differ
   */
  merge(other: KllDoublesSketch): void {
    if (typeof other !== 'object' || other === null || !(#n in other))
      throw incompatibleSketches('a KllDoublesSketch can only merge another KllDoublesSketch')
    if (other.#n === 0) return
    if (other.#m !== this.#m)
      throw incompatibleSketches(
        `cannot merge a KLL sketch with m = ${other.#m} into one with m = ${this.#m}`,
      )
    const source = other === this ? other.clone() : other
    const finalN = this.#n + source.#n
    const wasEmpty = this.#n === 0
    const myMin = this.#min
    const myMax = this.#max
    const otherLevels = source.#levels
    const otherItems = source.#items
    for (let i = otherLevels[0] as number, end = otherLevels[1] as number; i < end; i++)
      this.#insert(otherItems[i] as number)
    if (source.#numLevels > 1) this.#mergeHigherLevels(source, finalN)
    this.#n = finalN
    if (source.#numLevels > 1) this.#minK = Math.min(this.#minK, source.#minK)
    this.#min = wasEmpty ? source.#min : Math.min(myMin, source.#min)
    this.#max = wasEmpty ? source.#max : Math.max(myMax, source.#max)
    this.#view = undefined
  }

  /** An independent copy (sharing the random source). */
  clone(): KllDoublesSketch {
    return KllDoublesSketch.#fromState(this.#state(true), this.#random)
  }

  /**
   * The compact Apache DataSketches KLL image: 8 bytes when empty, 16 with one value, otherwise
   * the 20-byte preamble, the level boundaries, min, max and the retained items. Java's
   * `KllDoublesSketch.heapify` / `wrap` and C++'s `kll_sketch<double>::deserialize` read it.
   */
  toBytes(): Uint8Array {
    return writeKllDoubles(this.#state(false))
  }

  /**
   * Reads any DataSketches KLL doubles image (compact empty, single-item or full, from Java, C++ or
   * this class, and Java's updatable layout).
   *
   * @param bytes - the image
   * @param options - the random source for later compactions (k comes from the image)
   * @throws `ERR_INVALID_SKETCH` for anything else; sizes are checked before allocating, so the
   *   largest allocation is the capacity a k = 65535 sketch legitimately needs (≈ 1.6 MB)
   */
  static fromBytes(
    bytes: Uint8Array,
    options: Pick<KllDoublesSketchOptions, 'random'> = {},
  ): KllDoublesSketch {
    return KllDoublesSketch.#fromState(readKllDoubles(bytes), options.random)
  }

  /** A summary for people and dashboards: parameters, n, min, max, error bound and a few quantiles. */
  toJSON(): KllDoublesSketchJSON {
    const empty = this.#n === 0
    const view = empty ? undefined : this.#sortedView()
    const at = (rank: number): number | null => (view === undefined ? null : view.quantile(rank, 'inclusive'))
    return {
      kind: 'kll-doubles',
      k: this.#k,
      minK: this.#minK,
      n: this.#n,
      retained: this.numRetained,
      levels: this.#numLevels,
      min: empty ? null : this.#min,
      max: empty ? null : this.#max,
      normalizedRankError: this.getNormalizedRankError(false),
      quantiles: { p50: at(0.5), p90: at(0.9), p95: at(0.95), p99: at(0.99), p999: at(0.999) },
    }
  }

  static #fromState(state: KllDoublesState, random: Random | undefined): KllDoublesSketch {
    // an image may carry a k below 8 (Java allows k ≥ m when m < 8): construct, then adopt
    const sketch = new KllDoublesSketch({ k: Math.max(state.k, KLL_MIN_K), random })
    sketch.#k = state.k
    sketch.#m = state.m
    sketch.#minK = state.minK
    sketch.#n = state.n
    sketch.#numLevels = state.numLevels
    sketch.#levels = state.levels
    sketch.#items = state.items
    sketch.#min = state.min
    sketch.#max = state.max
    sketch.#levelZeroSorted = state.levelZeroSorted
    return sketch
  }

  #state(copy: boolean): KllDoublesState {
    return {
      k: this.#k,
      m: this.#m,
      minK: this.#minK,
      n: this.#n,
      numLevels: this.#numLevels,
      levels: copy ? this.#levels.slice(0, this.#numLevels + 1) : this.#levels,
      items: copy ? this.#items.slice() : this.#items,
      min: this.#min,
      max: this.#max,
      levelZeroSorted: this.#levelZeroSorted,
    }
  }

  #sortedView(): KllSortedView {
    if (this.#view === undefined)
      this.#view = new KllSortedView(this.#items, this.#levels, this.#numLevels, this.#levelZeroSorted)
    return this.#view
  }

  /** The update path without the NaN check (merge feeds it items already checked). */
  #insert(value: number): void {
    if (this.#n === 0) {
      this.#min = value
      this.#max = value
    } else {
      if (value < this.#min) this.#min = value
      if (value > this.#max) this.#max = value
    }
    if (this.#levels[0] === 0) this.#compressWhileUpdating()
    this.#n++
    this.#levelZeroSorted = false
    this.#view = undefined
    const at = (this.#levels[0] as number) - 1
    this.#levels[0] = at
    this.#items[at] = value
  }

  /**
   * Frees room when the items array is exactly full: compacts the lowest level at or over its
   * capacity into the level above (adding a level on top first if it is the top one), then moves
   * the levels below it up by the space freed.
   */
  #compressWhileUpdating(): void {
    const k = this.#k
    const m = this.#m
    if (this.#capacitiesLevels !== this.#numLevels) {
      const numLevels = this.#numLevels
      this.#capacities = Int32Array.from({ length: numLevels }, (_, height) =>
        levelCapacity(k, numLevels, height, m),
      )
      this.#capacitiesLevels = numLevels
    }
    const capacities = this.#capacities
    const current = this.#levels
    let level = 0
    while ((current[level + 1] as number) - (current[level] as number) < (capacities[level] as number))
      level++
    if (level === this.#numLevels - 1) this.#addEmptyTopLevel()
    const levels = this.#levels
    const items = this.#items
    const rawBeg = levels[level] as number
    const rawLim = levels[level + 1] as number
    const popAbove = (levels[level + 2] as number) - rawLim
    const rawPop = rawLim - rawBeg
    const odd = rawPop & 1
    const adjBeg = rawBeg + odd
    const adjPop = rawPop - odd
    const half = adjPop >> 1
    const bottom = levels[0] as number
    if (level === 0 && !this.#levelZeroSorted) sortRange(items, adjBeg, adjBeg + adjPop)
    if (popAbove === 0) {
      halveUp(items, adjBeg, adjPop, randomBit(this.#random))
    } else {
      halveDown(items, adjBeg, adjPop, randomBit(this.#random))
      mergeInPlace(items, adjBeg, half, rawLim, popAbove, adjBeg + half)
    }
    levels[level + 1] = rawLim - half
    if (odd === 1) {
      levels[level] = rawLim - half - 1
      items[rawLim - half - 1] = items[rawBeg] as number
    } else {
      levels[level] = rawLim - half
    }
    if (level > 0) {
      // shift the levels below up into the space freed
      items.copyWithin(bottom + half, bottom, rawBeg)
      for (let below = 0; below < level; below++) levels[below] = (levels[below] as number) + half
    }
  }

  /** Grows a completely full sketch by one level on top: the new capacity goes below the data. */
  #addEmptyTopLevel(): void {
    const numLevels = this.#numLevels
    const oldCapacity = this.#levels[numLevels] as number
    const delta = levelCapacity(this.#k, numLevels + 1, 0, this.#m)
    const items = new Float64Array(oldCapacity + delta)
    items.set(this.#items.subarray(0, oldCapacity), delta)
    const levels = new Int32Array(numLevels + 2)
    for (let level = 0; level <= numLevels; level++) levels[level] = (this.#levels[level] as number) + delta
    levels[numLevels + 1] = oldCapacity + delta
    this.#items = items
    this.#levels = levels
    this.#numLevels = numLevels + 1
  }

  /** Merges levels 1 and up of `other` into this sketch (its level 0 was already inserted). */
  #mergeHigherLevels(other: KllDoublesSketch, finalN: number): void {
    const myLevels = this.#levels
    const myItems = this.#items
    const myNumLevels = this.#numLevels
    const otherLevels = other.#levels
    const otherItems = other.#items
    const otherNumLevels = other.#numLevels
    const size = (levels: Int32Array, numLevels: number, level: number): number =>
      level < numLevels ? (levels[level + 1] as number) - (levels[level] as number) : 0
    const work = new Float64Array(
      (myLevels[myNumLevels] as number) -
        (myLevels[0] as number) +
        (otherLevels[otherNumLevels] as number) -
        (otherLevels[1] as number),
    )
    const provisional = Math.max(myNumLevels, otherNumLevels)
    // room for every level compression may add (two more entries than levels are touched)
    const bound = provisional + levelsUpperBound(finalN) + 3
    const inLevels = new Int32Array(bound)
    const outLevels = new Int32Array(bound)
    // level 0 is this sketch's alone (the other's was inserted); higher levels are merged runs
    const zero = size(myLevels, myNumLevels, 0)
    work.set(myItems.subarray(myLevels[0] as number, (myLevels[0] as number) + zero), 0)
    inLevels[1] = zero
    for (let level = 1; level < provisional; level++) {
      const mine = size(myLevels, myNumLevels, level)
      const theirs = size(otherLevels, otherNumLevels, level)
      const at = inLevels[level] as number
      inLevels[level + 1] = at + mine + theirs
      if (mine > 0 && theirs > 0)
        mergeRuns(
          myItems,
          myLevels[level] as number,
          mine,
          otherItems,
          otherLevels[level] as number,
          theirs,
          work,
          at,
        )
      else if (mine > 0)
        work.set(myItems.subarray(myLevels[level] as number, (myLevels[level] as number) + mine), at)
      else if (theirs > 0)
        work.set(
          otherItems.subarray(otherLevels[level] as number, (otherLevels[level] as number) + theirs),
          at,
        )
    }
    const result = generalCompress(
      this.#k,
      this.#m,
      provisional,
      work,
      inLevels,
      outLevels,
      this.#levelZeroSorted,
      this.#random,
    )
    const items = result.capacity === myItems.length ? myItems : new Float64Array(result.capacity)
    const free = result.capacity - result.retained
    const start = outLevels[0] as number
    items.set(work.subarray(start, start + result.retained), free)
    if (items === myItems) items.fill(0, 0, free)
    const levels = new Int32Array(result.numLevels + 1)
    for (let level = 0; level <= result.numLevels; level++)
      levels[level] = (outLevels[level] as number) + free - start
    this.#items = items
    this.#levels = levels
    this.#numLevels = result.numLevels
  }
}

const EMPTY_CAPACITIES = new Int32Array(0)

function checkRank(rank: number): void {
  if (typeof rank !== 'number' || !(rank >= 0 && rank <= 1))
    throw invalidArgument(`a normalized rank must be a number in [0, 1], got ${rank}`)
}

function checkCriteria(criteria: QuantileSearchCriteria): void {
  if (criteria !== 'inclusive' && criteria !== 'exclusive')
    throw invalidArgument(`search criteria must be 'inclusive' or 'exclusive', got ${String(criteria)}`)
}

function checkSplitPoints(points: readonly number[]): void {
  for (let i = 0; i < points.length; i++) {
    const point = points[i] as number
    if (typeof point !== 'number' || Number.isNaN(point)) throw invalidArgument(`split point ${i} is NaN`)
    if (i > 0 && !(point > (points[i - 1] as number)))
      throw invalidArgument('split points must be distinct and increasing')
  }
}
