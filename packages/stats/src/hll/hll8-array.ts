/** HLL_8 registers: one byte each. Also the layout of the union's working array. */
import { KEY_BITS_26 } from './constants.js'
import { HllArray } from './hll-array.js'

/** One byte per register; `numAtCurMin` counts the registers still 0. */
export class Hll8Array extends HllArray {
  readonly #mask: number

  /** @param lgK - log2 of the number of registers */
  constructor(lgK: number) {
    super(lgK, 1 << lgK)
    this.#mask = (1 << lgK) - 1
  }

  get typeCode(): number {
    return 2
  }

  getValue(slot: number): number {
    return this.bytes[slot] as number
  }

  couponUpdate(coupon: number): void {
    const slot = coupon & this.#mask
    const value = coupon >>> KEY_BITS_26
    const old = this.bytes[slot] as number
    if (value > old) {
      this.bytes[slot] = value
      this.hipAndKxq(old, value)
      if (old === 0) this.numAtCurMin--
    }
  }

  /** Raises register `slot & mask` to `value` if larger (used to merge arrays, folding larger ones). */
  mergeValue(slot: number, value: number): void {
    const index = slot & this.#mask
    const old = this.bytes[index] as number
    if (value > old) {
      this.bytes[index] = value
      this.hipAndKxq(old, value)
      if (old === 0) this.numAtCurMin--
    }
  }

  copy(): Hll8Array {
    const array = new Hll8Array(this.lgK)
    array.bytes.set(this.bytes)
    array.copyStateFrom(this)
    return array
  }
}
