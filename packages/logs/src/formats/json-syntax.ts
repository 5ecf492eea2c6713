/**
 * Where JSON text first breaks the grammar of RFC 8259: the index of the offending character,
 * `text.length` when the text ends too early, or -1 when it is valid. `JSON.parse` does not say
 * where in every case (and its messages change between Node versions), so the JSON lines parser
 * asks this on the failure path only. Nesting is tracked with an explicit stack: no recursion.
 */
export function jsonSyntaxErrorAt(text: string): number {
  const n = text.length
  const stack: number[] = [] // OBJECT or ARRAY per open container
  let i = skipSpace(text, 0)
  for (;;) {
    // A value starts at i.
    if (i >= n) return n
    const c = text.charCodeAt(i)
    if (c === OPEN_BRACE) {
      i = skipSpace(text, i + 1)
      if (text.charCodeAt(i) === CLOSE_BRACE) i++
      else {
        stack.push(OBJECT)
        i = member(text, i)
        if (i < 0) return ~i
        continue
      }
    } else if (c === OPEN_BRACKET) {
      i = skipSpace(text, i + 1)
      if (text.charCodeAt(i) === CLOSE_BRACKET) i++
      else {
        stack.push(ARRAY)
        continue
      }
    } else if (c === QUOTE) {
      i = string(text, i)
      if (i < 0) return ~i
    } else if (c === MINUS || (c >= 48 && c <= 57)) {
      i = number(text, i)
      if (i < 0) return ~i
    } else {
      const word = c === 116 ? 'true' : c === 102 ? 'false' : c === 110 ? 'null' : ''
      if (word === '') return i
      for (let k = 0; k < word.length; k++) {
        if (i + k >= n) return n
        if (text.charCodeAt(i + k) !== word.charCodeAt(k)) return i + k
      }
      i += word.length
    }
    // After a value: close containers or move to the next element.
    for (;;) {
      i = skipSpace(text, i)
      const top = stack[stack.length - 1]
      if (top === undefined) return i === n ? -1 : i
      if (i >= n) return n
      const d = text.charCodeAt(i)
      if (d === COMMA) {
        i = skipSpace(text, i + 1)
        if (top === OBJECT) {
          i = member(text, i)
          if (i < 0) return ~i
        }
        break
      }
      if ((top === OBJECT && d === CLOSE_BRACE) || (top === ARRAY && d === CLOSE_BRACKET)) {
        stack.pop()
        i++
        continue
      }
      return i
    }
  }
}

const OBJECT = 0
const ARRAY = 1
const OPEN_BRACE = 123
const CLOSE_BRACE = 125
const OPEN_BRACKET = 91
const CLOSE_BRACKET = 93
const QUOTE = 34
const MINUS = 45
const COMMA = 44
const COLON = 58
const BACKSLASH = 92

function skipSpace(text: string, i: number): number {
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break
  }
  return i
}

/** Reads `"name" :` at i; returns where the value starts, or ~index of the error. */
function member(text: string, i: number): number {
  if (i >= text.length) return ~text.length
  if (text.charCodeAt(i) !== QUOTE) return ~i
  const end = string(text, i)
  if (end < 0) return end
  const colon = skipSpace(text, end)
  if (colon >= text.length) return ~text.length
  if (text.charCodeAt(colon) !== COLON) return ~colon
  return skipSpace(text, colon + 1)
}

/** Reads a string at the quote at i; returns the index after it, or ~index of the error. */
function string(text: string, i: number): number {
  const n = text.length
  for (i++; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) return i + 1
    if (c < 0x20) return ~i
    if (c === BACKSLASH) {
      i++
      if (i >= n) return ~n
      const e = text.charCodeAt(i)
      if (e === 117) {
        for (let k = 1; k <= 4; k++) {
          if (i + k >= n) return ~n
          if (!isHex(text.charCodeAt(i + k))) return ~(i + k)
        }
        i += 4
      } else if (
        e !== QUOTE &&
        e !== BACKSLASH &&
        e !== 47 &&
        e !== 98 &&
        e !== 102 &&
        e !== 110 &&
        e !== 114 &&
        e !== 116
      )
        return ~i
    }
  }
  return ~n
}

/** Reads a number at i; returns the index after it, or ~index of the error. */
function number(text: string, i: number): number {
  const n = text.length
  if (text.charCodeAt(i) === MINUS) i++
  if (i >= n) return ~n
  const first = text.charCodeAt(i)
  if (first === 48) i++
  else if (first >= 49 && first <= 57) i = digits(text, i)
  else return ~i
  if (text.charCodeAt(i) === 46) {
    const start = ++i
    i = digits(text, i)
    if (i === start) return i >= n ? ~n : ~i
  }
  const e = text.charCodeAt(i)
  if (e === 101 || e === 69) {
    i++
    const s = text.charCodeAt(i)
    if (s === 43 || s === MINUS) i++
    const start = i
    i = digits(text, i)
    if (i === start) return i >= n ? ~n : ~i
  }
  return i
}

function digits(text: string, i: number): number {
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) break
  }
  return i
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
}
