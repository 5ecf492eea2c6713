import { invalidArgument } from '@shoal/core'
import { ByteReader } from '../bytes/byte-reader.js'
import { ByteWriter } from '../bytes/byte-writer.js'
import { readEnvelope, writeEnvelope } from '../bytes/envelope.js'
import { incompatibleSketches, invalidSketch } from '../errors.js'
import type { Sketch } from '../sketch.js'

/** The JSON view of a {@link Counter}. */
export interface CounterSummary {
  /** Events counted. */
  readonly count: number
  /** The sum of their values. */
  readonly sum: number
}

/**
 * An exact count of events and the sum of a value carried by each (bytes sent, say). Merging
 * adds both; counts are exact up to 2^53, and so are sums of integer values.
 */
export class Counter implements Sketch<Counter> {
  #count = 0
  #sum = 0

  /** Events counted. */
  get count(): number {
    return this.#count
  }

  /** The sum of the values. */
  get sum(): number {
    return this.#sum
  }

  /** The mean value, or NaN when nothing was counted. */
  get mean(): number {
    return this.#count === 0 ? Number.NaN : this.#sum / this.#count
  }

  /** Counts one event carrying `value` (finite; default 0). */
  update(value = 0): void {
    if (value !== 0 && !Number.isFinite(value)) throw invalidArgument(`value must be finite, got ${value}`)
    this.#count++
    this.#sum += value
  }

  /** Counts `count` events (a non-negative safe integer) whose values add up to `sum`. */
  add(count: number, sum = 0): void {
    if (!Number.isSafeInteger(count) || count < 0)
      throw invalidArgument(`count must be a non-negative safe integer, got ${count}`)
    if (!Number.isFinite(sum)) throw invalidArgument(`sum must be finite, got ${sum}`)
    this.#count += count
    this.#sum += sum
  }

  /** Adds `other`'s count and sum. */
  merge(other: Counter): void {
    if (!(other instanceof Counter)) throw incompatibleSketches('a Counter merges only another Counter')
    this.#count += other.#count
    this.#sum += other.#sum
  }

  /** The image: envelope `counter` v1, then count and sum as f64. */
  toBytes(): Uint8Array {
    const w = new ByteWriter(20)
    writeEnvelope(w, 'counter', 1)
    w.f64(this.#count).f64(this.#sum)
    return w.finish()
  }

  /** Reads an image written by {@link Counter.toBytes}; throws `ERR_INVALID_SKETCH` for anything else. */
  static fromBytes(bytes: Uint8Array): Counter {
    if (!(bytes instanceof Uint8Array)) throw invalidSketch('an image must be a Uint8Array', 0)
    const r = new ByteReader(bytes)
    readEnvelope(r, 'counter', 1)
    const count = r.f64()
    if (!Number.isSafeInteger(count) || count < 0) throw invalidSketch(`count ${count} is not a count`, 4)
    const sum = r.f64()
    if (!Number.isFinite(sum)) throw invalidSketch(`sum ${sum} is not finite`, 12)
    r.end()
    const counter = new Counter()
    counter.#count = count
    counter.#sum = sum
    return counter
  }

  /** `{ count, sum }`. */
  toJSON(): CounterSummary {
    return { count: this.#count, sum: this.#sum }
  }
}
