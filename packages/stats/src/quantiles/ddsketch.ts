import { invalidArgument } from '@shoal/core'
import { incompatibleSketches } from '../errors.js'
import type { Sketch } from '../sketch.js'
import { type DDSketchParts, MAX_BINS_LIMIT, readDDSketch, writeDDSketch } from './ddsketch-format.js'
import { DenseStore } from './dense-store.js'
import { LogarithmicMapping, MIN_INDEXABLE_VALUE } from './log-mapping.js'
import type { QuantileSummary } from './quantile-summary.js'

/** Options of {@link DDSketch}. */
export interface DDSketchOptions {
  /**
   * The relative accuracy α: every quantile is within α × its true value. In (0, 1), at least
   * 1e−9; default 0.01 (1 %).
   */
  relativeAccuracy?: number | undefined
  /**
   * The most bins each of the positive and negative stores spans; default 2048. Beyond it the bins
   * of the lowest values fold together, so the guarantee holds for every quantile above the folded
   * bins. At α = 1 %, 2048 bins span a ratio of 6 × 10^17 between the smallest and largest value.
   */
  maxBins?: number | undefined
}

/** One bin of a {@link DDSketch}: the values in [lower, upper] (edges approximate), estimated as `value`. */
export interface DDSketchBin {
  /** The lowest value the bin holds (exclusive for positive bins, inclusive for negative ones). */
  readonly lower: number
  /** The highest value the bin holds (inclusive for positive bins, exclusive for negative ones). */
  readonly upper: number
  /** The value that stands for the bin's contents (0 for the zero bin). */
  readonly value: number
  /** The number (or weight) of values in the bin. */
  readonly count: number
}

/** The plain-data view of a {@link DDSketch} ({@link DDSketch.toJSON}). */
export interface DDSketchJSON {
  /** Always `'ddsketch'`. */
  readonly kind: 'ddsketch'
  /** α. */
  readonly relativeAccuracy: number
  /** The bin bound of each store. */
  readonly maxBins: number
  /** The number (or total weight) of values added. */
  readonly count: number
  /** Their sum. */
  readonly sum: number
  /** The smallest value, `null` when empty. */
  readonly min: number | null
  /** The largest value, `null` when empty. */
  readonly max: number | null
  /** The mean, `null` when empty. */
  readonly mean: number | null
  /** How many values were 0 (or of magnitude below 2^−1022). */
  readonly zeroCount: number
  /** Bins with a non-zero count. */
  readonly bins: number
  /** p50, p90, p95, p99 and p99.9; `null` when empty. */
  readonly quantiles: QuantileSummary
}

/**
 * DDSketch (Masson, Rim and Lee, "DDSketch: a fast and fully-mergeable quantile sketch with
 * relative-error guarantees", VLDB 2019): every quantile it returns is within a relative
 * accuracy α of the true quantile of the values added, whatever their distribution, which is the
 * guarantee latency percentiles need (p99 = 250 ms ± 2.5 ms at α = 1 %, whether p50 is 1 ms or 1 s).
 *
 * Values map to bins by an exact logarithmic mapping ({@link LogarithmicMapping}); positive values,
 * negative values and zeros are counted apart, in dense stores bounded to `maxBins` bins each,
 * where the bins of the lowest values fold together if the data would need more (so high
 * quantiles keep their guarantee). Merging adds bin counts, so a merge of sketches equals the
 * sketch of all their values, bin for bin, in any order.
 *
 * `add` costs one `Math.log` and does not allocate once a store's range is established.
 * Any finite double can be added; magnitudes below 2^−1022 count as zero.
 *
 * The quantile q is the value of rank ⌊q·(n − 1)⌋ (0-based) among the n values, as in the paper;
 * q = 0 and q = 1 return the exact minimum and maximum, and every estimate is clamped to
 * [min, max], which only brings it closer to the truth. (Bin edges are computed in floating point:
 * a value lying exactly on an edge may exceed α by about 10^−12 relative.)
 *
 * @example
 * ```ts
 * const latency = new DDSketch()            // α = 1 %
 * for (const micros of samples) latency.add(micros)
 * latency.quantile(0.99)                    // within 1 % of the true p99
 * shard.merge(latency)                      // exact: the same bins as one sketch of both streams
 * const copy = DDSketch.fromBytes(latency.toBytes())
 * ```
 */
export class DDSketch implements Sketch<DDSketch> {
  /** The default relative accuracy α (1 %). */
  static readonly DEFAULT_RELATIVE_ACCURACY = 0.01
  /** The default bin bound of each store. */
  static readonly DEFAULT_MAX_BINS = 2048

  readonly #mapping: LogarithmicMapping
  readonly #multiplier: number
  readonly #maxBins: number
  #positive: DenseStore
  #negative: DenseStore
  #zero = 0
  #count = 0
  #sum = 0
  #min = Number.POSITIVE_INFINITY
  #max = Number.NEGATIVE_INFINITY

  /**
   * @param options - relative accuracy and bin bound
   * @throws `ERR_INVALID_ARGUMENT` for an α outside (0, 1) (or below 1e−9) or a `maxBins` that
   *   is not an integer in [1, 2^20]
   */
  constructor(options: DDSketchOptions = {}) {
    const alpha = options.relativeAccuracy ?? DDSketch.DEFAULT_RELATIVE_ACCURACY
    const maxBins = options.maxBins ?? DDSketch.DEFAULT_MAX_BINS
    if (!Number.isInteger(maxBins) || maxBins < 1 || maxBins > MAX_BINS_LIMIT)
      throw invalidArgument(`maxBins must be an integer in [1, ${MAX_BINS_LIMIT}], got ${maxBins}`)
    this.#mapping = new LogarithmicMapping(alpha)
    this.#multiplier = this.#mapping.multiplier
    this.#maxBins = maxBins
    this.#positive = new DenseStore(maxBins, 'lowest')
    this.#negative = new DenseStore(maxBins, 'highest')
  }

  /** The relative accuracy α. */
  get relativeAccuracy(): number {
    return this.#mapping.relativeAccuracy
  }

  /** The bin bound of each store. */
  get maxBins(): number {
    return this.#maxBins
  }

  /** The number (or total weight) of values added. */
  get count(): number {
    return this.#count
  }

  /** Whether nothing was added. */
  get isEmpty(): boolean {
    return this.#count === 0
  }

  /** The sum of the values added (each times its count). */
  get sum(): number {
    return this.#sum
  }

  /** The smallest value added, exactly; `NaN` when empty. */
  get min(): number {
    return this.#count === 0 ? Number.NaN : this.#min
  }

  /** The largest value added, exactly; `NaN` when empty. */
  get max(): number {
    return this.#count === 0 ? Number.NaN : this.#max
  }

  /** The mean of the values added; `NaN` when empty. */
  get mean(): number {
    return this.#count === 0 ? Number.NaN : this.#sum / this.#count
  }

  /** How many values were 0 (or of magnitude below 2^−1022). */
  get zeroCount(): number {
    return this.#zero
  }

  /**
   * Adds `value`, `count` times.
   *
   * @param value - any finite number
   * @param count - a finite weight ≥ 0 (fractional weights are allowed; 0 adds nothing)
   * @throws `ERR_INVALID_ARGUMENT` for a NaN or infinite value or an invalid count
   */
  add(value: number, count = 1): void {
    if (count !== 1 && !checkedWeight(count)) {
      if (!(value >= -Number.MAX_VALUE && value <= Number.MAX_VALUE)) throw notFinite(value)
      return
    }
    if (value >= MIN_INDEXABLE_VALUE) {
      if (value > Number.MAX_VALUE) throw notFinite(value)
      this.#positive.add(Math.ceil(Math.log(value) * this.#multiplier), count)
    } else if (value <= -MIN_INDEXABLE_VALUE) {
      if (value < -Number.MAX_VALUE) throw notFinite(value)
      this.#negative.add(Math.ceil(Math.log(-value) * this.#multiplier), count)
    } else if (!Number.isNaN(value)) {
      this.#zero += count
    } else {
      throw notFinite(value)
    }
    this.#count += count
    // −0 is stored as +0: otherwise min and max would depend on the order values arrive in
    const stored = value === 0 ? 0 : value
    this.#sum += stored * count
    if (stored < this.#min) this.#min = stored
    if (stored > this.#max) this.#max = stored
  }

  /**
   * The estimated q-quantile: within α × |true value| of the value of rank ⌊q·(n − 1)⌋.
   *
   * @param q - in [0, 1]
   * @returns the estimate, or `NaN` when the sketch is empty
   * @throws `ERR_INVALID_ARGUMENT` for q outside [0, 1]
   */
  quantile(q: number): number {
    checkQuantile(q)
    return this.#count === 0 ? Number.NaN : this.#quantile(q)
  }

  /**
   * {@link DDSketch.quantile} for several q at once.
   *
   * @throws `ERR_INVALID_ARGUMENT` if any q is outside [0, 1]
   */
  quantiles(qs: readonly number[]): number[] {
    for (const q of qs) checkQuantile(q)
    return qs.map((q) => (this.#count === 0 ? Number.NaN : this.#quantile(q)))
  }

  /** The non-empty bins, from the lowest values to the highest (each `value` clamped to [min, max], as quantiles are). */
  bins(): DDSketchBin[] {
    const mapping = this.#mapping
    const bins: DDSketchBin[] = []
    const negative = this.#negative
    if (!negative.isEmpty)
      for (let i = negative.maxIndex; i >= negative.minIndex; i--) {
        const count = negative.countAt(i)
        if (count !== 0)
          bins.push({
            lower: -mapping.upperBound(i),
            upper: -mapping.lowerBound(i),
            value: this.#clamp(-mapping.value(i)),
            count,
          })
      }
    if (this.#zero !== 0)
      bins.push({ lower: -MIN_INDEXABLE_VALUE, upper: MIN_INDEXABLE_VALUE, value: 0, count: this.#zero })
    const positive = this.#positive
    if (!positive.isEmpty)
      for (let i = positive.minIndex; i <= positive.maxIndex; i++) {
        const count = positive.countAt(i)
        if (count !== 0)
          bins.push({
            lower: mapping.lowerBound(i),
            upper: mapping.upperBound(i),
            value: this.#clamp(mapping.value(i)),
            count,
          })
      }
    return bins
  }

  /**
   * Adds everything `other` has seen. The result is exactly the sketch of both streams (bins,
   * count, min, max; the sum up to floating-point rounding); this sketch's `maxBins` applies.
   *
   * @throws `ERR_INCOMPATIBLE_SKETCH` if `other` is not a DDSketch or the relative accuracies differ
   */
  merge(other: DDSketch): void {
    if (typeof other !== 'object' || other === null || !(#count in other))
      throw incompatibleSketches('a DDSketch can only merge another DDSketch')
    if (other.relativeAccuracy !== this.relativeAccuracy)
      throw incompatibleSketches(
        `cannot merge a DDSketch with relative accuracy ${other.relativeAccuracy} into one with ${this.relativeAccuracy}`,
      )
    if (other.#count === 0) return
    const source = other === this ? other.clone() : other
    this.#positive.mergeFrom(source.#positive)
    this.#negative.mergeFrom(source.#negative)
    this.#zero += source.#zero
    this.#count += source.#count
    this.#sum += source.#sum
    if (source.#min < this.#min) this.#min = source.#min
    if (source.#max > this.#max) this.#max = source.#max
  }

  /** An independent copy. */
  clone(): DDSketch {
    const copy = new DDSketch({ relativeAccuracy: this.relativeAccuracy, maxBins: this.#maxBins })
    copy.#positive = this.#positive.copy()
    copy.#negative = this.#negative.copy()
    copy.#zero = this.#zero
    copy.#count = this.#count
    copy.#sum = this.#sum
    copy.#min = this.#min
    copy.#max = this.#max
    return copy
  }

  /**
   * The binary image, in shoal's own versioned format (envelope kind `ddsketch`, version 1):
   * the parameters, min, max and sum, then each store as a span of varint counts (f64 when a
   * count is fractional). A 1 M-value latency sketch takes about 1 KB.
   */
  toBytes(): Uint8Array {
    return writeDDSketch(this.#parts())
  }

  /**
   * Reads an image written by {@link DDSketch.toBytes}.
   *
   * @throws `ERR_INVALID_SKETCH` for anything else (sizes are checked before anything is allocated)
   */
  static fromBytes(bytes: Uint8Array): DDSketch {
    const parts = readDDSketch(bytes)
    const sketch = new DDSketch({ relativeAccuracy: parts.relativeAccuracy, maxBins: parts.maxBins })
    sketch.#positive = parts.positive
    sketch.#negative = parts.negative
    sketch.#zero = parts.zeroCount
    sketch.#count = parts.count
    sketch.#sum = parts.sum
    sketch.#min = parts.min
    sketch.#max = parts.max
    return sketch
  }

  /** A summary for people and dashboards: parameters, count, sum, min, max, mean and a few quantiles. */
  toJSON(): DDSketchJSON {
    const empty = this.#count === 0
    const at = (q: number): number | null => (empty ? null : this.#quantile(q))
    return {
      kind: 'ddsketch',
      relativeAccuracy: this.relativeAccuracy,
      maxBins: this.#maxBins,
      count: this.#count,
      sum: this.#sum,
      min: empty ? null : this.#min,
      max: empty ? null : this.#max,
      mean: empty ? null : this.#sum / this.#count,
      zeroCount: this.#zero,
      bins: this.#positive.nonEmptyBins() + this.#negative.nonEmptyBins() + (this.#zero === 0 ? 0 : 1),
      quantiles: { p50: at(0.5), p90: at(0.9), p95: at(0.95), p99: at(0.99), p999: at(0.999) },
    }
  }

  #parts(): DDSketchParts {
    return {
      relativeAccuracy: this.relativeAccuracy,
      maxBins: this.#maxBins,
      zeroCount: this.#zero,
      count: this.#count,
      sum: this.#sum,
      min: this.#min,
      max: this.#max,
      positive: this.#positive,
      negative: this.#negative,
    }
  }

  /** The quantile of a non-empty sketch. */
  #quantile(q: number): number {
    if (q === 0) return this.#min
    if (q === 1) return this.#max
    const rank = q * (this.#count - 1)
    const mapping = this.#mapping
    let seen = 0
    const negative = this.#negative
    if (!negative.isEmpty)
      for (let i = negative.maxIndex; i >= negative.minIndex; i--) {
        seen += negative.countAt(i)
        if (seen > rank) return this.#clamp(-mapping.value(i))
      }
    seen += this.#zero
    if (seen > rank) return this.#clamp(0)
    const positive = this.#positive
    if (!positive.isEmpty)
      for (let i = positive.minIndex; i <= positive.maxIndex; i++) {
        seen += positive.countAt(i)
        if (seen > rank) return this.#clamp(mapping.value(i))
      }
    return this.#max
  }

  #clamp(value: number): number {
    return Math.min(Math.max(value, this.#min), this.#max)
  }
}

function checkQuantile(q: number): void {
  if (typeof q !== 'number' || !(q >= 0 && q <= 1))
    throw invalidArgument(`a quantile must be a number in [0, 1], got ${q}`)
}

/** Validates a weight other than 1: true to add it, false for 0 (nothing to add). */
function checkedWeight(count: number): boolean {
  if (typeof count === 'number' && count >= 0 && count <= Number.MAX_VALUE) return count !== 0
  throw invalidArgument(`a count must be a finite number ≥ 0, got ${count}`)
}

function notFinite(value: number): Error {
  return invalidArgument(`DDSketch values must be finite numbers, got ${value}`)
}
