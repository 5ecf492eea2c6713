import { invalidArgument } from '@shoal/core'

/**
 * The time zone of timestamps that carry none (RFC 3164 syslog): `'UTC'` (the default),
 * `'local'` (the zone of this process), an IANA zone name such as `'Europe/Paris'`, a fixed
 * offset written `'+02:00'` / `'-0530'`, or a fixed offset in minutes east of UTC (`120`).
 */
export type TimeZoneOption = string | number

/** Turns a wall-clock time, given as epoch milliseconds read as if it were UTC, into real epoch milliseconds. */
export type WallClock = (wallMs: number) => number

const MAX_OFFSET_MINUTES = 18 * 60

/**
 * Resolves a {@link TimeZoneOption} once, at construction time.
 *
 * @throws ShoalError `ERR_INVALID_ARGUMENT` for an unknown zone name or an offset beyond ±18 hours
 */
export function wallClock(zone: TimeZoneOption = 'UTC'): WallClock {
  if (typeof zone === 'number') {
    if (!Number.isInteger(zone) || Math.abs(zone) > MAX_OFFSET_MINUTES)
      throw invalidArgument(
        `timeZone offset must be whole minutes within ±${MAX_OFFSET_MINUTES}, got ${zone}`,
      )
    return fixedOffset(zone)
  }
  if (typeof zone !== 'string')
    throw invalidArgument(`timeZone must be a string or a number, got ${typeof zone}`)
  if (zone === 'UTC' || zone === 'utc' || zone === 'Z') return utc
  if (zone === 'local') return local
  const offset = /^([+-])(\d\d):?(\d\d)$/.exec(zone)
  if (offset !== null) {
    const minutes = Number(offset[2]) * 60 + Number(offset[3])
    if (Number(offset[3]) > 59 || minutes > MAX_OFFSET_MINUTES)
      throw invalidArgument(`timeZone offset ${zone} is out of range`)
    return fixedOffset(offset[1] === '-' ? -minutes : minutes)
  }
  return ianaZone(zone)
}

const utc: WallClock = (wallMs) => wallMs

function fixedOffset(minutes: number): WallClock {
  const shift = minutes * 60_000
  return (wallMs) => wallMs - shift
}

const local: WallClock = (wallMs) => {
  const d = new Date(wallMs)
  const date = new Date(0)
  date.setFullYear(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
  date.setHours(d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds())
  return date.getTime()
}

const QUARTER_HOUR = 900_000

function ianaZone(zone: string): WallClock {
  let format: Intl.DateTimeFormat
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
  } catch (cause) {
    throw invalidArgument(
      `timeZone "${zone}" is neither 'UTC', 'local', an offset like '+02:00' nor an IANA zone name`,
      { zone, cause },
    )
  }
  // Offset (ms east of UTC) in force at epoch instant `t`.
  const offsetAt = (t: number): number => {
    let year = 0
    let month = 0
    let day = 0
    let hour = 0
    let minute = 0
    let second = 0
    for (const part of format.formatToParts(t)) {
      if (part.type === 'year') year = Number(part.value)
      else if (part.type === 'month') month = Number(part.value)
      else if (part.type === 'day') day = Number(part.value)
      else if (part.type === 'hour') hour = Number(part.value)
      else if (part.type === 'minute') minute = Number(part.value)
      else if (part.type === 'second') second = Number(part.value)
    }
    return Date.UTC(year, month - 1, day, hour, minute, second) - (t - (((t % 1000) + 1000) % 1000))
  }
  // Offsets change at quarter hours at the finest: cache the answer for the last quarter hour seen.
  let cachedQuarter = Number.NaN
  let cachedShift = 0
  return (wallMs) => {
    const quarter = Math.floor(wallMs / QUARTER_HOUR)
    if (quarter !== cachedQuarter) {
      const base = quarter * QUARTER_HOUR
      const before = offsetAt(base - 43_200_000)
      const after = offsetAt(base + 43_200_000)
      const earlier = Math.max(before, after)
      const later = Math.min(before, after)
      // A wall time repeated when clocks go back resolves to its first occurrence; one skipped
      // when clocks go forward is read with the offset in force before the change.
      if (offsetAt(base - earlier) === earlier) cachedShift = earlier
      else if (offsetAt(base - later) === later) cachedShift = later
      else cachedShift = before
      cachedQuarter = quarter
    }
    return wallMs - cachedShift
  }
}
