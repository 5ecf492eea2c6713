/**
 * One entry of an {@link EventQueue}: ordered by `time`, then by `seq` (insertion order), so
 * events at the same time come out in the order they were scheduled.
 *
 * @example
 * ```ts
 * const item: QueueItem = { time: 5, seq: 0 }
 * ```
 */
export interface QueueItem {
  /** When the event happens (virtual ms). */
  time: number
  /** Insertion sequence, set by {@link EventQueue.push}. */
  seq: number
}

/**
 * A binary min-heap of timed events, ordered by time then insertion sequence: the
 * deterministic agenda of a discrete-event simulation.
 *
 * @typeParam T - the queued items
 * @example
 * ```ts
 * const queue = new EventQueue<{ time: number; seq: number; name: string }>()
 * queue.push({ time: 2, seq: 0, name: 'b' })
 * queue.push({ time: 1, seq: 0, name: 'a' })
 * queue.pop()?.name // 'a'
 * ```
 */
export class EventQueue<T extends QueueItem> {
  readonly #heap: T[] = []
  #seq = 0

  /** Number of queued items. */
  get size(): number {
    return this.#heap.length
  }

  /** The earliest item without removing it. */
  peek(): T | undefined {
    return this.#heap[0]
  }

  /** Adds an item (its `seq` is overwritten with the next insertion number). */
  push(item: T): void {
    item.seq = this.#seq++
    const heap = this.#heap
    let i = heap.length
    heap.push(item)
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent] as T
      if (p.time < item.time || (p.time === item.time && p.seq < item.seq)) break
      heap[i] = p
      i = parent
    }
    heap[i] = item
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const heap = this.#heap
    const top = heap[0]
    const last = heap.pop()
    if (top === undefined || last === undefined || heap.length === 0) return top
    const n = heap.length
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      let c = l
      let child = heap[l] as T
      if (r < n) {
        const right = heap[r] as T
        if (right.time < child.time || (right.time === child.time && right.seq < child.seq)) {
          c = r
          child = right
        }
      }
      if (last.time < child.time || (last.time === child.time && last.seq < child.seq)) break
      heap[i] = child
      i = c
    }
    heap[i] = last
    return top
  }
}
