import type { AbortOptions } from './abort.js'
import { invalidArgument } from './errors.js'

/**
 * An async iterator over items pushed by an event source (closed panes, alert transitions, health
 * changes). It
 * buffers up to a bound: when the consumer falls behind, the oldest buffered items are dropped
 * and counted, so a slow consumer never grows memory or blocks the producer. It ends when the
 * producer stops, when `return()` is called (a `break` out of `for await`), or, rejecting with
 * the signal's reason, when its signal aborts.
 */
export interface Subscription<T> extends AsyncIterableIterator<T> {
  /** Items dropped because the buffer was full. */
  readonly dropped: number
  /** Stops the iteration and discards what is buffered. */
  return(): Promise<IteratorResult<T>>
}

/** Options of a {@link Subscription}. */
export interface SubscriptionOptions extends AbortOptions {
  /** The most items buffered for a slow consumer (default 1,024); older ones are dropped beyond it. */
  readonly bufferSize?: number | undefined
}

interface Waiter<T> {
  resolve(result: IteratorResult<T>): void
  reject(reason: unknown): void
}

/** The default {@link SubscriptionOptions.bufferSize}. */
export const DEFAULT_BUFFER_SIZE = 1024

/**
 * A bounded push-to-pull queue: the implementation of {@link Subscription} that event sources
 * hand out (`push` items, `end` when the source stops).
 *
 * @example
 * ```ts
 * const queue = new AsyncQueue<number>({ bufferSize: 16 })
 * queue.push(1)
 * queue.end()
 * for await (const item of queue) handle(item)
 * ```
 */
export class AsyncQueue<T> implements Subscription<T> {
  readonly #capacity: number
  readonly #signal: AbortSignal | undefined
  readonly #onClose: (() => void) | undefined
  #items: T[] = []
  #head = 0
  readonly #waiters: Waiter<T>[] = []
  #done = false
  #failed = false
  #reason: unknown
  #dropped = 0
  readonly #abort = (): void => this.#fail(this.#signal?.reason)

  /**
   * @param options - buffer bound and signal
   * @param onClose - called once when the queue ends for any reason (to unsubscribe)
   */
  constructor(options: SubscriptionOptions = {}, onClose?: () => void) {
    const capacity = options.bufferSize ?? DEFAULT_BUFFER_SIZE
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw invalidArgument(`bufferSize must be a positive integer, got ${String(capacity)}`)
    this.#capacity = capacity
    this.#signal = options.signal
    this.#onClose = onClose
    if (this.#signal?.aborted) this.#fail(this.#signal.reason)
    else this.#signal?.addEventListener('abort', this.#abort, { once: true })
  }

  /** Items dropped because the buffer was full. */
  get dropped(): number {
    return this.#dropped
  }

  /** Whether the queue has ended (or failed): pushes are ignored from then on. */
  get closed(): boolean {
    return this.#done
  }

  /** Items waiting to be read. */
  get size(): number {
    return this.#items.length - this.#head
  }

  /** Hands `item` to a waiting reader or buffers it (dropping the oldest when full); ignored once ended. */
  push(item: T): void {
    if (this.#done) return
    const waiter = this.#waiters.shift()
    if (waiter !== undefined) {
      waiter.resolve({ value: item, done: false })
      return
    }
    if (this.size >= this.#capacity) {
      this.#head++
      this.#dropped++
    }
    this.#items.push(item)
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
  }

  /** Ends the queue: buffered items are still read, then the iteration finishes. */
  end(): void {
    if (this.#done) return
    this.#done = true
    this.#close()
    for (const waiter of this.#waiters.splice(0)) waiter.resolve({ value: undefined, done: true })
  }

  /** The next item, waiting for one if needed. */
  next(): Promise<IteratorResult<T>> {
    if (this.#failed) return Promise.reject(this.#reason)
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

  /** Stops the iteration and discards what is buffered. */
  return(): Promise<IteratorResult<T>> {
    this.#items = []
    this.#head = 0
    this.end()
    return Promise.resolve({ value: undefined, done: true })
  }

  /** The queue itself. */
  [Symbol.asyncIterator](): this {
    return this
  }

  #fail(reason: unknown): void {
    if (this.#done) return
    this.#done = true
    this.#failed = true
    this.#reason = reason
    this.#items = []
    this.#head = 0
    this.#close()
    for (const waiter of this.#waiters.splice(0)) waiter.reject(reason)
  }

  #close(): void {
    this.#signal?.removeEventListener('abort', this.#abort)
    this.#onClose?.()
  }
}
