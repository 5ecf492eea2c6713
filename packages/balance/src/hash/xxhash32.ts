import { encodeUtf8, utf8Scratch } from './utf8.js'

/**
 * XXH32, the 32-bit xxHash of Yann Collet (the reference algorithm of github.com/Cyan4973/xxHash,
 * `doc/xxhash_spec.md`), the general-purpose key hash of the pickers. Strings are hashed as their
 * UTF-8 bytes. ASCII strings are read with `charCodeAt` straight into the 32-bit lanes, with no
 * encoding step and no allocation; any other string is encoded into a shared, reused buffer
 * (`TextEncoder` bytes, so a lone surrogate hashes as U+FFFD, EF BF BD).
 */

// The five primes of the specification, as int32 so that Math.imul and the adds stay in int32.
const P1 = 0x9e3779b1 | 0
const P2 = 0x85ebca77 | 0
const P3 = 0xc2b2ae3d | 0
const P4 = 0x27d4eb2f
const P5 = 0x165667b1

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r))
}

/** One lane step of a 16-byte stripe. */
function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, P2)) | 0, 13), P1)
}

/**
 * The final mix of every XXH32 hash. It returns the hash as a signed 32-bit integer: V8 keeps
 * those unboxed across calls, while an unsigned result above 2^31 is a heap number, an allocation
 * per key on the pick path.
 */
function avalanche(acc: number): number {
  let h = acc ^ (acc >>> 15)
  h = Math.imul(h, P2)
  h ^= h >>> 13
  h = Math.imul(h, P3)
  return h ^ (h >>> 16)
}

/**
 * XXH32 of a string's UTF-8 bytes.
 *
 * ASCII strings take a fast path that reads four characters per 32-bit lane and allocates
 * nothing. A string with any character above U+007F is hashed again from its UTF-8 encoding in a
 * shared buffer (a second pass, still without allocation once the buffer is large enough). Lone
 * surrogates encode as U+FFFD, exactly as `TextEncoder` and `Buffer.from(s, 'utf8')` do, so
 * `xxhash32(s) === xxhash32Bytes(new TextEncoder().encode(s))` for every string.
 *
 * @param input - the key
 * @param seed - the seed, taken modulo 2^32 (default 0)
 * @returns the unsigned 32-bit hash
 *
 * @example
 * ```ts
 * xxhash32('abc')            // 0x32d153ff
 * xxhash32('abc', 1)         // another, independent hash of the same key
 * ```
 */
export function xxhash32(input: string, seed = 0): number {
  return xxhash32Int(input, seed) >>> 0
}

/**
 * {@link xxhash32} as a signed 32-bit integer (the same bits), for callers on a hot path that
 * apply `>>> 0` themselves: it never allocates a heap number.
 *
 * @internal
 */
export function xxhash32Int(input: string, seed: number): number {
  seed |= 0
  const n = input.length
  let i = 0
  // OR of every code unit read: above 0x7f means the string is not ASCII and the lanes were wrong
  let seen = 0
  let acc: number
  if (n >= 16) {
    let v1 = (seed + P1 + P2) | 0
    let v2 = (seed + P2) | 0
    let v3 = seed | 0
    let v4 = (seed - P1) | 0
    const limit = n - 16
    while (i <= limit) {
      let a = input.charCodeAt(i)
      let b = input.charCodeAt(i + 1)
      let c = input.charCodeAt(i + 2)
      let d = input.charCodeAt(i + 3)
      seen |= a | b | c | d
      v1 = round(v1, a | (b << 8) | (c << 16) | (d << 24))
      a = input.charCodeAt(i + 4)
      b = input.charCodeAt(i + 5)
      c = input.charCodeAt(i + 6)
      d = input.charCodeAt(i + 7)
      seen |= a | b | c | d
      v2 = round(v2, a | (b << 8) | (c << 16) | (d << 24))
      a = input.charCodeAt(i + 8)
      b = input.charCodeAt(i + 9)
      c = input.charCodeAt(i + 10)
      d = input.charCodeAt(i + 11)
      seen |= a | b | c | d
      v3 = round(v3, a | (b << 8) | (c << 16) | (d << 24))
      a = input.charCodeAt(i + 12)
      b = input.charCodeAt(i + 13)
      c = input.charCodeAt(i + 14)
      d = input.charCodeAt(i + 15)
      seen |= a | b | c | d
      v4 = round(v4, a | (b << 8) | (c << 16) | (d << 24))
      i += 16
    }
    acc = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0
  } else {
    acc = (seed + P5) | 0
  }
  // for an ASCII string the byte length is the string length
  acc = (acc + n) | 0
  while (i + 4 <= n) {
    const a = input.charCodeAt(i)
    const b = input.charCodeAt(i + 1)
    const c = input.charCodeAt(i + 2)
    const d = input.charCodeAt(i + 3)
    seen |= a | b | c | d
    acc = Math.imul(rotl((acc + Math.imul(a | (b << 8) | (c << 16) | (d << 24), P3)) | 0, 17), P4)
    i += 4
  }
  while (i < n) {
    const a = input.charCodeAt(i)
    seen |= a
    acc = Math.imul(rotl((acc + Math.imul(a, P5)) | 0, 11), P1)
    i++
  }
  // checked once at the end: ASCII keys, the common case, pay one comparison
  if (seen > 0x7f) {
    // encode first: encoding may replace the scratch buffer with a larger one
    const length = encodeUtf8(input)
    return hashBytes(utf8Scratch(), length, seed)
  }
  return avalanche(acc)
}

/**
 * XXH32 of a byte array.
 *
 * @param bytes - the bytes to hash (all of them)
 * @param seed - the seed, taken modulo 2^32 (default 0)
 * @returns the unsigned 32-bit hash
 *
 * @example
 * ```ts
 * xxhash32Bytes(new Uint8Array([0x61, 0x62, 0x63])) // 0x32d153ff, the same as xxhash32('abc')
 * ```
 */
export function xxhash32Bytes(bytes: Uint8Array, seed = 0): number {
  return hashBytes(bytes, bytes.length, seed) >>> 0
}

/** Little-endian 32-bit word of `bytes` at `i`. */
function word(bytes: Uint8Array, i: number): number {
  return (
    (bytes[i] as number) |
    ((bytes[i + 1] as number) << 8) |
    ((bytes[i + 2] as number) << 16) |
    ((bytes[i + 3] as number) << 24)
  )
}

/** XXH32 of `bytes[0, n)`. */
function hashBytes(bytes: Uint8Array, n: number, seed: number): number {
  seed |= 0
  let i = 0
  let acc: number
  if (n >= 16) {
    let v1 = (seed + P1 + P2) | 0
    let v2 = (seed + P2) | 0
    let v3 = seed | 0
    let v4 = (seed - P1) | 0
    const limit = n - 16
    while (i <= limit) {
      v1 = round(v1, word(bytes, i))
      v2 = round(v2, word(bytes, i + 4))
      v3 = round(v3, word(bytes, i + 8))
      v4 = round(v4, word(bytes, i + 12))
      i += 16
    }
    acc = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0
  } else {
    acc = (seed + P5) | 0
  }
  // the specification adds the length modulo 2^32
  acc = (acc + n) | 0
  while (i + 4 <= n) {
    acc = Math.imul(rotl((acc + Math.imul(word(bytes, i), P3)) | 0, 17), P4)
    i += 4
  }
  while (i < n) {
    acc = Math.imul(rotl((acc + Math.imul(bytes[i] as number, P5)) | 0, 11), P1)
    i++
  }
  return avalanche(acc)
}
