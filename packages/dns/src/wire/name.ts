/**
 * Domain names between their presentation form (`www.example.com`, RFC 1035 §5.1 escapes) and
 * their uncompressed wire form (length-prefixed labels ending in the root's zero byte).
 *
 * The presentation form this package uses everywhere, and the one `DnsQuery.qname` holds:
 * no final dot, `''` for the root, and these escapes so that two different wire names never
 * share a string: `\.`, `\\`, `\"`, `\(`, `\)`, `\;`, `\@`, `\$` for those characters inside a
 * label, `\DDD` (three decimal digits) for bytes outside `!`–`~`. A lookup key is that form in
 * ASCII lower case (RFC 4343: names compare without regard to ASCII case).
 */
import { invalidArgument } from '@shoal/core'

/** The longest name on the wire, root byte included (RFC 1035 §2.3.4). */
export const MAX_NAME_LENGTH = 255

/** The longest label (RFC 1035 §2.3.4). */
export const MAX_LABEL_LENGTH = 63

// What a wire byte becomes in presentation form: copied, lower-cased when keys are wanted,
// escaped with a backslash, or written as \DDD.
const COPY = 0
const UPPER = 1
const ESCAPE = 2
const DECIMAL = 3
const BYTE_KIND = new Uint8Array(256)
for (let b = 0; b < 256; b++) {
  if (b < 0x21 || b > 0x7e) BYTE_KIND[b] = DECIMAL
  else if (b >= 0x41 && b <= 0x5a) BYTE_KIND[b] = UPPER
  else if ('."();@$\\'.includes(String.fromCharCode(b))) BYTE_KIND[b] = ESCAPE
}

// Presentation text is assembled here: 255 wire bytes become at most 4 characters each.
const TEXT = Buffer.allocUnsafe(1024)

/**
 * The presentation form of the uncompressed, already validated name at `start` in `bytes`
 * (see the module comment), lower-cased when `lower` is set. For the decoders, which check the
 * name's bounds before they call it.
 *
 * @internal
 */
export function presentName(bytes: Uint8Array, start: number, lower: boolean): string {
  let n = 0
  let at = start
  for (let len = bytes[at] as number; len !== 0; len = bytes[at] as number) {
    if (n !== 0) TEXT[n++] = 0x2e
    const end = at + 1 + len
    for (let i = at + 1; i < end; i++) {
      const b = bytes[i] as number
      const kind = BYTE_KIND[b] as number
      if (kind === COPY) TEXT[n++] = b
      else if (kind === UPPER) TEXT[n++] = lower ? b + 32 : b
      else if (kind === ESCAPE) {
        TEXT[n++] = 0x5c
        TEXT[n++] = b
      } else {
        TEXT[n++] = 0x5c
        TEXT[n++] = 0x30 + ((b / 100) | 0)
        TEXT[n++] = 0x30 + (((b / 10) | 0) % 10)
        TEXT[n++] = 0x30 + (b % 10)
      }
    }
    at = end
  }
  return n === 0 ? '' : TEXT.toString('latin1', 0, n)
}

/**
 * The length in bytes of the uncompressed wire name at `offset` in `wire`, or `-1` when there is
 * none: a label runs past the end, a label is longer than 63 bytes or has a compression or
 * extended label type, or the name is longer than 255 bytes.
 *
 * @example
 * ```ts
 * nameLength(nameToWire('example.com')) // 13
 * ```
 */
export function nameLength(wire: Uint8Array, offset = 0): number {
  const n = wire.length
  let at = offset
  for (;;) {
    if (at >= n) return -1
    const len = wire[at] as number
    if (len > MAX_LABEL_LENGTH) return -1
    at += 1 + len
    if (at - offset > MAX_NAME_LENGTH) return -1
    if (len === 0) return at - offset
  }
}

/**
 * The wire form of an absolute name in presentation form: labels separated by dots, the final
 * dot optional, `''` or `'.'` for the root, RFC 1035 escapes (`\.`, `\065`). Case is kept.
 * Throws `ERR_INVALID_ARGUMENT` for an empty label, a label over 63 bytes, a name over 255
 * bytes, a bad escape, or a character outside printable ASCII (write IDNs in punycode).
 *
 * @example
 * ```ts
 * nameToWire('www.Example.com') // Uint8Array [3, 119, 119, 119, 7, 69, …, 3, 99, 111, 109, 0]
 * ```
 */
export function nameToWire(name: string): Uint8Array {
  if (typeof name !== 'string') throw invalidArgument(`a DNS name must be a string, got ${String(name)}`)
  const out = new Uint8Array(MAX_NAME_LENGTH)
  if (name === '' || name === '.') return out.slice(0, 1)
  const bad = (why: string) => invalidArgument(`DNS name ${JSON.stringify(name)}: ${why}`, { name })
  let length = 0 // bytes of the current label
  let labelAt = 0 // where the current label's length byte goes
  let at = 1
  for (let i = 0; i < name.length; i++) {
    let c = name.charCodeAt(i)
    if (c === 0x2e) {
      if (length === 0) throw bad('empty label (two dots in a row, or a leading dot)')
      out[labelAt] = length
      labelAt = at++
      length = 0
      continue
    }
    if (c === 0x5c) {
      const d1 = name.charCodeAt(i + 1)
      if (Number.isNaN(d1)) throw bad('a backslash ends the name')
      if (d1 >= 0x30 && d1 <= 0x39) {
        const d2 = name.charCodeAt(i + 2)
        const d3 = name.charCodeAt(i + 3)
        if (!(d2 >= 0x30 && d2 <= 0x39 && d3 >= 0x30 && d3 <= 0x39))
          throw bad('a \\DDD escape needs three decimal digits')
        c = (d1 - 0x30) * 100 + (d2 - 0x30) * 10 + (d3 - 0x30)
        if (c > 255) throw bad(`escape \\${name.slice(i + 1, i + 4)} is above 255`)
        i += 3
      } else {
        c = d1
        i += 1
        if (c < 0x21 || c > 0x7e) throw bad('only printable ASCII may follow a backslash (or use \\DDD)')
      }
    } else if (c < 0x21 || c > 0x7e) {
      throw bad(
        c > 0x7e
          ? 'characters outside ASCII must be written in punycode (xn--…) or as \\DDD escapes'
          : 'spaces and control characters must be written as \\DDD escapes',
      )
    }
    if (++length > MAX_LABEL_LENGTH) throw bad(`a label is longer than ${MAX_LABEL_LENGTH} bytes`)
    if (at >= MAX_NAME_LENGTH) throw bad(`longer than ${MAX_NAME_LENGTH} bytes on the wire`)
    out[at++] = c
  }
  if (length > 0) {
    out[labelAt] = length
    labelAt = at
  }
  // the root label: after the last label, or where the final dot opened one
  if (labelAt >= MAX_NAME_LENGTH) throw bad(`longer than ${MAX_NAME_LENGTH} bytes on the wire`)
  out[labelAt] = 0
  return out.slice(0, labelAt + 1)
}

/**
 * The presentation form of the uncompressed wire name at `offset` (no final dot, `''` for the
 * root, escapes as in the module comment), case kept. Throws `ERR_INVALID_ARGUMENT` when there is
 * no valid uncompressed name there.
 *
 * @example
 * ```ts
 * wireToName(nameToWire('WWW.example.com.')) // 'WWW.example.com'
 * ```
 */
export function wireToName(wire: Uint8Array, offset = 0): string {
  if (nameLength(wire, offset) < 0)
    throw invalidArgument(`no valid uncompressed DNS name at offset ${offset}`)
  return presentName(wire, offset, false)
}

/**
 * The lookup key of the uncompressed wire name at `offset`: its presentation form in ASCII lower
 * case, the same string `decodeQuery` gives as `qname`. Throws `ERR_INVALID_ARGUMENT` when there is
 * no valid uncompressed name there.
 *
 * @example
 * ```ts
 * nameKey(nameToWire('WWW.Example.com')) // 'www.example.com'
 * ```
 */
export function nameKey(wire: Uint8Array, offset = 0): string {
  if (nameLength(wire, offset) < 0)
    throw invalidArgument(`no valid uncompressed DNS name at offset ${offset}`)
  return presentName(wire, offset, true)
}

/**
 * The lookup key of a name in presentation form (see {@link nameKey}): `canonicalName('WWW.a\\.b.')`
 * is `'www.a\\.b'`, and `canonicalName('\\065.x')` is `'a.x'`. Throws like {@link nameToWire}.
 *
 * @example
 * ```ts
 * canonicalName('Mail.Example.COM.') // 'mail.example.com'
 * ```
 */
export function canonicalName(name: string): string {
  return presentName(nameToWire(name), 0, true)
}

/**
 * Whether the uncompressed wire names at `aOffset` in `a` and `bOffset` in `b` are the same name,
 * ignoring ASCII case (RFC 4343). Malformed names are equal to nothing.
 *
 * @example
 * ```ts
 * namesEqual(nameToWire('Example.COM'), nameToWire('example.com')) // true
 * ```
 */
export function namesEqual(a: Uint8Array, b: Uint8Array, aOffset = 0, bOffset = 0): boolean {
  const length = nameLength(a, aOffset)
  if (length < 0 || length !== nameLength(b, bOffset)) return false
  for (let i = 0; i < length; i++) {
    let x = a[aOffset + i] as number
    let y = b[bOffset + i] as number
    if (x >= 0x41 && x <= 0x5a) x += 32
    if (y >= 0x41 && y <= 0x5a) y += 32
    if (x !== y) return false
  }
  return true
}
