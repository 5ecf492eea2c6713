/**
 * The exception table of HLL_4 registers: slot → value for the registers whose value is 15 or
 * more above the current minimum, as an open-addressing hash map of coupon-shaped ints
 * (value << 26 | slot), laid out exactly as DataSketches lays it out, so images match.
 */
import { KEY_BITS_26, KEY_MASK_26, RESIZE_DENOM, RESIZE_NUMER } from './constants.js'

/** Thrown for a broken internal invariant (never for bad input, which is checked before). */
export function invariant(message: string): Error {
  return new Error(`HLL invariant broken: ${message}`)
}

/** Slot → value exceptions of an HLL_4 array. */
export class AuxMap {
  /** log2 of the table size. */
  lgSize: number
  /** Entries in use. */
  count = 0
  /** The table: 0 for empty, else value << 26 | slot. */
  entries: Int32Array
  readonly #slotMask: number

  /** @param lgSize - log2 of the initial table size; @param lgK - the sketch's lgK */
  constructor(lgSize: number, lgK: number) {
    this.lgSize = lgSize
    this.entries = new Int32Array(1 << lgSize)
    this.#slotMask = (1 << lgK) - 1
  }

  /** A deep copy. */
  copy(lgK: number): AuxMap {
    const map = new AuxMap(this.lgSize, lgK)
    map.entries.set(this.entries)
    map.count = this.count
    return map
  }

  /** The index of `slot`'s entry, or ~index of the empty cell where it would go; -1 − size if the table is full. */
  find(slot: number): number {
    const entries = this.entries
    const mask = entries.length - 1
    let probe = slot & mask
    const start = probe
    do {
      const entry = entries[probe] as number
      if (entry === 0) return ~probe
      if ((entry & this.#slotMask) === slot) return probe
      probe = (probe + ((slot >>> this.lgSize) | 1)) & mask
    } while (probe !== start)
    return -1 - entries.length
  }

  /** The value stored for `slot`, or -1 if it has none. */
  valueOf(slot: number): number {
    const index = this.find(slot)
    return index >= 0 ? (this.entries[index] as number) >>> KEY_BITS_26 : -1
  }

  /** The value stored for `slot`, which must be there. */
  mustFindValue(slot: number): number {
    const index = this.find(slot)
    if (index < 0) throw invariant(`slot ${slot} missing from the exception table`)
    return (this.entries[index] as number) >>> KEY_BITS_26
  }

  /** Adds `slot` → `value`; returns false if `slot` is already there. */
  add(slot: number, value: number): boolean {
    const index = this.find(slot)
    if (index >= 0) return false
    if (index < -this.entries.length) throw invariant('exception table full')
    this.entries[~index] = (value << KEY_BITS_26) | (slot & KEY_MASK_26)
    this.count++
    if (RESIZE_DENOM * this.count > RESIZE_NUMER * this.entries.length) this.#grow()
    return true
  }

  /** Replaces the value of `slot`, which must be there. */
  mustReplace(slot: number, value: number): void {
    const index = this.find(slot)
    if (index < 0) throw invariant(`slot ${slot} missing from the exception table`)
    this.entries[index] = (value << KEY_BITS_26) | (slot & KEY_MASK_26)
  }

  #grow(): void {
    const old = this.entries
    this.lgSize++
    this.entries = new Int32Array(1 << this.lgSize)
    for (let i = 0; i < old.length; i++) {
      const entry = old[i] as number
      if (entry !== 0) this.entries[~this.find(entry & this.#slotMask)] = entry
    }
  }
}
