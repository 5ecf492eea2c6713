import type { Clock, TimerHandle } from '@shoal/core'
import { invalidArgument } from '@shoal/core'

/**
 * Calls `tick(clock.now())` every `intervalMs` through an injected {@link Clock} (a
 * `ManualClock` in tests; real timers are unref'd, so a ticker never keeps a process alive).
 * The whole adapter between call-driven cores and real time.
 */
export class Ticker {
  readonly #clock: Clock
  readonly #intervalMs: number
  readonly #tick: (nowMs: number) => void
  #timer: TimerHandle | undefined

  /**
   * @param clock - where time and timers come from
   * @param intervalMs - time between ticks (positive)
   * @param tick - what to call, with the clock's time
   */
  constructor(clock: Clock, intervalMs: number, tick: (nowMs: number) => void) {
    if (!(intervalMs > 0) || !Number.isFinite(intervalMs))
      throw invalidArgument(`the tick interval must be a positive number of milliseconds, got ${intervalMs}`)
    this.#clock = clock
    this.#intervalMs = intervalMs
    this.#tick = tick
  }

  /** Whether the ticker is running. */
  get running(): boolean {
    return this.#timer !== undefined
  }

  /** Starts ticking (the first tick is one interval from now); does nothing if running. */
  start(): void {
    if (this.#timer === undefined) this.#arm()
  }

  /** Stops ticking; does nothing if stopped. */
  stop(): void {
    if (this.#timer === undefined) return
    this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #arm(): void {
    this.#timer = this.#clock.setTimeout(() => {
      if (this.#timer === undefined) return
      this.#arm()
      this.#tick(this.#clock.now())
    }, this.#intervalMs)
  }
}
