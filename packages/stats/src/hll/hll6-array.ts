/** HLL_6 registers: 6 bits each, packed little-endian, with one spare byte at the end. */
import { KEY_BITS_26 } from './constants.js'
import { HllArray } from './hll-array.js'

/** The byte length of HLL_6 registers for lgK. */
export function hll6Bytes(lgK: number): number {
  return (((1 << lgK) * 3) >>> 2) + 1
}

/** Six bits per register; `numAtCurMin` counts the registers still 0. */
export class Hll6Array extends HllArray {
  readonly #mask: number

  /** @param lgK - log2 of the number of registers */
  constructor(lgK: number) {
    super(lgK, hll6Bytes(lgK))
    this.#mask = (1 << lgK) - 1
  }

  get typeCode(): number {
    return 1
  }

  getValue(slot: number): number {
    const bit = slot * 6
    const at = bit >>> 3
    const bytes = this.bytes
    return ((((bytes[at + 1] as number) << 8) | (bytes[at] as number)) >>> (bit & 7)) & 63
  }

  /** Writes register `slot`. */
  putValue(slot: number, value: number): void {
    const bit = slot * 6
    const at = bit >>> 3
    const shift = bit & 7
    const bytes = this.bytes
    let word = ((bytes[at + 1] as number) << 8) | (bytes[at] as number)
    word = (word & ~(63 << shift)) | (value << shift)
    bytes[at] = word & 0xff
    bytes[at + 1] = (word >>> 8) & 0xff
  }

  couponUpdate(coupon: number): void {
    const slot = coupon & this.#mask
    const value = coupon >>> KEY_BITS_26
    const old = this.getValue(slot)
    if (value > old) {
      this.putValue(slot, value)
      this.hipAndKxq(old, value)
      if (old === 0) this.numAtCurMin--
    }
  }

  copy(): Hll6Array {
    const array = new Hll6Array(this.lgK)
    array.bytes.set(this.bytes)
    array.copyStateFrom(this)
    return array
  }
}
