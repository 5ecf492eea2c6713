/** Rounding slack: a token that is 1e-9 short (floating-point error of `elapsed × rate`) counts. */
const EPSILON = 1e-9

/**
 * A token bucket over an externally supplied time: `rate` tokens per second, holding at most
 * `burst`. Pure (no clock of its own), so the scheduler drives it with its injected clock.
 */
export class TokenBucket {
  readonly #perMs: number
  readonly #burst: number
  #tokens: number
  #at: number

  /**
   * @param rate - tokens added per second, positive
   * @param burst - the most tokens held, at least 1; the bucket starts full
   * @param now - the current time in milliseconds
   */
  constructor(rate: number, burst: number, now: number) {
    this.#perMs = rate / 1000
    this.#burst = burst
    this.#tokens = burst
    this.#at = now
  }

  /** Takes one token if there is one at `now`. */
  take(now: number): boolean {
    this.#refill(now)
    if (this.#tokens < 1 - EPSILON) return false
    this.#tokens = Math.max(0, this.#tokens - 1)
    return true
  }

  /**
   * Milliseconds from `now` until a token is there (0 when one is), not rounded: a caller that
   * rounds its timer up would overshoot, and a full bucket cannot keep the excess.
   */
  wait(now: number): number {
    this.#refill(now)
    return this.#tokens >= 1 - EPSILON ? 0 : (1 - this.#tokens) / this.#perMs
  }

  #refill(now: number): void {
    if (now > this.#at) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#perMs)
      this.#at = now
    }
  }
}
