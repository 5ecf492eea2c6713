import { invalidArgument } from '@shoal/core'
import { ByteReader } from '../bytes/byte-reader.js'
import { ByteWriter } from '../bytes/byte-writer.js'
import { readEnvelope, writeEnvelope } from '../bytes/envelope.js'
import { incompatibleSketches, invalidSketch } from '../errors.js'
import { kthSmallest } from '../frequency/reverse-purge-map.js'
import type { Sketch } from '../sketch.js'
import { ownedKey, wellFormed } from './owned-copy.js'

/** Options of {@link DecayedCounter}. */
export interface DecayedCounterOptions {
  /** Time for a count's weight to halve, in ms (default 300,000: 5 minutes). */
  readonly halfLifeMs?: number | undefined
  /** The most keys tracked (default 1,024, at most 2^20); beyond it the lightest are purged. */
  readonly capacity?: number | undefined
}

/** A key with its decayed count and the bounds of its true decayed count. */
export interface DecayedRow {
  /** The key. */
  readonly key: string
  /** The estimated decayed count (the upper bound, as frequent-items sketches report it). */
  readonly estimate: number
  /** A value the true decayed count is never below. */
  readonly lowerBound: number
  /** A value the true decayed count is never above. */
  readonly upperBound: number
}

/** The JSON view of a {@link DecayedCounter}. */
export interface DecayedCounterSummary {
  /** The half-life in ms. */
  readonly halfLifeMs: number
  /** The most keys tracked. */
  readonly capacity: number
  /** The time the values are decayed to (the latest event time), or null before any event. */
  readonly atMs: number | null
  /** The decayed count of all events. */
  readonly total: number
  /** The largest possible error of any decayed count. */
  readonly maximumError: number
  /** The tracked keys, highest first. */
  readonly top: readonly DecayedRow[]
}

const MAX_CAPACITY = 1 << 20
/** Move the landmark forward once weights reach e^40 (about 2·10^17). */
const RESCALE_EXPONENT = 40

/**
 * Exponentially decayed counts per key, for "trending" keys, by forward decay (Cormode, Shkapenyuk,
 * Srivastava and Xu, ICDE 2009): an event at time t gets the weight e^(λ(t − L)) relative to a
 * landmark L, fixed when it arrives, and the decayed count at time T is the sum of the weights
 * divided by e^(λ(T − L)), with λ = ln 2 / half-life. Weights never change after arrival, so
 * events may come in any order and two counters merge by adding weights (after moving them to
 * the same landmark). The landmark moves forward, rescaling every weight, before weights grow
 * too large for doubles.
 *
 * The table holds at most `capacity` keys: when a new key would exceed it, the sampled median
 * weight is subtracted from every key and keys left with none are dropped, as in a
 * Misra–Gries / DataSketches frequent-items table. So every key's true decayed count is within
 * [lower bound, lower bound + maximum error], and keys with a large share of the decayed total
 * are never lost. While fewer than `capacity` keys have been seen, counts are exact.
 */
export class DecayedCounter implements Sketch<DecayedCounter> {
  readonly #halfLifeMs: number
  /** λ per ms. */
  readonly #lambda: number
  readonly #capacity: number
  readonly #index = new Map<string, number>()
  #keys: (string | undefined)[] = []
  #weights = new Float64Array(8)
  #free: number[] = []
  /** The landmark (ms); NaN before any event. */
  #landmark = Number.NaN
  /** The latest event time (ms); −∞ before any event. */
  #latest = Number.NEGATIVE_INFINITY
  #offset = 0
  #total = 0

  /** @param options - half-life and capacity */
  constructor(options: DecayedCounterOptions = {}) {
    const halfLifeMs = options.halfLifeMs ?? 300_000
    const capacity = options.capacity ?? 1024
    if (!(halfLifeMs > 0 && halfLifeMs < Number.POSITIVE_INFINITY))
      throw invalidArgument(`halfLifeMs must be a positive finite number, got ${halfLifeMs}`)
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY)
      throw invalidArgument(`capacity must be an integer from 1 to ${MAX_CAPACITY}, got ${capacity}`)
    this.#halfLifeMs = halfLifeMs
    this.#lambda = Math.LN2 / halfLifeMs
    this.#capacity = capacity
  }

  /** The half-life in ms. */
  get halfLifeMs(): number {
    return this.#halfLifeMs
  }

  /** The most keys tracked. */
  get capacity(): number {
    return this.#capacity
  }

  /** Keys tracked now. */
  get size(): number {
    return this.#index.size
  }

  /** The latest event time seen (ms), or null before any event. */
  get latestMs(): number | null {
    return this.#latest === Number.NEGATIVE_INFINITY ? null : this.#latest
  }

  /** Adds `count` (finite, ≥ 0; default 1) events of `key` at `timeMs` (event time, ms). */
  update(key: string, timeMs: number, count = 1): void {
    if (!Number.isFinite(timeMs)) throw invalidArgument(`timeMs must be a finite number, got ${timeMs}`)
    if (count !== 1 && !(count >= 0 && count < Number.POSITIVE_INFINITY))
      throw invalidArgument(`count must be a finite number ≥ 0, got ${count}`)
    if (Number.isNaN(this.#landmark)) this.#landmark = timeMs
    if (timeMs > this.#latest) {
      this.#latest = timeMs
      if (this.#lambda * (timeMs - this.#landmark) > RESCALE_EXPONENT) this.#moveLandmark(timeMs)
    }
    const weight = count * Math.exp(this.#lambda * (timeMs - this.#landmark))
    const id = this.#index.get(key)
    if (id !== undefined) {
      this.#weights[id] = (this.#weights[id] as number) + weight
      this.#total += weight
      return
    }
    if (typeof key !== 'string') throw invalidArgument(`key must be a string, got ${typeof key}`)
    if (weight === 0) return
    const owned = ownedKey(key)
    this.#add(owned, weight)
  }

  /** Adds `weight` to `key` (an owned key), inserting it and purging if the table is full. */
  #add(key: string, weight: number): void {
    this.#total += weight
    const id = this.#index.get(key)
    if (id !== undefined) {
      this.#weights[id] = (this.#weights[id] as number) + weight
      return
    }
    let slot = this.#free.pop()
    if (slot === undefined) {
      slot = this.#keys.length
      this.#keys.push(undefined)
      if (slot === this.#weights.length) {
        const grown = new Float64Array(slot * 2)
        grown.set(this.#weights)
        this.#weights = grown
      }
    }
    this.#keys[slot] = key
    this.#weights[slot] = weight
    this.#index.set(key, slot)
    if (this.#index.size > this.#capacity) this.#purge()
  }

  /** Subtracts the median weight from every key and drops those left with none. */
  #purge(): void {
    const ids: number[] = []
    for (const id of this.#index.values()) ids.push(id)
    const sample = Float64Array.from(ids, (id) => this.#weights[id] as number)
    const median = kthSmallest(sample, sample.length, sample.length >>> 1)
    for (const id of ids) {
      const weight = (this.#weights[id] as number) - median
      if (weight > 0) this.#weights[id] = weight
      else {
        this.#index.delete(this.#keys[id] as string)
        this.#keys[id] = undefined
        this.#weights[id] = 0
        this.#free.push(id)
      }
    }
    this.#offset += median
  }

  /** Moves the landmark to `landmark`, rescaling every stored weight. */
  #moveLandmark(landmark: number): void {
    const factor = Math.exp(-this.#lambda * (landmark - this.#landmark))
    for (const [key, id] of this.#index) {
      const weight = (this.#weights[id] as number) * factor
      this.#weights[id] = weight
      if (weight === 0) {
        // decayed below the smallest double: its bounds [0, offset] still hold untracked
        this.#index.delete(key)
        this.#keys[id] = undefined
        this.#free.push(id)
      }
    }
    this.#offset *= factor
    this.#total *= factor
    this.#landmark = landmark
  }

  /** The factor that turns stored weights into decayed counts at `atMs`. */
  #decayTo(atMs: number | undefined): number {
    if (Number.isNaN(this.#landmark)) return 0
    const at = atMs ?? this.#latest
    if (!Number.isFinite(at)) throw invalidArgument(`atMs must be a finite number, got ${at}`)
    return Math.exp(-this.#lambda * (at - this.#landmark))
  }

  #weightOf(key: string): number {
    const id = this.#index.get(key) ?? this.#index.get(wellFormed(key))
    return id === undefined ? 0 : (this.#weights[id] as number)
  }

  /** The estimated decayed count of `key` at `atMs` (default: the latest event time): lower bound + maximum error if tracked, else 0. */
  estimate(key: string, atMs?: number | undefined): number {
    const weight = this.#weightOf(key)
    return weight > 0 ? (weight + this.#offset) * this.#decayTo(atMs) : 0
  }

  /** A value the true decayed count of `key` at `atMs` is never below. */
  lowerBound(key: string, atMs?: number | undefined): number {
    return this.#weightOf(key) * this.#decayTo(atMs)
  }

  /** A value the true decayed count of `key` at `atMs` is never above. */
  upperBound(key: string, atMs?: number | undefined): number {
    return (this.#weightOf(key) + this.#offset) * this.#decayTo(atMs)
  }

  /** The largest possible error of any decayed count at `atMs`. */
  maximumError(atMs?: number | undefined): number {
    return this.#offset * this.#decayTo(atMs)
  }

  /** The decayed count of all events at `atMs`. */
  total(atMs?: number | undefined): number {
    return this.#total * this.#decayTo(atMs)
  }

  /** The `k` keys with the highest decayed counts at `atMs` (default: all tracked keys), highest first. */
  top(k = Number.POSITIVE_INFINITY, atMs?: number | undefined): DecayedRow[] {
    const factor = this.#decayTo(atMs)
    const offset = this.#offset * factor
    const rows: DecayedRow[] = []
    for (const [key, id] of this.#index) {
      const lowerBound = (this.#weights[id] as number) * factor
      rows.push({ key, estimate: lowerBound + offset, lowerBound, upperBound: lowerBound + offset })
    }
    rows.sort((a, b) => b.estimate - a.estimate)
    return Number.isFinite(k) ? rows.slice(0, Math.max(0, k)) : rows
  }

  /** Adds `other`'s weights at a common landmark; throws `ERR_INCOMPATIBLE_SKETCH` unless the half-lives match. */
  merge(other: DecayedCounter): void {
    if (!(other instanceof DecayedCounter))
      throw incompatibleSketches('a DecayedCounter merges only another DecayedCounter')
    if (other.#halfLifeMs !== this.#halfLifeMs)
      throw incompatibleSketches(
        `cannot merge a counter with a half-life of ${other.#halfLifeMs} ms into one of ${this.#halfLifeMs} ms`,
      )
    if (Number.isNaN(other.#landmark)) return
    const entries = [...other.#index].map(([key, id]) => [key, other.#weights[id] as number] as const)
    const otherLandmark = other.#landmark
    const otherOffset = other.#offset
    const otherTotal = other.#total
    const otherLatest = other.#latest
    if (Number.isNaN(this.#landmark)) this.#landmark = otherLandmark
    else if (otherLandmark > this.#landmark) this.#moveLandmark(otherLandmark)
    const factor = Math.exp(-this.#lambda * (this.#landmark - otherLandmark))
    const total = this.#total + otherTotal * factor
    for (const [key, weight] of entries) if (weight * factor > 0) this.#add(key, weight * factor)
    this.#total = total
    this.#offset += otherOffset * factor
    if (otherLatest > this.#latest) this.#latest = otherLatest
  }

  /**
   * The image: envelope `decayed-counter` v1, half-life (f64), capacity (u32), a started flag
   * (u8); if started, landmark, latest time, offset and total (f64 each), the number of keys
   * (u32), then each key (u32 length, UTF-8) and its weight (f64).
   */
  toBytes(): Uint8Array {
    const w = new ByteWriter(64 + 32 * this.#index.size)
    writeEnvelope(w, 'decayed-counter', 1)
    w.f64(this.#halfLifeMs).u32(this.#capacity)
    if (Number.isNaN(this.#landmark)) return w.u8(0).finish()
    w.u8(1).f64(this.#landmark).f64(this.#latest).f64(this.#offset).f64(this.#total).u32(this.#index.size)
    for (const [key, id] of this.#index) {
      const bytes = UTF8.encode(key)
      w.u32(bytes.length)
        .bytes(bytes)
        .f64(this.#weights[id] as number)
    }
    return w.finish()
  }

  /** Reads an image written by {@link DecayedCounter.toBytes}; throws `ERR_INVALID_SKETCH` for anything else. */
  static fromBytes(bytes: Uint8Array): DecayedCounter {
    if (!(bytes instanceof Uint8Array)) throw invalidSketch('an image must be a Uint8Array', 0)
    const r = new ByteReader(bytes)
    readEnvelope(r, 'decayed-counter', 1)
    const halfLifeMs = r.f64()
    if (!(halfLifeMs > 0 && halfLifeMs < Number.POSITIVE_INFINITY))
      throw invalidSketch(`half-life ${halfLifeMs} is not a positive number`, 4)
    const capacity = r.u32()
    if (capacity < 1 || capacity > MAX_CAPACITY)
      throw invalidSketch(`capacity ${capacity} is out of range`, 12)
    const counter = new DecayedCounter({ halfLifeMs, capacity })
    const started = r.u8()
    if (started > 1) throw invalidSketch(`started flag ${started} is not 0 or 1`, 16)
    if (started === 0) {
      r.end()
      return counter
    }
    const landmark = r.f64()
    const latest = r.f64()
    if (!Number.isFinite(landmark) || !Number.isFinite(latest))
      throw invalidSketch('the landmark and the latest time must be finite', 17)
    const offset = readWeight(r, 'offset')
    const total = readWeight(r, 'total')
    const sizeAt = r.offset
    const size = r.u32()
    if (size > capacity) throw invalidSketch(`${size} keys exceed the capacity ${capacity}`, sizeAt)
    r.need(size * 12, 'key list')
    counter.#landmark = landmark
    counter.#latest = latest
    for (let i = 0; i < size; i++) {
      const at = r.offset
      const key = r.utf8(r.u32())
      const weight = readWeight(r, 'weight')
      if (weight === 0) throw invalidSketch('a key has a weight of 0', r.offset - 8)
      if (counter.#index.has(key)) throw invalidSketch(`key ${JSON.stringify(key)} appears twice`, at)
      counter.#add(key, weight)
    }
    r.end()
    counter.#offset = offset
    counter.#total = total
    return counter
  }

  /** Half-life, capacity, and the decayed total, maximum error and keys at the latest event time. */
  toJSON(): DecayedCounterSummary {
    return {
      halfLifeMs: this.#halfLifeMs,
      capacity: this.#capacity,
      atMs: this.latestMs,
      total: this.total(),
      maximumError: this.maximumError(),
      top: this.top(),
    }
  }
}

function readWeight(r: ByteReader, what: string): number {
  const at = r.offset
  const value = r.f64()
  if (!(value >= 0 && value < Number.POSITIVE_INFINITY))
    throw invalidSketch(`${what} ${value} is not a weight`, at)
  return value
}

const UTF8 = new TextEncoder()
