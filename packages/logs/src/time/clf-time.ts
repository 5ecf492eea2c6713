import { civilToEpoch, digits, monthIndex } from './calendar.js'

/** Length of `dd/Mon/yyyy:HH:MM:SS ±zzzz`. */
export const CLF_TIME_LENGTH = 26

/**
 * Parses the Common Log Format time `dd/Mon/yyyy:HH:MM:SS ±zzzz` at `at` (exactly 26
 * characters) to epoch milliseconds, or NaN. Consecutive lines mostly share a second, so the
 * last text and value are cached per instance.
 */
export class ClfTimeParser {
  #lastText = ''
  #lastValue = Number.NaN

  /** Parses `text[at, at + 26)`. */
  parse(text: string, at: number): number {
    if (text.startsWith(this.#lastText, at) && this.#lastText.length === CLF_TIME_LENGTH)
      return this.#lastValue
    const key = text.slice(at, at + CLF_TIME_LENGTH)
    const value = parseClfTime(key)
    this.#lastText = key
    this.#lastValue = value
    return value
  }
}

/** Parses a whole `dd/Mon/yyyy:HH:MM:SS ±zzzz` string to epoch milliseconds, or NaN. */
export function parseClfTime(t: string): number {
  if (t.length !== CLF_TIME_LENGTH) return Number.NaN
  if (t[2] !== '/' || t[6] !== '/' || t[11] !== ':' || t[14] !== ':' || t[17] !== ':' || t[20] !== ' ')
    return Number.NaN
  const day = digits(t, 0, 2)
  const month = monthIndex(t, 3)
  const year = digits(t, 7, 4)
  const hour = digits(t, 12, 2)
  const minute = digits(t, 15, 2)
  const second = digits(t, 18, 2)
  const sign = t[21] === '+' ? 1 : t[21] === '-' ? -1 : 0
  const offsetHours = digits(t, 22, 2)
  const offsetMinutes = digits(t, 24, 2)
  if (
    day < 0 ||
    month < 0 ||
    year < 0 ||
    hour < 0 ||
    minute < 0 ||
    second < 0 ||
    sign === 0 ||
    offsetHours < 0 ||
    offsetMinutes < 0 ||
    offsetMinutes > 59
  ) {
    return Number.NaN
  }
  return civilToEpoch(year, month, day, hour, minute, second, sign * (offsetHours * 60 + offsetMinutes))
}
