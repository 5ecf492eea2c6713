/**
 * Lifeguard's dogpile suspicion timeout: it starts at `max` and shrinks towards `min` as
 * independent confirmations arrive, reaching `min` at `k` confirmations:
 * `max − (max − min) · log(c + 1) / log(k + 1)`.
 *
 * @example
 * ```ts
 * suspicionTimeout(1_200, 4_800, 1, 1) // 1_200
 * ```
 */
export function suspicionTimeout(min: number, max: number, k: number, confirmations: number): number {
  if (k < 1) return min
  const frac = Math.log(confirmations + 1) / Math.log(k + 1)
  return Math.max(min, Math.floor(max - frac * (max - min)))
}

/** A running suspicion of one member: when it started and who has confirmed it. */
export class Suspicion {
  readonly #confirmers = new Set<string>()
  /** Whether its expiry has been put off once because it fired late (we were stalled). */
  deferred = false

  /**
   * @param start - when the suspicion began
   * @param min - the shortest timeout
   * @param max - the timeout without confirmations
   * @param k - confirmations that bring the timeout down to `min`
   * @param from - who raised it (not a confirmation)
   */
  constructor(
    readonly start: number,
    readonly min: number,
    readonly max: number,
    readonly k: number,
    readonly from: string,
  ) {}

  /** Counts `from` once as a confirmation; false if it raised or already confirmed this one. */
  confirm(from: string): boolean {
    if (from === this.from || this.#confirmers.has(from) || this.#confirmers.size >= this.k) return false
    this.#confirmers.add(from)
    return true
  }

  /** When the suspect is to be declared dead, given the confirmations so far. */
  get deadline(): number {
    return this.start + suspicionTimeout(this.min, this.max, this.k, this.#confirmers.size)
  }
}
