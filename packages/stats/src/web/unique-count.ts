import { invalidArgument } from '@shoal/core'
import { ByteReader } from '../bytes/byte-reader.js'
import { ByteWriter } from '../bytes/byte-writer.js'
import { readEnvelope, writeEnvelope } from '../bytes/envelope.js'
import { incompatibleSketches, invalidSketch } from '../errors.js'
import { KeyHasher } from '../hash/key-hasher.js'
import { HllSketch } from '../hll/hll-sketch.js'
import type { Sketch } from '../sketch.js'

/** Options of {@link UniqueCount}. */
export interface UniqueCountOptions {
  /** Distinct keys counted exactly before only the HLL sketch is kept (default 10,000). */
  readonly exactLimit?: number | undefined
  /** log2 of the HLL sketch's registers (default 12: about 1.6 % relative standard error). */
  readonly lgK?: number | undefined
}

/** What {@link UniqueCount.summary} reports. */
export interface UniqueCountSummary {
  /** The count: exact while {@link UniqueCountSummary.exact}, else the HLL estimate. */
  readonly estimate: number
  /** Lower bound of the count at 2 standard deviations (the count itself when exact). */
  readonly lowerBound: number
  /** Upper bound of the count at 2 standard deviations (the count itself when exact). */
  readonly upperBound: number
  /** Whether the count is exact. */
  readonly exact: boolean
}

const VERSION = 1
const MAX_EXACT_LIMIT = 1_000_000

/**
 * A distinct count that is exact while small and a DataSketches HLL sketch beyond: the set of
 * keys is kept up to `exactLimit`, and the sketch is fed all along, so the switch loses nothing.
 * Keys are copied when they enter the set, so they never pin a parsed chunk.
 */
export class UniqueCount implements Sketch<UniqueCount> {
  readonly #exactLimit: number
  #exact: Set<string> | undefined = new Set()
  #hll: HllSketch
  readonly #hasher = new KeyHasher()

  /** @param options - the exact limit and the sketch size */
  constructor(options: UniqueCountOptions = {}) {
    const limit = options.exactLimit ?? 10_000
    if (!Number.isSafeInteger(limit) || limit < 0 || limit > MAX_EXACT_LIMIT) {
      throw invalidArgument(`exactLimit must be an integer from 0 to ${MAX_EXACT_LIMIT}, got ${limit}`)
    }
    this.#exactLimit = limit
    this.#hll = new HllSketch({ lgK: options.lgK ?? 12 })
    if (limit === 0) this.#exact = undefined
  }

  /** Whether the count is still exact. */
  get isExact(): boolean {
    return this.#exact !== undefined
  }

  /** Counts `key` once, however often it comes. */
  add(key: string): void {
    if (key.length === 0) return
    this.#hll.updateHash(this.#hasher.hashString(key))
    const exact = this.#exact
    if (exact === undefined || exact.has(key)) return
    if (exact.size >= this.#exactLimit) this.#exact = undefined
    else exact.add(Buffer.from(key, 'utf8').toString('utf8'))
  }

  /** The count with its bounds. */
  summary(): UniqueCountSummary {
    if (this.#exact !== undefined) {
      const n = this.#exact.size
      return { estimate: n, lowerBound: n, upperBound: n, exact: true }
    }
    return {
      estimate: this.#hll.estimate,
      lowerBound: this.#hll.lowerBound(2),
      upperBound: this.#hll.upperBound(2),
      exact: false,
    }
  }

  /** Adds `other`'s keys; exact only if both are exact and their union stays under the limit. */
  merge(other: UniqueCount): void {
    if (other.#exactLimit !== this.#exactLimit)
      throw incompatibleSketches('unique counts with different exact limits cannot be merged')
    this.#hll.merge(other.#hll)
    const mine = this.#exact
    const theirs = other.#exact
    if (mine === undefined) return
    if (theirs === undefined) {
      this.#exact = undefined
      return
    }
    for (const key of theirs) {
      if (mine.has(key)) continue
      if (mine.size >= this.#exactLimit) {
        this.#exact = undefined
        return
      }
      mine.add(key)
    }
  }

  /** The image: the exact limit, the exact keys if any, then the HLL sketch's DataSketches image. */
  toBytes(): Uint8Array {
    const writer = new ByteWriter(256)
    writeEnvelope(writer, 'unique-count', VERSION)
    writer.u32(this.#exactLimit)
    const exact = this.#exact
    writer.i32(exact === undefined ? -1 : exact.size)
    if (exact !== undefined) {
      for (const key of exact) {
        const bytes = Buffer.from(key, 'utf8')
        writer.u32(bytes.length).bytes(bytes)
      }
    }
    const hll = this.#hll.toBytes()
    writer.u32(hll.length).bytes(hll)
    return writer.finish()
  }

  /** Reads an image made by {@link UniqueCount.toBytes}; throws `ERR_INVALID_SKETCH` for anything else. */
  static fromBytes(bytes: Uint8Array): UniqueCount {
    const reader = new ByteReader(bytes)
    readEnvelope(reader, 'unique-count', VERSION)
    const limit = reader.u32()
    if (limit > MAX_EXACT_LIMIT) throw invalidSketch(`exact limit ${limit} is too large`, reader.offset - 4)
    const size = reader.i32()
    if (size > limit) throw invalidSketch(`${size} exact keys exceed the limit ${limit}`, reader.offset - 4)
    // every key takes at least its 4-byte length: a hostile count cannot make us loop for long
    if (size > 0) reader.need(size * 4, 'key list')
    const keys: string[] = []
    for (let i = 0; i < size; i++) keys.push(reader.utf8(reader.u32()))
    const hll = HllSketch.fromBytes(reader.bytes(reader.u32()))
    reader.end()
    const count = new UniqueCount({ exactLimit: limit, lgK: hll.lgK })
    count.#hll = hll
    if (size < 0) count.#exact = undefined
    else for (const key of keys) count.#exact?.add(key)
    if (count.#exact !== undefined && count.#exact.size !== size)
      throw invalidSketch('the exact keys repeat', 0)
    return count
  }

  /** The summary, as JSON. */
  toJSON(): UniqueCountSummary {
    return this.summary()
  }
}
