/**
 * Calendar arithmetic shared by every timestamp reader. Readers work on binary strings in place
 * (no slicing) and return epoch milliseconds, or NaN when the text is not a valid time. Months
 * are 1–12 throughout.
 */

const MS_PER_DAY = 86_400_000

/** Three-letter English month names, as logs write them. */
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
] as const

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
  // days from civil, after H. Hinnant's algorithm
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  const days = era * 146_097 + doe - 719_468
  return days * MS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000
}

/**
 * Epoch milliseconds of a civil time (month 1–12) written at a UTC offset in minutes, or NaN
 * when a part is out of range. A leap second (:60) counts as the next second.
 */
export function civilToEpoch(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  offsetMinutes: number,
): number {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return Number.NaN
  return civilUtc(year, month, day, hour, minute, second) - offsetMinutes * 60_000
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
