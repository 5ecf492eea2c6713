import type { Candidates } from '../candidates.js'
import type { Cluster } from '../cluster.js'
import type { Picker } from '../picker.js'
import { randomIndex } from './random.js'

class RoundRobin implements Picker {
  readonly name = 'roundRobin'
  readonly prepared = false
  #cursor = -1

  prepare(candidates: Candidates, cluster: Cluster<unknown>): void {
    // A random start, so a fleet of balancers started together does not march in lockstep.
    if (this.#cursor < 0 && candidates.length > 0)
      this.#cursor = randomIndex(cluster.random, candidates.length)
  }

  pick(candidates: Candidates): number {
    const length = candidates.length
    if (length === 0) return -1
    let i = this.#cursor
    if (i >= length || i < 0) i = 0
    this.#cursor = i + 1
    return candidates.slots[i] as number
  }
}

/**
 * Takes the candidates in turn, ignoring weights (HAProxy's `static-rr` with equal weights,
 * Envoy's round robin). The first turn starts at a random candidate so that many balancers over
 * the same backends do not all hit the same one at once.
 *
 * @example
 * ```ts
 * const lb = new Balancer([{ id: 'a:80' }, { id: 'b:80' }, { id: 'c:80' }], { picker: roundRobin() })
 * lb.pick() // then the next one, and so on
 * ```
 */
export function roundRobin(): Picker {
  return new RoundRobin()
}
