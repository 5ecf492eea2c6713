/**
 * HLL_4 registers: a nibble per register holding value − curMin (0–14), or 15 meaning "see the
 * exception table". When no register is left at curMin, curMin rises and every nibble shifts
 * down, as in DataSketches (same update order, so the same state and the same images).
 */

import { AuxMap, invariant } from './aux-map.js'
import { AUX_TOKEN, KEY_BITS_26, LG_AUX_ARR_INTS } from './constants.js'
import { HllArray } from './hll-array.js'

/** Four bits per register plus an exception table. */
export class Hll4Array extends HllArray {
  /** Registers ≥ curMin + 15, or null while there are none. */
  aux: AuxMap | null = null
  readonly #mask: number

  /** @param lgK - log2 of the number of registers */
  constructor(lgK: number) {
    super(lgK, 1 << (lgK - 1))
    this.#mask = (1 << lgK) - 1
  }

  get typeCode(): number {
    return 0
  }

  /** The raw nibble of `slot`. */
  getNibble(slot: number): number {
    const byte = this.bytes[slot >>> 1] as number
    return slot & 1 ? byte >>> 4 : byte & 15
  }

  /** Writes the raw nibble of `slot`. */
  putNibble(slot: number, nibble: number): void {
    const at = slot >>> 1
    const byte = this.bytes[at] as number
    this.bytes[at] = slot & 1 ? (byte & 0x0f) | (nibble << 4) : (byte & 0xf0) | nibble
  }

  getValue(slot: number): number {
    const nibble = this.getNibble(slot)
    if (nibble === AUX_TOKEN) return (this.aux as AuxMap).mustFindValue(slot)
    return nibble + this.curMin
  }

  couponUpdate(coupon: number): void {
    const value = coupon >>> KEY_BITS_26
    if (value <= this.curMin) return
    this.update(coupon & this.#mask, value)
  }

  /** Raises register `slot` to `value` if that is larger. */
  update(slot: number, value: number): void {
    const raw = this.getNibble(slot)
    const lowerBound = raw + this.curMin
    if (value <= lowerBound) return
    const old = raw < AUX_TOKEN ? lowerBound : (this.aux as AuxMap).mustFindValue(slot)
    if (value <= old) return
    this.hipAndKxq(old, value)
    const shifted = value - this.curMin
    if (raw === AUX_TOKEN) {
      // both old and new values are exceptions: only the table changes
      if (shifted < AUX_TOKEN) throw invariant('an exception cannot shrink back while curMin stays')
      ;(this.aux as AuxMap).mustReplace(slot, value)
    } else if (shifted >= AUX_TOKEN) {
      this.putNibble(slot, AUX_TOKEN)
      if (this.aux === null) this.aux = new AuxMap(LG_AUX_ARR_INTS[this.lgK] as number, this.lgK)
      this.aux.add(slot, value)
    } else {
      this.putNibble(slot, shifted)
    }
    if (old === this.curMin) {
      this.numAtCurMin--
      while (this.numAtCurMin === 0) this.#shiftToBiggerCurMin()
    }
  }

  /** curMin + 1: every nibble below 15 drops by one; exceptions that now fit move back into the nibbles. */
  #shiftToBiggerCurMin(): void {
    const newCurMin = this.curMin + 1
    const k = 1 << this.lgK
    let numAtNewCurMin = 0
    let tokens = 0
    for (let slot = 0; slot < k; slot++) {
      const nibble = this.getNibble(slot)
      if (nibble === 0) throw invariant('a register below curMin')
      if (nibble < AUX_TOKEN) {
        this.putNibble(slot, nibble - 1)
        if (nibble === 1) numAtNewCurMin++
      } else tokens++
    }
    let newAux: AuxMap | null = null
    const old = this.aux
    if (old !== null) {
      const entries = old.entries
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i] as number
        if (entry === 0) continue
        const slot = entry & this.#mask
        const value = entry >>> KEY_BITS_26
        const shifted = value - newCurMin
        if (shifted < AUX_TOKEN) {
          // no longer an exception: it must be exactly 14 above the new minimum
          this.putNibble(slot, shifted)
          tokens--
        } else {
          if (newAux === null) newAux = new AuxMap(LG_AUX_ARR_INTS[this.lgK] as number, this.lgK)
          newAux.add(slot, value)
        }
      }
    } else if (tokens !== 0) throw invariant('exception tokens without a table')
    if ((newAux === null ? 0 : newAux.count) !== tokens) throw invariant('exception count mismatch')
    this.aux = newAux
    this.curMin = newCurMin
    this.numAtCurMin = numAtNewCurMin
  }

  copy(): Hll4Array {
    const array = new Hll4Array(this.lgK)
    array.bytes.set(this.bytes)
    array.copyStateFrom(this)
    array.aux = this.aux === null ? null : this.aux.copy(this.lgK)
    return array
  }
}
