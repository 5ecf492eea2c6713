import type { Candidates } from '../candidates.js'
import type { Cluster } from '../cluster.js'
import type { Picker } from '../picker.js'

class SmoothWeightedRoundRobin implements Picker {
  readonly name = 'smoothWeightedRoundRobin'
  readonly prepared = false
  /** nginx's `current_weight` per slot. */
  #current = new Float64Array(8)

  prepare(candidates: Candidates, cluster: Cluster<unknown>): void {
    const slotCount = cluster.slotCount
    const previous = this.#current
    const current = new Float64Array(Math.max(slotCount, 8))
    // Keep the schedule of backends that stay; a slot that left, or was reused by a newcomer,
    // starts again from zero.
    const { slots, length } = candidates
    for (let i = 0; i < length; i++) {
      const slot = slots[i] as number
      if (slot < previous.length) current[slot] = previous[slot] as number
    }
    this.#current = current
  }

  pick(candidates: Candidates, cluster: Cluster<unknown>): number {
    const { slots, length } = candidates
    const weight = cluster.weight
    const current = this.#current
    let total = 0
    let best = -1
    let bestCurrent = Number.NEGATIVE_INFINITY
    for (let i = 0; i < length; i++) {
      const slot = slots[i] as number
      const w = weight[slot] as number
      const c = (current[slot] as number) + w
      current[slot] = c
      total += w
      if (c > bestCurrent) {
        bestCurrent = c
        best = slot
      }
    }
    if (best >= 0) current[best] = bestCurrent - total
    return best
  }
}

/**
 * nginx's smooth weighted round robin: each pick adds every candidate's effective weight to its
 * running score, takes the highest and subtracts the total from it. Over a cycle of
 * `Σ weights` picks (integer weights) each backend gets exactly its weight, spread out: with one
 * backend of weight N−1 among N−1 of weight 1 it never gets more than 2 picks in a row, where
 * interleaved WRR (LVS) sends it N−1 in a row. O(N) per pick; works behind dynamic stages.
 * Effective weights include slow start.
 *
 * @example
 * ```ts
 * const lb = new Balancer([{ id: 'a:80', weight: 5 }, { id: 'b:80', weight: 1 }, { id: 'c:80', weight: 1 }], {
 *   picker: smoothWeightedRoundRobin(),
 * })
 * lb.pick() // a a b a c a a, a a b a c a a, …
 * ```
 */
export function smoothWeightedRoundRobin(): Picker {
  return new SmoothWeightedRoundRobin()
}
