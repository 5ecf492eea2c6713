/**
 * The coupon modes. A coupon is one update reduced to 32 bits: a 26-bit address (the low bits of
 * the hash's first word) and a 6-bit value (the leading zeros of its second word, plus one, at
 * most 63). While few keys have been seen, DataSketches keeps the distinct coupons themselves: in
 * a list of 8 while fewer than 8, then in an open-addressing hash set that grows by doubling at a
 * 3/4 load until it reaches 2^(lgK−3) ints, and then switches to HLL registers.
 */
import type { Hash128 } from '../hash/murmur3.js'
import {
  KEY_BITS_26,
  KEY_MASK_26,
  LG_INIT_LIST_SIZE,
  LG_INIT_SET_SIZE,
  MODE_LIST,
  MODE_SET,
  RESIZE_DENOM,
  RESIZE_NUMER,
} from './constants.js'

/** The coupon of a 128-bit hash. */
export function couponOf(hash: Hash128): number {
  const zeros = hash.h2Hi !== 0 ? Math.clz32(hash.h2Hi) : 32 + Math.clz32(hash.h2Lo)
  const value = zeros > 62 ? 63 : zeros + 1
  return (value << KEY_BITS_26) | (hash.h1Lo & KEY_MASK_26)
}

/** What an insertion asks of the caller. */
export const ADDED = 0
export const PROMOTE_TO_SET = 1
export const PROMOTE_TO_HLL = 2

/** Where `coupon` is in a hash set (index), or ~index of the empty cell for it; -1 − size if full. */
export function findCoupon(entries: Int32Array, lgSize: number, coupon: number): number {
  const mask = entries.length - 1
  let probe = coupon & mask
  const start = probe
  do {
    const entry = entries[probe] as number
    if (entry === 0) return ~probe
    if (entry === coupon) return probe
    probe = (probe + (((coupon & KEY_MASK_26) >>> lgSize) | 1)) & mask
  } while (probe !== start)
  return -1 - entries.length
}

/** A coupon list or hash set. */
export class CouponTable {
  /** MODE_LIST or MODE_SET. */
  mode: number
  /** log2 of the table size. */
  lgSize: number
  /** Distinct coupons held. */
  count = 0
  /** The table (0 = empty). */
  entries: Int32Array

  /** @param mode - MODE_LIST or MODE_SET; @param lgSize - log2 of the table size */
  constructor(mode: number, lgSize = mode === MODE_LIST ? LG_INIT_LIST_SIZE : LG_INIT_SET_SIZE) {
    this.mode = mode
    this.lgSize = lgSize
    this.entries = new Int32Array(1 << lgSize)
  }

  /** A deep copy. */
  copy(): CouponTable {
    const table = new CouponTable(this.mode, this.lgSize)
    table.entries.set(this.entries)
    table.count = this.count
    return table
  }

  /** Adds a coupon; returns ADDED, or the promotion the table now needs (it holds the coupon either way). */
  add(coupon: number, lgK: number): number {
    const entries = this.entries
    if (this.mode === MODE_LIST) {
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i] as number
        if (entry === 0) {
          entries[i] = coupon
          if (++this.count === entries.length) return lgK < 8 ? PROMOTE_TO_HLL : PROMOTE_TO_SET
          return ADDED
        }
        if (entry === coupon) return ADDED
      }
      return lgK < 8 ? PROMOTE_TO_HLL : PROMOTE_TO_SET
    }
    const index = findCoupon(entries, this.lgSize, coupon)
    if (index >= 0) return ADDED
    entries[~index] = coupon
    this.count++
    if (RESIZE_DENOM * this.count > RESIZE_NUMER * entries.length) {
      if (this.lgSize === lgK - 3) return PROMOTE_TO_HLL
      this.#grow()
    }
    return ADDED
  }

  /** This list's coupons in a new hash set. */
  toSet(lgK: number): CouponTable {
    const set = new CouponTable(MODE_SET)
    const entries = this.entries
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as number
      if (entry !== 0) set.add(entry, lgK)
    }
    return set
  }

  #grow(): void {
    const old = this.entries
    this.lgSize++
    const entries = new Int32Array(1 << this.lgSize)
    for (let i = 0; i < old.length; i++) {
      const entry = old[i] as number
      if (entry !== 0) entries[~findCoupon(entries, this.lgSize, entry)] = entry
    }
    this.entries = entries
  }
}
