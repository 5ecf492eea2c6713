/**
 * MurmurHash3 x64-128 (Austin Appleby's reference), the hash Apache DataSketches uses (seed
 * 9001). JavaScript has no fast 64-bit integer arithmetic, so each 64-bit word is a pair of
 * 32-bit halves held in local variables (int32 values stay unboxed in optimized code; values
 * kept in module-level variables or returned in objects would be boxed on every step). The
 * 16-byte block mix keeps its state in a small typed array, so hashing allocates nothing;
 * results come back through an output object.
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

/** High 32 bits of the unsigned 64-bit product of two 32-bit words, as an int32. */
function mulHi(a: number, b: number): number {
  const a0 = a & 0xffff
  const a1 = a >>> 16
  const b0 = b & 0xffff
  const b1 = b >>> 16
  // every partial product is below 2^32, so the double arithmetic is exact
  const mid1 = a1 * b0 + ((a0 * b0) >>> 16)
  const mid2 = a0 * b1 + (mid1 & 0xffff)
  return (a1 * b1 + (mid1 >>> 16) + (mid2 >>> 16)) | 0
}

// c1 = 0x87c37b91114253d5, c2 = 0x4cf5ad432745937f
const C1_HI = 0x87c37b91 | 0
const C1_LO = 0x114253d5
const C2_HI = 0x4cf5ad43
const C2_LO = 0x2745937f

/** The running state h1:h2 between blocks (int32 halves: h1Hi, h1Lo, h2Hi, h2Lo). */
const state = new Int32Array(4)

/** Mixes one 16-byte block, given as the little-endian words k1 = k1Hi:k1Lo and k2 = k2Hi:k2Lo, into `state`. */
function mixBlock(k1Hi: number, k1Lo: number, k2Hi: number, k2Lo: number): void {
  let h1Hi = state[0] as number
  let h1Lo = state[1] as number
  let h2Hi = state[2] as number
  let h2Lo = state[3] as number
  // k1 *= c1; k1 = rotl(k1, 31); k1 *= c2; h1 ^= k1
  let th = (mulHi(k1Lo, C1_LO) + Math.imul(k1Hi, C1_LO) + Math.imul(k1Lo, C1_HI)) | 0
  let tl = Math.imul(k1Lo, C1_LO)
  let kh = (th << 31) | (tl >>> 1)
  let kl = (tl << 31) | (th >>> 1)
  h1Hi ^= (mulHi(kl, C2_LO) + Math.imul(kh, C2_LO) + Math.imul(kl, C2_HI)) | 0
  h1Lo ^= Math.imul(kl, C2_LO)
  // h1 = rotl(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729
  th = (h1Hi << 27) | (h1Lo >>> 5)
  tl = ((h1Lo << 27) | (h1Hi >>> 5)) >>> 0
  tl += h2Lo >>> 0
  th = (th + h2Hi + (tl > 0xffffffff ? 1 : 0)) | 0
  tl |= 0
  h1Hi = (mulHi(tl, 5) + Math.imul(th, 5)) | 0
  tl = (Math.imul(tl, 5) >>> 0) + 0x52dce729
  h1Hi = (h1Hi + (tl > 0xffffffff ? 1 : 0)) | 0
  h1Lo = tl | 0
  // k2 *= c2; k2 = rotl(k2, 33); k2 *= c1; h2 ^= k2
  th = (mulHi(k2Lo, C2_LO) + Math.imul(k2Hi, C2_LO) + Math.imul(k2Lo, C2_HI)) | 0
  tl = Math.imul(k2Lo, C2_LO)
  kh = (tl << 1) | (th >>> 31)
  kl = (th << 1) | (tl >>> 31)
  h2Hi ^= (mulHi(kl, C1_LO) + Math.imul(kh, C1_LO) + Math.imul(kl, C1_HI)) | 0
  h2Lo ^= Math.imul(kl, C1_LO)
  // h2 = rotl(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5
  th = (h2Hi << 31) | (h2Lo >>> 1)
  tl = ((h2Lo << 31) | (h2Hi >>> 1)) >>> 0
  tl += h1Lo >>> 0
  th = (th + h1Hi + (tl > 0xffffffff ? 1 : 0)) | 0
  tl |= 0
  h2Hi = (mulHi(tl, 5) + Math.imul(th, 5)) | 0
  tl = (Math.imul(tl, 5) >>> 0) + 0x38495ab5
  h2Hi = (h2Hi + (tl > 0xffffffff ? 1 : 0)) | 0
  state[0] = h1Hi
  state[1] = h1Lo
  state[2] = h2Hi
  state[3] = tl | 0
}

/** Mixes the last partial block (k1, k2 as for a block; `tail` = length mod 16 > 0) and finalizes into `out`. */
function finish(
  k1Hi: number,
  k1Lo: number,
  k2Hi: number,
  k2Lo: number,
  tail: number,
  length: number,
  out: Hash128,
): Hash128 {
  let h1Hi = state[0] as number
  let h1Lo = state[1] as number
  let h2Hi = state[2] as number
  let h2Lo = state[3] as number
  let th = 0
  let tl = 0
  if (tail > 8) {
    th = (mulHi(k2Lo, C2_LO) + Math.imul(k2Hi, C2_LO) + Math.imul(k2Lo, C2_HI)) | 0
    tl = Math.imul(k2Lo, C2_LO)
    const kh = (tl << 1) | (th >>> 31)
    const kl = (th << 1) | (tl >>> 31)
    h2Hi ^= (mulHi(kl, C1_LO) + Math.imul(kh, C1_LO) + Math.imul(kl, C1_HI)) | 0
    h2Lo ^= Math.imul(kl, C1_LO)
  }
  if (tail > 0) {
    th = (mulHi(k1Lo, C1_LO) + Math.imul(k1Hi, C1_LO) + Math.imul(k1Lo, C1_HI)) | 0
    tl = Math.imul(k1Lo, C1_LO)
    const kh = (th << 31) | (tl >>> 1)
    const kl = (tl << 31) | (th >>> 1)
    h1Hi ^= (mulHi(kl, C2_LO) + Math.imul(kh, C2_LO) + Math.imul(kl, C2_HI)) | 0
    h1Lo ^= Math.imul(kl, C2_LO)
  }
  // h1 ^= len; h2 ^= len (lengths fit in 32 bits here); h1 += h2; h2 += h1
  h1Lo ^= length
  h2Lo ^= length
  tl = (h1Lo >>> 0) + (h2Lo >>> 0)
  h1Hi = (h1Hi + h2Hi + (tl > 0xffffffff ? 1 : 0)) | 0
  h1Lo = tl | 0
  tl = (h2Lo >>> 0) + (h1Lo >>> 0)
  h2Hi = (h2Hi + h1Hi + (tl > 0xffffffff ? 1 : 0)) | 0
  h2Lo = tl | 0
  // fmix64(h1): k ^= k >>> 33; k *= 0xff51afd7ed558ccd; k ^= k >>> 33; k *= 0xc4ceb9fe1a85ec53; k ^= k >>> 33
  h1Lo ^= h1Hi >>> 1
  th = (mulHi(h1Lo, 0xed558ccd) + Math.imul(h1Hi, 0xed558ccd) + Math.imul(h1Lo, 0xff51afd7)) | 0
  h1Lo = Math.imul(h1Lo, 0xed558ccd) ^ (th >>> 1)
  h1Hi = th
  th = (mulHi(h1Lo, 0x1a85ec53) + Math.imul(h1Hi, 0x1a85ec53) + Math.imul(h1Lo, 0xc4ceb9fe)) | 0
  h1Lo = Math.imul(h1Lo, 0x1a85ec53) ^ (th >>> 1)
  h1Hi = th
  // fmix64(h2)
  h2Lo ^= h2Hi >>> 1
  th = (mulHi(h2Lo, 0xed558ccd) + Math.imul(h2Hi, 0xed558ccd) + Math.imul(h2Lo, 0xff51afd7)) | 0
  h2Lo = Math.imul(h2Lo, 0xed558ccd) ^ (th >>> 1)
  h2Hi = th
  th = (mulHi(h2Lo, 0x1a85ec53) + Math.imul(h2Hi, 0x1a85ec53) + Math.imul(h2Lo, 0xc4ceb9fe)) | 0
  h2Lo = Math.imul(h2Lo, 0x1a85ec53) ^ (th >>> 1)
  h2Hi = th
  // h1 += h2; h2 += h1
  tl = (h1Lo >>> 0) + (h2Lo >>> 0)
  h1Hi = (h1Hi + h2Hi + (tl > 0xffffffff ? 1 : 0)) | 0
  h1Lo = tl | 0
  tl = (h2Lo >>> 0) + (h1Lo >>> 0)
  h2Hi = (h2Hi + h1Hi + (tl > 0xffffffff ? 1 : 0)) | 0
  out.h1Hi = h1Hi >>> 0
  out.h1Lo = h1Lo >>> 0
  out.h2Hi = h2Hi >>> 0
  out.h2Lo = tl >>> 0
  return out
}

function word(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) |
    ((bytes[at + 1] as number) << 8) |
    ((bytes[at + 2] as number) << 16) |
    ((bytes[at + 3] as number) << 24)
  )
}

/** Starts a hash: h1 = h2 = the seed widened to 64 bits, as DataSketches does. */
function start(seed: number): void {
  state[0] = 0
  state[1] = seed | 0
  state[2] = 0
  state[3] = seed | 0
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
  start(seed)
  const end = offset + (length & ~15)
  let at = offset
  for (; at < end; at += 16)
    mixBlock(word(bytes, at + 4), word(bytes, at), word(bytes, at + 12), word(bytes, at + 8))
  // the tail's bytes, little-endian: bytes 0–7 make k1, bytes 8–15 make k2
  const tail = length & 15
  let k1Hi = 0
  let k1Lo = 0
  let k2Hi = 0
  let k2Lo = 0
  for (let i = tail - 1; i >= 0; i--) {
    const b = bytes[at + i] as number
    if (i >= 12) k2Hi |= b << ((i - 12) << 3)
    else if (i >= 8) k2Lo |= b << ((i - 8) << 3)
    else if (i >= 4) k1Hi |= b << ((i - 4) << 3)
    else k1Lo |= b << (i << 3)
  }
  return finish(k1Hi, k1Lo, k2Hi, k2Lo, tail, length, out)
}
