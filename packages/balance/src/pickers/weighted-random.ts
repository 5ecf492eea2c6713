import type { Candidates } from '../candidates.js'
import type { Cluster } from '../cluster.js'
import type { Picker } from '../picker.js'

class WeightedRandom implements Picker {
  readonly name = 'weightedRandom'
  readonly prepared = true
  // Vose's alias table: column i keeps its own slot with probability keep[i], else alias[i]'s.
  #slot = new Int32Array(0)
  #alias = new Int32Array(0)
  #keep = new Float64Array(0)
  #size = 0

  prepare(candidates: Candidates, cluster: Cluster<unknown>): void {
    const n = candidates.length
    if (this.#slot.length < n) {
      this.#slot = new Int32Array(n)
      this.#alias = new Int32Array(n)
      this.#keep = new Float64Array(n)
    }
    const slot = this.#slot
    const alias = this.#alias
    const keep = this.#keep
    let total = 0
    for (let i = 0; i < n; i++) {
      slot[i] = candidates.slots[i] as number
      total += cluster.weight[slot[i] as number] as number
    }
    const small = new Int32Array(n)
    const large = new Int32Array(n)
    let smalls = 0
    let larges = 0
    for (let i = 0; i < n; i++) {
      const scaled = ((cluster.weight[slot[i] as number] as number) * n) / total
      keep[i] = scaled
      alias[i] = i
      if (scaled < 1) small[smalls++] = i
      else large[larges++] = i
    }
    while (smalls > 0 && larges > 0) {
      const less = small[--smalls] as number
      const more = large[larges - 1] as number
      alias[less] = more
      const left = (keep[more] as number) + (keep[less] as number) - 1
      keep[more] = left
      if (left < 1) {
        larges--
        small[smalls++] = more
      }
    }
    // What is left is 1 up to rounding error.
    while (larges > 0) keep[large[--larges] as number] = 1
    while (smalls > 0) keep[small[--smalls] as number] = 1
    this.#size = n
  }

  pick(_candidates: Candidates, cluster: Cluster<unknown>): number {
    const size = this.#size
    if (size === 0) return -1
    // One 32-bit draw picks the column and, from what is left below it, the coin: the coin's
    // resolution is size / 2^32, far below sampling noise.
    const x = (cluster.random.uint32() * size) / 4294967296
    const column = x | 0
    return x - column < (this.#keep[column] as number)
      ? (this.#slot[column] as number)
      : (this.#slot[this.#alias[column] as number] as number)
  }
}

/**
 * Picks a candidate at random with probability proportional to its effective weight, in O(1)
 * per pick from an alias table (Vose's method) rebuilt when the candidates or weights change.
 * Unlike a weighted round robin it keeps no schedule, so independent balancers never synchronise;
 * the price is sampling noise (runs of one backend as long as chance makes them).
 *
 * @example
 * ```ts
 * const lb = new Balancer([{ id: 'a:80', weight: 3 }, { id: 'b:80', weight: 1 }], { picker: weightedRandom() })
 * lb.pick() // a with probability 3/4
 * ```
 */
export function weightedRandom(): Picker {
  return new WeightedRandom()
}
