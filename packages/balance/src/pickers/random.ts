import type { Random } from '@shoal/core'
import type { Candidates } from '../candidates.js'
import type { Cluster } from '../cluster.js'
import type { Picker } from '../picker.js'

/**
 * A uniform index in [0, `bound`) from one 32-bit draw (multiply and shift: no division, and a
 * bias of at most `bound / 2^32`, far below sampling noise). `bound` must be in [1, 2^31).
 *
 * @internal
 */
export function randomIndex(random: Random, bound: number): number {
  return ((random.uint32() * bound) / 4294967296) | 0
}

class RandomPicker implements Picker {
  readonly name = 'random'
  readonly prepared = false

  prepare(): void {}

  pick(candidates: Candidates, cluster: Cluster<unknown>): number {
    const length = candidates.length
    if (length === 0) return -1
    return candidates.slots[randomIndex(cluster.random, length)] as number
  }
}

/**
 * Picks a candidate uniformly at random with the cluster's seeded random source. Envoy notes it
 * does better than round robin when there is no health checking, since the backend after a
 * failed one gets no extra traffic.
 *
 * @example
 * ```ts
 * const lb = new Balancer([{ id: 'a:80' }, { id: 'b:80' }], { picker: random() })
 * lb.pick()
 * ```
 */
export function random(): Picker {
  return new RandomPicker()
}
