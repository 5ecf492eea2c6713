import { invalidArgument } from '@shoal/core'
import { LineFailure } from '../bad-line.js'
import type { LineParser, LineResult } from '../line-parser.js'
import { decodeBinary, hasHighBytes, type InvalidUtf8Policy, toBinary } from '../text.js'
import { bareObject } from './bare-object.js'

/**
 * A parsed logfmt line: key → value, `true` for a bare key. The object inherits nothing, so any
 * key (even `__proto__` or `constructor`) is an ordinary key.
 */
export type LogfmtRecord = Record<string, string | true>

/** Options of {@link logfmtParser}. */
export interface LogfmtOptions {
  /** What to do with a key or value that is not valid UTF-8 (default `replace`). */
  readonly invalidUtf8?: InvalidUtf8Policy | undefined
}

const SP = 32
const QUOTE = 34
const EQUALS = 61
const BACKSLASH = 92

/**
 * A parser of logfmt lines. Made by {@link logfmtParser}.
 */
export class LogfmtParser implements LineParser<LogfmtRecord> {
  /** `logfmt`. */
  readonly name = 'logfmt'
  readonly #policy: InvalidUtf8Policy

  /** @param options - the UTF-8 policy */
  constructor(options: LogfmtOptions = {}) {
    const { invalidUtf8 = 'replace' } = options
    if (invalidUtf8 !== 'replace' && invalidUtf8 !== 'bytes' && invalidUtf8 !== 'reject')
      throw invalidArgument(`invalidUtf8 must be 'replace', 'bytes' or 'reject', got ${String(invalidUtf8)}`)
    this.#policy = invalidUtf8
  }

  /**
   * Parses one line given as a binary string (one character per byte).
   *
   * @param ascii - true when the caller knows the line holds no byte ≥ 0x80 (spares a scan)
   */
  parseBinary(line: string, ascii?: boolean): LogfmtRecord | LineFailure {
    const n = line.length
    // An ASCII line needs no UTF-8 decoding, except for the bytes that escapes produce.
    const policy = ascii === true || !hasHighBytes(line) ? null : this.#policy
    const record = bareObject<string | true>()
    let pairs = 0
    let i = 0
    for (;;) {
      while (i < n && line.charCodeAt(i) <= SP) i++
      if (i >= n) break
      // key: up to `=` or a separator
      const keyStart = i
      for (; i < n; i++) {
        const c = line.charCodeAt(i)
        if (c === EQUALS || c <= SP) break
        if (c === QUOTE) return new LineFailure('syntax', i, 'a key may not hold a double quote')
      }
      if (i === keyStart) return new LineFailure('syntax', i, 'a key is missing before "="')
      const key = text(line.slice(keyStart, i), policy)
      if (key === undefined) return new LineFailure('encoding', keyStart, 'a key is not valid UTF-8')
      pairs++
      if (i >= n || line.charCodeAt(i) !== EQUALS) {
        record[key] = true
        continue
      }
      i++
      let value: string | undefined
      if (line.charCodeAt(i) === QUOTE) {
        const open = i
        let escaped = false
        for (i++; i < n; i++) {
          const c = line.charCodeAt(i)
          if (c === QUOTE) break
          if (c === BACKSLASH) {
            escaped = true
            i++
          }
        }
        if (i >= n) return new LineFailure('unterminated-quote', open, `the value of ${key} never closes`)
        const raw = line.slice(open + 1, i)
        i++
        if (i < n && line.charCodeAt(i) > SP)
          return new LineFailure('syntax', i, `expected a space after the quoted value of ${key}`)
        value = escaped ? decodeBinary(unescapeLogfmt(raw), this.#policy) : text(raw, policy)
        if (value === undefined)
          return new LineFailure('encoding', open, `the value of ${key} is not valid UTF-8`)
      } else {
        const valueStart = i
        while (i < n && line.charCodeAt(i) > SP) i++
        value = text(line.slice(valueStart, i), policy)
        if (value === undefined)
          return new LineFailure('encoding', valueStart, `the value of ${key} is not valid UTF-8`)
      }
      record[key] = value
    }
    if (pairs === 0) return new LineFailure('empty', 0, 'blank line')
    return record
  }

  /** Parses one line given as text or bytes. */
  parseLine(line: string | Uint8Array): LineResult<LogfmtRecord> {
    const result = this.parseBinary(toBinary(line))
    return result instanceof LineFailure ? { ok: false, failure: result } : { ok: true, record: result }
  }
}

/**
 * Makes a parser of logfmt lines (`level=info msg="hello world" took=12ms cached`). logfmt has no
 * formal grammar; this one reads what go-logfmt, logrus and the npm `logfmt` package write:
 *
 * - pairs are separated by any run of spaces, tabs or other bytes ≤ 0x20;
 * - a key runs up to `=` or a separator and may not contain `"`; a bare key is `true`;
 *   `key=` is the empty string; a key seen twice keeps its last value;
 * - an unquoted value runs up to the next separator (it may contain `=` and `"`);
 * - a quoted value runs up to the next unescaped `"`, which must be followed by a separator or
 *   the end of the line; a missing closing quote is `unterminated-quote`;
 * - escapes in quoted values are those of JSON (`\"` `\\` `\/` `\b` `\f` `\n` `\r` `\t` and
 *   `\uXXXX`, surrogate pairs included: what go-logfmt writes) and of Go's `%q` (`\a` `\v`,
 *   `\xHH` for a raw byte, `\UXXXXXXXX`: what logrus writes). A backslash before any other
 *   character is kept, with that character.
 *
 * Records are objects that inherit nothing; every value is a string or `true`.
 *
 * @example
 * ```ts
 * logfmtParser().parseLine('at=info method=GET path="/a b" fwd')
 * // { ok: true, record: { at: 'info', method: 'GET', path: '/a b', fwd: true } }
 * ```
 * @throws ShoalError `ERR_INVALID_ARGUMENT` for a bad option
 */
export function logfmtParser(options: LogfmtOptions = {}): LogfmtParser {
  return new LogfmtParser(options)
}

/** A field as text: as it is when the line is ASCII (`policy` null), else decoded per policy. */
function text(binary: string, policy: InvalidUtf8Policy | null): string | undefined {
  return policy === null ? binary : decodeBinary(binary, policy)
}

/** Resolves the escapes of a quoted value (a binary string), giving a binary string of UTF-8 bytes. */
function unescapeLogfmt(raw: string): string {
  let out = ''
  let from = 0
  let i = raw.indexOf('\\')
  while (i >= 0 && i + 1 < raw.length) {
    const e = raw[i + 1] as string
    let replacement: string | undefined
    let length = 2
    switch (e) {
      case '"':
      case '\\':
      case '/':
        replacement = e
        break
      case 'n':
        replacement = '\n'
        break
      case 't':
        replacement = '\t'
        break
      case 'r':
        replacement = '\r'
        break
      case 'b':
        replacement = '\b'
        break
      case 'f':
        replacement = '\f'
        break
      case 'a':
        replacement = '\x07'
        break
      case 'v':
        replacement = '\v'
        break
      case 'x': {
        const byte = hex(raw, i + 2, 2)
        if (byte >= 0) {
          replacement = String.fromCharCode(byte)
          length = 4
        }
        break
      }
      case 'u': {
        let code = hex(raw, i + 2, 4)
        if (code < 0) break
        length = 6
        if (code >= 0xd800 && code <= 0xdbff && raw[i + 6] === '\\' && raw[i + 7] === 'u') {
          const low = hex(raw, i + 8, 4)
          if (low >= 0xdc00 && low <= 0xdfff) {
            code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
            length = 12
          }
        }
        replacement = utf8Binary(code)
        break
      }
      case 'U': {
        const code = hex(raw, i + 2, 8)
        if (code >= 0 && code <= 0x10ffff) {
          replacement = utf8Binary(code)
          length = 10
        }
        break
      }
    }
    if (replacement === undefined) {
      i = raw.indexOf('\\', i + 2)
      continue
    }
    out += raw.slice(from, i) + replacement
    from = i + length
    i = raw.indexOf('\\', from)
  }
  return out + raw.slice(from)
}

/** The value of `count` hex digits at `at`, or -1. */
function hex(text: string, at: number, count: number): number {
  if (at + count > text.length) return -1
  let value = 0
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i)
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1
    if (d < 0) return -1
    value = value * 16 + d
  }
  return value
}

/** The UTF-8 bytes of a code point, as a binary string (a lone surrogate becomes U+FFFD). */
function utf8Binary(code: number): string {
  const c = code >= 0xd800 && code <= 0xdfff ? 0xfffd : code
  if (c < 0x80) return String.fromCharCode(c)
  if (c < 0x800) return String.fromCharCode(0xc0 | (c >> 6), 0x80 | (c & 0x3f))
  if (c < 0x10000) return String.fromCharCode(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f))
  return String.fromCharCode(
    0xf0 | (c >> 18),
    0x80 | ((c >> 12) & 0x3f),
    0x80 | ((c >> 6) & 0x3f),
    0x80 | (c & 0x3f),
  )
}
