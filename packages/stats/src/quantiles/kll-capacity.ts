/**
 * Level capacities of a KLL sketch, as Apache DataSketches computes them: the level at depth d
 * below the top holds about k·(2/3)^d items (rounded half up), and never fewer than m. The total
 * capacity of a sketch with L levels is the sum over its levels, and it fixes the position of every
 * item in the items array, so serialized images depend on these numbers being exact.
 */

/** DataSketches' default k (rank error ≈ 1.33 % at 99 % confidence). */
export const KLL_DEFAULT_K = 200
/** DataSketches' default (and, in C++, only) minimum level width m. */
export const KLL_DEFAULT_M = 8
/** The smallest k a new sketch accepts (DataSketches: k ≥ m = 8). */
export const KLL_MIN_K = 8
/** The largest k (serialized as an unsigned 16-bit integer). */
export const KLL_MAX_K = 0xffff
/** The most levels a sketch can have (depths up to 60 are defined). */
export const KLL_MAX_LEVELS = 61

const POWERS_OF_THREE: number[] = []
for (let i = 0, p = 1; i <= 30; i++, p *= 3) POWERS_OF_THREE.push(p)

/** round(k · (2/3)^depth) for depth ≤ 30, in exact integer arithmetic (all values < 2^53). */
function capacityAtDepthUpTo30(k: number, depth: number): number {
  const numerator = 2 * k * 2 ** depth // ≤ 2^17 · 2^30
  const denominator = POWERS_OF_THREE[depth] as number
  let quotient = Math.floor(numerator / denominator)
  // the floating division may round across an integer: correct it exactly
  if (quotient * denominator > numerator) quotient--
  else if ((quotient + 1) * denominator <= numerator) quotient++
  return Math.floor((quotient + 1) / 2)
}

/** round(k · (2/3)^depth) for depth ≤ 60 (in two steps beyond 30, as DataSketches does). */
export function capacityAtDepth(k: number, depth: number): number {
  if (depth <= 30) return capacityAtDepthUpTo30(k, depth)
  const half = depth >> 1
  return capacityAtDepthUpTo30(capacityAtDepthUpTo30(k, half), depth - half)
}

/** The nominal capacity of level `height` (0 = bottom) in a sketch of `numLevels` levels. */
export function levelCapacity(k: number, numLevels: number, height: number, m: number): number {
  return Math.max(m, capacityAtDepth(k, numLevels - height - 1))
}

/** The total capacity (items array length) of a sketch of `numLevels` levels. */
export function totalCapacity(k: number, m: number, numLevels: number): number {
  let total = 0
  for (let height = 0; height < numLevels; height++) total += levelCapacity(k, numLevels, height, m)
  return total
}

/** An upper bound on the number of levels of a sketch of n items: 1 + ⌊log2 n⌋ (1 for n = 0). */
export function levelsUpperBound(n: number): number {
  return n < 1 ? 1 : 1 + Math.floor(Math.log2(n))
}

/**
 * DataSketches' normalized rank error of a KLL sketch with parameter k at 99 % confidence: the
 * best fit to the 99th percentile of the maximum error measured over thousands of trials.
 *
 * @param pmf - true for the "double-sided" error of a PMF bin or a difference of two CDF values;
 *   false for the "single-sided" error of a rank, CDF value or quantile
 */
export function kllNormalizedRankError(k: number, pmf: boolean): number {
  return pmf ? 2.446 / k ** 0.9433 : 2.296 / k ** 0.9723
}
