import type { AbortOptions } from '@shoal/core'
import { invalidArgument } from '@shoal/core'

/** Options of {@link HealthChecker.changes}. */
export interface ChangesOptions extends AbortOptions {
  /**
   * The most changes buffered for a slow reader (default 1,024); beyond it the oldest are dropped
   * and counted in {@link ChangeIterator.dropped}, so a reader that falls behind never grows memory.
   */
  readonly bufferSize?: number | undefined
}

/** An async iterator of changes that ends when the checker stops, on `break`, or when its signal aborts. */
export interface ChangeIterator<T> extends AsyncIterableIterator<T> {
  /** Changes dropped because the reader fell more than `bufferSize` behind. */
  readonly dropped: number
  /** Stops the iteration; what is buffered is discarded. */
  return(): Promise<IteratorResult<T>>
}

interface Waiter<T> {
  resolve(result: IteratorResult<T>): void
  reject(reason: unknown): void
}

/** A bounded push-to-pull queue: the implementation of {@link ChangeIterator}. */
export class ChangeQueue<T> implements ChangeIterator<T> {
  readonly #capacity: number
  readonly #signal: AbortSignal | undefined
  readonly #onClose: () => void
  #items: T[] = []
  #head = 0
  readonly #waiters: Waiter<T>[] = []
  #done = false
  #failure: { reason: unknown } | undefined
  #dropped = 0
  readonly #abort = (): void => this.#fail(this.#signal?.reason)

  /** @param onClose - called once when the queue ends for any reason */
  constructor(options: ChangesOptions, onClose: () => void) {
    const capacity = options.bufferSize ?? 1024
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw invalidArgument(`bufferSize must be a positive integer, got ${String(capacity)}`)
    this.#capacity = capacity
    this.#signal = options.signal
    this.#onClose = onClose
    if (this.#signal?.aborted) this.#fail(this.#signal.reason)
    else this.#signal?.addEventListener('abort', this.#abort, { once: true })
  }

  get dropped(): number {
    return this.#dropped
  }

  /** Hands `item` to a waiting reader, or buffers it (dropping the oldest when full). */
  push(item: T): void {
    if (this.#done) return
    const waiter = this.#waiters.shift()
    if (waiter !== undefined) {
      waiter.resolve({ value: item, done: false })
      return
    }
    if (this.#items.length - this.#head >= this.#capacity) {
      this.#head++
      this.#dropped++
    }
    this.#items.push(item)
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
  }

  /** Ends the iteration after what is buffered. */
  end(): void {
    if (this.#done) return
    this.#done = true
    this.#close()
    for (const waiter of this.#waiters.splice(0)) waiter.resolve({ value: undefined, done: true })
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure.reason)
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head] as T
      this.#items[this.#head] = undefined as T
      this.#head++
      if (this.#head === this.#items.length) {
        this.#items = []
        this.#head = 0
      }
      return Promise.resolve({ value, done: false })
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }))
  }

  return(): Promise<IteratorResult<T>> {
    this.#items = []
    this.#head = 0
    this.end()
    return Promise.resolve({ value: undefined, done: true })
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  #fail(reason: unknown): void {
    if (this.#done) return
    this.#done = true
    this.#failure = { reason }
    this.#items = []
    this.#head = 0
    this.#close()
    for (const waiter of this.#waiters.splice(0)) waiter.reject(reason)
  }

  #close(): void {
    this.#signal?.removeEventListener('abort', this.#abort)
    this.#onClose()
  }
}
