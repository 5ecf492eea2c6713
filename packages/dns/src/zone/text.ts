import type { Token } from './lexer.js'
import { type ZoneName, zoneName } from './names.js'

/** A problem with one entry, thrown inside the parser and turned into a collected error. */
export class EntryError extends Error {
  /**
   * @param message - what is wrong, for a person
   * @param line - the line of the word at fault, when it differs from the entry's first line
   * @param invalid - `true` for a zone-level problem (ERR_ZONE_INVALID), else a syntax error
   */
  constructor(
    message: string,
    readonly line?: number,
    readonly invalid = false,
  ) {
    super(message)
  }
}

/** Fails the current entry at the token's line. */
export function fail(token: Token, message: string): never {
  throw new EntryError(message, token.line)
}

const EMPTY = new Uint8Array(0)
const ROOT = zoneName(new Uint8Array(1))
const UTF8 = new TextEncoder()
const DOT = 0x2e
const BACKSLASH = 0x5c

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/**
 * Decodes a word or quoted string to bytes: `\DDD` is the byte DDD (decimal, ≤ 255), `\X` is X
 * itself, other characters are their UTF-8 bytes. With `splitDots`, an unescaped `.` ends a label
 * and the result is the list of labels (the last one empty when the name is absolute).
 */
function decode(token: Token, splitDots: boolean): Uint8Array[] {
  const raw = token.text
  const parts: Uint8Array[] = []
  if (raw.length === 0) return [EMPTY]
  // A character never takes more than three bytes (a surrogate pair: four bytes for two characters).
  const buf = new Uint8Array(raw.length * 3)
  let n = 0
  for (let i = 0; i < raw.length; i++) {
    let c = raw.charCodeAt(i)
    if (c === BACKSLASH) {
      if (i + 1 >= raw.length) fail(token, `'${raw}' ends with a backslash that escapes nothing`)
      const d = raw.charCodeAt(i + 1)
      if (isDigit(d)) {
        if (!(isDigit(raw.charCodeAt(i + 2)) && isDigit(raw.charCodeAt(i + 3))))
          fail(token, `'${raw}': a \\DDD escape needs exactly three decimal digits`)
        const value = Number(raw.slice(i + 1, i + 4))
        if (value > 255) fail(token, `'${raw}': the escape \\${raw.slice(i + 1, i + 4)} is over 255`)
        buf[n++] = value
        i += 3
        continue
      }
      i++
      c = d
    } else if (splitDots && c === DOT) {
      parts.push(buf.slice(0, n))
      n = 0
      continue
    }
    if (c < 0x80) {
      buf[n++] = c
    } else {
      const cp = raw.codePointAt(i) as number
      if (cp > 0xffff) i++
      n += UTF8.encodeInto(String.fromCodePoint(cp), buf.subarray(n)).written
    }
  }
  parts.push(buf.slice(0, n))
  return parts
}

/** The bytes a word or quoted string stands for, escapes decoded. */
export function decodeBytes(token: Token): Uint8Array {
  return decode(token, false)[0] as Uint8Array
}

const MAX_NAME_OCTETS = 255
const MAX_LABEL_OCTETS = 63

function preview(raw: string): string {
  return raw.length > 40 ? `${raw.slice(0, 40)}…` : raw
}

/**
 * Parses a domain name word: `@` is the origin, a name ending in an unescaped `.` is absolute,
 * any other is relative to the origin. Checks label and name lengths (RFC 1035 §2.3.4).
 */
export function parseName(token: Token, origin: ZoneName): ZoneName {
  if (token.quoted) fail(token, `a domain name cannot be a quoted string ("${preview(token.text)}")`)
  const raw = token.text
  if (raw === '@') return origin
  if (raw === '.') return ROOT
  for (let i = 0; i < raw.length; i++)
    if (raw.charCodeAt(i) > 0x7e)
      fail(token, `'${preview(raw)}': write characters outside ASCII in punycode (xn--…) or as \\DDD escapes`)
  const labels = decode(token, true)
  const absolute = labels.length > 1 && (labels[labels.length - 1] as Uint8Array).length === 0
  if (absolute) labels.pop()
  let octets = absolute ? 1 : origin.wire.length
  for (const label of labels) {
    if (label.length === 0)
      fail(token, `'${preview(raw)}' has an empty label (two dots in a row, or a leading dot)`)
    if (label.length > MAX_LABEL_OCTETS)
      fail(
        token,
        `a label of '${preview(raw)}' is ${label.length} octets; a label holds at most ${MAX_LABEL_OCTETS}`,
      )
    octets += 1 + label.length
  }
  if (octets > MAX_NAME_OCTETS)
    fail(
      token,
      `'${preview(raw)}' is ${octets} octets long as a full name; a name holds at most ${MAX_NAME_OCTETS}`,
    )
  const wire = new Uint8Array(octets)
  let at = 0
  for (const label of labels) {
    wire[at++] = label.length
    wire.set(label, at)
    at += label.length
  }
  if (!absolute) wire.set(origin.wire, at)
  return zoneName(wire)
}

/** Parses an unsigned decimal integer no greater than `max`, named `what` in errors. */
export function parseInteger(token: Token, max: number, what: string): number {
  const raw = token.text
  if (token.quoted || raw.length === 0 || raw.length > 10 || !/^[0-9]+$/.test(raw))
    fail(token, `${what} must be a whole number from 0 to ${max}, got '${raw}'`)
  const value = Number(raw)
  if (value > max) fail(token, `${what} must be a whole number from 0 to ${max}, got ${raw}`)
  return value
}
