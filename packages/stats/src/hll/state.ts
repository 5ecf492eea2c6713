/** The mutable state of an HLL sketch: lgK, target type, and either coupons or registers. */
import { convertArray, newHllArray } from './arrays.js'
import { MODE_HLL, MODE_LIST } from './constants.js'
import { couponEstimate, couponRawEstimate } from './coupon-mapping.js'
import { CouponTable, PROMOTE_TO_HLL, PROMOTE_TO_SET } from './coupons.js'
import type { HllArray } from './hll-array.js'
import { COUPON_RSE } from './relative-error.js'

/** Coupons (LIST or SET mode) or registers (HLL mode) for one sketch. */
export class HllState {
  /** log2 of the number of registers. */
  readonly lgK: number
  /** Target type code (0 HLL_4, 1 HLL_6, 2 HLL_8). */
  typeCode: number
  /** The coupons while in LIST or SET mode, else null. */
  coupons: CouponTable | null
  /** The registers in HLL mode, else null. */
  hll: HllArray | null

  /** An empty sketch state (LIST mode). */
  constructor(lgK: number, typeCode: number) {
    this.lgK = lgK
    this.typeCode = typeCode
    this.coupons = new CouponTable(MODE_LIST)
    this.hll = null
  }

  /** The mode code (0 LIST, 1 SET, 2 HLL). */
  get mode(): number {
    return this.hll !== null ? MODE_HLL : (this.coupons as CouponTable).mode
  }

  /** Offers one coupon. */
  couponUpdate(coupon: number): void {
    const hll = this.hll
    if (hll !== null) {
      hll.couponUpdate(coupon)
      return
    }
    const coupons = this.coupons as CouponTable
    const action = coupons.add(coupon, this.lgK)
    if (action === PROMOTE_TO_SET) this.coupons = coupons.toSet(this.lgK)
    else if (action === PROMOTE_TO_HLL) this.promoteToHll()
  }

  /** Moves the coupons into registers: replayed in table order, HIP accumulator = the coupon estimate. */
  promoteToHll(): void {
    const coupons = this.coupons as CouponTable
    const hll = newHllArray(this.typeCode, this.lgK)
    const entries = coupons.entries
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as number
      if (entry !== 0) hll.couponUpdate(entry)
    }
    hll.hipAccum = couponEstimate(coupons.count)
    hll.outOfOrder = false
    this.hll = hll
    this.coupons = null
  }

  /** A deep copy, in target type `typeCode` (default: the same). */
  copy(typeCode = this.typeCode): HllState {
    const state = new HllState(this.lgK, typeCode)
    state.coupons = this.coupons === null ? null : this.coupons.copy()
    state.hll = this.hll === null ? null : convertArray(this.hll, typeCode)
    return state
  }

  /** True while nothing has been added. */
  isEmpty(): boolean {
    return this.hll !== null ? this.hll.isEmpty() : (this.coupons as CouponTable).count === 0
  }

  /** The estimate. */
  estimate(): number {
    if (this.hll !== null) return this.hll.estimate()
    const count = (this.coupons as CouponTable).count
    return count === 0 ? 0 : couponEstimate(count)
  }

  /** The composite (non-HIP) estimate; the coupon estimate in LIST and SET modes. */
  compositeEstimate(): number {
    if (this.hll !== null) return this.hll.compositeEstimate()
    return this.estimate()
  }

  /** The lower bound at `numStdDev` standard deviations. */
  lowerBound(numStdDev: number): number {
    if (this.hll !== null) return this.hll.lowerBound(numStdDev)
    const count = (this.coupons as CouponTable).count
    if (count === 0) return 0
    return Math.max(couponRawEstimate(count) / (1 + numStdDev * COUPON_RSE), count)
  }

  /** The upper bound at `numStdDev` standard deviations. */
  upperBound(numStdDev: number): number {
    if (this.hll !== null) return this.hll.upperBound(numStdDev)
    const count = (this.coupons as CouponTable).count
    if (count === 0) return 0
    return Math.max(couponRawEstimate(count) / (1 - numStdDev * COUPON_RSE), count)
  }
}
