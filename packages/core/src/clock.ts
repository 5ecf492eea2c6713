/** An opaque handle for a timer set through a {@link Clock}. */
export type TimerHandle = { readonly __timer: unique symbol }

/**
 * Time as a dependency: protocol cores and anything that schedules read time only through a
 * clock, so tests can drive them with a {@link ManualClock}.
 */
export interface Clock {
  /** Milliseconds since the epoch (or since an arbitrary origin for manual clocks). */
  now(): number
  /** Calls `callback` once after `ms` milliseconds. Real timers never keep the process alive. */
  setTimeout(callback: () => void, ms: number): TimerHandle
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void
}

/** The wall clock with unref'd Node timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms)
    timer.unref()
    return timer as unknown as TimerHandle
  },
  clearTimeout(handle) {
    clearTimeout(handle as unknown as NodeJS.Timeout)
  },
}

interface ManualTimer {
  readonly at: number
  readonly seq: number
  readonly callback: () => void
}

/**
 * A clock that moves only when told to. Timers fire in due order (ties in the order they were
 * set) while {@link ManualClock.advance} moves time forward.
 */
export class ManualClock implements Clock {
  #now: number
  #seq = 0
  readonly #timers = new Map<number, ManualTimer>()

  /** @param start - the initial reading of {@link ManualClock.now}, 0 by default */
  constructor(start = 0) {
    this.#now = start
  }

  /** The current virtual time. */
  now(): number {
    return this.#now
  }

  /** Sets a timer due `ms` milliseconds from now (negative delays count as 0). */
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const seq = this.#seq++
    this.#timers.set(seq, { at: this.#now + Math.max(0, ms), seq, callback })
    return seq as unknown as TimerHandle
  }

  /** Cancels a timer that has not fired yet. */
  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as unknown as number)
  }

  /** How many timers are waiting. */
  get pending(): number {
    return this.#timers.size
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, each at its own
   * due time; timers set by those callbacks fire too if they fall due within the step.
   */
  advance(ms: number): void {
    const end = this.#now + ms
    for (;;) {
      let next: ManualTimer | undefined
      for (const timer of this.#timers.values()) {
        if (
          timer.at <= end &&
          (next === undefined || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))
        )
          next = timer
      }
      if (next === undefined) break
      this.#timers.delete(next.seq)
      this.#now = next.at
      next.callback()
    }
    this.#now = end
  }
}
