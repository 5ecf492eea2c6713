/**
 * The UTF-8 scratch buffer the hash functions share for non-ASCII strings: one module-level
 * buffer, grown when a longer string than ever before arrives and reused afterwards, so hashing
 * allocates nothing in the steady state. Bytes are exactly `TextEncoder`'s: a lone surrogate
 * (an unpaired U+D800–U+DFFF code unit) becomes U+FFFD, the bytes EF BF BD.
 */

const ENCODER = new TextEncoder()

/** The shared buffer; callers read it right after {@link encodeUtf8} and before any other hash call. */
let scratch = new Uint8Array(256)

/**
 * Encodes `input` as UTF-8 into the shared scratch buffer and returns the byte count. The bytes
 * are valid until the next call (hashing is synchronous, so no other hash runs in between).
 *
 * @example
 * ```ts
 * const length = encodeUtf8('héllo')
 * const bytes = utf8Scratch() // bytes[0, length) are the UTF-8 of 'héllo'
 * ```
 */
export function encodeUtf8(input: string): number {
  // a UTF-16 code unit never needs more than 3 UTF-8 bytes (a surrogate pair: 4 bytes for 2 units)
  const need = input.length * 3
  if (scratch.length < need) scratch = new Uint8Array(Math.max(need, scratch.length * 2))
  return ENCODER.encodeInto(input, scratch).written
}

/**
 * The shared scratch buffer that {@link encodeUtf8} writes into (it is replaced when it grows, so
 * fetch it after encoding).
 *
 * @example
 * ```ts
 * const bytes = utf8Scratch().subarray(0, encodeUtf8('ü'))
 * ```
 */
export function utf8Scratch(): Uint8Array {
  return scratch
}
