import type { Candidates } from '../candidates.js'

let costs = new Float64Array(64)

/**
 * Orders `candidates` by ascending cost, stable, `costOf(slot)` evaluated once per candidate.
 * Sorted lists are short after sampling, so an insertion sort on a reused buffer does the work;
 * long ones fall back to an index sort.
 */
export function orderByCost(candidates: Candidates, costOf: (slot: number) => number): void {
  const n = candidates.length
  const slots = candidates.slots
  if (costs.length < n) costs = new Float64Array(Math.max(n, costs.length * 2))
  for (let i = 0; i < n; i++) costs[i] = costOf(slots[i] as number)
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
