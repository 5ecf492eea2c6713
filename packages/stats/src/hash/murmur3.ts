/**
 * MurmurHash3 x64-128 (Austin Appleby's reference), the hash Apache DataSketches uses (seed
 * 9001). JavaScript has no 64-bit integer arithmetic that is fast, so each 64-bit word is a pair
 * of unsigned 32-bit halves; results come back through an output object, so hashing allocates
 * nothing.
 */

/** A 128-bit hash as four unsigned 32-bit words: `h1` and `h2` are the two 64-bit halves. */
export interface Hash128 {
  /** High 32 bits of the first 64-bit half. */
  h1Hi: number
  /** Low 32 bits of the first 64-bit half. */
  h1Lo: number
  /** High 32 bits of the second 64-bit half. */
  h2Hi: number
  /** Low 32 bits of the second 64-bit half. */
  h2Lo: number
}

/** A fresh, zeroed {@link Hash128} to reuse as output. */
export function hash128(): Hash128 {
  return { h1Hi: 0, h1Lo: 0, h2Hi: 0, h2Lo: 0 }
}

// result registers of the 64-bit helpers below
let rHi = 0
let rLo = 0

/** High 32 bits of the 64-bit product of two unsigned 32-bit values. */
function mulHi32(a: number, b: number): number {
  const a0 = a & 0xffff
  const a1 = a >>> 16
  const b0 = b & 0xffff
  const b1 = b >>> 16
  let t = a0 * b0
  const k0 = t >>> 16
  t = a1 * b0 + k0
  const w1 = t & 0xffff
  const w2 = t >>> 16
  t = a0 * b1 + w1
  return (a1 * b1 + w2 + (t >>> 16)) >>> 0
}

/** (aHi:aLo × bHi:bLo) mod 2^64 into rHi:rLo. */
function mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  rLo = Math.imul(aLo, bLo) >>> 0
  rHi = (mulHi32(aLo, bLo) + Math.imul(aHi, bLo) + Math.imul(aLo, bHi)) >>> 0
}

/** (aHi:aLo + bHi:bLo) mod 2^64 into rHi:rLo. */
function add64(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const lo = aLo + bLo
  rLo = lo >>> 0
  rHi = (aHi + bHi + (lo > 0xffffffff ? 1 : 0)) >>> 0
}

/** hi:lo rotated left by r (0 < r < 64) into rHi:rLo. */
function rotl64(hi: number, lo: number, r: number): void {
  if (r >= 32) {
    const t = hi
    hi = lo
    lo = t
    r -= 32
  }
  if (r === 0) {
    rHi = hi
    rLo = lo
    return
  }
  rHi = ((hi << r) | (lo >>> (32 - r))) >>> 0
  rLo = ((lo << r) | (hi >>> (32 - r))) >>> 0
}

// c1 = 0x87c37b91114253d5, c2 = 0x4cf5ad432745937f
const C1_HI = 0x87c37b91
const C1_LO = 0x114253d5
const C2_HI = 0x4cf5ad43
const C2_LO = 0x2745937f

/** The final avalanche of a 64-bit word, into rHi:rLo. */
function fmix64(hi: number, lo: number): void {
  lo = (lo ^ (hi >>> 1)) >>> 0 // k ^= k >>> 33
  mul64(hi, lo, 0xff51afd7, 0xed558ccd)
  hi = rHi
  lo = (rLo ^ (hi >>> 1)) >>> 0
  mul64(hi, lo, 0xc4ceb9fe, 0x1a85ec53)
  hi = rHi
  rLo = (rLo ^ (hi >>> 1)) >>> 0
}

function word(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24)) >>>
    0
  )
}

/**
 * Hashes `bytes[offset, offset + length)` with a 32-bit `seed` (widened to 64 bits, as
 * DataSketches does) into `out`, and returns `out`.
 */
export function murmur3x64128(
  bytes: Uint8Array,
  offset: number,
  length: number,
  seed: number,
  out: Hash128,
): Hash128 {
  let h1Hi = 0
  let h1Lo = seed >>> 0
  let h2Hi = 0
  let h2Lo = seed >>> 0
  const blocks = length >>> 4
  let at = offset
  for (let i = 0; i < blocks; i++, at += 16) {
    // k1 *= c1; k1 = rotl(k1, 31); k1 *= c2; h1 ^= k1
    mul64(word(bytes, at + 4), word(bytes, at), C1_HI, C1_LO)
    rotl64(rHi, rLo, 31)
    mul64(rHi, rLo, C2_HI, C2_LO)
    h1Hi = (h1Hi ^ rHi) >>> 0
    h1Lo = (h1Lo ^ rLo) >>> 0
    // h1 = rotl(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729
    rotl64(h1Hi, h1Lo, 27)
    add64(rHi, rLo, h2Hi, h2Lo)
    mul64(rHi, rLo, 0, 5)
    add64(rHi, rLo, 0, 0x52dce729)
    h1Hi = rHi
    h1Lo = rLo
    // k2 *= c2; k2 = rotl(k2, 33); k2 *= c1; h2 ^= k2
    mul64(word(bytes, at + 12), word(bytes, at + 8), C2_HI, C2_LO)
    rotl64(rHi, rLo, 33)
    mul64(rHi, rLo, C1_HI, C1_LO)
    h2Hi = (h2Hi ^ rHi) >>> 0
    h2Lo = (h2Lo ^ rLo) >>> 0
    // h2 = rotl(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5
    rotl64(h2Hi, h2Lo, 31)
    add64(rHi, rLo, h1Hi, h1Lo)
    mul64(rHi, rLo, 0, 5)
    add64(rHi, rLo, 0, 0x38495ab5)
    h2Hi = rHi
    h2Lo = rLo
  }
  const tail = length & 15
  if (tail > 0) {
    // the tail's bytes, little-endian: bytes 0–7 make k1, bytes 8–15 make k2
    let k1Hi = 0
    let k1Lo = 0
    let k2Hi = 0
    let k2Lo = 0
    for (let i = tail - 1; i >= 0; i--) {
      const b = bytes[at + i] as number
      if (i >= 12) k2Hi |= b << ((i - 12) * 8)
      else if (i >= 8) k2Lo |= b << ((i - 8) * 8)
      else if (i >= 4) k1Hi |= b << ((i - 4) * 8)
      else k1Lo |= b << (i * 8)
    }
    if (tail > 8) {
      mul64(k2Hi >>> 0, k2Lo >>> 0, C2_HI, C2_LO)
      rotl64(rHi, rLo, 33)
      mul64(rHi, rLo, C1_HI, C1_LO)
      h2Hi = (h2Hi ^ rHi) >>> 0
      h2Lo = (h2Lo ^ rLo) >>> 0
    }
    mul64(k1Hi >>> 0, k1Lo >>> 0, C1_HI, C1_LO)
    rotl64(rHi, rLo, 31)
    mul64(rHi, rLo, C2_HI, C2_LO)
    h1Hi = (h1Hi ^ rHi) >>> 0
    h1Lo = (h1Lo ^ rLo) >>> 0
  }
  // h1 ^= len; h2 ^= len (lengths fit in 32 bits here)
  h1Lo = (h1Lo ^ length) >>> 0
  h2Lo = (h2Lo ^ length) >>> 0
  add64(h1Hi, h1Lo, h2Hi, h2Lo)
  h1Hi = rHi
  h1Lo = rLo
  add64(h2Hi, h2Lo, h1Hi, h1Lo)
  h2Hi = rHi
  h2Lo = rLo
  fmix64(h1Hi, h1Lo)
  h1Hi = rHi
  h1Lo = rLo
  fmix64(h2Hi, h2Lo)
  h2Hi = rHi
  h2Lo = rLo
  add64(h1Hi, h1Lo, h2Hi, h2Lo)
  h1Hi = rHi
  h1Lo = rLo
  add64(h2Hi, h2Lo, h1Hi, h1Lo)
  out.h1Hi = h1Hi
  out.h1Lo = h1Lo
  out.h2Hi = rHi
  out.h2Lo = rLo
  return out
}
