import { civilToEpoch, digits, monthIndex } from './calendar.js'

/** Length of `dd/Mon/yyyy:HH:MM:SS ±zzzz`. */
export const CLF_TIME_LENGTH = 26

const DAY = 11 // dd/Mon/yyyy
const ZONE_AT = 21 // ±zzzz

/**
 * Parses the Common Log Format time `dd/Mon/yyyy:HH:MM:SS ±zzzz` at `at` (exactly 26
 * characters) to epoch milliseconds, or NaN. Consecutive lines mostly share a second, and nearly
 * always a day: both are cached per instance, and compared in place, without slicing.
 */
export class ClfTimeParser {
  #second = ''
  #secondValue = Number.NaN
  #day = ''
  #zone = ''
  #dayValue = Number.NaN

  /** Parses `text[at, at + 26)`. */
  parse(text: string, at: number): number {
    if (this.#second.length === CLF_TIME_LENGTH && text.startsWith(this.#second, at)) return this.#secondValue
    let value: number
    if (
      this.#day.length === DAY &&
      text.startsWith(this.#day, at) &&
      text.startsWith(this.#zone, at + ZONE_AT)
    ) {
      value = this.#dayValue + timeOfDay(text, at + DAY)
    } else {
      value = parseClfTime(text.slice(at, at + CLF_TIME_LENGTH))
      if (!Number.isNaN(value)) {
        this.#day = text.slice(at, at + DAY)
        this.#zone = text.slice(at + ZONE_AT, at + CLF_TIME_LENGTH)
        this.#dayValue = value - timeOfDay(text, at + DAY)
      }
    }
    if (!Number.isNaN(value)) {
      this.#second = text.slice(at, at + CLF_TIME_LENGTH)
      this.#secondValue = value
    }
    return value
  }
}

/** Milliseconds of `:HH:MM:SS ` at `at`, or NaN if malformed or out of range. */
function timeOfDay(t: string, at: number): number {
  if (
    t.charCodeAt(at) !== 58 ||
    t.charCodeAt(at + 3) !== 58 ||
    t.charCodeAt(at + 6) !== 58 ||
    t.charCodeAt(at + 9) !== 32
  )
    return Number.NaN
  const hour = digits(t, at + 1, 2)
  const minute = digits(t, at + 4, 2)
  const second = digits(t, at + 7, 2)
  if (hour < 0 || minute < 0 || second < 0 || hour > 23 || minute > 59 || second > 60) return Number.NaN
  return ((hour * 60 + minute) * 60 + second) * 1000
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
