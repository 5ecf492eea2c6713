import { invalidArgument } from '@shoal/core'
import { ByteWriter } from '../bytes/byte-writer.js'
import { incompatibleSketches } from '../errors.js'
import type { Sketch } from '../sketch.js'
import { FrequencySketch } from './frequency-sketch.js'
import { fmix64Low } from './java-hash.js'
import {
  checkCount,
  type FrequentItemsOptions,
  type FrequentItemsReadOptions,
  maxLgCurOf,
} from './options.js'
import { frequencyReader, readFrequencyPreamble, writeFrequencyPreamble } from './preamble.js'
import { ErrorType, type FrequentItemsSummary } from './query.js'
import { LG_MIN_MAP_SIZE, ReversePurgeMap } from './reverse-purge-map.js'

const TWO_32 = 4294967296

/** A reverse-purge table with 64-bit keys, each as two 32-bit halves. */
class LongPurgeMap extends ReversePurgeMap {
  keysHi: Int32Array = new Int32Array(0)
  keysLo: Int32Array = new Int32Array(0)

  constructor(lgLength: number) {
    super()
    this.allocate(lgLength)
  }

  protected override allocate(lgLength: number): void {
    super.allocate(lgLength)
    this.keysHi = new Int32Array(1 << lgLength)
    this.keysLo = new Int32Array(1 << lgLength)
  }

  protected moveKey(from: number, to: number): void {
    this.keysHi[to] = this.keysHi[from] as number
    this.keysLo[to] = this.keysLo[from] as number
  }

  protected removeKey(): void {}

  grow(): void {
    const { states, values, hashes, keysHi, keysLo } = this
    this.allocate(this.lgLength + 1)
    for (let slot = 0; slot < states.length; slot++) {
      if (states[slot] === 0) continue
      const hash = hashes[slot] as number
      const to = this.emptySlotFor(hash)
      this.keysHi[to] = keysHi[slot] as number
      this.keysLo[to] = keysLo[slot] as number
      this.values[to] = values[slot] as number
      this.hashes[to] = hash
      this.states[to] = this.drift
      this.numActive++
    }
  }

  /** The slot of hi:lo, or −1. */
  find(hi: number, lo: number): number {
    const { states, keysHi, keysLo, mask } = this
    let slot = fmix64Low(hi, lo) & mask
    while (states[slot] !== 0) {
      if (keysLo[slot] === lo && keysHi[slot] === hi) return slot
      slot = (slot + 1) & mask
    }
    return -1
  }

  /** The key of `slot` as a bigint. */
  key(slot: number): bigint {
    return (BigInt(this.keysHi[slot] as number) << 32n) | BigInt((this.keysLo[slot] as number) >>> 0)
  }
}

// the halves of the last key split by splitKey
let keyHi = 0
let keyLo = 0

/** Splits a 64-bit key given as a bigint or a safe integer into keyHi:keyLo (signed halves). */
function splitKey(item: bigint | number): void {
  if (typeof item === 'number') {
    if (!Number.isSafeInteger(item))
      throw invalidArgument(`item must be a safe integer or a bigint, got ${item}`)
    keyHi = Math.floor(item / TWO_32) | 0
    keyLo = item | 0
  } else if (typeof item === 'bigint') {
    if (item < -(1n << 63n) || item >= 1n << 63n)
      throw invalidArgument(`item ${item} is not a 64-bit integer`)
    keyHi = Number(BigInt.asIntN(32, item >> 32n))
    keyLo = Number(BigInt.asIntN(32, item))
  } else {
    throw invalidArgument(`item must be a bigint or a safe integer, got ${typeof item}`)
  }
}

/**
 * Frequent items over 64-bit integers, compatible with Apache DataSketches'
 * `FrequentLongsSketch` (`LongsSketch`): the same table and purge, the same bounds and queries,
 * the same binary image (items as 8-byte little-endian longs) and, for the same updates, the
 * same bytes as Java. Items go in as bigints or safe integers and come out of queries as
 * bigints. See {@link FrequentItemsSketch} for the guarantees.
 */
export class FrequentLongsSketch
  extends FrequencySketch<bigint | number, bigint, LongPurgeMap>
  implements Sketch<FrequentLongsSketch>
{
  /** @param options - the maximum map size (default 1024) */
  constructor(options: FrequentItemsOptions = {}) {
    super(options, new LongPurgeMap(LG_MIN_MAP_SIZE))
  }

  /** Counts `item` (a bigint in the signed 64-bit range, or a safe integer) `count` more times. */
  update(item: bigint | number, count = 1): void {
    splitKey(item)
    if (count !== 1 && !checkCount(count)) return
    this.#add(keyHi, keyLo, fmix64Low(keyHi, keyLo), count)
  }

  #add(hi: number, lo: number, hash: number, count: number): void {
    this.streamLength += count
    const map = this.map
    const { states, keysHi, keysLo, mask } = map
    let slot = hash & mask
    let drift = 1
    while (states[slot] !== 0) {
      if (keysLo[slot] === lo && keysHi[slot] === hi) {
        map.values[slot] = (map.values[slot] as number) + count
        return
      }
      slot = (slot + 1) & mask
      drift++
    }
    keysHi[slot] = hi
    keysLo[slot] = lo
    map.values[slot] = count
    map.hashes[slot] = hash
    states[slot] = drift
    if (++map.numActive > map.capacity) this.growOrPurge()
  }

  protected override countOf(item: bigint | number): number {
    splitKey(item)
    const map = this.map
    const slot = map.find(keyHi, keyLo)
    return slot < 0 ? 0 : (map.values[slot] as number)
  }

  /** Adds everything `other` counted (its table may have another size). */
  merge(other: FrequentLongsSketch): void {
    if (!(other instanceof FrequentLongsSketch))
      throw incompatibleSketches('a FrequentLongsSketch merges only another FrequentLongsSketch')
    if (other.isEmpty) return
    const streamLength = this.streamLength + other.streamLength
    const otherOffset = other.offset
    const map = other.map
    const slots = map.goldenSlots()
    const his = Int32Array.from(slots, (slot) => map.keysHi[slot] as number)
    const los = Int32Array.from(slots, (slot) => map.keysLo[slot] as number)
    const hashes = Int32Array.from(slots, (slot) => map.hashes[slot] as number)
    const values = Float64Array.from(slots, (slot) => map.values[slot] as number)
    for (let i = 0; i < slots.length; i++)
      this.#add(his[i] as number, los[i] as number, hashes[i] as number, values[i] as number)
    this.offset += otherOffset
    this.streamLength = streamLength
  }

  /** The DataSketches image (readable by Java's `FrequentLongsSketch` and C++'s sketch of int64). */
  toBytes(): Uint8Array {
    const map = this.map
    const slots = map.activeSlots()
    const w = new ByteWriter(slots.length === 0 ? 8 : 32 + 16 * slots.length)
    writeFrequencyPreamble(w, this.lgMax, map.lgLength, this.streamLength, this.offset, map.values, slots)
    for (const slot of slots) w.i32(map.keysLo[slot] as number).i32(map.keysHi[slot] as number)
    return w.finish()
  }

  /** Reads a DataSketches frequent-longs image (Java or C++); throws `ERR_INVALID_SKETCH` for anything else. */
  static fromBytes(bytes: Uint8Array, options?: FrequentItemsReadOptions | undefined): FrequentLongsSketch {
    const limit = maxLgCurOf(options)
    const r = frequencyReader(bytes)
    const p = readFrequencyPreamble(r, limit, 8)
    const sketch = new FrequentLongsSketch({ lgMaxMapSize: p.lgMaxMapSize })
    if (p.numActive === 0) {
      r.end()
      if (p.streamLength === 0 && p.offset === 0) return sketch
    }
    if (p.lgCurMapSize > LG_MIN_MAP_SIZE) sketch.map = new LongPurgeMap(p.lgCurMapSize)
    sketch.offset = p.offset
    for (let i = 0; i < p.numActive; i++) {
      const lo = r.i32()
      const hi = r.i32()
      sketch.#add(hi, lo, fmix64Low(hi, lo), p.counts[i] as number)
    }
    r.end()
    sketch.streamLength = p.streamLength
    return sketch
  }

  /** A plain view (items as decimal strings, since JSON has no 64-bit integers). */
  toJSON(): FrequentItemsSummary<string> {
    return {
      type: 'FrequentLongsSketch',
      maxMapSize: this.maxMapSize,
      streamLength: this.streamLength,
      maximumError: this.offset,
      items: this.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES, 0).map((row) => ({
        ...row,
        item: row.item.toString(),
      })),
    }
  }
}
