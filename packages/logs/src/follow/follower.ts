/**
 * An endless async iterator over a followed file that can be stopped at any moment.
 *
 * `return()` — what `break` in a `for await` loop calls — and `await using` end it even while a
 * `next()` is still waiting for the file to grow: the waiting `next()` then resolves as done, and
 * `return()` resolves once every file descriptor and watcher is closed. Aborting the
 * `signal` given in the options does the same, but the waiting and later `next()` calls reject
 * with `signal.reason`.
 */
export interface Follower<T> extends AsyncIterableIterator<T>, AsyncDisposable {
  /** Waits for the next item; never done unless stopped. */
  next(): Promise<IteratorResult<T, void>>
  /** Stops following and closes everything; safe to call more than once. */
  return(): Promise<IteratorResult<T, void>>
}

/**
 * Wraps a generator so that `return()` works while a `next()` is pending: a plain async
 * generator queues `return()` behind the pending `next()`, which, when the file never grows,
 * would wait forever. `start` receives a signal that aborts when `return()` is called; the
 * generator must then end as soon as it can.
 */
export function stoppable<T>(start: (stop: AbortSignal) => AsyncGenerator<T, void, undefined>): Follower<T> {
  return new StoppableIterator(start)
}

class StoppableIterator<T> implements Follower<T> {
  readonly #stop = new AbortController()
  readonly #generator: AsyncGenerator<T, void, undefined>

  constructor(start: (stop: AbortSignal) => AsyncGenerator<T, void, undefined>) {
    this.#generator = start(this.#stop.signal)
  }

  next(): Promise<IteratorResult<T, void>> {
    return this.#generator.next()
  }

  async return(): Promise<IteratorResult<T, void>> {
    this.#stop.abort()
    await this.#generator.return()
    return { done: true, value: undefined }
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return()
  }
}
