import { civilToEpoch, digitsAt, monthAt } from './calendar.js'

/** Length of `dd/Mon/yyyy:HH:MM:SS ±zzzz`. */
export const CLF_TIME_LENGTH = 26

const DAY = 11 // dd/Mon/yyyy
const ZONE_AT = 21 // ±zzzz

/**
 * Parses the Common Log Format time `dd/Mon/yyyy:HH:MM:SS ±zzzz` at `at` (exactly 26
 * characters) to epoch milliseconds, or NaN. Consecutive lines mostly share a second, and nearly
 * always a day: both are cached per instance.
 */
export class ClfTimeParser {
  #second = '\u0000'
  #secondValue = Number.NaN
  #day = '\u0000'
  #zone = ''
  #dayValue = Number.NaN

  /** Parses `text[at, at + 26)`. */
  parse(text: string, at: number): number {
    // one slice and a string comparison: measured faster than comparing characters in place
    const key = text.slice(at, at + CLF_TIME_LENGTH)
    if (key === this.#second) return this.#secondValue
    let value: number
    if (key.startsWith(this.#day) && key.endsWith(this.#zone)) value = this.#dayValue + timeOfDay(key, DAY)
    else {
      value = parseClfTime(key, 0, key.length)
      if (!Number.isNaN(value)) {
        this.#day = key.slice(0, DAY)
        this.#zone = key.slice(ZONE_AT)
        this.#dayValue = value - timeOfDay(key, DAY)
      }
    }
    if (!Number.isNaN(value)) {
      this.#second = key
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
  const hour = digitsAt(t, at + 1, 2)
  const minute = digitsAt(t, at + 4, 2)
  const second = digitsAt(t, at + 7, 2)
  if (hour < 0 || minute < 0 || second < 0 || hour > 23 || minute > 59 || second > 60) return Number.NaN
  return ((hour * 60 + minute) * 60 + second) * 1000
}

/**
 * Reads a Common Log Format time `dd/Mon/yyyy:HH:MM:SS ±zzzz` (what Apache `%t` writes inside
 * its brackets, and nginx `$time_local`) occupying exactly `text[start, end)`, or NaN.
 */
export function parseClfTime(text: string, start: number, end: number): number {
  if (end - start !== CLF_TIME_LENGTH) return Number.NaN
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
  const sign = text.charCodeAt(s + 21)
  const oh = digitsAt(text, s + 22, 2)
  const om = digitsAt(text, s + 24, 2)
  const year = digitsAt(text, s + 7, 4)
  if ((sign !== 43 && sign !== 45) || oh < 0 || oh > 23 || om < 0 || om > 59 || year < 0) return Number.NaN
  const day = digitsAt(text, s, 2)
  const hour = digitsAt(text, s + 12, 2)
  const minute = digitsAt(text, s + 15, 2)
  const second = digitsAt(text, s + 18, 2)
  if (day < 0 || hour < 0 || minute < 0 || second < 0) return Number.NaN
  const offset = (sign === 43 ? 1 : -1) * (oh * 60 + om)
  return civilToEpoch(year, monthAt(text, s + 3), day, hour, minute, second, offset)
}
