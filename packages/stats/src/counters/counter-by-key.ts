import { invalidArgument } from '@shoal/core'
import { ByteReader } from '../bytes/byte-reader.js'
import { ByteWriter } from '../bytes/byte-writer.js'
import { readEnvelope, writeEnvelope } from '../bytes/envelope.js'
import { incompatibleSketches, invalidSketch } from '../errors.js'
import type { Sketch } from '../sketch.js'
import { ownedKey, wellFormed } from './owned-copy.js'

/** Options of {@link CounterByKey}. */
export interface CounterByKeyOptions {
  /**
   * The most keys kept (default: no limit). Once reached, counts of new keys go to the `other`
   * bucket, so memory stays bounded however many distinct keys the input has.
   */
  readonly maxKeys?: number | undefined
}

/** A key and its count. */
export interface KeyCount {
  /** The key. */
  readonly key: string
  /** Its count. */
  readonly count: number
}

/** The JSON view of a {@link CounterByKey}. */
export interface CounterByKeySummary {
  /** The key limit, or null if there is none. */
  readonly maxKeys: number | null
  /** The sum of all counts, the `other` bucket included. */
  readonly total: number
  /** Counts of keys that arrived when the table was full. */
  readonly other: number
  /** Every key kept, highest count first. */
  readonly counts: readonly KeyCount[]
}

const MAX_KEYS_LIMIT = 1 << 24

/**
 * Exact counts per key (status codes, methods, virtual hosts…), with an optional cap on the
 * number of keys: beyond it, new keys are counted in an `other` bucket, reported with the rest.
 * Keys are copied when first kept, so they do not pin the buffers they were cut from (and lone
 * surrogates become U+FFFD, so that keys survive the UTF-8 image). Merging
 * adds counts key by key; while the union of keys fits the cap, merging is exact, commutative
 * and associative, and beyond it totals still add up exactly (which keys get a row of their own
 * then depends on the order).
 */
export class CounterByKey implements Sketch<CounterByKey> {
  readonly #maxKeys: number
  readonly #index = new Map<string, number>()
  #keys: string[] = []
  #counts = new Float64Array(16)
  #other = 0
  #total = 0

  /** @param options - the key limit */
  constructor(options: CounterByKeyOptions = {}) {
    const maxKeys = options.maxKeys ?? Number.POSITIVE_INFINITY
    if (
      maxKeys !== Number.POSITIVE_INFINITY &&
      !(Number.isInteger(maxKeys) && maxKeys >= 1 && maxKeys <= MAX_KEYS_LIMIT)
    )
      throw invalidArgument(`maxKeys must be an integer from 1 to ${MAX_KEYS_LIMIT}, got ${maxKeys}`)
    this.#maxKeys = maxKeys
  }

  /** The key limit (Infinity when there is none). */
  get maxKeys(): number {
    return this.#maxKeys
  }

  /** The number of keys kept. */
  get size(): number {
    return this.#keys.length
  }

  /** The sum of all counts, the `other` bucket included. */
  get total(): number {
    return this.#total
  }

  /** Counts of keys that arrived when the table was full (0 while it never was). */
  get other(): number {
    return this.#other
  }

  /** Adds `count` (finite, ≥ 0; default 1) to `key`. */
  update(key: string, count = 1): void {
    if (count !== 1 && !(count >= 0 && count < Number.POSITIVE_INFINITY))
      throw invalidArgument(`count must be a finite number ≥ 0, got ${count}`)
    const index = this.#index.get(key)
    if (index !== undefined) {
      this.#counts[index] = (this.#counts[index] as number) + count
      this.#total += count
      return
    }
    if (typeof key !== 'string') throw invalidArgument(`key must be a string, got ${typeof key}`)
    if (count === 0) return
    const owned = ownedKey(key)
    const existing = owned === key ? undefined : this.#index.get(owned)
    if (existing !== undefined) {
      // a key with lone surrogates, kept under its well-formed form
      this.#counts[existing] = (this.#counts[existing] as number) + count
      this.#total += count
      return
    }
    this.#insert(owned, count)
  }

  #insert(key: string, count: number): void {
    this.#total += count
    const size = this.#keys.length
    if (size >= this.#maxKeys) {
      this.#other += count
      return
    }
    if (size === this.#counts.length) {
      const grown = new Float64Array(size * 2)
      grown.set(this.#counts)
      this.#counts = grown
    }
    this.#index.set(key, size)
    this.#keys.push(key)
    this.#counts[size] = count
  }

  /** The count of `key` (0 if it was never kept). */
  get(key: string): number {
    const index = this.#index.get(key) ?? this.#index.get(wellFormed(key))
    return index === undefined ? 0 : (this.#counts[index] as number)
  }

  /** The keys kept with their counts, highest count first (ties in first-seen order); `limit` keeps the first ones. */
  top(limit = Number.POSITIVE_INFINITY): KeyCount[] {
    const rows = this.#keys.map((key, i) => ({ key, count: this.#counts[i] as number }))
    rows.sort((a, b) => b.count - a.count)
    return Number.isFinite(limit) ? rows.slice(0, Math.max(0, limit)) : rows
  }

  /** Adds `other`'s counts key by key (new keys beyond this counter's limit go to `other`), and its `other` bucket. */
  merge(other: CounterByKey): void {
    if (!(other instanceof CounterByKey))
      throw incompatibleSketches('a CounterByKey merges only another CounterByKey')
    const keys = other.#keys.slice()
    const counts = other.#counts.slice(0, keys.length)
    const otherBucket = other.#other
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string
      const count = counts[i] as number
      const index = this.#index.get(key)
      if (index === undefined) this.#insert(key, count)
      else {
        this.#counts[index] = (this.#counts[index] as number) + count
        this.#total += count
      }
    }
    this.#other += otherBucket
    this.#total += otherBucket
  }

  /**
   * The image: envelope `counter-by-key` v1, the key limit (u32, 0 for none), the `other`
   * bucket (f64), the number of keys (u32), then each key (u32 length, UTF-8) and its count (f64).
   */
  toBytes(): Uint8Array {
    const w = new ByteWriter(64 + 24 * this.#keys.length)
    writeEnvelope(w, 'counter-by-key', 1)
    w.u32(Number.isFinite(this.#maxKeys) ? this.#maxKeys : 0)
      .f64(this.#other)
      .u32(this.#keys.length)
    for (let i = 0; i < this.#keys.length; i++) {
      const bytes = UTF8.encode(this.#keys[i] as string)
      w.u32(bytes.length)
        .bytes(bytes)
        .f64(this.#counts[i] as number)
    }
    return w.finish()
  }

  /** Reads an image written by {@link CounterByKey.toBytes}; throws `ERR_INVALID_SKETCH` for anything else. */
  static fromBytes(bytes: Uint8Array): CounterByKey {
    if (!(bytes instanceof Uint8Array)) throw invalidSketch('an image must be a Uint8Array', 0)
    const r = new ByteReader(bytes)
    readEnvelope(r, 'counter-by-key', 1)
    const maxKeys = r.u32()
    if (maxKeys > MAX_KEYS_LIMIT) throw invalidSketch(`key limit ${maxKeys} is out of range`, 4)
    const other = r.f64()
    if (!(other >= 0 && other < Number.POSITIVE_INFINITY))
      throw invalidSketch(`other bucket ${other} is not a count`, 8)
    const at = r.offset
    const size = r.u32()
    if (maxKeys !== 0 && size > maxKeys) throw invalidSketch(`${size} keys exceed the limit ${maxKeys}`, at)
    r.need(size * 12, 'key list')
    const counter = new CounterByKey(maxKeys === 0 ? {} : { maxKeys })
    for (let i = 0; i < size; i++) {
      const keyAt = r.offset
      const key = r.utf8(r.u32())
      const count = r.f64()
      if (!(count > 0 && count < Number.POSITIVE_INFINITY))
        throw invalidSketch(`count ${count} is not positive`, r.offset - 8)
      if (counter.#index.has(key)) throw invalidSketch(`key ${JSON.stringify(key)} appears twice`, keyAt)
      counter.#insert(key, count)
    }
    r.end()
    counter.#other = other
    counter.#total += other
    return counter
  }

  /** The limit, totals and every key with its count, highest first. */
  toJSON(): CounterByKeySummary {
    return {
      maxKeys: Number.isFinite(this.#maxKeys) ? this.#maxKeys : null,
      total: this.#total,
      other: this.#other,
      counts: this.top(),
    }
  }
}

const UTF8 = new TextEncoder()
