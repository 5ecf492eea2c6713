import { invalidArgument } from '@shoal/core'
import { BAD_LINE_REASONS, type BadLine, type BadLineReason } from './bad-line.js'

/**
 * Counts rejected lines by reason and keeps the most recent ones as samples, in bounded memory
 * however many lines go bad.
 */
export class BadLineLog {
  readonly #capacity: number
  readonly #ring: BadLine[] = []
  #next = 0
  #total = 0
  readonly #counts: Record<BadLineReason, number>

  /** @param capacity - how many samples to keep (default 100) */
  constructor(capacity = 100) {
    if (!Number.isSafeInteger(capacity) || capacity < 0)
      throw invalidArgument(`capacity must be a non-negative integer, got ${capacity}`)
    this.#capacity = capacity
    this.#counts = Object.fromEntries(BAD_LINE_REASONS.map((reason) => [reason, 0])) as Record<
      BadLineReason,
      number
    >
  }

  /** Records one rejected line. */
  add(bad: BadLine): void {
    this.#total++
    this.#counts[bad.reason]++
    if (this.#capacity === 0) return
    if (this.#ring.length < this.#capacity) this.#ring.push(bad)
    else this.#ring[this.#next] = bad
    this.#next = (this.#next + 1) % this.#capacity
  }

  /** How many lines were rejected in all. */
  get total(): number {
    return this.#total
  }

  /** How many lines were rejected, by reason (every reason present, zero when none). */
  get counts(): Readonly<Record<BadLineReason, number>> {
    return { ...this.#counts }
  }

  /** The most recent rejected lines, oldest first. */
  samples(): BadLine[] {
    return this.#ring.length < this.#capacity
      ? [...this.#ring]
      : [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)]
  }
}
