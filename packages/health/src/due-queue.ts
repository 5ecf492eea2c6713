/** An item of a {@link DueQueue}: the queue keeps `heapIndex` up to date. */
export interface Due {
  /** When it is due, in milliseconds of the scheduler's clock. */
  due: number
  /** Breaks ties between equal due times: lower first (insertion order). */
  order: number
  /** Its position in the queue, -1 while it is not queued. */
  heapIndex: number
}

/**
 * An intrusive binary min-heap of scheduled items by due time (ties in `order`): O(log n) push,
 * pop and removal of any item, one array, no allocation per operation. This is what lets one
 * clock timer serve thousands of targets.
 */
export class DueQueue<T extends Due> {
  readonly #heap: T[] = []

  /** Items queued. */
  get size(): number {
    return this.#heap.length
  }

  /** The item due first, without removing it. */
  peek(): T | undefined {
    return this.#heap[0]
  }

  /** Queues `item` (which must not be queued already). */
  push(item: T): void {
    item.heapIndex = this.#heap.length
    this.#heap.push(item)
    this.#up(item.heapIndex)
  }

  /** Removes and returns the item due first. */
  pop(): T | undefined {
    const top = this.#heap[0]
    if (top !== undefined) this.remove(top)
    return top
  }

  /** Removes `item` if it is queued. */
  remove(item: T): void {
    const i = item.heapIndex
    if (i < 0 || this.#heap[i] !== item) return
    const last = this.#heap.pop() as T
    item.heapIndex = -1
    if (last === item) return
    this.#heap[i] = last
    last.heapIndex = i
    this.#down(i)
    this.#up(last.heapIndex)
  }

  /** Removes every item. */
  clear(): void {
    for (const item of this.#heap) item.heapIndex = -1
    this.#heap.length = 0
  }

  #less(a: T, b: T): boolean {
    return a.due < b.due || (a.due === b.due && a.order < b.order)
  }

  #up(i: number): void {
    const heap = this.#heap
    const item = heap[i] as T
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = heap[parent] as T
      if (!this.#less(item, p)) break
      heap[i] = p
      p.heapIndex = i
      i = parent
    }
    heap[i] = item
    item.heapIndex = i
  }

  #down(i: number): void {
    const heap = this.#heap
    const n = heap.length
    const item = heap[i] as T
    for (;;) {
      const left = 2 * i + 1
      if (left >= n) break
      const right = left + 1
      let child = left
      if (right < n && this.#less(heap[right] as T, heap[left] as T)) child = right
      const c = heap[child] as T
      if (!this.#less(c, item)) break
      heap[i] = c
      c.heapIndex = i
      i = child
    }
    heap[i] = item
    item.heapIndex = i
  }
}
