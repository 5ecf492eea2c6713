/**
 * Timestamp readers shared by the self-describing formats (syslog, JSON lines, W3C). They read
 * binary strings (one character per byte) in place and return epoch milliseconds, or NaN when
 * the text is not a valid time.
 */

const MS_PER_DAY = 86_400_000

/** Whether `year` is a leap year of the proleptic Gregorian calendar. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

/** Days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/**
 * Epoch milliseconds of a civil UTC time (month 1–12), for any year (unlike `Date.UTC`, which
 * maps years 0–99 to 1900–1999). The caller validates the ranges.
 */
export function civilUtc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  // Days from civil, after H. Hinnant's algorithm.
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  const days = era * 146_097 + doe - 719_468
  return days * MS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000
}

/** The value of the `count` ASCII digits at `at`, or -1 if any of them is not a digit. */
export function digitsAt(text: string, at: number, count: number): number {
  let value = 0
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    value = value * 10 + d
  }
  return value
}

/** Three-letter English month names, as syslog and the Common Log Format write them. */
export const MONTH_NAMES = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
]

/** Month (1–12) of the exact three-letter name at `at` (`Jan` … `Dec`, case as written), or 0. */
export function monthAt(text: string, at: number): number {
  const a = text.charCodeAt(at)
  const b = text.charCodeAt(at + 1)
  const c = text.charCodeAt(at + 2)
  for (let m = 0; m < 12; m++) {
    const name = MONTH_NAMES[m] as string
    if (name.charCodeAt(0) === a && name.charCodeAt(1) === b && name.charCodeAt(2) === c) return m + 1
  }
  return 0
}

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

/**
 * Reads a Common Log Format time `dd/Mon/yyyy:hh:mm:ss ±hhmm` (what nginx `$time_local` and
 * Apache `%t` write, without brackets) occupying exactly `text[start, end)`.
 */
export function parseClfTime(text: string, start: number, end: number): number {
  if (end - start !== 26) return Number.NaN
  const s = start
  if (
    text.charCodeAt(s + 2) !== 47 ||
    text.charCodeAt(s + 6) !== 47 ||
    text.charCodeAt(s + 11) !== 58 ||
    text.charCodeAt(s + 14) !== 58 ||
    text.charCodeAt(s + 17) !== 58 ||
    text.charCodeAt(s + 20) !== 32
  )
    return Number.NaN
  const day = digitsAt(text, s, 2)
  const month = monthAt(text, s + 3)
  const year = digitsAt(text, s + 7, 4)
  const hour = digitsAt(text, s + 12, 2)
  const minute = digitsAt(text, s + 15, 2)
  const second = digitsAt(text, s + 18, 2)
  const sign = text.charCodeAt(s + 21)
  const oh = digitsAt(text, s + 22, 2)
  const om = digitsAt(text, s + 24, 2)
  if (month === 0 || year < 0 || day < 1 || day > daysInMonth(year, month)) return Number.NaN
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return Number.NaN
  if ((sign !== 43 && sign !== 45) || oh < 0 || oh > 23 || om < 0 || om > 59) return Number.NaN
  const offset = (sign === 43 ? 1 : -1) * (oh * 60 + om)
  return civilUtc(year, month, day, hour, minute, second) - offset * 60_000
}
