import { civilToEpoch, digits } from './calendar.js'

/**
 * Parses an RFC 3339 / ISO 8601 time `yyyy-mm-ddTHH:MM:SS[.fraction](Z|±hh:mm)` (a space may
 * stand for the `T`; a missing zone means UTC) to epoch milliseconds, or NaN.
 */
export function parseIsoTime(t: string): number {
  if (
    t.length < 19 ||
    t[4] !== '-' ||
    t[7] !== '-' ||
    (t[10] !== 'T' && t[10] !== 't' && t[10] !== ' ') ||
    t[13] !== ':' ||
    t[16] !== ':'
  ) {
    return Number.NaN
  }
  const year = digits(t, 0, 4)
  const month = digits(t, 5, 2)
  const day = digits(t, 8, 2)
  const hour = digits(t, 11, 2)
  const minute = digits(t, 14, 2)
  const second = digits(t, 17, 2)
  if (year < 0 || month < 1 || day < 0 || hour < 0 || minute < 0 || second < 0) return Number.NaN
  let i = 19
  let fraction = 0
  if (t[i] === '.' || t[i] === ',') {
    i++
    let scale = 100
    const start = i
    while (i < t.length) {
      const d = t.charCodeAt(i) - 48
      if (d < 0 || d > 9) break
      fraction += d * scale
      scale /= 10
      i++
    }
    if (i === start) return Number.NaN
  }
  let offset = 0
  if (i < t.length) {
    const z = t[i]
    if (z === 'Z' || z === 'z') i++
    else if (z === '+' || z === '-') {
      const oh = digits(t, i + 1, 2)
      const colon = t[i + 3] === ':' ? 1 : 0
      const om = digits(t, i + 3 + colon, 2)
      if (oh < 0 || om < 0 || om > 59 || oh > 23) return Number.NaN
      offset = (z === '+' ? 1 : -1) * (oh * 60 + om)
      i += 5 + colon
    } else return Number.NaN
  }
  if (i !== t.length) return Number.NaN
  return civilToEpoch(year, month - 1, day, hour, minute, second, offset) + fraction
}
