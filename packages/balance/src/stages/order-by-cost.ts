import type { Candidates } from '../candidates.js'

let buffer = new Float64Array(64)

/**
 * A reused buffer of at least `n` costs, for a stage to fill (`costs[i]` for candidate `i`) before
 * {@link orderByCost}: writing into it in the stage's own loop keeps the doubles unboxed.
 */
export function costBuffer(n: number): Float64Array {
  if (buffer.length < n) buffer = new Float64Array(Math.max(n, buffer.length * 2))
  return buffer
}

/**
 * Orders `candidates` by ascending cost, stable, with `costs[i]` the cost of candidate `i` (the
 * {@link costBuffer}). Sorted lists are short after sampling, so an insertion sort does the work;
 * long ones fall back to an index sort.
 */
export function orderByCost(candidates: Candidates, costs: Float64Array): void {
  const n = candidates.length
  const slots = candidates.slots
  if (n <= 32) {
    for (let i = 1; i < n; i++) {
      const cost = costs[i] as number
      const slot = slots[i] as number
      let j = i - 1
      while (j >= 0 && (costs[j] as number) > cost) {
        costs[j + 1] = costs[j] as number
        slots[j + 1] = slots[j] as number
        j--
      }
      costs[j + 1] = cost
      slots[j + 1] = slot
    }
    return
  }
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (costs[a] as number) - (costs[b] as number) || a - b,
  )
  const sorted = order.map((i) => slots[i] as number)
  slots.set(sorted)
}
