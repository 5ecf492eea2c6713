import { civilUtc, daysInMonth, digitsAt } from './calendar.js'

/**
 * Reads an RFC 3339 `date-time` occupying exactly `text[start, end)`:
 * `yyyy-mm-ddThh:mm:ss[.frac](Z|±hh:mm)`. Fractions beyond milliseconds are truncated.
 *
 * `strict` applies RFC 5424 §6.2.3: upper-case `T` and `Z`, at most 6 fraction digits, no leap
 * second. Otherwise (JSON logs) a space or lower-case `t` may separate date and time, `z` is
 * accepted, fractions may have up to 9 digits, the offset may omit its colon (`+0200`), and a
 * leap second `:60` counts as the next second.
 */
export function parseRfc3339(text: string, start: number, end: number, strict: boolean): number {
  const length = end - start
  if (length < 20) return Number.NaN
  const s = start
  if (text.charCodeAt(s + 4) !== 45 || text.charCodeAt(s + 7) !== 45) return Number.NaN
  const t = text.charCodeAt(s + 10)
  if (t !== 84 && (strict || (t !== 116 && t !== 32))) return Number.NaN
  if (text.charCodeAt(s + 13) !== 58 || text.charCodeAt(s + 16) !== 58) return Number.NaN
  // Consecutive lines mostly share their date: keep the last one read.
  let dayMs = lastDayMs
  if (!text.startsWith(lastDate, s)) {
    const year = digitsAt(text, s, 4)
    const month = digitsAt(text, s + 5, 2)
    const day = digitsAt(text, s + 8, 2)
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN
    dayMs = civilUtc(year, month, day, 0, 0, 0)
    lastDate = text.slice(s, s + 10)
    lastDayMs = dayMs
  }
  const hour = digitsAt(text, s + 11, 2)
  const minute = digitsAt(text, s + 14, 2)
  const second = digitsAt(text, s + 17, 2)
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > (strict ? 59 : 60))
    return Number.NaN
  let i = s + 19
  let ms = 0
  if (text.charCodeAt(i) === 46) {
    const first = ++i
    let scale = 100
    for (; i < end; i++) {
      const d = text.charCodeAt(i) - 48
      if (d < 0 || d > 9) break
      ms += d * scale
      scale /= 10
    }
    const count = i - first
    if (count === 0 || count > (strict ? 6 : 9)) return Number.NaN
    ms = Math.floor(ms)
  }
  let offset = 0
  const z = text.charCodeAt(i)
  if (z === 90 || (!strict && z === 122)) i++
  else if (z === 43 || z === 45) {
    const oh = digitsAt(text, i + 1, 2)
    const colon = text.charCodeAt(i + 3) === 58
    if (strict && !colon) return Number.NaN
    const om = digitsAt(text, colon ? i + 4 : i + 3, 2)
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return Number.NaN
    offset = (z === 43 ? 1 : -1) * (oh * 60 + om)
    i += colon ? 6 : 5
  } else return Number.NaN
  if (i !== end) return Number.NaN
  return dayMs + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms - offset * 60_000
}

// The date part (`yyyy-mm-dd`, validated) of the last RFC 3339 time read, and its epoch milliseconds.
let lastDate = '\0'
let lastDayMs = 0
