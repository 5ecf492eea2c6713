/**
 * Union of two sketch states with the semantics of DataSketches' HLL Union: the union works in an
 * HLL_8 "gadget" whose lgK is at most the first sketch's; coupons are replayed into it, HLL arrays
 * are merged register-wise (a larger array folded down to the smaller lgK), and a merge of two
 * HLL arrays marks the result out of order (composite estimator from then on).
 */
import { copyOrDownsample, mergeInto } from './arrays.js'
import { MODE_HLL } from './constants.js'
import type { CouponTable } from './coupons.js'
import type { Hll8Array } from './hll8-array.js'
import { HllState } from './state.js'

/** Replays `coupons` into `gadget`. */
function replay(gadget: HllState, coupons: CouponTable): void {
  const entries = coupons.entries
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as number
    if (entry !== 0) gadget.couponUpdate(entry)
  }
}

/** Adds `src` into the union `gadget` (HLL_8, lgK ≤ `lgMaxK`), as DataSketches' union does. */
function unionInto(gadget: HllState, src: HllState, lgMaxK: number): HllState {
  if (src.isEmpty()) return gadget
  if (src.hll === null) {
    const coupons = src.coupons as CouponTable
    if (gadget.isEmpty() && src.lgK === gadget.lgK) {
      const copy = new HllState(gadget.lgK, 2)
      copy.coupons = coupons.copy()
      return copy
    }
    replay(gadget, coupons)
    return gadget
  }
  if (gadget.isEmpty()) {
    const result = new HllState(Math.min(src.lgK, lgMaxK), 2)
    result.coupons = null
    result.hll = copyOrDownsample(src.hll, lgMaxK)
    return result
  }
  if (gadget.mode !== MODE_HLL) {
    // the gadget holds coupons (full 26-bit addresses): start from the array and replay them
    const result = new HllState(Math.min(src.lgK, lgMaxK), 2)
    result.coupons = null
    const hll = copyOrDownsample(src.hll, lgMaxK)
    result.hll = hll
    const entries = (gadget.coupons as CouponTable).entries
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as number
      if (entry !== 0) hll.mergeValue(entry, entry >>> 26)
    }
    return result
  }
  let target = gadget
  if (src.lgK < gadget.lgK) {
    target = new HllState(src.lgK, 2)
    target.coupons = null
    target.hll = copyOrDownsample(gadget.hll as Hll8Array, src.lgK)
  }
  const hll = target.hll as Hll8Array
  mergeInto(hll, src.hll)
  hll.outOfOrder = true
  return target
}

/**
 * The union of `a` and `b` as a new state in `a`'s target type, at `a`'s lgK, or at `b`'s if
 * smaller and `b` is in HLL mode (coupons carry full addresses, so they fit any lgK).
 */
export function unionStates(a: HllState, b: HllState): HllState {
  const lgMaxK = a.lgK
  let gadget = new HllState(lgMaxK, 2)
  gadget = unionInto(gadget, a, lgMaxK)
  gadget = unionInto(gadget, b, lgMaxK)
  return gadget.copy(a.typeCode)
}
