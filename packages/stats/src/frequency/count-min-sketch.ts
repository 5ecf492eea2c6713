import { invalidArgument } from '@shoal/core'
import { ByteReader } from '../bytes/byte-reader.js'
import { ByteWriter } from '../bytes/byte-writer.js'
import { readEnvelope, writeEnvelope } from '../bytes/envelope.js'
import { incompatibleSketches, invalidSketch } from '../errors.js'
import { DEFAULT_SEED, KeyHasher, type SketchKey } from '../hash/key-hasher.js'
import type { Hash128 } from '../hash/murmur3.js'
import type { Sketch } from '../sketch.js'

/** Options of {@link CountMinSketch}: an error target (`epsilon`, `delta`) or a shape (`width`, `depth`). */
export interface CountMinOptions {
  /** Relative error: estimates exceed true counts by at most ε·N (N = total count) with probability 1 − δ. Default 0.001. */
  readonly epsilon?: number | undefined
  /** Failure probability of the ε bound. Default 0.01. */
  readonly delta?: number | undefined
  /** Counters per row (instead of ε: width = ⌈e / ε⌉). */
  readonly width?: number | undefined
  /** Rows (instead of δ: depth = ⌈ln(1 / δ)⌉). */
  readonly depth?: number | undefined
  /** The hash seed (default 9001, DataSketches'); sketches merge only with the same seed. */
  readonly seed?: number | undefined
}

/** The JSON view of a {@link CountMinSketch}. */
export interface CountMinSummary {
  /** Counters per row. */
  readonly width: number
  /** Rows. */
  readonly depth: number
  /** The hash seed. */
  readonly seed: number
  /** The ε this shape guarantees (e / width). */
  readonly epsilon: number
  /** The δ this shape guarantees (e^−depth). */
  readonly delta: number
  /** The sum of all counts. */
  readonly totalCount: number
}

/** The largest number of counters (width × depth) a sketch may have: 2^26 (512 MiB). */
export const COUNT_MIN_MAX_COUNTERS = 1 << 26
const MAX_DEPTH = 64

/**
 * Count-Min sketch (Cormode and Muthukrishnan, 2005) for point frequencies: `depth` rows of
 * `width` counters; a key adds to one counter per row and its estimate is the smallest of
 * them, which never underestimates and exceeds the true count by at most ε·N with probability
 * 1 − δ (w = ⌈e/ε⌉, d = ⌈ln 1/δ⌉). The row indexes come from one 128-bit MurmurHash3 of the key
 * by double hashing, (h1 + i·h2) mod w, so the {@link Hash128} computed once per key for other
 * sketches can feed this one too ({@link CountMinSketch.updateHash}). Merging adds counters:
 * shard-then-merge equals one sketch exactly.
 */
export class CountMinSketch implements Sketch<CountMinSketch> {
  readonly #width: number
  readonly #depth: number
  readonly #seed: number
  readonly #counters: Float64Array
  readonly #hasher: KeyHasher
  /** 2^32 mod width, to reduce 64-bit hash words mod width exactly in doubles. */
  readonly #wrap: number
  #total = 0

  /** @param options - ε and δ, or width and depth (default ε = 0.001, δ = 0.01: 2,719 × 5) */
  constructor(options: CountMinOptions = {}) {
    const { epsilon, delta, width, depth, seed = DEFAULT_SEED } = options
    if (epsilon !== undefined && width !== undefined) throw invalidArgument('give epsilon or width, not both')
    if (delta !== undefined && depth !== undefined) throw invalidArgument('give delta or depth, not both')
    let w = width
    if (w === undefined) {
      const e = epsilon ?? 0.001
      if (!(e > 0 && e < 1)) throw invalidArgument(`epsilon must be in (0, 1), got ${e}`)
      w = Math.ceil(Math.E / e)
    }
    let d = depth
    if (d === undefined) {
      const p = delta ?? 0.01
      if (!(p > 0 && p < 1)) throw invalidArgument(`delta must be in (0, 1), got ${p}`)
      d = Math.max(1, Math.ceil(Math.log(1 / p)))
    }
    if (!Number.isSafeInteger(w) || w < 1) throw invalidArgument(`width must be a positive integer, got ${w}`)
    if (!Number.isSafeInteger(d) || d < 1 || d > MAX_DEPTH)
      throw invalidArgument(`depth must be an integer from 1 to ${MAX_DEPTH}, got ${d}`)
    if (w * d > COUNT_MIN_MAX_COUNTERS)
      throw invalidArgument(`width × depth = ${w * d} exceeds ${COUNT_MIN_MAX_COUNTERS} counters`)
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
      throw invalidArgument(`seed must be a 32-bit unsigned integer, got ${seed}`)
    this.#width = w
    this.#depth = d
    this.#seed = seed
    this.#counters = new Float64Array(w * d)
    this.#hasher = new KeyHasher(seed)
    this.#wrap = 4294967296 % w
  }

  /** Counters per row. */
  get width(): number {
    return this.#width
  }

  /** Rows. */
  get depth(): number {
    return this.#depth
  }

  /** The hash seed. */
  get seed(): number {
    return this.#seed
  }

  /** The ε this shape guarantees: e / width. */
  get epsilon(): number {
    return Math.E / this.#width
  }

  /** The δ this shape guarantees: e^−depth. */
  get delta(): number {
    return Math.exp(-this.#depth)
  }

  /** The sum of all counts added (N). */
  get totalCount(): number {
    return this.#total
  }

  /** Adds `count` (finite, ≥ 0; default 1) to `key`, hashing it with the sketch's seed; a {@link Hash128} is used as it is. */
  update(key: SketchKey | Hash128, count = 1): void {
    this.updateHash(this.#hashOf(key), count)
  }

  /** Adds `count` to the key whose 128-bit hash (with this sketch's seed) is `hash`. */
  updateHash(hash: Hash128, count = 1): void {
    if (!(count >= 0 && count < Number.POSITIVE_INFINITY))
      throw invalidArgument(`count must be a finite number ≥ 0, got ${count}`)
    const width = this.#width
    const counters = this.#counters
    const step = stepOf(hash, width, this.#wrap)
    let column = startOf(hash, width, this.#wrap)
    for (let row = 0, base = 0; row < this.#depth; row++, base += width) {
      counters[base + column] = (counters[base + column] as number) + count
      column += step
      if (column >= width) column -= width
    }
    this.#total += count
  }

  /** The estimated count of `key`: never below the true count. */
  estimate(key: SketchKey | Hash128): number {
    return this.estimateHash(this.#hashOf(key))
  }

  /** The estimated count of the key whose hash is `hash`. */
  estimateHash(hash: Hash128): number {
    const width = this.#width
    const counters = this.#counters
    const step = stepOf(hash, width, this.#wrap)
    let column = startOf(hash, width, this.#wrap)
    let least = Number.POSITIVE_INFINITY
    for (let row = 0, base = 0; row < this.#depth; row++, base += width) {
      const value = counters[base + column] as number
      if (value < least) least = value
      column += step
      if (column >= width) column -= width
    }
    return least
  }

  #hashOf(key: SketchKey | Hash128): Hash128 {
    if (typeof key === 'object' && !(key instanceof Uint8Array)) {
      if (key === null || typeof key.h1Lo !== 'number')
        throw invalidArgument('key must be a SketchKey or a Hash128')
      return key
    }
    if (typeof key === 'number' && !Number.isSafeInteger(key))
      throw invalidArgument(`a numeric key must be a safe integer, got ${key}`)
    return this.#hasher.hash(key)
  }

  /** Adds `other`'s counters; throws `ERR_INCOMPATIBLE_SKETCH` unless width, depth and seed match. */
  merge(other: CountMinSketch): void {
    if (!(other instanceof CountMinSketch))
      throw incompatibleSketches('a CountMinSketch merges only another CountMinSketch')
    if (other.#width !== this.#width || other.#depth !== this.#depth || other.#seed !== this.#seed)
      throw incompatibleSketches(
        `cannot merge a ${other.#width}×${other.#depth} (seed ${other.#seed}) Count-Min sketch into a ${this.#width}×${this.#depth} (seed ${this.#seed}) one`,
      )
    const mine = this.#counters
    const theirs = other.#counters
    for (let i = 0; i < mine.length; i++) mine[i] = (mine[i] as number) + (theirs[i] as number)
    this.#total += other.#total
  }

  /** The image: envelope `count-min` v1, width, depth, seed (u32 each), total (f64), then the counters row by row (f64). */
  toBytes(): Uint8Array {
    const w = new ByteWriter(4 + 12 + 8 + 8 * this.#counters.length)
    writeEnvelope(w, 'count-min', 1)
    w.u32(this.#width).u32(this.#depth).u32(this.#seed).f64(this.#total)
    for (const value of this.#counters) w.f64(value)
    return w.finish()
  }

  /** Reads an image written by {@link CountMinSketch.toBytes}; throws `ERR_INVALID_SKETCH` for anything else. */
  static fromBytes(bytes: Uint8Array): CountMinSketch {
    if (!(bytes instanceof Uint8Array)) throw invalidSketch('an image must be a Uint8Array', 0)
    const r = new ByteReader(bytes)
    readEnvelope(r, 'count-min', 1)
    const width = r.u32()
    const depth = r.u32()
    const seed = r.u32()
    const total = r.f64()
    if (width < 1 || depth < 1 || depth > MAX_DEPTH || width * depth > COUNT_MIN_MAX_COUNTERS)
      throw invalidSketch(`a ${width}×${depth} Count-Min sketch is out of range`, 4)
    r.need(width * depth * 8, 'counter array')
    if (!(total >= 0 && total < Number.POSITIVE_INFINITY))
      throw invalidSketch(`total ${total} is not a count`, 16)
    const sketch = new CountMinSketch({ width, depth, seed })
    const counters = sketch.#counters
    for (let i = 0; i < counters.length; i++) {
      const value = r.f64()
      // a counter sums some of the counts, so it cannot exceed their total (beyond rounding)
      if (!(value >= 0 && value <= total * (1 + 1e-9)))
        throw invalidSketch(`counter ${value} is not between 0 and the total ${total}`, r.offset - 8)
      counters[i] = value
    }
    r.end()
    sketch.#total = total
    return sketch
  }

  /** The shape, its guarantees and the total count (the counters are left out). */
  toJSON(): CountMinSummary {
    return {
      width: this.#width,
      depth: this.#depth,
      seed: this.#seed,
      epsilon: this.epsilon,
      delta: this.delta,
      totalCount: this.#total,
    }
  }
}

/** h1 mod width, from both 32-bit halves of the first 64-bit word (`wrap` = 2^32 mod width; exact below 2^53). */
function startOf(hash: Hash128, width: number, wrap: number): number {
  return ((hash.h1Hi % width) * wrap + hash.h1Lo) % width
}

/** h2 mod width, from the second 64-bit word; 0 becomes 1 so that rows differ. */
function stepOf(hash: Hash128, width: number, wrap: number): number {
  const step = ((hash.h2Hi % width) * wrap + hash.h2Lo) % width
  return step === 0 && width > 1 ? 1 : step
}
