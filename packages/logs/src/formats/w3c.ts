import { invalidArgument } from '@shoal/core'
import { LineFailure } from '../bad-line.js'
import type { LineParser, LineResult } from '../line-parser.js'
import { SKIP_LINE, type SkipLine } from '../skip-line.js'
import { decodeBinary, hasHighBytes, type InvalidUtf8Policy, toBinary } from '../text.js'
import { civilUtc, daysInMonth, digitsAt } from '../time/calendar.js'

/** A value of a W3C record: text, a number (numeric fields, `time`) or null (`-`). */
export type W3cValue = string | number | null

/**
 * One W3C extended log entry, keyed by the field names exactly as the `#Fields:` directive
 * writes them (`c-ip`, `cs(User-Agent)`, `sc-status` …), in that order. `time` holds epoch
 * milliseconds (UTC), combining the `date` field (or the `#Date:` directive) with the `time` field.
 */
export type W3cRecord = Record<string, W3cValue>

/** Options of {@link w3cParser}. */
export interface W3cOptions {
  /**
   * The fields to assume until a `#Fields:` directive arrives, as the directive's text
   * (`'date time c-ip …'`) or a list: for streams read from the middle of a file.
   */
  readonly fields?: string | readonly string[] | undefined
  /**
   * What separates values: `space` (IIS), `tab` (CloudFront) or `auto` (the default: tab if the
   * first entry after each `#Fields:` holds one, space otherwise).
   */
  readonly separator?: 'auto' | 'space' | 'tab' | undefined
  /**
   * Fields where `+` stands for a space, as IIS writes them in space-separated logs (default
   * `['cs(User-Agent)']`). Not applied to tab-separated logs.
   */
  readonly plusAsSpace?: readonly string[] | undefined
  /** What to do with a value that is not valid UTF-8 (default `replace`). */
  readonly invalidUtf8?: InvalidUtf8Policy | undefined
}

/** Fields read as integers (`bad-int` otherwise). */
const INT_FIELDS = new Set([
  'sc-status',
  'sc-substatus',
  'sc-win32-status',
  'sc-bytes',
  'cs-bytes',
  's-port',
  'c-port',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
])

/** Fields read as decimal numbers (`bad-number` otherwise): IIS writes milliseconds, CloudFront seconds. */
const NUMBER_FIELDS = new Set(['time-taken', 'time-to-first-byte'])

enum Kind {
  Text,
  PlusText,
  Int,
  Number,
  Date,
  Time,
}

interface Plan {
  readonly names: readonly string[]
  readonly kinds: readonly Kind[]
  separator: string
}

const TAB = '\t'
const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)$/

/**
 * A parser of W3C extended log files (IIS, CloudFront). It keeps state between lines (the
 * current `#Fields:` and `#Date:`): use one per stream. Made by {@link w3cParser}.
 */
export class W3cParser implements LineParser<W3cRecord | SkipLine> {
  /** `w3c`. */
  readonly name = 'w3c'
  readonly #initial: Plan | undefined
  readonly #separator: 'auto' | 'space' | 'tab'
  readonly #plus: ReadonlySet<string>
  readonly #policy: InvalidUtf8Policy
  #plan: Plan | undefined
  #date = ''
  #directives: Record<string, string> = {}

  /** @param options - initial fields, separator, `+` handling and UTF-8 policy */
  constructor(options: W3cOptions = {}) {
    const { fields, separator = 'auto', plusAsSpace = ['cs(User-Agent)'], invalidUtf8 = 'replace' } = options
    if (separator !== 'auto' && separator !== 'space' && separator !== 'tab')
      throw invalidArgument(`separator must be 'auto', 'space' or 'tab', got ${String(separator)}`)
    if (invalidUtf8 !== 'replace' && invalidUtf8 !== 'bytes' && invalidUtf8 !== 'reject')
      throw invalidArgument(`invalidUtf8 must be 'replace', 'bytes' or 'reject', got ${String(invalidUtf8)}`)
    if (!Array.isArray(plusAsSpace)) throw invalidArgument('plusAsSpace must be an array of field names')
    this.#separator = separator
    this.#plus = new Set(plusAsSpace)
    this.#policy = invalidUtf8
    if (fields !== undefined) {
      const names =
        typeof fields === 'string' ? fields.split(/[ \t]+/).filter((f) => f.length > 0) : [...fields]
      const plan = this.#compile(names)
      if (typeof plan === 'string') throw invalidArgument(`fields: ${plan}`, { fields: names })
      this.#initial = plan
    }
    this.#plan = this.#initial === undefined ? undefined : { ...this.#initial }
  }

  /** The fields of the current plan (from the last `#Fields:` directive or the `fields` option), if any. */
  get fields(): readonly string[] | undefined {
    return this.#plan?.names
  }

  /** The last value of every directive seen (`Version`, `Software`, `Date`, `Fields` …), by name. */
  get directives(): Readonly<Record<string, string>> {
    return { ...this.#directives }
  }

  /** Forgets every directive seen: back to the `fields` option, as for a new stream. */
  reset(): void {
    this.#plan = this.#initial === undefined ? undefined : { ...this.#initial }
    this.#date = ''
    this.#directives = {}
  }

  /**
   * Parses one line given as a binary string (one character per byte). Directive lines return
   * {@link SKIP_LINE}; a bad `#Fields:` directive is a `syntax` failure and leaves the previous
   * fields in force.
   *
   * @param ascii - true when the caller knows the line holds no byte ≥ 0x80 (spares a scan)
   */
  parseBinary(line: string, ascii?: boolean): W3cRecord | SkipLine | LineFailure {
    if (line.charCodeAt(0) === 35) return this.#directive(line)
    const plan = this.#plan
    if (plan === undefined) {
      if (line.length === 0) return new LineFailure('empty', 0, 'empty line')
      return new LineFailure('syntax', 0, 'an entry before any #Fields: directive')
    }
    if (plan.separator === '')
      plan.separator =
        this.#separator === 'tab' || (this.#separator === 'auto' && line.includes(TAB)) ? TAB : ' '
    const separator = plan.separator
    const names = plan.names
    const kinds = plan.kinds
    const count = names.length
    const plain = ascii === true || !hasHighBytes(line)
    const record: W3cRecord = {}
    let start = 0
    let date = this.#date
    let time = ''
    let timeAt = -1
    for (let f = 0; f < count; f++) {
      let end = line.indexOf(separator, start)
      if (end < 0) {
        if (f < count - 1)
          return new LineFailure('missing-field', line.length, `the line ends before field ${names[f + 1]}`)
        end = line.length
      } else if (f === count - 1)
        return new LineFailure('trailing-data', end, `more values than the ${count} fields of #Fields:`)
      const name = names[f] as string
      const kind = kinds[f] as Kind
      let value: W3cValue = null
      if (end !== start + 1 || line.charCodeAt(start) !== 45) {
        const raw = line.slice(start, end)
        switch (kind) {
          case Kind.Int:
            value = integer(raw)
            if (value < 0) return new LineFailure('bad-int', start, `field ${name} is not an integer`)
            break
          case Kind.Number:
            if (!DECIMAL.test(raw))
              return new LineFailure('bad-number', start, `field ${name} is not a number`)
            value = Number(raw)
            break
          case Kind.Date:
            date = raw
            value = raw
            break
          case Kind.Time:
            // Read once the date is known: `date` may come after `time`.
            time = raw
            timeAt = start
            break
          default: {
            const text = plain ? raw : decodeBinary(raw, this.#policy)
            if (text === undefined)
              return new LineFailure('encoding', start, `field ${name} is not valid UTF-8`)
            value = kind === Kind.PlusText && separator === ' ' ? text.replaceAll('+', ' ') : text
          }
        }
      }
      record[name] = value
      start = end + 1
    }
    if (timeAt >= 0 && date.length > 0) {
      const t = parseTime(date, time)
      if (Number.isNaN(t))
        return new LineFailure('bad-time', timeAt, `date and time ${date} ${time} are not valid`)
      record.time = t
    }
    return record
  }

  /** Parses one line given as text or bytes. */
  parseLine(line: string | Uint8Array): LineResult<W3cRecord | SkipLine> {
    const result = this.parseBinary(toBinary(line))
    return result instanceof LineFailure ? { ok: false, failure: result } : { ok: true, record: result }
  }

  #directive(line: string): SkipLine | LineFailure {
    const colon = line.indexOf(':')
    const name = (colon < 0 ? line.slice(1) : line.slice(1, colon)).trim()
    const value = colon < 0 ? '' : line.slice(colon + 1).trim()
    if (name === 'Fields') {
      const names = value.split(/[ \t]+/).filter((f) => f.length > 0)
      const plan = this.#compile(names)
      if (typeof plan === 'string') return new LineFailure('syntax', colon + 1, `#Fields: ${plan}`)
      this.#plan = plan
    } else if (name === 'Date') {
      this.#date = /^\d{4}-\d\d-\d\d(?:$|[ T])/.test(value) ? value.slice(0, 10) : ''
    }
    const text = decodeBinary(value, this.#policy)
    if (name.length > 0) this.#directives[name] = text ?? value
    return SKIP_LINE
  }

  #compile(names: readonly string[]): Plan | string {
    if (names.length === 0) return 'no field names'
    const seen = new Set<string>()
    const kinds: Kind[] = []
    for (const name of names) {
      if (typeof name !== 'string' || name.length === 0) return 'a field name is empty'
      if (seen.has(name)) return `field ${name} appears twice`
      if (name === '__proto__') return 'a field may not be named __proto__'
      seen.add(name)
      kinds.push(
        name === 'date'
          ? Kind.Date
          : name === 'time'
            ? Kind.Time
            : INT_FIELDS.has(name)
              ? Kind.Int
              : NUMBER_FIELDS.has(name)
                ? Kind.Number
                : this.#plus.has(name)
                  ? Kind.PlusText
                  : Kind.Text,
      )
    }
    const separator = this.#separator === 'tab' ? TAB : this.#separator === 'space' ? ' ' : ''
    return { names, kinds, separator }
  }
}

/**
 * Makes a parser of W3C extended log files, as IIS and CloudFront write them.
 *
 * - Directive lines (`#Version:`, `#Software:`, `#Date:`, `#Fields:`, `#Remark:` …) give no
 *   record: {@link W3cParser.parseBinary} returns {@link SKIP_LINE}, which the stream readers
 *   drop. Each `#Fields:` re-plans the parser (a server restart writes a new header mid-file).
 * - Entries before any `#Fields:` (and without the `fields` option) are `syntax` failures.
 * - Values are separated by one space (IIS) or one tab (CloudFront, detected from the first
 *   entry); `-` is null; values are kept as written otherwise (CloudFront's URL encoding is not
 *   undone), except that `+` means a space in the `plusAsSpace` fields of space-separated logs.
 * - Keys are the field names as written (`c-ip`, `cs(User-Agent)`).
 * - `time` becomes epoch milliseconds (UTC, as W3C logs are written), from the `date` field, or
 *   else the date of the `#Date:` directive (null without either); `date` stays text.
 * - `sc-status`, `sc-substatus`, `sc-win32-status`, `sc-bytes`, `cs-bytes`, `s-port`, `c-port`,
 *   `sc-content-len`, `sc-range-start` and `sc-range-end` are integers (`bad-int` otherwise);
 *   `time-taken` and `time-to-first-byte` are numbers (`bad-number` otherwise).
 * - Fewer values than fields is `missing-field`, more is `trailing-data`.
 *
 * @example
 * ```ts
 * for await (const r of parseRecords(createReadStream('u_ex240501.log'), w3cParser())) count(r['sc-status'])
 * ```
 * @throws ShoalError `ERR_INVALID_ARGUMENT` for bad options or an invalid `fields` list
 */
export function w3cParser(options: W3cOptions = {}): W3cParser {
  return new W3cParser(options)
}

/** A non-negative decimal integer, or -1. */
function integer(raw: string): number {
  if (raw.length === 0 || raw.length > 15) return -1
  let value = 0
  for (let i = 0; i < raw.length; i++) {
    const d = raw.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    value = value * 10 + d
  }
  return value
}

/** W3C `yyyy-mm-dd` and `hh:mm[:ss[.fraction]]` → epoch milliseconds (UTC), or NaN when invalid. */
function parseTime(date: string, time: string): number {
  if (date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45) return Number.NaN
  const year = digitsAt(date, 0, 4)
  const month = digitsAt(date, 5, 2)
  const day = digitsAt(date, 8, 2)
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN
  if (time.length < 5 || time.charCodeAt(2) !== 58) return Number.NaN
  const hour = digitsAt(time, 0, 2)
  const minute = digitsAt(time, 3, 2)
  let second = 0
  let ms = 0
  if (time.length > 5) {
    if (time.length < 8 || time.charCodeAt(5) !== 58) return Number.NaN
    second = digitsAt(time, 6, 2)
    if (time.length > 8) {
      if (time.charCodeAt(8) !== 46 || time.length === 9) return Number.NaN
      let scale = 100
      for (let i = 9; i < time.length; i++) {
        const d = time.charCodeAt(i) - 48
        if (d < 0 || d > 9) return Number.NaN
        ms += d * scale
        scale /= 10
      }
      ms = Math.floor(ms)
    }
  }
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return Number.NaN
  return civilUtc(year, month, day, hour, minute, second) + ms
}
