/**
 * The slot hashes of the DataSketches Java frequent-items maps, so that our tables place keys in
 * the same slots as Java does and our images list them in the same order: the 64-bit finaliser
 * of MurmurHash3 (`fmix64`) over a long key, or over the sign-extended `String.hashCode()` of a
 * string key. Only the low 32 bits of the result are used (a slot is `hash & (length − 1)`).
 * 64-bit words are pairs of 32-bit halves; nothing here allocates.
 */

/** High 32 bits of the 64-bit product of two unsigned 32-bit numbers. */
function mulHigh(a: number, b: number): number {
  const aLow = a & 0xffff
  const aHigh = a >>> 16
  const bLow = b & 0xffff
  const bHigh = b >>> 16
  const low = aLow * bLow
  const cross1 = aHigh * bLow
  const cross2 = aLow * bHigh
  const carry = (low >>> 16) + (cross1 & 0xffff) + (cross2 & 0xffff)
  return (aHigh * bHigh + (cross1 >>> 16) + (cross2 >>> 16) + (carry >>> 16)) >>> 0
}

// fmix64's multipliers: 0xff51afd7ed558ccd and 0xc4ceb9fe1a85ec53
const M1_HI = 0xff51afd7
const M1_LO = 0xed558ccd
const M2_HI = 0xc4ceb9fe
const M2_LO = 0x1a85ec53

/**
 * The low 32 bits (as a signed int) of `fmix64(hi:lo)`: `k ^= k >>> 33; k *= M1; k ^= k >>> 33;
 * k *= M2; k ^= k >>> 33`.
 */
export function fmix64Low(hi: number, lo: number): number {
  hi >>>= 0
  lo = (lo ^ (hi >>> 1)) >>> 0
  // k *= M1
  let nextHi = (mulHigh(lo, M1_LO) + Math.imul(hi, M1_LO) + Math.imul(lo, M1_HI)) >>> 0
  let nextLo = Math.imul(lo, M1_LO) >>> 0
  hi = nextHi
  lo = (nextLo ^ (hi >>> 1)) >>> 0
  // k *= M2
  nextHi = (mulHigh(lo, M2_LO) + Math.imul(hi, M2_LO) + Math.imul(lo, M2_HI)) >>> 0
  nextLo = Math.imul(lo, M2_LO) >>> 0
  return (nextLo ^ (nextHi >>> 1)) | 0
}

/** Java's `String.hashCode()` over UTF-16 code units, as a signed 32-bit int. */
export function javaStringHashCode(text: string): number {
  let h = 0
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0
  return h
}

/** The slot hash Java gives a string key: `fmix64((long) key.hashCode())`, low 32 bits. */
export function javaStringSlotHash(text: string): number {
  const h = javaStringHashCode(text)
  return fmix64Low(h < 0 ? 0xffffffff : 0, h)
}
