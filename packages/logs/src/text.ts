import { isUtf8 } from 'node:buffer'

/**
 * What to do with a field whose bytes are not valid UTF-8:
 * `replace` each bad sequence with U+FFFD (the default), keep the field as a `bytes` binary string
 * (one character per byte, so `Buffer.from(value, 'latin1')` gives the bytes back), or `reject`
 * the line with reason `encoding`.
 */
export type InvalidUtf8Policy = 'replace' | 'bytes' | 'reject'

// biome-ignore lint/suspicious/noControlCharactersInRegex: the class is exactly the non-ASCII bytes
const NON_ASCII = /[^\x00-\x7f]/

/** Whether a binary string holds any byte ≥ 0x80 (and so needs UTF-8 decoding). */
export function hasHighBytes(binary: string): boolean {
  return NON_ASCII.test(binary)
}

/**
 * Decodes a binary string (one byte per character) as UTF-8 text. ASCII strings come back as
 * they are, at no cost. Returns `undefined` when the bytes are not UTF-8 and the policy is `reject`.
 */
export function decodeBinary(binary: string, policy: InvalidUtf8Policy): string | undefined {
  if (!NON_ASCII.test(binary)) return binary
  const bytes = Buffer.from(binary, 'latin1')
  if (policy !== 'replace' && !isUtf8(bytes)) return policy === 'bytes' ? binary : undefined
  return bytes.toString('utf8')
}

/** Turns text into a binary string of its UTF-8 bytes (what {@link LineParser.parseBinary} takes). */
export function toBinary(text: string | Uint8Array): string {
  if (typeof text !== 'string')
    return Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('latin1')
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return Buffer.from(text, 'utf8').toString('latin1')
  }
  return text
}

/**
 * Returns a copy of `value` that shares no memory with the chunk it was sliced from.
 *
 * Field strings of parsed records are slices of the decoded chunk they came from, and V8 keeps
 * the whole chunk (up to megabytes) alive as long as any slice lives. Copy a field before it
 * becomes a key or value of a long-lived map, set or cache; short-lived use needs no copy.
 */
export function copyKey(value: string): string {
  return value.length === 0 ? '' : Buffer.from(value, 'utf8').toString('utf8')
}
