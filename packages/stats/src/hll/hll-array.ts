/**
 * The registers of a sketch in HLL mode, with the estimator state DataSketches keeps beside them:
 * the HIP accumulator, the two KxQ registers (Σ 2^-value, split at value 32 to keep precision),
 * the current minimum register value and how many registers hold it, and the out-of-order flag
 * (set by unions, which make the HIP accumulator meaningless: the composite estimator is used).
 */
import { X_TABLES, Y_STRIDES } from './composite-table.js'
import { INVERSE_POWERS_OF_2, MIN_LG_K } from './constants.js'
import { bitmapEstimate } from './harmonic.js'
import { interpolateXStride } from './interpolation.js'
import { relativeError } from './relative-error.js'

/** The state every register layout shares. */
export abstract class HllArray {
  /** log2 of the number of registers. */
  readonly lgK: number
  /** The register bytes in the layout of the target type. */
  readonly bytes: Uint8Array
  /** The HIP estimate so far. */
  hipAccum = 0
  /** Σ 2^-value over the registers with value < 32 (starts at k: all registers 0). */
  kxq0: number
  /** Σ 2^-value over the registers with value ≥ 32. */
  kxq1 = 0
  /** The smallest register value (HLL_4); always 0 for HLL_6 and HLL_8. */
  curMin = 0
  /** How many registers hold `curMin` (for HLL_6 and HLL_8: how many are 0). */
  numAtCurMin: number
  /** True once the array is the result of a union: the HIP accumulator is then not used. */
  outOfOrder = false

  /** @param lgK - log2 of the number of registers; @param byteLength - the register bytes */
  constructor(lgK: number, byteLength: number) {
    this.lgK = lgK
    this.bytes = new Uint8Array(byteLength)
    this.kxq0 = 1 << lgK
    this.numAtCurMin = 1 << lgK
  }

  /** The target type code (0 HLL_4, 1 HLL_6, 2 HLL_8). */
  abstract get typeCode(): number
  /** The actual value of register `slot`. */
  abstract getValue(slot: number): number
  /** Offers a coupon (value << 26 | address) to the registers. */
  abstract couponUpdate(coupon: number): void
  /** A deep copy. */
  abstract copy(): HllArray

  /** Updates the HIP accumulator (before the change) and the KxQ registers for a register going from `oldValue` to `newValue`. */
  hipAndKxq(oldValue: number, newValue: number): void {
    if (!this.outOfOrder) this.hipAccum += (1 << this.lgK) / (this.kxq0 + this.kxq1)
    if (oldValue < 32) this.kxq0 -= INVERSE_POWERS_OF_2[oldValue] as number
    else this.kxq1 -= INVERSE_POWERS_OF_2[oldValue] as number
    if (newValue < 32) this.kxq0 += INVERSE_POWERS_OF_2[newValue] as number
    else this.kxq1 += INVERSE_POWERS_OF_2[newValue] as number
  }

  /** Copies the estimator state of `other` (not the registers). */
  copyStateFrom(other: HllArray): void {
    this.hipAccum = other.hipAccum
    this.kxq0 = other.kxq0
    this.kxq1 = other.kxq1
    this.curMin = other.curMin
    this.numAtCurMin = other.numAtCurMin
    this.outOfOrder = other.outOfOrder
  }

  /** True while no register has been set. */
  isEmpty(): boolean {
    return this.curMin === 0 && this.numAtCurMin === 1 << this.lgK
  }

  /** The HIP estimate, or the composite estimate after a union. */
  estimate(): number {
    return this.outOfOrder ? this.compositeEstimate() : this.hipAccum
  }

  /** The raw HLL estimate (Flajolet et al. 2007) from the KxQ registers. */
  rawEstimate(): number {
    const k = 1 << this.lgK
    const lgK = this.lgK
    const correction = lgK === 4 ? 0.673 : lgK === 5 ? 0.697 : lgK === 6 ? 0.709 : 0.7213 / (1 + 1.079 / k)
    return (correction * k * k) / (this.kxq0 + this.kxq1)
  }

  /** Linear counting over the registers still 0 (a bitmap estimate). */
  bitmapEstimate(): number {
    const k = 1 << this.lgK
    const unhit = this.curMin === 0 ? this.numAtCurMin : 0
    if (unhit === 0) return k * Math.log(k / 0.5)
    return bitmapEstimate(k, k - unhit)
  }

  /**
   * DataSketches' composite estimator: the raw estimate corrected for bias through the
   * interpolation table, or linear counting while that is better (small cardinalities).
   */
  compositeEstimate(): number {
    const lgK = this.lgK
    const raw = this.rawEstimate()
    const xs = X_TABLES[lgK - MIN_LG_K] as Float64Array
    const yStride = Y_STRIDES[lgK - MIN_LG_K] as number
    const last = xs.length - 1
    if (raw < (xs[0] as number)) return 0
    if (raw > (xs[last] as number)) return raw * ((yStride * last) / (xs[last] as number))
    const adjusted = interpolateXStride(xs, yStride, raw)
    if (adjusted > 3 << lgK) return adjusted
    const linear = this.bitmapEstimate()
    const crossOver = lgK === 4 ? 0.718 : lgK === 5 ? 0.672 : 0.64
    return (adjusted + linear) / 2 > crossOver * (1 << lgK) ? adjusted : linear
  }

  /** The lower bound at `numStdDev` (1–3) standard deviations. */
  lowerBound(numStdDev: number): number {
    const k = 1 << this.lgK
    const nonZeros = this.curMin === 0 ? k - this.numAtCurMin : k
    const error = relativeError(false, !this.outOfOrder, this.lgK, numStdDev)
    return Math.max(this.estimate() / (1 + error), nonZeros)
  }

  /** The upper bound at `numStdDev` (1–3) standard deviations. */
  upperBound(numStdDev: number): number {
    const error = relativeError(true, !this.outOfOrder, this.lgK, numStdDev)
    return this.estimate() / (1 + error)
  }
}
