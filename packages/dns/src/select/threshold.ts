/**
 * How many of `total` candidates (or how much of their total weight) must be up for a pool to
 * pass gdnsd's `up_thresh` test: ⌈threshold × total⌉. A threshold of 0 stands for "unset": at least
 * something must be up. A tiny allowance keeps binary rounding (0.7 × 10 = 7.000000000000001) from
 * asking for one more than the arithmetic does.
 *
 * @example
 * ```ts
 * upThresholdNeed(0.5, 3) // 2: with gdnsd's default a pool of 3 never answers with 1 address
 * ```
 */
export function upThresholdNeed(threshold: number, total: number): number {
  if (threshold <= 0) return Number.MIN_VALUE
  return Math.ceil(threshold * total - 1e-9)
}

/**
 * gdnsd's `up_thresh` test: `non_down >= ceil(threshold × total)`, by count or by summed weights.
 *
 * @param nonDown - candidates (or weight) not down
 * @param total - all candidates (or their total weight)
 * @param threshold - in (0, 1], or 0 for "anything up passes"
 * @example
 * ```ts
 * upThresholdPasses(15, 16, 0.9) // true; 14 of 16 would fail
 * ```
 */
export function upThresholdPasses(nonDown: number, total: number, threshold: number): boolean {
  return nonDown > 0 && nonDown >= upThresholdNeed(threshold, total)
}
