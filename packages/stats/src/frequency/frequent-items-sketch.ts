import { invalidArgument } from '@shoal/core'
import { ByteWriter } from '../bytes/byte-writer.js'
import { ownedCopy } from '../counters/owned-copy.js'
import { incompatibleSketches, invalidSketch } from '../errors.js'
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

const SCRATCH = new Uint8Array(4096)
const ENCODER = new TextEncoder()

/** Below this length, reading characters one by one is cheaper than having V8 encode them. */
const ENCODE_MIN_LENGTH = 32

/**
 * Java's `String.hashCode()`, spread by `fmix64` into a slot hash. Longer ASCII text (the usual
 * case for paths and user agents) is hashed from its bytes, which V8 writes out faster than
 * JavaScript reads a substring character by character; other text is read by UTF-16 code unit,
 * as Java does.
 */
function slotHash(text: string): number {
  let h = 0
  const n = text.length
  if (n >= ENCODE_MIN_LENGTH && n <= SCRATCH.length && ENCODER.encodeInto(text, SCRATCH).written === n) {
    // one byte per character; four characters per step, the character terms off the dependency
    // chain (h·31^4 + c0·31^3 + c1·31^2 + c2·31 + c3)
    const bytes = SCRATCH
    let i = 0
    for (; i + 4 <= n; i += 4)
      h =
        (Math.imul(h, 923521) +
          Math.imul(bytes[i] as number, 29791) +
          Math.imul(bytes[i + 1] as number, 961) +
          Math.imul(bytes[i + 2] as number, 31) +
          (bytes[i + 3] as number)) |
        0
    for (; i < n; i++) h = (Math.imul(h, 31) + (bytes[i] as number)) | 0
  } else {
    for (let i = 0; i < n; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0
  }
  return fmix64Low(h < 0 ? 0xffffffff : 0, h)
}

/** A reverse-purge table with string keys, found by their Java slot hash. */
class StringPurgeMap extends ReversePurgeMap {
  keys: (string | undefined)[] = []

  constructor(lgLength: number) {
    super()
    this.allocate(lgLength)
  }

  protected override allocate(lgLength: number): void {
    super.allocate(lgLength)
    this.keys = new Array<string | undefined>(1 << lgLength).fill(undefined)
  }

  protected moveKey(from: number, to: number): void {
    this.keys[to] = this.keys[from]
  }

  protected removeKey(slot: number): void {
    this.keys[slot] = undefined
  }

  grow(): void {
    const { states, values, hashes, keys } = this
    this.allocate(this.lgLength + 1)
    for (let slot = 0; slot < states.length; slot++) {
      if (states[slot] === 0) continue
      const hash = hashes[slot] as number
      const to = this.emptySlotFor(hash)
      this.keys[to] = keys[slot]
      this.values[to] = values[slot] as number
      this.hashes[to] = hash
      this.states[to] = this.drift
      this.numActive++
    }
  }

  /** The slot of `key`, or −1. */
  find(key: string, hash: number): number {
    const { states, hashes, keys, mask } = this
    let slot = hash & mask
    while (states[slot] !== 0) {
      if (hashes[slot] === hash && keys[slot] === key) return slot
      slot = (slot + 1) & mask
    }
    return -1
  }

  /** The key in `slot`. */
  key(slot: number): string {
    return this.keys[slot] as string
  }
}

const UTF8 = new TextEncoder()

/**
 * Frequent items (heavy hitters) over strings, compatible with Apache DataSketches'
 * `FrequentItemsSketch<String>` (`ItemsSketch` with `ArrayOfStringsSerDe`): the same
 * reverse-purge table (the same slots, so the same images for the same updates), the same
 * purge by the median of sampled counts, the same bounds and queries, and the same binary image
 * (strings as a 4-byte length and UTF-8). Every item's true count lies within
 * [{@link FrequentItemsSketch.getLowerBound}, {@link FrequentItemsSketch.getUpperBound}], and the
 * width of that interval is at most 3.5 / maxMapSize of the stream length. Counts are exact
 * while fewer than 0.75 · maxMapSize distinct items have been seen.
 *
 * Keys kept by the sketch are copies, so a key cut from a large buffer does not keep that buffer
 * alive. Strings with lone surrogates are serialized with U+FFFD in their place.
 */
export class FrequentItemsSketch
  extends FrequencySketch<string, string, StringPurgeMap>
  implements Sketch<FrequentItemsSketch>
{
  /** @param options - the maximum map size (default 1024) */
  constructor(options: FrequentItemsOptions = {}) {
    super(options, new StringPurgeMap(LG_MIN_MAP_SIZE))
  }

  /**
   * Counts `item` `count` more times (a non-negative safe integer; 0 does nothing). Hot path:
   * one pass over the characters (Java's string hash) and a linear probe; new keys are copied.
   */
  update(item: string, count = 1): void {
    if (typeof item !== 'string') throw invalidArgument(`item must be a string, got ${typeof item}`)
    if (count !== 1 && !checkCount(count)) return
    this.streamLength += count
    const hash = slotHash(item)
    const map = this.map
    const states = map.states
    const hashes = map.hashes
    const keys = map.keys
    const mask = map.mask
    let slot = hash & mask
    let drift = 1
    while (states[slot] !== 0) {
      if (hashes[slot] === hash && keys[slot] === item) {
        map.values[slot] = (map.values[slot] as number) + count
        return
      }
      slot = (slot + 1) & mask
      drift++
    }
    keys[slot] = ownedCopy(item)
    map.values[slot] = count
    hashes[slot] = hash
    states[slot] = drift
    if (++map.numActive > map.capacity) this.growOrPurge()
  }

  /** Adds an owned key with a known hash (merges and images). */
  #add(item: string, hash: number, count: number): void {
    this.streamLength += count
    const map = this.map
    const slot = map.find(item, hash)
    if (slot >= 0) {
      map.values[slot] = (map.values[slot] as number) + count
      return
    }
    const to = map.emptySlotFor(hash)
    map.keys[to] = item
    map.values[to] = count
    map.hashes[to] = hash
    map.states[to] = map.drift
    if (++map.numActive > map.capacity) this.growOrPurge()
  }

  protected override countOf(item: string): number {
    if (typeof item !== 'string') throw invalidArgument(`item must be a string, got ${typeof item}`)
    const map = this.map
    const slot = map.find(item, slotHash(item))
    return slot < 0 ? 0 : (map.values[slot] as number)
  }

  /**
   * Adds everything `other` counted (its table may have another size). The result's bounds hold
   * for the union of both streams, with an error up to the sum of both maximum errors plus any
   * purge the merge causes.
   */
  merge(other: FrequentItemsSketch): void {
    if (!(other instanceof FrequentItemsSketch))
      throw incompatibleSketches('a FrequentItemsSketch merges only another FrequentItemsSketch')
    if (other.isEmpty) return
    const streamLength = this.streamLength + other.streamLength
    const otherOffset = other.offset
    const map = other.map
    // snapshot first: merging a sketch into itself must not read a table it is changing
    const slots = map.goldenSlots()
    const keys = Array.from(slots, (slot) => map.key(slot))
    const hashes = Array.from(slots, (slot) => map.hashes[slot] as number)
    const values = Array.from(slots, (slot) => map.values[slot] as number)
    for (let i = 0; i < slots.length; i++)
      this.#add(keys[i] as string, hashes[i] as number, values[i] as number)
    this.offset += otherOffset
    this.streamLength = streamLength
  }

  /** The DataSketches image (readable by Java's and C++'s frequent-items sketches of strings). */
  toBytes(): Uint8Array {
    const map = this.map
    const slots = map.activeSlots()
    const encoded = Array.from(slots, (slot) => UTF8.encode(map.key(slot)))
    let size = 32 + 8 * slots.length
    for (const item of encoded) size += 4 + item.length
    const w = new ByteWriter(slots.length === 0 ? 8 : size)
    writeFrequencyPreamble(w, this.lgMax, map.lgLength, this.streamLength, this.offset, map.values, slots)
    for (const item of encoded) w.u32(item.length).bytes(item)
    return w.finish()
  }

  /**
   * Reads a DataSketches frequent-items image of strings (Java or C++); throws
   * `ERR_INVALID_SKETCH` for anything else, checking every size before allocating.
   */
  static fromBytes(bytes: Uint8Array, options?: FrequentItemsReadOptions | undefined): FrequentItemsSketch {
    const limit = maxLgCurOf(options)
    const r = frequencyReader(bytes)
    const p = readFrequencyPreamble(r, limit, 4)
    const sketch = new FrequentItemsSketch({ lgMaxMapSize: p.lgMaxMapSize })
    if (p.numActive === 0) {
      r.end()
      if (p.streamLength === 0 && p.offset === 0) return sketch
    }
    if (p.lgCurMapSize > LG_MIN_MAP_SIZE) sketch.map = new StringPurgeMap(p.lgCurMapSize)
    sketch.offset = p.offset
    for (let i = 0; i < p.numActive; i++) {
      const at = r.offset
      const length = r.u32()
      if (length > r.remaining) throw invalidSketch(`an item of ${length} bytes overruns the image`, at)
      const item = r.utf8(length)
      sketch.#add(item, slotHash(item), p.counts[i] as number)
    }
    r.end()
    sketch.streamLength = p.streamLength
    return sketch
  }

  /** A plain view: sizes, stream length, maximum error and every tracked item with its bounds. */
  toJSON(): FrequentItemsSummary<string> {
    return {
      type: 'FrequentItemsSketch',
      maxMapSize: this.maxMapSize,
      streamLength: this.streamLength,
      maximumError: this.offset,
      items: this.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES, 0),
    }
  }
}
