/** Making and converting register arrays between the three layouts, as DataSketches converts them. */
import { AuxMap } from './aux-map.js'
import { AUX_TOKEN, LG_AUX_ARR_INTS } from './constants.js'
import type { HllArray } from './hll-array.js'
import { Hll4Array } from './hll4-array.js'
import { Hll6Array } from './hll6-array.js'
import { Hll8Array } from './hll8-array.js'

/** An empty register array of target type `typeCode` (0 HLL_4, 1 HLL_6, 2 HLL_8). */
export function newHllArray(typeCode: number, lgK: number): HllArray {
  if (typeCode === 0) return new Hll4Array(lgK)
  if (typeCode === 1) return new Hll6Array(lgK)
  return new Hll8Array(lgK)
}

/**
 * `src` in layout `typeCode`: a copy if it already is, else a rebuild that replays every non-zero
 * register (recomputing KxQ, curMin and its count) and keeps the HIP accumulator and the
 * out-of-order flag.
 */
export function convertArray(src: HllArray, typeCode: number): HllArray {
  if (src.typeCode === typeCode) return src.copy()
  const lgK = src.lgK
  const k = 1 << lgK
  if (typeCode === 0) {
    const dst = new Hll4Array(lgK)
    dst.outOfOrder = src.outOfOrder
    let curMin = 64
    let numAtCurMin = 0
    for (let slot = 0; slot < k; slot++) {
      const value = src.getValue(slot)
      if (value < curMin) {
        curMin = value
        numAtCurMin = 1
      } else if (value === curMin) numAtCurMin++
    }
    for (let slot = 0; slot < k; slot++) {
      const value = src.getValue(slot)
      if (value === 0) continue
      dst.hipAndKxq(0, value)
      if (value >= curMin + AUX_TOKEN) {
        dst.putNibble(slot, AUX_TOKEN)
        if (dst.aux === null) dst.aux = new AuxMap(LG_AUX_ARR_INTS[lgK] as number, lgK)
        dst.aux.add(slot, value)
      } else dst.putNibble(slot, value - curMin)
    }
    dst.curMin = curMin
    dst.numAtCurMin = numAtCurMin
    dst.hipAccum = src.hipAccum
    return dst
  }
  const dst = typeCode === 1 ? new Hll6Array(lgK) : new Hll8Array(lgK)
  dst.outOfOrder = src.outOfOrder
  let zeros = k
  for (let slot = 0; slot < k; slot++) {
    const value = src.getValue(slot)
    if (value === 0) continue
    zeros--
    dst.couponUpdate((value << 26) | slot)
  }
  dst.numAtCurMin = zeros
  dst.hipAccum = src.hipAccum
  return dst
}

/** Merges `src` (lgK ≥ `dst`'s) register by register into `dst`, folding larger arrays by the low address bits. */
export function mergeInto(dst: Hll8Array, src: HllArray): void {
  const k = 1 << src.lgK
  if (src instanceof Hll8Array) {
    const bytes = src.bytes
    for (let slot = 0; slot < k; slot++) dst.mergeValue(slot, bytes[slot] as number)
    return
  }
  for (let slot = 0; slot < k; slot++) dst.mergeValue(slot, src.getValue(slot))
}

/** `src` as an HLL_8 array at `lgK` (≤ its own), keeping its HIP accumulator and out-of-order flag. */
export function copyOrDownsample(src: HllArray, lgK: number): Hll8Array {
  if (src.lgK <= lgK) return convertArray(src, 2) as Hll8Array
  const dst = new Hll8Array(lgK)
  mergeInto(dst, src)
  dst.hipAccum = src.hipAccum
  dst.outOfOrder = src.outOfOrder
  return dst
}
