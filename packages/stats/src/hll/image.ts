/**
 * The DataSketches HLL binary image (family 7, serial version 1), little-endian:
 *
 * - bytes 0–7, every mode: preamble ints (2 LIST, 3 SET, 10 HLL), serial version, family, lgK,
 *   lgArr (log2 of the coupon table or HLL_4 exception table size), flags, list count (LIST) or
 *   cur-min (HLL), mode byte (bits 0–1 current mode, bits 2–3 target type);
 * - LIST: the coupons from byte 8 (compact: `count` of them; updatable: the whole table);
 * - SET: the coupon count (int) at 8, coupons from 12 (compact: the used cells in table order);
 * - HLL: HIP accumulator, KxQ0, KxQ1 (doubles) at 8, 16, 24; number at cur-min and exception
 *   count (ints) at 32, 36; the registers from 40; for HLL_4, the exception entries after them
 *   (compact: the used entries in table order; updatable: the whole table).
 *
 * The reader accepts compact and updatable images of every mode and type from Java, C++ and
 * others, checks every length, count and invariant it relies on, and throws ERR_INVALID_SKETCH
 * (never anything else) for anything malformed. Allocation is bounded by lgK ≤ 21.
 */
import { ByteReader } from '../bytes/byte-reader.js'
import { invalidSketch } from '../errors.js'
import { AuxMap } from './aux-map.js'
import {
  AUX_TOKEN,
  COMPACT_FLAG,
  EMPTY_FLAG,
  FAMILY_ID,
  HLL_PREINTS,
  HLL_START,
  KEY_BITS_26,
  LG_AUX_ARR_INTS,
  LG_INIT_LIST_SIZE,
  LG_INIT_SET_SIZE,
  LIST_PREINTS,
  MAX_LG_K,
  MIN_LG_K,
  MODE_HLL,
  MODE_LIST,
  MODE_SET,
  OUT_OF_ORDER_FLAG,
  REBUILD_FLAG,
  SERIAL_VERSION,
  SET_PREINTS,
} from './constants.js'
import { CouponTable, findCoupon } from './coupons.js'
import type { HllArray } from './hll-array.js'
import { Hll4Array } from './hll4-array.js'
import { Hll6Array, hll6Bytes } from './hll6-array.js'
import { Hll8Array } from './hll8-array.js'
import { HllState } from './state.js'

/** Options of `HllSketch.toBytes`: which DataSketches layout to write. */
export interface HllImageOptions {
  /** Write the updatable layout (whole tables) instead of the compact one. Default false. */
  updatable?: boolean | undefined
}

function hllBytes(typeCode: number, lgK: number): number {
  return typeCode === 0 ? 1 << (lgK - 1) : typeCode === 1 ? hll6Bytes(lgK) : 1 << lgK
}

/** Serializes a state. */
export function writeImage(state: HllState, options?: HllImageOptions): Uint8Array {
  const compact = options?.updatable !== true
  const lgK = state.lgK
  const modeByte = (state.typeCode << 2) | state.mode
  let flags = compact ? COMPACT_FLAG : 0
  if (state.isEmpty()) flags |= EMPTY_FLAG
  const hll = state.hll
  if (hll === null) {
    const coupons = state.coupons as CouponTable
    const isList = coupons.mode === MODE_LIST
    const start = isList ? 8 : 12
    const stored = compact ? coupons.count : coupons.entries.length
    const bytes = new Uint8Array(state.isEmpty() && compact ? 8 : start + 4 * stored)
    const view = new DataView(bytes.buffer)
    bytes[0] = isList ? LIST_PREINTS : SET_PREINTS
    bytes[1] = SERIAL_VERSION
    bytes[2] = FAMILY_ID
    bytes[3] = lgK
    bytes[4] = coupons.lgSize
    bytes[5] = flags
    bytes[6] = isList ? coupons.count : 0
    bytes[7] = modeByte
    if (bytes.length === 8) return bytes
    if (!isList) view.setInt32(8, coupons.count, true)
    let at = start
    const entries = coupons.entries
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as number
      if (entry === 0 && compact) continue
      view.setInt32(at, entry, true)
      at += 4
    }
    return bytes
  }
  if (hll.outOfOrder) flags |= OUT_OF_ORDER_FLAG
  const aux = hll instanceof Hll4Array ? hll.aux : null
  const arrayBytes = hll.bytes.length
  let auxInts = 0
  if (hll instanceof Hll4Array)
    auxInts = compact
      ? aux === null
        ? 0
        : aux.count
      : aux === null
        ? 1 << (LG_AUX_ARR_INTS[lgK] as number)
        : aux.entries.length
  const bytes = new Uint8Array(HLL_START + arrayBytes + 4 * auxInts)
  const view = new DataView(bytes.buffer)
  bytes[0] = HLL_PREINTS
  bytes[1] = SERIAL_VERSION
  bytes[2] = FAMILY_ID
  bytes[3] = lgK
  bytes[4] = aux === null ? 0 : aux.lgSize
  bytes[5] = flags
  bytes[6] = hll.curMin
  bytes[7] = modeByte
  view.setFloat64(8, hll.hipAccum, true)
  view.setFloat64(16, hll.kxq0, true)
  view.setFloat64(24, hll.kxq1, true)
  view.setInt32(32, hll.numAtCurMin, true)
  view.setInt32(36, aux === null ? 0 : aux.count, true)
  bytes.set(hll.bytes, HLL_START)
  if (aux !== null) {
    let at = HLL_START + arrayBytes
    const entries = aux.entries
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as number
      if (entry === 0 && compact) continue
      view.setInt32(at, entry, true)
      at += 4
    }
  }
  return bytes
}

/** Deserializes an image (compact or updatable, any mode and target type). */
export function readImage(bytes: Uint8Array): HllState {
  const reader = new ByteReader(bytes)
  reader.need(8, 'preamble')
  const preInts = reader.u8()
  const serialVersion = reader.u8()
  const family = reader.u8()
  const lgK = reader.u8()
  const lgArr = reader.u8()
  const flags = reader.u8()
  const countOrCurMin = reader.u8()
  const modeByte = reader.u8()
  if (family !== FAMILY_ID) throw invalidSketch(`family ${family} is not HLL (${FAMILY_ID})`, 2)
  if (serialVersion !== SERIAL_VERSION)
    throw invalidSketch(`HLL serial version ${serialVersion} is not supported`, 1)
  if (lgK < MIN_LG_K || lgK > MAX_LG_K) throw invalidSketch(`lgK ${lgK} is outside 4–21`, 3)
  const mode = modeByte & 3
  const typeCode = (modeByte >>> 2) & 3
  if (mode > MODE_HLL || typeCode > 2 || modeByte > 15)
    throw invalidSketch(`mode byte ${modeByte} names no mode and target type`, 7)
  const expectedPreInts = mode === MODE_LIST ? LIST_PREINTS : mode === MODE_SET ? SET_PREINTS : HLL_PREINTS
  if (preInts !== expectedPreInts)
    throw invalidSketch(`${preInts} preamble ints do not match the mode (${expectedPreInts})`, 0)
  const compact = (flags & COMPACT_FLAG) !== 0
  const empty = (flags & EMPTY_FLAG) !== 0
  const state = new HllState(lgK, typeCode)
  if (mode === MODE_LIST) {
    if (empty) return state
    const count = countOrCurMin
    if (!compact && lgArr !== LG_INIT_LIST_SIZE) throw invalidSketch(`list lgArr ${lgArr} is not 3`, 4)
    reader.need(4 * (compact ? count : 1 << LG_INIT_LIST_SIZE), 'coupon list')
    readCoupons(reader, state, count)
    if (state.mode === MODE_LIST && (state.coupons as CouponTable).count !== count)
      throw invalidSketch('the coupon list has duplicates', 8)
    return state
  }
  if (mode === MODE_SET) {
    if (lgK < 8) throw invalidSketch(`a coupon hash set needs lgK ≥ 8, not ${lgK}`, 3)
    const count = reader.i32()
    if (count < 0 || count > 3 * (1 << (lgK - 5)))
      throw invalidSketch(`coupon count ${count} is out of range`, 8)
    if (empty && count === 0) return state
    if (compact) {
      reader.need(4 * count, 'coupon set')
      return readCompactSet(reader, state, count)
    }
    if (lgArr < LG_INIT_SET_SIZE || lgArr > lgK - 3)
      throw invalidSketch(`coupon set lgArr ${lgArr} is out of range`, 4)
    reader.need(4 << lgArr, 'coupon set')
    return readUpdatableSet(reader, state, count, lgArr)
  }
  return readHll(reader, state, flags, countOrCurMin, lgArr)
}

/** Validates a coupon: a value of 1–63 above a 26-bit address. */
function checkCoupon(coupon: number, at: number): void {
  const value = coupon >>> KEY_BITS_26
  if (value === 0) throw invalidSketch('a coupon has value 0', at)
}

function readCoupons(reader: ByteReader, state: HllState, count: number): void {
  for (let i = 0; i < count; i++) {
    const at = reader.offset
    const coupon = reader.i32()
    checkCoupon(coupon, at)
    state.couponUpdate(coupon)
  }
}

/**
 * A compact set: its coupons re-inserted in image order into a new set, as DataSketches Java and
 * C++ do. The set holds the same coupons, possibly in another table order than the writer's.
 */
function readCompactSet(reader: ByteReader, state: HllState, count: number): HllState {
  state.coupons = new CouponTable(MODE_SET)
  const before = reader.offset
  readCoupons(reader, state, count)
  if (state.mode === MODE_SET && (state.coupons as CouponTable).count !== count)
    throw invalidSketch('the coupon set has duplicates', before)
  return state
}

/** An updatable set: the table as it is, after checking that every coupon is where a lookup finds it. */
function readUpdatableSet(reader: ByteReader, state: HllState, count: number, lgArr: number): HllState {
  const table = new CouponTable(MODE_SET, lgArr)
  const entries = table.entries
  const start = reader.offset
  for (let i = 0; i < entries.length; i++) entries[i] = reader.i32()
  let used = 0
  for (let i = 0; i < entries.length; i++) {
    const coupon = entries[i] as number
    if (coupon === 0) continue
    checkCoupon(coupon, start + 4 * i)
    if (findCoupon(entries, lgArr, coupon) !== i)
      throw invalidSketch('the coupon set is corrupt', start + 4 * i)
    used++
  }
  if (used !== count) throw invalidSketch(`the coupon set holds ${used} coupons, not ${count}`, 8)
  table.count = count
  state.coupons = table
  return state
}

function readHll(
  reader: ByteReader,
  state: HllState,
  flags: number,
  curMin: number,
  lgArr: number,
): HllState {
  const lgK = state.lgK
  const k = 1 << lgK
  const typeCode = state.typeCode
  const hipAccum = reader.f64()
  const kxq0 = reader.f64()
  const kxq1 = reader.f64()
  const numAtCurMin = reader.i32()
  const auxCount = reader.i32()
  if (!Number.isFinite(hipAccum) || hipAccum < 0) throw invalidSketch('the HIP accumulator is not a count', 8)
  if (!Number.isFinite(kxq0) || !Number.isFinite(kxq1) || kxq0 < 0 || kxq1 < 0 || kxq0 + kxq1 <= 0)
    throw invalidSketch('the KxQ registers are out of range', 16)
  if (auxCount < 0 || auxCount > k || (typeCode !== 0 && auxCount !== 0))
    throw invalidSketch(`exception count ${auxCount} is out of range`, 36)
  const arrayBytes = hllBytes(typeCode, lgK)
  const registers = reader.bytes(arrayBytes)
  let hll: HllArray
  if (typeCode === 2) {
    const array = new Hll8Array(lgK)
    array.bytes.set(registers)
    for (let i = 0; i < k; i++)
      if ((registers[i] as number) > 63) throw invalidSketch('an HLL_8 register exceeds 63', HLL_START + i)
    hll = array
  } else if (typeCode === 1) {
    const array = new Hll6Array(lgK)
    array.bytes.set(registers)
    hll = array
  } else {
    const array = new Hll4Array(lgK)
    array.bytes.set(registers)
    array.curMin = curMin
    if (auxCount > 0) array.aux = readAux(reader, array, auxCount, lgArr, (flags & COMPACT_FLAG) !== 0)
    hll = array
  }
  // recount the minimum register and its multiplicity; the image must agree unless flagged stale
  let min = 64
  let atMin = 0
  let tokens = 0
  for (let slot = 0; slot < k; slot++) {
    let value: number
    if (hll instanceof Hll4Array) {
      const nibble = hll.getNibble(slot)
      if (nibble === AUX_TOKEN) {
        tokens++
        value = hll.aux === null ? -1 : hll.aux.valueOf(slot)
        if (value < curMin + AUX_TOKEN)
          throw invalidSketch(`register ${slot} is marked exceptional without a valid exception`, HLL_START)
      } else value = nibble + curMin
      if (value > 63) throw invalidSketch(`register ${slot} exceeds 63`, HLL_START)
    } else value = hll.getValue(slot)
    if (value < min) {
      min = value
      atMin = 1
    } else if (value === min) atMin++
  }
  if (hll instanceof Hll4Array && tokens !== auxCount)
    throw invalidSketch(`${tokens} exceptional registers but ${auxCount} exceptions`, 36)
  const stale = (flags & REBUILD_FLAG) !== 0
  if (typeCode !== 0) {
    // HLL_6 and HLL_8 keep cur-min at 0 and count the registers still 0
    const zeros = min === 0 ? atMin : 0
    if (curMin !== 0) throw invalidSketch(`cur-min ${curMin} of an HLL_6/8 image is not 0`, 6)
    if (!stale && numAtCurMin !== zeros)
      throw invalidSketch(`${numAtCurMin} registers at cur-min, counted ${zeros}`, 32)
    hll.numAtCurMin = zeros
  } else {
    if (!stale && (min !== curMin || numAtCurMin !== atMin))
      throw invalidSketch(`cur-min ${curMin} × ${numAtCurMin} does not match the registers`, 6)
    hll.curMin = min
    hll.numAtCurMin = atMin
  }
  hll.outOfOrder = (flags & OUT_OF_ORDER_FLAG) !== 0
  hll.hipAccum = hipAccum
  hll.kxq0 = kxq0
  hll.kxq1 = kxq1
  // KxQ must agree with the registers (later updates subtract from it), unless flagged stale
  let q0 = 0
  let q1 = 0
  for (let slot = 0; slot < k; slot++) {
    const value = hll.getValue(slot)
    if (value < 32) q0 += 2 ** -value
    else q1 += 2 ** -value
  }
  if (stale) {
    // Java's union left KxQ and cur-min stale: take them from the registers
    hll.kxq0 = q0
    hll.kxq1 = q1
    if (hll instanceof Hll4Array && min !== curMin) return rebased(state, hll)
  } else if (Math.abs(kxq0 - q0) > 1e-9 * q0 || Math.abs(kxq1 - q1) > 1e-9)
    throw invalidSketch('the KxQ registers do not match the registers', 16)
  state.coupons = null
  state.hll = hll
  return state
}

/** An HLL_4 array whose nibbles were relative to a stale cur-min, rebuilt from its values. */
function rebased(state: HllState, hll: Hll4Array): HllState {
  const fixed = new Hll8Array(hll.lgK)
  for (let slot = 0; slot < 1 << hll.lgK; slot++) fixed.bytes[slot] = hll.getValue(slot)
  fixed.copyStateFrom(hll)
  state.coupons = null
  state.hll = fixed
  const converted = state.copy(0)
  return converted
}

function readAux(
  reader: ByteReader,
  array: Hll4Array,
  auxCount: number,
  lgArr: number,
  compact: boolean,
): AuxMap {
  const lgK = array.lgK
  const mask = (1 << lgK) - 1
  let lgSize = LG_AUX_ARR_INTS[lgK] as number
  while (4 * auxCount > 3 * (1 << lgSize)) lgSize++
  let stored = auxCount
  if (!compact) {
    if (lgArr < lgSize || lgArr > lgK)
      throw invalidSketch(`exception table lgArr ${lgArr} is out of range`, 4)
    stored = 1 << lgArr
  }
  const map = new AuxMap(LG_AUX_ARR_INTS[lgK] as number, lgK)
  reader.need(4 * stored, 'exception table')
  for (let i = 0; i < stored; i++) {
    const at = reader.offset
    const entry = reader.i32()
    if (entry === 0) {
      if (compact) throw invalidSketch('an empty exception entry', at)
      continue
    }
    if (!map.add(entry & mask, entry >>> KEY_BITS_26)) throw invalidSketch('a duplicate exception', at)
  }
  if (map.count !== auxCount) throw invalidSketch(`${map.count} exceptions, not ${auxCount}`, 36)
  return map
}
