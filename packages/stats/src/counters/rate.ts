import { invalidArgument } from '@shoal/core'
import { ByteReader } from '../bytes/byte-reader.js'
import { ByteWriter } from '../bytes/byte-writer.js'
import { readEnvelope, writeEnvelope } from '../bytes/envelope.js'
import { incompatibleSketches, invalidSketch } from '../errors.js'
import type { Sketch } from '../sketch.js'

/** Options of {@link Rate}. */
export interface RateOptions {
  /** Seconds of per-second history kept (default 900, at most 86,400). */
  readonly seconds?: number | undefined
}

/** Exponentially weighted moving averages of a rate, in events per second. */
export interface RateAverages {
  /** Over about the last minute. */
  readonly m1: number
  /** Over about the last 5 minutes. */
  readonly m5: number
  /** Over about the last 15 minutes. */
  readonly m15: number
}

/** The JSON view of a {@link Rate}. */
export interface RateSummary {
  /** Seconds of history kept. */
  readonly seconds: number
  /** The latest second seen (Unix seconds), or null before any event. */
  readonly latestSecond: number | null
  /** Events counted (late ones excluded). */
  readonly total: number
  /** Events dropped because they were older than the history. */
  readonly late: number
  /** Events in the last 60 seconds up to the latest second. */
  readonly lastMinute: number
  /** The 1, 5 and 15-minute averages in events per second. */
  readonly averages: RateAverages
}

/** Seconds per averaging step, as the Unix load average (`LOAD_FREQ`). */
export const RATE_TICK_SECONDS = 5
const WINDOWS = [60, 300, 900] as const
const DECAY = WINDOWS.map((window) => Math.exp(-RATE_TICK_SECONDS / window))
const MAX_SECONDS = 86_400

/**
 * Events per second, driven by event time (the timestamps passed in, never the clock): a ring
 * of per-second counts over the last `seconds` seconds (default 900), and 1, 5 and 15-minute
 * exponentially weighted moving averages updated every 5 seconds as the Unix load averages are
 * (avg ← avg·e^(−5/W) + rate·(1 − e^(−5/W)), starting from 0).
 *
 * Events may arrive out of order: one within the history is added to its second, and its
 * contribution to the averages is added with the decay it would have had, so the result does
 * not depend on arrival order; one older than the history is counted as `late` and dropped.
 * Because the averages are linear in the counts, merging (same `seconds`) adds rings and
 * averages after aligning them in time: shard-then-merge equals one Rate (the averages up to
 * floating-point rounding).
 */
export class Rate implements Sketch<Rate> {
  readonly #seconds: number
  readonly #counts: Float64Array
  /** Latest second seen; −∞ before any. */
  #head = Number.NEGATIVE_INFINITY
  /** Last 5-second tick folded into the averages: always ⌊head / 5⌋ − 1. */
  #folded = Number.NEGATIVE_INFINITY
  /** Counts of the current tick (⌊head / 5⌋), not yet in the averages. */
  #pending = 0
  readonly #averages = new Float64Array(3)
  #total = 0
  #late = 0

  /** @param options - the length of the per-second history */
  constructor(options: RateOptions = {}) {
    const seconds = options.seconds ?? 900
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_SECONDS)
      throw invalidArgument(`seconds must be an integer from 1 to ${MAX_SECONDS}, got ${seconds}`)
    this.#seconds = seconds
    this.#counts = new Float64Array(seconds)
  }

  /** Seconds of history kept. */
  get seconds(): number {
    return this.#seconds
  }

  /** The latest second seen (Unix seconds), or null before any event. */
  get latestSecond(): number | null {
    return this.#head === Number.NEGATIVE_INFINITY ? null : this.#head
  }

  /** Events counted (late ones excluded). */
  get total(): number {
    return this.#total
  }

  /** Events dropped because they were older than the history. */
  get late(): number {
    return this.#late
  }

  /** Counts `count` events (finite, ≥ 0; default 1) at `timeMs` (event time, ms since the epoch). */
  update(timeMs: number, count = 1): void {
    if (!Number.isFinite(timeMs)) throw invalidArgument(`timeMs must be a finite number, got ${timeMs}`)
    if (count !== 1 && !(count >= 0 && count < Number.POSITIVE_INFINITY))
      throw invalidArgument(`count must be a finite number ≥ 0, got ${count}`)
    const second = Math.floor(timeMs / 1000)
    if (second > this.#head) this.#advance(second)
    else if (second <= this.#head - this.#seconds) {
      this.#late += count
      return
    }
    this.#add(second, count)
  }

  /** Moves time forward to `timeMs` without events (a watermark), so that averages decay while idle. */
  advanceTo(timeMs: number): void {
    if (!Number.isFinite(timeMs)) throw invalidArgument(`timeMs must be a finite number, got ${timeMs}`)
    const second = Math.floor(timeMs / 1000)
    if (second > this.#head) this.#advance(second)
  }

  /** Adds a count to a second within the history. */
  #add(second: number, count: number): void {
    const slot = this.#slot(second)
    this.#counts[slot] = (this.#counts[slot] as number) + count
    this.#total += count
    const tick = Math.floor(second / RATE_TICK_SECONDS)
    if (tick > this.#folded) this.#pending += count
    else this.#foldLate(tick, count)
  }

  #slot(second: number): number {
    const slot = second % this.#seconds
    return slot < 0 ? slot + this.#seconds : slot
  }

  /** Adds the contribution of `count` events of an already folded tick to the averages. */
  #foldLate(tick: number, count: number): void {
    const rate = count / RATE_TICK_SECONDS
    const age = this.#folded - tick
    for (let j = 0; j < 3; j++) {
      const decay = DECAY[j] as number
      this.#averages[j] = (this.#averages[j] as number) + rate * (1 - decay) * decay ** age
    }
  }

  /** Makes `second` the latest second: folds completed ticks into the averages, clears the ring ahead. */
  #advance(second: number): void {
    const head = this.#head
    const tick = Math.floor(second / RATE_TICK_SECONDS)
    if (head === Number.NEGATIVE_INFINITY) {
      this.#head = second
      this.#folded = tick - 1
      return
    }
    if (tick - 1 > this.#folded) {
      // the current tick is complete: fold it, then decay through the empty ticks that follow
      const rate = this.#pending / RATE_TICK_SECONDS
      const empty = tick - 1 - (this.#folded + 1)
      for (let j = 0; j < 3; j++) {
        const decay = DECAY[j] as number
        this.#averages[j] = ((this.#averages[j] as number) * decay + rate * (1 - decay)) * decay ** empty
      }
      this.#pending = 0
      this.#folded = tick - 1
    }
    if (second - head >= this.#seconds) this.#counts.fill(0)
    else for (let s = head + 1; s <= second; s++) this.#counts[this.#slot(s)] = 0
    this.#head = second
  }

  /** Events in the last `seconds` seconds up to the latest second (default: the whole history). */
  count(seconds = this.#seconds): number {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > this.#seconds)
      throw invalidArgument(`seconds must be an integer from 0 to ${this.#seconds}, got ${seconds}`)
    if (this.#head === Number.NEGATIVE_INFINITY) return 0
    let sum = 0
    for (let s = this.#head - seconds + 1; s <= this.#head; s++) sum += this.#counts[this.#slot(s)] as number
    return sum
  }

  /** The per-second counts of the history, oldest first, ending at the latest second. */
  perSecond(): Float64Array {
    const out = new Float64Array(this.#seconds)
    if (this.#head === Number.NEGATIVE_INFINITY) return out
    const first = this.#head - this.#seconds + 1
    for (let i = 0; i < this.#seconds; i++) out[i] = this.#counts[this.#slot(first + i)] as number
    return out
  }

  /** The 1, 5 and 15-minute averages (events per second) as of the last completed 5-second step. */
  averages(): RateAverages {
    return {
      m1: this.#averages[0] as number,
      m5: this.#averages[1] as number,
      m15: this.#averages[2] as number,
    }
  }

  /** Adds `other`'s events, aligned in time; throws `ERR_INCOMPATIBLE_SKETCH` unless `seconds` match. */
  merge(other: Rate): void {
    if (!(other instanceof Rate)) throw incompatibleSketches('a Rate merges only another Rate')
    if (other.#seconds !== this.#seconds)
      throw incompatibleSketches(
        `cannot merge a ${other.#seconds}-second Rate into a ${this.#seconds}-second one`,
      )
    this.#late += other.#late
    if (other.#head === Number.NEGATIVE_INFINITY) return
    // snapshot first (merging into itself)
    const counts = other.#counts.slice()
    const otherHead = other.#head
    const otherFolded = other.#folded
    const otherPending = other.#pending
    const averages = other.#averages.slice()
    const total = other.#total
    if (otherHead > this.#head) this.#advance(otherHead)
    // the averages of other's folded ticks, decayed to this one's last folded tick
    const age = this.#folded - otherFolded
    for (let j = 0; j < 3; j++)
      this.#averages[j] =
        (this.#averages[j] as number) + (averages[j] as number) * (DECAY[j] as number) ** age
    // other's current tick
    if (otherPending > 0) {
      if (otherFolded + 1 > this.#folded) this.#pending += otherPending
      else this.#foldLate(otherFolded + 1, otherPending)
    }
    // the per-second history (already in the averages above)
    const oldest = Math.max(otherHead - this.#seconds + 1, this.#head - this.#seconds + 1)
    for (let s = oldest; s <= otherHead; s++) {
      const slot = this.#slot(s)
      this.#counts[slot] = (this.#counts[slot] as number) + (counts[slot] as number)
    }
    this.#total += total
  }

  /**
   * The image: envelope `rate` v1, `seconds` (u32), a started flag (u8); if started, the latest
   * second, the pending count, the three averages, total and late (f64 each), then the number of
   * non-zero seconds (u32) and, newest first, each one's age in seconds (u32) and count (f64).
   */
  toBytes(): Uint8Array {
    const w = new ByteWriter(64)
    writeEnvelope(w, 'rate', 1)
    w.u32(this.#seconds)
    if (this.#head === Number.NEGATIVE_INFINITY) {
      w.u8(0).f64(this.#late)
      return w.finish()
    }
    w.u8(1).f64(this.#head).f64(this.#pending)
    for (const average of this.#averages) w.f64(average)
    w.f64(this.#total).f64(this.#late)
    const ages: number[] = []
    for (let age = 0; age < this.#seconds; age++)
      if (this.#counts[this.#slot(this.#head - age)] !== 0) ages.push(age)
    w.u32(ages.length)
    for (const age of ages) w.u32(age).f64(this.#counts[this.#slot(this.#head - age)] as number)
    return w.finish()
  }

  /** Reads an image written by {@link Rate.toBytes}; throws `ERR_INVALID_SKETCH` for anything else. */
  static fromBytes(bytes: Uint8Array): Rate {
    if (!(bytes instanceof Uint8Array)) throw invalidSketch('an image must be a Uint8Array', 0)
    const r = new ByteReader(bytes)
    readEnvelope(r, 'rate', 1)
    const seconds = r.u32()
    if (seconds < 1 || seconds > MAX_SECONDS)
      throw invalidSketch(`history of ${seconds} seconds is out of range`, 4)
    const started = r.u8()
    if (started > 1) throw invalidSketch(`started flag ${started} is not 0 or 1`, 8)
    if (started === 0) {
      const late = readCount(r, 'late count')
      r.end()
      const rate = new Rate({ seconds })
      rate.#late = late
      return rate
    }
    const headAt = r.offset
    const head = r.f64()
    if (!Number.isSafeInteger(head)) throw invalidSketch(`latest second ${head} is not an integer`, headAt)
    const pending = readCount(r, 'pending count')
    const averages = [readCount(r, 'average'), readCount(r, 'average'), readCount(r, 'average')]
    const total = readCount(r, 'total')
    const late = readCount(r, 'late count')
    const countAt = r.offset
    const nonZero = r.u32()
    if (nonZero > seconds) throw invalidSketch(`${nonZero} seconds exceed the history of ${seconds}`, countAt)
    r.need(nonZero * 12, 'per-second list')
    const rate = new Rate({ seconds })
    rate.#head = head
    rate.#folded = Math.floor(head / RATE_TICK_SECONDS) - 1
    rate.#pending = pending
    rate.#averages.set(averages)
    rate.#total = total
    rate.#late = late
    let previous = -1
    for (let i = 0; i < nonZero; i++) {
      const at = r.offset
      const age = r.u32()
      if (age <= previous || age >= seconds)
        throw invalidSketch(`age ${age} is out of order or out of range`, at)
      previous = age
      const count = readCount(r, 'count')
      if (count === 0) throw invalidSketch('a listed second has a count of 0', at + 4)
      rate.#counts[rate.#slot(head - age)] = count
    }
    r.end()
    return rate
  }

  /** The history length, latest second, totals, last minute's count and the averages. */
  toJSON(): RateSummary {
    return {
      seconds: this.#seconds,
      latestSecond: this.latestSecond,
      total: this.#total,
      late: this.#late,
      lastMinute: this.count(Math.min(60, this.#seconds)),
      averages: this.averages(),
    }
  }
}

function readCount(r: ByteReader, what: string): number {
  const at = r.offset
  const value = r.f64()
  if (!(value >= 0 && value < Number.POSITIVE_INFINITY))
    throw invalidSketch(`${what} ${value} is not a count`, at)
  return value
}
