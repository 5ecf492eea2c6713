const EMPTY = new Float64Array(0)
const INITIAL_CAPACITY = 128

/**
 * Which end of a {@link DenseStore} gives way when its bins would span more than `maxBins`
 * indices: the lowest indices fold into the lowest kept bin, or the highest into the highest.
 */
export type CollapseSide = 'lowest' | 'highest'

/**
 * Bin counts of a DDSketch over a contiguous range of bin indices, in a `Float64Array` that
 * grows geometrically (so adding to an existing range never allocates) and never spans more than
 * `maxBins` indices: when a new index would widen the range beyond that, the bins at the
 * collapsing end fold into the last bin kept. The folding depends only on the lowest and highest
 * index ever seen, so a store's bins are a function of the multiset of indices added, whatever the
 * order or the sharding: merging stores gives exactly the store of the union.
 */
export class DenseStore {
  /** The most bins this store spans. */
  readonly maxBins: number
  /** The end that folds when the span would exceed {@link DenseStore.maxBins}. */
  readonly collapse: CollapseSide
  #counts: Float64Array = EMPTY
  /** The bin index of `#counts[0]`. */
  #offset = 0
  /** The live range: no count outside [#min, #max]; empty while #max < #min. */
  #min = 0
  #max = -1

  /**
   * @param maxBins - the most bins the store spans (a positive integer)
   * @param collapse - the end that folds when the span would exceed `maxBins`
   */
  constructor(maxBins: number, collapse: CollapseSide) {
    this.maxBins = maxBins
    this.collapse = collapse
  }

  /** Whether no count was added. */
  get isEmpty(): boolean {
    return this.#max < this.#min
  }

  /** The lowest index with a count (meaningless when empty). */
  get minIndex(): number {
    return this.#min
  }

  /** The highest index with a count (meaningless when empty). */
  get maxIndex(): number {
    return this.#max
  }

  /** The count of bin `index` (0 outside the live range). */
  countAt(index: number): number {
    if (index < this.#min || index > this.#max) return 0
    return this.#counts[index - this.#offset] as number
  }

  /** The sum of all counts. */
  total(): number {
    let sum = 0
    const counts = this.#counts
    for (let i = this.#min - this.#offset, end = this.#max - this.#offset; i <= end; i++)
      sum += counts[i] as number
    return sum
  }

  /** The number of bins with a non-zero count. */
  nonEmptyBins(): number {
    let bins = 0
    const counts = this.#counts
    for (let i = this.#min - this.#offset, end = this.#max - this.#offset; i <= end; i++)
      if ((counts[i] as number) !== 0) bins++
    return bins
  }

  /** Adds `count` to bin `index` (or to the bin it folds into). */
  add(index: number, count: number): void {
    if (index < this.#min || index > this.#max) index = this.#extend(index)
    const at = index - this.#offset
    this.#counts[at] = (this.#counts[at] as number) + count
  }

  /** Adds every count of `other` (whose `maxBins` may differ; this store's bound applies). */
  mergeFrom(other: DenseStore): void {
    if (other.isEmpty) return
    const from = other.#min
    const to = other.#max
    const source = other.#counts
    const sourceOffset = other.#offset
    this.#extend(from)
    this.#extend(to)
    const counts = this.#counts
    const offset = this.#offset
    const min = this.#min
    const max = this.#max
    for (let index = from; index <= to; index++) {
      const count = source[index - sourceOffset] as number
      if (count === 0) continue
      const target = Math.min(Math.max(index, min), max)
      counts[target - offset] = (counts[target - offset] as number) + count
    }
  }

  /** An independent copy. */
  copy(): DenseStore {
    const store = new DenseStore(this.maxBins, this.collapse)
    store.#counts = this.#counts.slice()
    store.#offset = this.#offset
    store.#min = this.#min
    store.#max = this.#max
    return store
  }

  /**
   * A store holding `counts` for the indices `start`, `start + 1`, … (the caller has checked that
   * the span fits `maxBins` and that the first and last counts are non-zero).
   */
  static fromCounts(
    maxBins: number,
    collapse: CollapseSide,
    start: number,
    counts: Float64Array,
  ): DenseStore {
    const store = new DenseStore(maxBins, collapse)
    if (counts.length === 0) return store
    store.#counts = counts
    store.#offset = start
    store.#min = start
    store.#max = start + counts.length - 1
    return store
  }

  /** Widens the live range to take `index`, folding bins if the span would exceed maxBins; returns the bin that takes `index`. */
  #extend(index: number): number {
    let lo = index
    let hi = index
    if (this.#max >= this.#min) {
      if (this.#min < lo) lo = this.#min
      if (this.#max > hi) hi = this.#max
    }
    let folded = 0
    if (hi - lo + 1 > this.maxBins) {
      if (this.collapse === 'lowest') {
        lo = hi - this.maxBins + 1
        folded = this.#takeRange(this.#min, lo - 1)
        if (index < lo) index = lo
      } else {
        hi = lo + this.maxBins - 1
        folded = this.#takeRange(hi + 1, this.#max)
        if (index > hi) index = hi
      }
    }
    this.#cover(lo, hi)
    this.#min = lo
    this.#max = hi
    if (folded !== 0) {
      const at = (this.collapse === 'lowest' ? lo : hi) - this.#offset
      this.#counts[at] = (this.#counts[at] as number) + folded
    }
    return index
  }

  /** Sums and zeroes the live bins in [from, to]. */
  #takeRange(from: number, to: number): number {
    if (this.#max < this.#min) return 0
    if (from < this.#min) from = this.#min
    if (to > this.#max) to = this.#max
    let sum = 0
    const counts = this.#counts
    for (let i = from - this.#offset, end = to - this.#offset; i <= end; i++) {
      sum += counts[i] as number
      counts[i] = 0
    }
    return sum
  }

  /** Makes the array cover [lo, hi], keeping the live counts inside that range. */
  #cover(lo: number, hi: number): void {
    const capacity = this.#counts.length
    if (lo >= this.#offset && hi < this.#offset + capacity) return
    const width = hi - lo + 1
    const live = this.#max >= this.#min
    const keepFrom = live ? Math.max(this.#min, lo) : 0
    const keepTo = live ? Math.min(this.#max, hi) : -1
    if (width <= capacity) {
      const offset = lo - ((capacity - width) >> 1)
      const counts = this.#counts
      if (keepFrom <= keepTo) {
        counts.copyWithin(keepFrom - offset, keepFrom - this.#offset, keepTo - this.#offset + 1)
        counts.fill(0, 0, keepFrom - offset)
        counts.fill(0, keepTo - offset + 1)
      } else {
        counts.fill(0)
      }
      this.#offset = offset
      return
    }
    let grown = Math.max(width, capacity * 2, INITIAL_CAPACITY)
    if (grown > this.maxBins) grown = Math.max(width, this.maxBins)
    const counts = new Float64Array(grown)
    const offset = lo - ((grown - width) >> 1)
    if (keepFrom <= keepTo)
      counts.set(this.#counts.subarray(keepFrom - this.#offset, keepTo - this.#offset + 1), keepFrom - offset)
    this.#counts = counts
    this.#offset = offset
  }
}
