import { invalidArgument } from '@shoal/core'

/**
 * A span of time: milliseconds as a number, or text such as `'500ms'`, `'10s'`, `'1m'`, `'5m'`,
 * `'1h'`, `'1d'` or a sum of them (`'1h30m'`). Rules and options written as JSON use the text form.
 */
export type Duration = number | string

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g

/**
 * The milliseconds of `value`, or `undefined` when it is not a duration: a negative or non-finite
 * number, or text that is not a sum of `<number><unit>` parts with unit `ms`, `s`, `m`, `h` or `d`.
 */
export function tryParseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  if (!WHOLE.test(text)) return undefined
  let total = 0
  for (const match of text.matchAll(PART)) total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN)
  return Number.isFinite(total) ? total : undefined
}

/** Options of {@link parseDuration}. */
export interface ParseDurationOptions {
  /** Whether zero is accepted (default `true`). */
  readonly allowZero?: boolean | undefined
  /** Whether the result must be a whole number of milliseconds (default `false`). */
  readonly integer?: boolean | undefined
}

/**
 * The milliseconds of `value`; throws `ERR_INVALID_ARGUMENT` naming `what` when it is not a
 * duration, e.g. "window must be a duration like '1m', got 'soon'".
 *
 * @param value - milliseconds, or text such as `'10s'`, `'1m'`, `'1h30m'`
 * @param what - the name used in the error message
 */
export function parseDuration(value: unknown, what = 'duration', options: ParseDurationOptions = {}): number {
  const ms = tryParseDuration(value)
  if (ms === undefined)
    throw invalidArgument(`${what} must be a duration like '1m', got ${describeValue(value)}`, {
      what,
    })
  if (options.allowZero === false && ms === 0)
    throw invalidArgument(`${what} must be longer than zero, got ${describeValue(value)}`, { what })
  if (options.integer === true && !Number.isInteger(ms))
    throw invalidArgument(`${what} must be a whole number of milliseconds, got ${describeValue(value)}`, {
      what,
    })
  return ms
}

/** `ms` as the shortest text that {@link parseDuration} reads back, e.g. `90000` → `'1m30s'`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return String(ms)
  if (ms === 0) return '0s'
  let rest = ms
  let text = ''
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    const count = Math.floor(rest / size)
    if (count > 0) {
      text += `${count}${unit}`
      rest -= count * size
    }
  }
  if (rest > 0) text += `${rest}ms`
  return text
}

/** A value as it should appear in an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value)
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
