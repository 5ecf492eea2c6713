/** The value of the decimal digits in `text[start, end)`, or NaN when empty or not all digits. */
export function readInt(text: string, start: number, end: number): number {
  if (end <= start || end - start > 15) return Number.NaN
  let value = 0
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return Number.NaN
    value = value * 10 + d
  }
  return value
}

/** The value of a decimal number `digits[.digits]` (optionally negative) in `text[start, end)`, or NaN. */
export function readNumber(text: string, start: number, end: number): number {
  let i = start
  if (text.charCodeAt(i) === 45) i++
  let digits = 0
  let dot = false
  for (; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c === 46 && !dot) dot = true
    else if (c >= 48 && c <= 57) digits++
    else return Number.NaN
  }
  return digits === 0 ? Number.NaN : Number(text.slice(start, end))
}

/** The value of the hexadecimal digits in `text[start, end)`, or NaN. */
export function readHex(text: string, start: number, end: number): number {
  if (end <= start || end - start > 13) return Number.NaN
  const slice = text.slice(start, end)
  return /^[0-9a-fA-F]+$/.test(slice) ? Number.parseInt(slice, 16) : Number.NaN
}

/** Whether `text[start, end)` is exactly `-`, the "no value" mark of access logs. */
export function isDash(text: string, start: number, end: number): boolean {
  return end === start + 1 && text.charCodeAt(start) === 45
}

/**
 * The index of the `"` that closes a quoted field whose text starts at `from`: the first quote
 * preceded by an even number of backslashes. -1 when there is none.
 */
export function findClosingQuote(text: string, from: number): number {
  let at = text.indexOf('"', from)
  while (at >= 0) {
    let backslashes = 0
    for (let j = at - 1; j >= from && text.charCodeAt(j) === 92; j--) backslashes++
    if ((backslashes & 1) === 0) return at
    at = text.indexOf('"', at + 1)
  }
  return -1
}

/**
 * Whether a line may end at `at` in lenient mode: at its end, or before a space or tab that
 * starts extra trailing fields. Anything else means the split was wrong (a raw quote inside a field).
 */
export function endsCleanly(text: string, at: number): boolean {
  if (at >= text.length) return true
  const c = text.charCodeAt(at)
  return c === 32 || c === 9
}
