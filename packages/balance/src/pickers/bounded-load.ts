import { invalidArgument } from '@shoal/core'
import type { Cluster } from '../cluster.js'

/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam, "Consistent Hashing
 * with Bounded Loads", SODA 2018, arXiv 1608.01350), as HAProxy's `hash-balance-factor` and
 * Envoy's `hash_balance_factor` deploy it: with a balance factor c > 1, a backend of weight w
 * among candidates of total weight W may hold at most
 *
 *   capacity = max(1, ⌈c × (T + 1) × w / W⌉)
 *
 * requests in flight, where T is the number in flight from this process and the + 1 counts the
 * request being placed. A backend at capacity is skipped and the key moves on along the
 * picker's own deterministic sequence (the ring clockwise, the Maglev table by a key-derived
 * stride). With equal weights the bound is ⌈c × (T + 1) / n⌉: no backend ever holds more than
 * ⌈c × mean⌉ after a pick. Some candidate always has room, since the capacities add up to at
 * least c × (T + 1) > T.
 *
 * In-flight counts are this process's own (`cluster.inflight`, `cluster.inflightTotal`), always
 * fresh, and read in O(1). T counts requests to backends that are not candidates too (ejected or
 * filtered ones still draining), which can only loosen the caps, never block every candidate.
 *
 * @internal
 */
export class LoadBound {
  /** The balance factor c. */
  readonly factor: number
  // c × (T + 1) / W for the pick in progress
  #scale = 0

  /** @param factor - a balance factor checked by {@link balanceFactor} */
  constructor(factor: number) {
    this.factor = factor
  }

  /** Reads the load for this pick; call once per pick before {@link LoadBound.allows}. */
  begin(cluster: Cluster<unknown>, totalWeight: number): void {
    this.#scale = (this.factor * (cluster.inflightTotal + 1)) / totalWeight
  }

  /** True when `slot` is below its capacity and may take the request. */
  allows(cluster: Cluster<unknown>, slot: number): boolean {
    return (cluster.inflight[slot] as number) < capacity(this.#scale * (cluster.weight[slot] as number))
  }
}

/**
 * The capacity for an exact share `share` = c × (T + 1) × w / W. The small allowance keeps a share
 * that is an integer in exact arithmetic (1.25 × 8 / 4 = 2.5 is not, 1.5 × 4 / 2 = 3 is) from
 * rounding up past it through floating-point error.
 */
function capacity(share: number): number {
  return Math.max(Math.ceil(share - 1e-9), 1)
}

/**
 * Checks a `boundedLoad` option and makes its {@link LoadBound}, `undefined` when the option is
 * unset.
 *
 * @internal
 */
export function balanceFactor(value: number | undefined, picker: string): LoadBound | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !(value > 1) || !Number.isFinite(value))
    throw invalidArgument(
      `${picker}: boundedLoad must be a finite number above 1, such as 1.25 (a backend may take 25 % more than the mean, HAProxy's hash-balance-factor 125), got ${String(value)}`,
    )
  return new LoadBound(value)
}
