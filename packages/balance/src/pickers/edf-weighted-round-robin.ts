import type { Candidates } from '../candidates.js'
import type { Cluster } from '../cluster.js'
import type { Picker } from '../picker.js'

const goldenRatio = 0.6180339887498949

class EdfWeightedRoundRobin implements Picker {
  readonly name = 'edfWeightedRoundRobin'
  readonly prepared = true
  // One entry per candidate; the heap orders entry numbers by deadline (ties by entry number, so
  // the schedule is a pure function of the draws).
  #heap = new Int32Array(0)
  #slot = new Int32Array(0)
  #deadline = new Float64Array(0)
  #period = new Float64Array(0)
  #size = 0

  prepare(candidates: Candidates, cluster: Cluster<unknown>): void {
    const n = candidates.length
    if (this.#heap.length < n) {
      this.#heap = new Int32Array(n)
      this.#slot = new Int32Array(n)
      this.#deadline = new Float64Array(n)
      this.#period = new Float64Array(n)
    }
    // gRPC A58 starts each backend at a random phase within its period, or equal weights would
    // all fall due together and the heavy backend would get its whole share in one burst. Phases
    // drawn independently leave gaps of ln N / N among N equal backends (runs of 9 and more of a
    // heavy one at N = 1000); one random offset stepped by the golden ratio spreads them evenly
    // (by the three-gap theorem the largest gap stays below 2 / N), and each phase is still
    // uniform in its period, so balancers do not march in lockstep.
    let phase = cluster.random.next()
    for (let e = 0; e < n; e++) {
      const slot = candidates.slots[e] as number
      const period = 1 / (cluster.weight[slot] as number)
      this.#heap[e] = e
      this.#slot[e] = slot
      this.#period[e] = period
      this.#deadline[e] = phase * period
      phase += goldenRatio
      if (phase >= 1) phase -= 1
    }
    this.#size = n
    for (let i = (n >> 1) - 1; i >= 0; i--) this.#siftDown(i)
  }

  pick(): number {
    if (this.#size === 0) return -1
    const top = this.#heap[0] as number
    this.#deadline[top] = (this.#deadline[top] as number) + (this.#period[top] as number)
    this.#siftDown(0)
    return this.#slot[top] as number
  }

  #siftDown(from: number): void {
    const heap = this.#heap
    const deadline = this.#deadline
    const size = this.#size
    const entry = heap[from] as number
    const due = deadline[entry] as number
    let i = from
    for (;;) {
      let child = 2 * i + 1
      if (child >= size) break
      let childEntry = heap[child] as number
      let childDue = deadline[childEntry] as number
      const right = child + 1
      if (right < size) {
        const rightEntry = heap[right] as number
        const rightDue = deadline[rightEntry] as number
        if (rightDue < childDue || (rightDue === childDue && rightEntry < childEntry)) {
          child = right
          childEntry = rightEntry
          childDue = rightDue
        }
      }
      if (due < childDue || (due === childDue && entry < childEntry)) break
      heap[i] = childEntry
      i = child
    }
    heap[i] = entry
  }
}

/**
 * Earliest-deadline-first weighted round robin (Envoy's weighted round robin, gRPC's
 * `weighted_round_robin`): each backend is due every `1 / weight`, and a pick takes the one due
 * first from a binary heap, O(log N). Following gRPC A58, each backend's first deadline falls at
 * random within its period (spread evenly by a golden-ratio sequence from one random start), so a
 * heavy backend's turns interleave with the light ones instead of arriving in one burst (one
 * backend of weight N−1 among N−1 of weight 1 got at most 2 in a row in runs up to N = 1000, where
 * independent random phases give 5 to 9). The schedule is rebuilt (with new phases) when the
 * candidates or their effective weights change, so it cannot follow a dynamic stage.
 *
 * @example
 * ```ts
 * const lb = new Balancer([{ id: 'a:80', weight: 3 }, { id: 'b:80', weight: 1 }], {
 *   picker: edfWeightedRoundRobin(),
 * })
 * lb.pick() // a three times as often as b
 * ```
 */
export function edfWeightedRoundRobin(): Picker {
  return new EdfWeightedRoundRobin()
}
