/**
 * CRC-32 as zlib, PNG, Ethernet (IEEE 802.3) and nginx compute it: reflected polynomial
 * 0xEDB88320, register initialised to 0xFFFFFFFF and XORed with 0xFFFFFFFF at the end. nginx's
 * `ngx_crc32_short` (a 16-entry table) and `ngx_crc32_long` (a 256-entry table) give the same
 * values; its `hash … consistent` upstreams use `ngx_crc32_long` for keys and the
 * `ngx_crc32_init` / `ngx_crc32_update` / `ngx_crc32_final` steps for ring points, which
 * {@link crc32Update} and {@link crc32UpdateWord} provide (see `nginx-hash.ts`).
 *
 * Strings are hashed as their UTF-8 bytes. Runs of four ASCII characters are folded in at once
 * (slicing-by-4: four tables, one lookup per byte but no dependency between them); other
 * characters are encoded by hand, byte by byte, so that no string ever allocates. Lone surrogates
 * encode as U+FFFD (EF BF BD), as `TextEncoder` does.
 */

/** Four 256-entry tables: `T[k * 256 + b]` is the CRC register contribution of byte b followed by k zero bytes. */
const T = new Int32Array(1024)
for (let n = 0; n < 256; n++) {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  T[n] = c
}
for (let n = 0; n < 256; n++) {
  let c = T[n] as number
  for (let k = 1; k < 4; k++) {
    c = (T[c & 0xff] as number) ^ (c >>> 8)
    T[k * 256 + n] = c
  }
}

/** Folds one byte into the register. */
function byte(crc: number, b: number): number {
  return (T[(crc ^ b) & 0xff] as number) ^ (crc >>> 8)
}

/** Folds four bytes, given as a little-endian word, into the register (slicing-by-4). */
function word(crc: number, w: number): number {
  const c = crc ^ w
  return (
    (T[768 + (c & 0xff)] as number) ^
    (T[512 + ((c >>> 8) & 0xff)] as number) ^
    (T[256 + ((c >>> 16) & 0xff)] as number) ^
    (T[c >>> 24] as number)
  )
}

/**
 * Advances a CRC-32 register over a string's UTF-8 bytes, without the initial and final XOR:
 * nginx's `ngx_crc32_update`. Start from 0xFFFFFFFF and finish with `^ 0xFFFFFFFF`, so that
 * `crc32(a + b) === (crc32Update(crc32Update(0xffffffff, a), b) ^ 0xffffffff) >>> 0`.
 *
 * @param crc - the register so far (0xFFFFFFFF to start)
 * @param input - the string whose UTF-8 bytes to fold in
 * @returns the new register, unsigned
 *
 * @example
 * ```ts
 * let crc = crc32Update(0xffffffff, 'example.com')
 * crc = crc32Update(crc, '\0')            // one NUL byte
 * const value = (crc ^ 0xffffffff) >>> 0  // crc32('example.com\0')
 * ```
 */
export function crc32Update(crc: number, input: string): number {
  let c = crc | 0
  const n = input.length
  let i = 0
  for (;;) {
    while (i + 4 <= n) {
      const a = input.charCodeAt(i)
      const b = input.charCodeAt(i + 1)
      const d = input.charCodeAt(i + 2)
      const e = input.charCodeAt(i + 3)
      if ((a | b | d | e) > 0x7f) break
      c = word(c, a | (b << 8) | (d << 16) | (e << 24))
      i += 4
    }
    if (i >= n) break
    // one code point the slow way: a tail character, or a group of four that was not all ASCII
    const u = input.charCodeAt(i++)
    if (u < 0x80) {
      c = byte(c, u)
    } else if (u < 0x800) {
      c = byte(byte(c, 0xc0 | (u >>> 6)), 0x80 | (u & 0x3f))
    } else if ((u & 0xfc00) === 0xd800 && i < n && (input.charCodeAt(i) & 0xfc00) === 0xdc00) {
      const p = 0x10000 + ((u - 0xd800) << 10) + (input.charCodeAt(i++) - 0xdc00)
      c = byte(c, 0xf0 | (p >>> 18))
      c = byte(c, 0x80 | ((p >>> 12) & 0x3f))
      c = byte(c, 0x80 | ((p >>> 6) & 0x3f))
      c = byte(c, 0x80 | (p & 0x3f))
    } else {
      // a lone surrogate is replaced by U+FFFD, like TextEncoder does
      const p = (u & 0xf800) === 0xd800 ? 0xfffd : u
      c = byte(c, 0xe0 | (p >>> 12))
      c = byte(c, 0x80 | ((p >>> 6) & 0x3f))
      c = byte(c, 0x80 | (p & 0x3f))
    }
  }
  return c >>> 0
}

/**
 * Advances a CRC-32 register over bytes, without the initial and final XOR (see
 * {@link crc32Update}).
 *
 * @param crc - the register so far (0xFFFFFFFF to start)
 * @param bytes - the bytes to fold in (all of them)
 * @returns the new register, unsigned
 *
 * @example
 * ```ts
 * const value = (crc32UpdateBytes(0xffffffff, new Uint8Array([1, 2, 3])) ^ 0xffffffff) >>> 0
 * ```
 */
export function crc32UpdateBytes(crc: number, bytes: Uint8Array): number {
  let c = crc | 0
  const n = bytes.length
  let i = 0
  for (; i + 4 <= n; i += 4) {
    c = word(
      c,
      (bytes[i] as number) |
        ((bytes[i + 1] as number) << 8) |
        ((bytes[i + 2] as number) << 16) |
        ((bytes[i + 3] as number) << 24),
    )
  }
  for (; i < n; i++) c = byte(c, bytes[i] as number)
  return c >>> 0
}

/**
 * Advances a CRC-32 register over the four bytes of a 32-bit value in little-endian order (its
 * low byte first), without the initial and final XOR. nginx feeds each ring point the previous
 * point's hash this way.
 *
 * @param crc - the register so far
 * @param value - the 32-bit value whose four little-endian bytes to fold in
 * @returns the new register, unsigned
 *
 * @example
 * ```ts
 * crc32UpdateWord(0xffffffff, 0x04030201) // the same as crc32UpdateBytes(0xffffffff, [1, 2, 3, 4])
 * ```
 */
export function crc32UpdateWord(crc: number, value: number): number {
  return word(crc | 0, value | 0) >>> 0
}

/**
 * CRC-32 of a string's UTF-8 bytes, as zlib's `crc32` and nginx's `ngx_crc32_long` compute it.
 * Allocates nothing, for any string.
 *
 * @param input - the string
 * @returns the unsigned 32-bit CRC
 *
 * @example
 * ```ts
 * crc32('123456789') // 0xcbf43926, the check value of CRC-32/ISO-HDLC
 * ```
 */
export function crc32(input: string): number {
  return (crc32Update(0xffffffff, input) ^ 0xffffffff) >>> 0
}

/**
 * CRC-32 of bytes (see {@link crc32}).
 *
 * @param bytes - the bytes (all of them)
 * @returns the unsigned 32-bit CRC
 *
 * @example
 * ```ts
 * crc32Bytes(new TextEncoder().encode('123456789')) // 0xcbf43926
 * ```
 */
export function crc32Bytes(bytes: Uint8Array): number {
  return (crc32UpdateBytes(0xffffffff, bytes) ^ 0xffffffff) >>> 0
}
