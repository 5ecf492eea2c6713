/** Three-letter English month names, as logs write them. */
export const MONTHS = [
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

/** 0-based month of a three-letter English month name (any case), or -1. */
export function monthIndex(text: string, at: number): number {
  const key =
    ((text.charCodeAt(at) | 0x20) << 16) |
    ((text.charCodeAt(at + 1) | 0x20) << 8) |
    (text.charCodeAt(at + 2) | 0x20)
  return MONTH_KEYS.get(key) ?? -1
}

const MONTH_KEYS = new Map(
  MONTHS.map((name, i) => {
    const lower = name.toLowerCase()
    return [(lower.charCodeAt(0) << 16) | (lower.charCodeAt(1) << 8) | lower.charCodeAt(2), i] as const
  }),
)

/** Days in `month` (0-based) of `year`, proleptic Gregorian. */
export function daysInMonth(year: number, month: number): number {
  if (month === 1) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 3 || month === 5 || month === 8 || month === 10 ? 30 : 31
}

/**
 * Epoch milliseconds of a civil time with a UTC offset in minutes, or NaN when a part is out of
 * range (a leap second 60 is accepted and counts as :59 plus one second).
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
  if (month < 0 || month > 11 || day < 1 || day > daysInMonth(year, month)) return Number.NaN
  if (hour > 23 || minute > 59 || second > 60 || hour < 0 || minute < 0 || second < 0) return Number.NaN
  return Date.UTC(year, month, day, hour, minute, second) - offsetMinutes * 60_000
}

/** The value of `count` ASCII digits at `at`, or -1 if any is not a digit. */
export function digits(text: string, at: number, count: number): number {
  let value = 0
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    value = value * 10 + d
  }
  return value
}
