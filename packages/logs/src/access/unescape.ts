/**
 * How field values were escaped by the writer:
 * - `apache`: Apache's `ap_escape_logitem` and nginx `escape=default`: `\"` `\\` `\n` `\r` `\t`
 *   `\b` `\v` `\f` and `\xHH` (nginx writes only `\xHH`, which this decodes too)
 * - `json`: nginx `escape=json`: JSON string escapes, `\uXXXX` included
 * - `none`: nginx `escape=none`: values are raw bytes; nothing is decoded
 */
export type EscapeMode = 'apache' | 'json' | 'none'

const SIMPLE: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  v: '\v',
  f: '\f',
  '"': '"',
  '\\': '\\',
  '/': '/',
}

function hexValue(text: string, at: number, count: number): number {
  let value = 0
  for (let i = at; i < at + count; i++) {
    const c = text.charCodeAt(i)
    const d = c >= 48 && c <= 57 ? c - 48 : (c | 0x20) >= 97 && (c | 0x20) <= 102 ? (c | 0x20) - 87 : -1
    if (d < 0) return -1
    value = value * 16 + d
  }
  return value
}

/** A code point as the binary string of its UTF-8 bytes. */
function utf8Binary(codePoint: number): string {
  return Buffer.from(String.fromCodePoint(codePoint), 'utf8').toString('latin1')
}

/**
 * Decodes the escapes of a binary-string field value back to the bytes the writer saw (as a
 * binary string, ready for UTF-8 decoding). Unknown escapes are kept as written.
 */
export function unescapeBinary(value: string, mode: EscapeMode): string {
  let i = value.indexOf('\\')
  if (i < 0 || mode === 'none') return value
  let out = value.slice(0, i)
  while (i < value.length) {
    const c = value[i] as string
    if (c !== '\\' || i + 1 >= value.length) {
      out += c
      i++
      continue
    }
    const next = value[i + 1] as string
    if (next === 'x' && mode === 'apache') {
      const byte = hexValue(value, i + 2, 2)
      if (byte >= 0) {
        out += String.fromCharCode(byte)
        i += 4
        continue
      }
    } else if (next === 'u' && mode === 'json') {
      let unit = hexValue(value, i + 2, 4)
      if (unit >= 0) {
        i += 6
        // a surrogate pair is written as two escapes
        if (unit >= 0xd800 && unit < 0xdc00 && value[i] === '\\' && value[i + 1] === 'u') {
          const low = hexValue(value, i + 2, 4)
          if (low >= 0xdc00 && low < 0xe000) {
            unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)
            i += 6
          }
        }
        out += unit < 0x80 ? String.fromCharCode(unit) : utf8Binary(unit)
        continue
      }
    } else {
      const simple = SIMPLE[next]
      if (simple !== undefined && (mode === 'json' || next !== '/')) {
        out += simple
        i += 2
        continue
      }
    }
    out += c
    i++
  }
  return out
}
