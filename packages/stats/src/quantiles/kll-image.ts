import { ByteReader } from '../bytes/byte-reader.js'
import { ByteWriter } from '../bytes/byte-writer.js'
import { invalidSketch } from '../errors.js'
import { KLL_MAX_K, KLL_MAX_LEVELS, totalCapacity } from './kll-capacity.js'

/*
 * The Apache DataSketches KLL image (Java KllPreambleUtil, C++ kll_sketch), little-endian:
 *
 *   byte 0   preamble ints: 2 (empty or single item) or 5 (full)
 *   byte 1   serial version: 1 (empty or full), 2 (single item), 3 (Java's updatable layout)
 *   byte 2   family id: 15 (KLL)
 *   byte 3   flags: bit 0 empty, bit 1 level zero sorted, bit 2 single item;
 *            Java 3.x–4.0 also set bit 3 in doubles images and bit 4 in updatable ones
 *   bytes 4–5  k (u16)      byte 6  m      byte 7  unused
 *   -- empty: nothing more (8 bytes)
 *   -- single item: the item (f64) at byte 8 (16 bytes)
 *   -- full:
 *   bytes 8–15   n (u64)
 *   bytes 16–17  min k (u16)   byte 18  number of levels L   byte 19 unused
 *   byte 20      levels: L × u32, the start of each level in an items array whose length (the
 *                top boundary, not written) is the total capacity for k, m and L
 *                then min (f64), max (f64), then the retained items (f64), level 0 first
 *   -- updatable (serial version 3, Java only): as full, but with L + 1 level entries and every
 *                slot of the items array, free space included.
 */

const PREAMBLE_INTS_SHORT = 2
const PREAMBLE_INTS_FULL = 5
const SERIAL_VERSION_EMPTY_FULL = 1
const SERIAL_VERSION_SINGLE = 2
const SERIAL_VERSION_UPDATABLE = 3
/** The family id of KLL sketches in DataSketches. */
export const KLL_FAMILY_ID = 15

const FLAG_EMPTY = 1
const FLAG_LEVEL_ZERO_SORTED = 2
const FLAG_SINGLE_ITEM = 4
const FLAG_DOUBLES_LEGACY = 8
const FLAG_UPDATABLE_LEGACY = 16
const KNOWN_FLAGS =
  FLAG_EMPTY | FLAG_LEVEL_ZERO_SORTED | FLAG_SINGLE_ITEM | FLAG_DOUBLES_LEGACY | FLAG_UPDATABLE_LEGACY

/** The complete state of a KLL doubles sketch, as an image holds it. */
export interface KllDoublesState {
  readonly k: number
  readonly m: number
  readonly minK: number
  readonly n: number
  readonly numLevels: number
  /** `numLevels + 1` boundaries; the last is the total capacity. */
  readonly levels: Int32Array
  /** The items array, of the total capacity; items sit in `[levels[0], levels[numLevels])`. */
  readonly items: Float64Array
  readonly min: number
  readonly max: number
  readonly levelZeroSorted: boolean
}

/** Writes the compact DataSketches image (the layout `toByteArray()` and `serialize()` produce). */
export function writeKllDoubles(state: KllDoublesState): Uint8Array {
  const { k, m, n, numLevels, levels, items } = state
  const sorted = state.levelZeroSorted ? FLAG_LEVEL_ZERO_SORTED : 0
  const start = levels[0] as number
  const top = levels[numLevels] as number
  if (n === 0) {
    return new ByteWriter(8)
      .u8(PREAMBLE_INTS_SHORT)
      .u8(SERIAL_VERSION_EMPTY_FULL)
      .u8(KLL_FAMILY_ID)
      .u8(FLAG_EMPTY | sorted)
      .u16(k)
      .u8(m)
      .u8(0)
      .finish()
  }
  if (n === 1) {
    return new ByteWriter(16)
      .u8(PREAMBLE_INTS_SHORT)
      .u8(SERIAL_VERSION_SINGLE)
      .u8(KLL_FAMILY_ID)
      .u8(FLAG_SINGLE_ITEM | sorted)
      .u16(k)
      .u8(m)
      .u8(0)
      .f64(items[start] as number)
      .finish()
  }
  const writer = new ByteWriter(20 + numLevels * 4 + 16 + (top - start) * 8)
  writer.u8(PREAMBLE_INTS_FULL).u8(SERIAL_VERSION_EMPTY_FULL).u8(KLL_FAMILY_ID).u8(sorted).u16(k).u8(m).u8(0)
  writer.u64(n).u16(state.minK).u8(numLevels).u8(0)
  for (let level = 0; level < numLevels; level++) writer.u32(levels[level] as number)
  writer.f64(state.min).f64(state.max)
  for (let i = start; i < top; i++) writer.f64(items[i] as number)
  return writer.finish()
}

/**
 * Reads any DataSketches KLL doubles image: compact empty, single-item and full layouts (Java and
 * C++, every serial version), and Java's updatable layout. Everything is checked (sizes before
 * allocating, level boundaries, total weight = n, sorted levels, items within [min, max]); any
 * inconsistency throws `ERR_INVALID_SKETCH`.
 */
export function readKllDoubles(bytes: Uint8Array): KllDoublesState {
  const reader = new ByteReader(bytes)
  const preInts = reader.u8()
  const serVer = reader.u8()
  const family = reader.u8()
  const flags = reader.u8()
  const k = reader.u16()
  const m = reader.u8()
  reader.u8()
  if (family !== KLL_FAMILY_ID) throw invalidSketch(`family id ${family} is not KLL (${KLL_FAMILY_ID})`, 2)
  if ((flags & ~KNOWN_FLAGS) !== 0) throw invalidSketch(`unknown KLL flags 0x${flags.toString(16)}`, 3)
  if (m < 2 || m > 8 || (m & 1) !== 0) throw invalidSketch(`m ${m} is not an even number in [2, 8]`, 6)
  if (k < m || k > KLL_MAX_K) throw invalidSketch(`k ${k} is not in [m = ${m}, ${KLL_MAX_K}]`, 4)
  const empty = (flags & FLAG_EMPTY) !== 0
  const single = (flags & FLAG_SINGLE_ITEM) !== 0
  const sorted = (flags & FLAG_LEVEL_ZERO_SORTED) !== 0
  if (serVer === SERIAL_VERSION_UPDATABLE) {
    if (preInts !== PREAMBLE_INTS_FULL)
      throw invalidSketch(`an updatable KLL image has ${preInts} preamble ints, not ${PREAMBLE_INTS_FULL}`, 0)
    return readLevels(reader, k, m, sorted, true)
  }
  if ((flags & FLAG_UPDATABLE_LEGACY) !== 0)
    throw invalidSketch('the updatable flag is set in a compact KLL image', 3)
  if (empty && single) throw invalidSketch('a KLL image cannot be both empty and single-item', 3)
  if (empty || single) {
    if (preInts !== PREAMBLE_INTS_SHORT)
      throw invalidSketch(`an empty or single-item KLL image has ${preInts} preamble ints, not 2`, 0)
    const expected = empty ? SERIAL_VERSION_EMPTY_FULL : SERIAL_VERSION_SINGLE
    if (serVer !== expected)
      throw invalidSketch(`serial version ${serVer} does not match the flags (expected ${expected})`, 1)
    if (empty) {
      reader.end()
      return emptyState(k, m, sorted)
    }
    const item = reader.f64()
    reader.end()
    if (Number.isNaN(item)) throw invalidSketch('the single item is NaN', 8)
    const items = new Float64Array(k)
    items[k - 1] = item
    return {
      k,
      m,
      minK: k,
      n: 1,
      numLevels: 1,
      levels: Int32Array.of(k - 1, k),
      items,
      min: item,
      max: item,
      levelZeroSorted: sorted,
    }
  }
  if (preInts !== PREAMBLE_INTS_FULL)
    throw invalidSketch(`a full KLL image has ${preInts} preamble ints, not ${PREAMBLE_INTS_FULL}`, 0)
  if (serVer !== SERIAL_VERSION_EMPTY_FULL)
    throw invalidSketch(`serial version ${serVer} is not valid for a full KLL image`, 1)
  return readLevels(reader, k, m, sorted, false)
}

function emptyState(k: number, m: number, sorted: boolean): KllDoublesState {
  return {
    k,
    m,
    minK: k,
    n: 0,
    numLevels: 1,
    levels: Int32Array.of(k, k),
    items: new Float64Array(k),
    min: Number.NaN,
    max: Number.NaN,
    levelZeroSorted: sorted,
  }
}

/** Reads the rest of a full (compact or updatable) image, from byte 8. */
function readLevels(
  reader: ByteReader,
  k: number,
  m: number,
  sorted: boolean,
  updatable: boolean,
): KllDoublesState {
  const n = reader.u64Safe('n')
  const minK = reader.u16()
  const numLevels = reader.u8()
  reader.u8()
  if (minK < 2 || minK > k) throw invalidSketch(`min k ${minK} is not in [2, k = ${k}]`, 16)
  if (numLevels < 1 || numLevels > KLL_MAX_LEVELS)
    throw invalidSketch(`${numLevels} levels is not in [1, ${KLL_MAX_LEVELS}]`, 18)
  const capacity = totalCapacity(k, m, numLevels)
  const levels = new Int32Array(numLevels + 1)
  const levelsAt = reader.offset
  reader.need((updatable ? numLevels + 1 : numLevels) * 4, 'levels array')
  for (let level = 0; level < numLevels; level++)
    levels[level] = checkBoundary(reader.u32(), capacity, reader)
  if (updatable) {
    const top = reader.u32()
    if (top !== capacity)
      throw invalidSketch(`the top level boundary ${top} is not the capacity ${capacity}`, reader.offset - 4)
  }
  levels[numLevels] = capacity
  for (let level = 0; level < numLevels; level++)
    if ((levels[level] as number) > (levels[level + 1] as number))
      throw invalidSketch('the level boundaries are not in order', levelsAt + level * 4)
  const start = levels[0] as number
  const retained = capacity - start
  const itemBytes = 16 + (updatable ? capacity : retained) * 8
  if (reader.remaining !== itemBytes)
    throw invalidSketch(
      `${reader.remaining} bytes follow the levels; the layout needs ${itemBytes}`,
      reader.offset,
    )
  if (n === 0) {
    if (!updatable) throw invalidSketch('a full KLL image has n = 0', 8)
    return emptyState(k, m, sorted)
  }
  const statsAt = reader.offset
  const min = reader.f64()
  const max = reader.f64()
  if (!(min <= max)) throw invalidSketch(`min ${min} and max ${max} are not ordered numbers`, statsAt)
  const items = new Float64Array(capacity)
  if (updatable) reader.bytes(start * 8)
  const itemsAt = reader.offset
  for (let i = start; i < capacity; i++) {
    const item = reader.f64()
    if (!(item >= min && item <= max))
      throw invalidSketch(`item ${item} is not within [min ${min}, max ${max}]`, reader.offset - 8)
    items[i] = item
  }
  reader.end()
  let weight = 0
  for (let level = 0; level < numLevels; level++) {
    const from = levels[level] as number
    const to = levels[level + 1] as number
    weight += (to - from) * 2 ** level
    if (level > 0 || sorted)
      for (let i = from + 1; i < to; i++)
        if ((items[i] as number) < (items[i - 1] as number))
          throw invalidSketch(`level ${level} is not sorted`, itemsAt + (i - start) * 8)
  }
  if (weight !== n) throw invalidSketch(`the levels weigh ${weight}, but n is ${n}`, 8)
  return { k, m, minK, n, numLevels, levels, items, min, max, levelZeroSorted: sorted }
}

function checkBoundary(boundary: number, capacity: number, reader: ByteReader): number {
  if (boundary > capacity)
    throw invalidSketch(`level boundary ${boundary} exceeds the capacity ${capacity}`, reader.offset - 4)
  return boundary
}
