import { invalidArgument } from '@shoal/core'
import { encodeUtf8, utf8Scratch } from './utf8.js'

/**
 * MD5 (RFC 1321) in plain JavaScript, for the hash rings that are defined with it (libketama and
 * the memcached clients compatible with it). It is not used for security. `node:crypto` computes
 * the same digests but costs about a microsecond per call in object and buffer setup; this one
 * reuses one block buffer and one state, and a key of up to 55 ASCII characters (one MD5 block)
 * is read straight from the string, so hashing allocates nothing.
 *
 * The 16-byte digest is returned as four unsigned 32-bit words, each the little-endian reading
 * of four digest bytes: word `k` is `d[4k] | d[4k+1] << 8 | d[4k+2] << 16 | d[4k+3] << 24`. These
 * are MD5's own state words A, B, C, D, and exactly the four ring points libketama takes from a
 * digest.
 */

/** The 16 little-endian words of the block being compressed. */
const block = new Int32Array(16)
/** The chaining state A, B, C, D. */
const state = new Int32Array(4)

/** The longest string (in bytes) whose padding still fits in one 64-byte block. */
const ONE_BLOCK = 55

/** Starts a new digest. */
function reset(): void {
  state[0] = 0x67452301
  state[1] = 0xefcdab89 | 0
  state[2] = 0x98badcfe | 0
  state[3] = 0x10325476
}

/**
 * Compresses `block` into `state`: the 64 steps of RFC 1321 section 3.4, unrolled and written out
 * in place (64 calls to step functions would exceed what V8 inlines into one function).
 */
function compress(): void {
  const x0 = block[0] as number
  const x1 = block[1] as number
  const x2 = block[2] as number
  const x3 = block[3] as number
  const x4 = block[4] as number
  const x5 = block[5] as number
  const x6 = block[6] as number
  const x7 = block[7] as number
  const x8 = block[8] as number
  const x9 = block[9] as number
  const x10 = block[10] as number
  const x11 = block[11] as number
  const x12 = block[12] as number
  const x13 = block[13] as number
  const x14 = block[14] as number
  const x15 = block[15] as number
  let a = state[0] as number
  let b = state[1] as number
  let c = state[2] as number
  let d = state[3] as number

  a = (a + ((b & c) | (~b & d)) + x0 + (0xd76aa478 | 0)) | 0
  a = (((a << 7) | (a >>> 25)) + b) | 0
  d = (d + ((a & b) | (~a & c)) + x1 + (0xe8c7b756 | 0)) | 0
  d = (((d << 12) | (d >>> 20)) + a) | 0
  c = (c + ((d & a) | (~d & b)) + x2 + 0x242070db) | 0
  c = (((c << 17) | (c >>> 15)) + d) | 0
  b = (b + ((c & d) | (~c & a)) + x3 + (0xc1bdceee | 0)) | 0
  b = (((b << 22) | (b >>> 10)) + c) | 0
  a = (a + ((b & c) | (~b & d)) + x4 + (0xf57c0faf | 0)) | 0
  a = (((a << 7) | (a >>> 25)) + b) | 0
  d = (d + ((a & b) | (~a & c)) + x5 + 0x4787c62a) | 0
  d = (((d << 12) | (d >>> 20)) + a) | 0
  c = (c + ((d & a) | (~d & b)) + x6 + (0xa8304613 | 0)) | 0
  c = (((c << 17) | (c >>> 15)) + d) | 0
  b = (b + ((c & d) | (~c & a)) + x7 + (0xfd469501 | 0)) | 0
  b = (((b << 22) | (b >>> 10)) + c) | 0
  a = (a + ((b & c) | (~b & d)) + x8 + 0x698098d8) | 0
  a = (((a << 7) | (a >>> 25)) + b) | 0
  d = (d + ((a & b) | (~a & c)) + x9 + (0x8b44f7af | 0)) | 0
  d = (((d << 12) | (d >>> 20)) + a) | 0
  c = (c + ((d & a) | (~d & b)) + x10 + (0xffff5bb1 | 0)) | 0
  c = (((c << 17) | (c >>> 15)) + d) | 0
  b = (b + ((c & d) | (~c & a)) + x11 + (0x895cd7be | 0)) | 0
  b = (((b << 22) | (b >>> 10)) + c) | 0
  a = (a + ((b & c) | (~b & d)) + x12 + 0x6b901122) | 0
  a = (((a << 7) | (a >>> 25)) + b) | 0
  d = (d + ((a & b) | (~a & c)) + x13 + (0xfd987193 | 0)) | 0
  d = (((d << 12) | (d >>> 20)) + a) | 0
  c = (c + ((d & a) | (~d & b)) + x14 + (0xa679438e | 0)) | 0
  c = (((c << 17) | (c >>> 15)) + d) | 0
  b = (b + ((c & d) | (~c & a)) + x15 + 0x49b40821) | 0
  b = (((b << 22) | (b >>> 10)) + c) | 0

  a = (a + ((b & d) | (c & ~d)) + x1 + (0xf61e2562 | 0)) | 0
  a = (((a << 5) | (a >>> 27)) + b) | 0
  d = (d + ((a & c) | (b & ~c)) + x6 + (0xc040b340 | 0)) | 0
  d = (((d << 9) | (d >>> 23)) + a) | 0
  c = (c + ((d & b) | (a & ~b)) + x11 + 0x265e5a51) | 0
  c = (((c << 14) | (c >>> 18)) + d) | 0
  b = (b + ((c & a) | (d & ~a)) + x0 + (0xe9b6c7aa | 0)) | 0
  b = (((b << 20) | (b >>> 12)) + c) | 0
  a = (a + ((b & d) | (c & ~d)) + x5 + (0xd62f105d | 0)) | 0
  a = (((a << 5) | (a >>> 27)) + b) | 0
  d = (d + ((a & c) | (b & ~c)) + x10 + 0x2441453) | 0
  d = (((d << 9) | (d >>> 23)) + a) | 0
  c = (c + ((d & b) | (a & ~b)) + x15 + (0xd8a1e681 | 0)) | 0
  c = (((c << 14) | (c >>> 18)) + d) | 0
  b = (b + ((c & a) | (d & ~a)) + x4 + (0xe7d3fbc8 | 0)) | 0
  b = (((b << 20) | (b >>> 12)) + c) | 0
  a = (a + ((b & d) | (c & ~d)) + x9 + 0x21e1cde6) | 0
  a = (((a << 5) | (a >>> 27)) + b) | 0
  d = (d + ((a & c) | (b & ~c)) + x14 + (0xc33707d6 | 0)) | 0
  d = (((d << 9) | (d >>> 23)) + a) | 0
  c = (c + ((d & b) | (a & ~b)) + x3 + (0xf4d50d87 | 0)) | 0
  c = (((c << 14) | (c >>> 18)) + d) | 0
  b = (b + ((c & a) | (d & ~a)) + x8 + 0x455a14ed) | 0
  b = (((b << 20) | (b >>> 12)) + c) | 0
  a = (a + ((b & d) | (c & ~d)) + x13 + (0xa9e3e905 | 0)) | 0
  a = (((a << 5) | (a >>> 27)) + b) | 0
  d = (d + ((a & c) | (b & ~c)) + x2 + (0xfcefa3f8 | 0)) | 0
  d = (((d << 9) | (d >>> 23)) + a) | 0
  c = (c + ((d & b) | (a & ~b)) + x7 + 0x676f02d9) | 0
  c = (((c << 14) | (c >>> 18)) + d) | 0
  b = (b + ((c & a) | (d & ~a)) + x12 + (0x8d2a4c8a | 0)) | 0
  b = (((b << 20) | (b >>> 12)) + c) | 0

  a = (a + (b ^ c ^ d) + x5 + (0xfffa3942 | 0)) | 0
  a = (((a << 4) | (a >>> 28)) + b) | 0
  d = (d + (a ^ b ^ c) + x8 + (0x8771f681 | 0)) | 0
  d = (((d << 11) | (d >>> 21)) + a) | 0
  c = (c + (d ^ a ^ b) + x11 + 0x6d9d6122) | 0
  c = (((c << 16) | (c >>> 16)) + d) | 0
  b = (b + (c ^ d ^ a) + x14 + (0xfde5380c | 0)) | 0
  b = (((b << 23) | (b >>> 9)) + c) | 0
  a = (a + (b ^ c ^ d) + x1 + (0xa4beea44 | 0)) | 0
  a = (((a << 4) | (a >>> 28)) + b) | 0
  d = (d + (a ^ b ^ c) + x4 + 0x4bdecfa9) | 0
  d = (((d << 11) | (d >>> 21)) + a) | 0
  c = (c + (d ^ a ^ b) + x7 + (0xf6bb4b60 | 0)) | 0
  c = (((c << 16) | (c >>> 16)) + d) | 0
  b = (b + (c ^ d ^ a) + x10 + (0xbebfbc70 | 0)) | 0
  b = (((b << 23) | (b >>> 9)) + c) | 0
  a = (a + (b ^ c ^ d) + x13 + 0x289b7ec6) | 0
  a = (((a << 4) | (a >>> 28)) + b) | 0
  d = (d + (a ^ b ^ c) + x0 + (0xeaa127fa | 0)) | 0
  d = (((d << 11) | (d >>> 21)) + a) | 0
  c = (c + (d ^ a ^ b) + x3 + (0xd4ef3085 | 0)) | 0
  c = (((c << 16) | (c >>> 16)) + d) | 0
  b = (b + (c ^ d ^ a) + x6 + 0x4881d05) | 0
  b = (((b << 23) | (b >>> 9)) + c) | 0
  a = (a + (b ^ c ^ d) + x9 + (0xd9d4d039 | 0)) | 0
  a = (((a << 4) | (a >>> 28)) + b) | 0
  d = (d + (a ^ b ^ c) + x12 + (0xe6db99e5 | 0)) | 0
  d = (((d << 11) | (d >>> 21)) + a) | 0
  c = (c + (d ^ a ^ b) + x15 + 0x1fa27cf8) | 0
  c = (((c << 16) | (c >>> 16)) + d) | 0
  b = (b + (c ^ d ^ a) + x2 + (0xc4ac5665 | 0)) | 0
  b = (((b << 23) | (b >>> 9)) + c) | 0

  a = (a + (c ^ (b | ~d)) + x0 + (0xf4292244 | 0)) | 0
  a = (((a << 6) | (a >>> 26)) + b) | 0
  d = (d + (b ^ (a | ~c)) + x7 + 0x432aff97) | 0
  d = (((d << 10) | (d >>> 22)) + a) | 0
  c = (c + (a ^ (d | ~b)) + x14 + (0xab9423a7 | 0)) | 0
  c = (((c << 15) | (c >>> 17)) + d) | 0
  b = (b + (d ^ (c | ~a)) + x5 + (0xfc93a039 | 0)) | 0
  b = (((b << 21) | (b >>> 11)) + c) | 0
  a = (a + (c ^ (b | ~d)) + x12 + 0x655b59c3) | 0
  a = (((a << 6) | (a >>> 26)) + b) | 0
  d = (d + (b ^ (a | ~c)) + x3 + (0x8f0ccc92 | 0)) | 0
  d = (((d << 10) | (d >>> 22)) + a) | 0
  c = (c + (a ^ (d | ~b)) + x10 + (0xffeff47d | 0)) | 0
  c = (((c << 15) | (c >>> 17)) + d) | 0
  b = (b + (d ^ (c | ~a)) + x1 + (0x85845dd1 | 0)) | 0
  b = (((b << 21) | (b >>> 11)) + c) | 0
  a = (a + (c ^ (b | ~d)) + x8 + 0x6fa87e4f) | 0
  a = (((a << 6) | (a >>> 26)) + b) | 0
  d = (d + (b ^ (a | ~c)) + x15 + (0xfe2ce6e0 | 0)) | 0
  d = (((d << 10) | (d >>> 22)) + a) | 0
  c = (c + (a ^ (d | ~b)) + x6 + (0xa3014314 | 0)) | 0
  c = (((c << 15) | (c >>> 17)) + d) | 0
  b = (b + (d ^ (c | ~a)) + x13 + 0x4e0811a1) | 0
  b = (((b << 21) | (b >>> 11)) + c) | 0
  a = (a + (c ^ (b | ~d)) + x4 + (0xf7537e82 | 0)) | 0
  a = (((a << 6) | (a >>> 26)) + b) | 0
  d = (d + (b ^ (a | ~c)) + x11 + (0xbd3af235 | 0)) | 0
  d = (((d << 10) | (d >>> 22)) + a) | 0
  c = (c + (a ^ (d | ~b)) + x2 + 0x2ad7d2bb) | 0
  c = (((c << 15) | (c >>> 17)) + d) | 0
  b = (b + (d ^ (c | ~a)) + x9 + (0xeb86d391 | 0)) | 0
  b = (((b << 21) | (b >>> 11)) + c) | 0

  state[0] = (state[0] as number) + a
  state[1] = (state[1] as number) + b
  state[2] = (state[2] as number) + c
  state[3] = (state[3] as number) + d
}

/**
 * Fills `block` with a string of at most {@link ONE_BLOCK} characters and its padding, reading
 * the characters as bytes; false if a character is not ASCII (the block is then meaningless).
 */
function fillAscii(input: string, n: number): boolean {
  let seen = 0
  let w = 0
  let i = 0
  for (; i + 4 <= n; i += 4) {
    const a = input.charCodeAt(i)
    const b = input.charCodeAt(i + 1)
    const c = input.charCodeAt(i + 2)
    const d = input.charCodeAt(i + 3)
    seen |= a | b | c | d
    block[w++] = a | (b << 8) | (c << 16) | (d << 24)
  }
  // the last, partial word ends with the 0x80 that starts the padding
  let last = 0x80 << ((n - i) << 3)
  for (let k = 0; i + k < n; k++) {
    const c = input.charCodeAt(i + k)
    seen |= c
    last |= c << (k << 3)
  }
  block[w++] = last
  while (w < 14) block[w++] = 0
  block[14] = n << 3
  block[15] = 0
  return seen <= 0x7f
}

/** Digests `bytes[0, n)` into `state`. */
function digestBytes(bytes: Uint8Array, n: number): void {
  reset()
  let i = 0
  for (; i + 64 <= n; i += 64) {
    for (let w = 0; w < 16; w++) {
      const at = i + (w << 2)
      block[w] =
        (bytes[at] as number) |
        ((bytes[at + 1] as number) << 8) |
        ((bytes[at + 2] as number) << 16) |
        ((bytes[at + 3] as number) << 24)
    }
    compress()
  }
  // the last 0–63 bytes, the 0x80, zeros, and the bit length (64 bits, little-endian)
  block.fill(0)
  const rest = n - i
  for (let k = 0; k < rest; k++) {
    block[k >> 2] = (block[k >> 2] as number) | ((bytes[i + k] as number) << ((k & 3) << 3))
  }
  block[rest >> 2] = (block[rest >> 2] as number) | (0x80 << ((rest & 3) << 3))
  if (rest > ONE_BLOCK) {
    compress()
    block.fill(0)
  }
  block[14] = ((n * 8) % 4294967296) | 0
  block[15] = Math.floor(n / 536870912) | 0
  compress()
}

/** Copies `state` into `out[offset, offset + 4)`, checking the room first. */
function emit(out: Uint32Array, offset: number): Uint32Array {
  if (!(offset >= 0 && offset + 4 <= out.length)) {
    throw invalidArgument(`md5 needs 4 words of room at offset ${offset} of an array of ${out.length}`, {
      offset,
      length: out.length,
    })
  }
  out[offset] = state[0] as number
  out[offset + 1] = state[1] as number
  out[offset + 2] = state[2] as number
  out[offset + 3] = state[3] as number
  return out
}

/**
 * MD5 of a string's UTF-8 bytes, as four unsigned little-endian 32-bit words (see the module
 * comment): word 0 holds digest bytes 0–3, word 3 bytes 12–15. Lone surrogates encode as U+FFFD,
 * as `TextEncoder` and `Buffer.from(s, 'utf8')` do.
 *
 * Pass `out` to avoid the allocation of a result array: an ASCII key of up to 55 characters is
 * then digested with no allocation at all; longer or non-ASCII keys go through a shared UTF-8
 * buffer that only grows.
 *
 * @param input - the string to digest
 * @param out - where to write the four words (default: a new array)
 * @param offset - index in `out` of the first word (default 0)
 * @returns `out`
 * @throws `ERR_INVALID_ARGUMENT` if `out` has no room for four words at `offset`
 *
 * @example
 * ```ts
 * const words = md5Digest('abc') // Uint32Array [0x98500190, 0xb04fd23c, 0x7d3f96d6, 0x727fe128]
 * // digest bytes 90 01 50 98 3c d2 4f b0 …, the familiar 900150983cd24fb0…
 * ```
 */
export function md5Digest(input: string, out: Uint32Array = new Uint32Array(4), offset = 0): Uint32Array {
  const n = input.length
  if (n <= ONE_BLOCK && fillAscii(input, n)) {
    reset()
    compress()
  } else {
    // encode first: encoding may replace the scratch buffer with a larger one
    const length = encodeUtf8(input)
    digestBytes(utf8Scratch(), length)
  }
  return emit(out, offset)
}

/**
 * MD5 of a byte array, as four unsigned little-endian 32-bit words (see {@link md5Digest}).
 *
 * @param bytes - the bytes to digest (all of them)
 * @param out - where to write the four words (default: a new array)
 * @param offset - index in `out` of the first word (default 0)
 * @returns `out`
 * @throws `ERR_INVALID_ARGUMENT` if `out` has no room for four words at `offset`
 *
 * @example
 * ```ts
 * md5DigestBytes(new Uint8Array(0)) // [0xd98c1dd4, 0x04b2008f, 0x980980e9, 0x7e42f8ec]: d41d8cd98f00b204…
 * ```
 */
export function md5DigestBytes(
  bytes: Uint8Array,
  out: Uint32Array = new Uint32Array(4),
  offset = 0,
): Uint32Array {
  digestBytes(bytes, bytes.length)
  return emit(out, offset)
}
