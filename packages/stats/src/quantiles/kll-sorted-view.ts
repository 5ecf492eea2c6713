/**
 * How a KLL query treats items equal to the one asked about, as DataSketches' `QuantileSearchCriteria`:
 *
 * - `'inclusive'` (DataSketches' default, and ours): the rank of v counts the items ≤ v, and the
 *   quantile of rank r is the smallest retained item whose inclusive rank is ≥ r;
 * - `'exclusive'`: the rank of v counts the items < v, and the quantile of rank r is the smallest
 *   retained item whose inclusive rank is > r.
 */
export type QuantileSearchCriteria = 'inclusive' | 'exclusive'

/** Below this n, natural ranks are rounded to 7 decimals before ceil/floor (as DataSketches does). */
const TAIL_ROUNDING_FACTOR = 1e7

/**
 * The retained items of a KLL sketch in ascending order with their cumulative weights (the
 * natural rank of each item), on which rank and quantile queries are binary searches. Built from
 * copies: building it never reorders the sketch itself, so queries do not change its image.
 */
export class KllSortedView {
  /** The retained items, ascending. */
  readonly items: Float64Array
  /** `cumulative[i]` = total weight of `items[0 … i]`; the last is n. */
  readonly cumulative: Float64Array
  /** The total weight n. */
  readonly n: number

  /**
   * @param items - the sketch's items array
   * @param levels - level boundaries (`numLevels + 1` entries)
   * @param numLevels - the number of levels
   * @param levelZeroSorted - whether level 0 is already sorted
   */
  constructor(items: Float64Array, levels: Int32Array, numLevels: number, levelZeroSorted: boolean) {
    // one sorted run per non-empty level, each with its weight
    let runs: { items: Float64Array; weights: Float64Array }[] = []
    for (let level = 0, weight = 1; level < numLevels; level++, weight *= 2) {
      const from = levels[level] as number
      const to = levels[level + 1] as number
      if (from === to) continue
      const run = items.slice(from, to)
      if (level === 0 && !levelZeroSorted) run.sort()
      runs.push({ items: run, weights: new Float64Array(to - from).fill(weight) })
    }
    // merge pairs of runs until one is left
    while (runs.length > 1) {
      const next: typeof runs = []
      for (let i = 0; i < runs.length; i += 2) {
        const a = runs[i] as (typeof runs)[number]
        const b = runs[i + 1]
        next.push(b === undefined ? a : mergeWeighted(a, b))
      }
      runs = next
    }
    const only = runs[0]
    this.items = only?.items ?? new Float64Array(0)
    const cumulative = only?.weights ?? new Float64Array(0)
    for (let i = 1; i < cumulative.length; i++)
      cumulative[i] = (cumulative[i] as number) + (cumulative[i - 1] as number)
    this.cumulative = cumulative
    this.n = cumulative.length === 0 ? 0 : (cumulative[cumulative.length - 1] as number)
  }

  /** The item at normalized rank `rank` ∈ [0, 1] (the view must not be empty). */
  quantile(rank: number, criteria: QuantileSearchCriteria): number {
    const cumulative = this.cumulative
    const last = cumulative.length - 1
    let natural = rank * this.n
    if (this.n <= TAIL_ROUNDING_FACTOR)
      natural = Math.round(natural * TAIL_ROUNDING_FACTOR) / TAIL_ROUNDING_FACTOR
    natural = criteria === 'inclusive' ? Math.ceil(natural) : Math.floor(natural)
    // first index whose cumulative weight is ≥ natural (inclusive) or > natural (exclusive)
    let lo = 0
    let hi = last + 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const weight = cumulative[mid] as number
      if (criteria === 'inclusive' ? weight >= natural : weight > natural) hi = mid
      else lo = mid + 1
    }
    return this.items[Math.min(lo, last)] as number
  }

  /** The normalized rank of `value`: the weight of items ≤ it (inclusive) or < it (exclusive), over n. */
  rank(value: number, criteria: QuantileSearchCriteria): number {
    const items = this.items
    // count of items ≤ value (inclusive) or < value (exclusive)
    let lo = 0
    let hi = items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const item = items[mid] as number
      if (criteria === 'inclusive' ? item <= value : item < value) lo = mid + 1
      else hi = mid
    }
    return lo === 0 ? 0 : (this.cumulative[lo - 1] as number) / this.n
  }
}

function mergeWeighted(
  a: { items: Float64Array; weights: Float64Array },
  b: { items: Float64Array; weights: Float64Array },
): { items: Float64Array; weights: Float64Array } {
  const length = a.items.length + b.items.length
  const items = new Float64Array(length)
  const weights = new Float64Array(length)
  let i = 0
  let j = 0
  for (let o = 0; o < length; o++) {
    if (j >= b.items.length || (i < a.items.length && (a.items[i] as number) < (b.items[j] as number))) {
      items[o] = a.items[i] as number
      weights[o] = a.weights[i++] as number
    } else {
      items[o] = b.items[j] as number
      weights[o] = b.weights[j++] as number
    }
  }
  return { items, weights }
}
