import { invalidArgument } from '@shoal/core'
import { LineFailure } from '../bad-line.js'
import type { LineParser, LineResult } from '../line-parser.js'
import { decodeBinary, hasHighBytes, type InvalidUtf8Policy, toBinary } from '../text.js'
import { civilUtc, daysInMonth, digitsAt, monthAt } from '../time/calendar.js'
import { parseRfc3339 } from '../time/rfc3339.js'
import { bareObject } from './bare-object.js'
import { type TimeZoneOption, type WallClock, wallClock } from './time-zone.js'

/**
 * RFC 5424 structured data: SD-ID → parameter name → value. A parameter that occurs several
 * times in one element (RFC 5424 §6.3.3 allows it, e.g. `ip` of `origin`) holds every value in
 * order, as an array. The objects inherit nothing, so any SD-ID or name (even `__proto__` or
 * `constructor`) is an ordinary key.
 */
export type SyslogStructuredData = Record<string, Record<string, string | string[]>>

/** One syslog message, RFC 5424 or RFC 3164. Every field that the message leaves out is `null`. */
export interface SyslogRecord {
  /** Facility, `PRI >> 3` (0 kern … 23 local7); null for an RFC 3164 line without `<PRI>`. */
  readonly facility: number | null
  /** Severity, `PRI & 7` (0 emerg … 7 debug); null for an RFC 3164 line without `<PRI>`. */
  readonly severity: number | null
  /** `1` for RFC 5424 messages, null for RFC 3164. */
  readonly version: 1 | null
  /** Epoch milliseconds, or null for the RFC 5424 NILVALUE or an RFC 3164 line without a timestamp. */
  readonly time: number | null
  /** HOSTNAME, or null when nil or absent. */
  readonly hostname: string | null
  /** APP-NAME (RFC 5424) or the TAG (RFC 3164), or null. */
  readonly appName: string | null
  /** PROCID (RFC 5424) or the `[pid]` after the TAG (RFC 3164), or null. */
  readonly procId: string | null
  /** MSGID (RFC 5424 only), or null. */
  readonly msgId: string | null
  /** STRUCTURED-DATA (RFC 5424 only), or null when nil or absent. */
  readonly structuredData: SyslogStructuredData | null
  /** MSG, without the UTF-8 BOM that may start it; empty when there is none. */
  readonly message: string
}

/** Options of {@link syslogParser}. */
export interface SyslogParserOptions {
  /**
   * The reference time for RFC 3164 year inference, epoch milliseconds (default `Date.now`).
   * Inject a fixed clock to parse old files or in tests.
   */
  readonly now?: (() => number) | undefined
  /** The zone of RFC 3164 timestamps, which carry none (default `'UTC'`). */
  readonly timeZone?: TimeZoneOption | undefined
  /** What to do with text that is not valid UTF-8 (default `replace`). */
  readonly invalidUtf8?: InvalidUtf8Policy | undefined
}

/** Names of the syslog facilities, indexed by facility number (RFC 5424 §6.2.1, Table 1). */
export const SYSLOG_FACILITIES: readonly string[] = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'audit',
  'alert',
  'clock',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
]

/** Names of the syslog severities, indexed by severity number (RFC 5424 §6.2.1, Table 2). */
export const SYSLOG_SEVERITIES: readonly string[] = [
  'emerg',
  'alert',
  'crit',
  'err',
  'warning',
  'notice',
  'info',
  'debug',
]

/** How far ahead of the reference time an inferred RFC 3164 timestamp may lie (clock skew). */
const FUTURE_TOLERANCE_MS = 31 * 86_400_000

const SP = 32
const LT = 60
const GT = 62
const NIL = 45
const LBRACKET = 91
const RBRACKET = 93
const QUOTE = 34
const BACKSLASH = 92
const EQUALS = 61
const COLON = 58
const BOM = '\xef\xbb\xbf'

function record(
  facility: number | null,
  severity: number | null,
  version: 1 | null,
  time: number | null,
  hostname: string | null,
  appName: string | null,
  procId: string | null,
  msgId: string | null,
  structuredData: SyslogStructuredData | null,
  message: string,
): SyslogRecord {
  return { facility, severity, version, time, hostname, appName, procId, msgId, structuredData, message }
}

/**
 * A parser of syslog lines and frames, RFC 5424 and RFC 3164 mixed: each line is told apart by
 * what follows `<PRI>` (a version number and a space for RFC 5424, anything else for RFC 3164).
 * Made by {@link syslogParser}.
 */
export class SyslogParser implements LineParser<SyslogRecord> {
  /** `syslog`. */
  readonly name = 'syslog'
  readonly #now: () => number
  readonly #wall: WallClock
  readonly #policy: InvalidUtf8Policy
  // Whether the line being parsed is all ASCII, so that its fields need no decoding.
  #ascii = true
  // RFC 3164 timestamps: the last text read, its value and the reference time it was read at.
  #lastStamp = ''
  #lastStampValue = 0
  #lastStampNow = Number.NaN

  /** @param options - reference clock, zone of RFC 3164 times and UTF-8 policy */
  constructor(options: SyslogParserOptions = {}) {
    const { now = Date.now, timeZone = 'UTC', invalidUtf8 = 'replace' } = options
    if (typeof now !== 'function')
      throw invalidArgument('now must be a function returning epoch milliseconds')
    if (invalidUtf8 !== 'replace' && invalidUtf8 !== 'bytes' && invalidUtf8 !== 'reject')
      throw invalidArgument(`invalidUtf8 must be 'replace', 'bytes' or 'reject', got ${String(invalidUtf8)}`)
    this.#now = now
    this.#wall = wallClock(timeZone)
    this.#policy = invalidUtf8
  }

  /**
   * Parses one message given as a binary string (one character per byte).
   *
   * @param ascii - true when the caller knows the line holds no byte ≥ 0x80 (spares a scan)
   */
  parseBinary(line: string, ascii?: boolean): SyslogRecord | LineFailure {
    if (line.length === 0) return new LineFailure('empty', 0, 'empty line')
    this.#ascii = ascii === true || !hasHighBytes(line)
    if (line.charCodeAt(0) !== LT) return this.#rfc3164(line, 0, null)
    let pri = 0
    let i = 1
    for (; i < line.length && i <= 3; i++) {
      const d = line.charCodeAt(i) - 48
      if (d < 0 || d > 9) break
      pri = pri * 10 + d
    }
    if (i === 1 || line.charCodeAt(i) !== GT)
      return new LineFailure('syntax', i, 'expected <PRI>: "<", 1 to 3 digits and ">"')
    if (pri > 191) return new LineFailure('syntax', 1, `PRI ${pri} is out of range 0..191`)
    i++
    // RFC 5424: VERSION = NONZERO-DIGIT 0*2DIGIT, then SP.
    const v0 = line.charCodeAt(i) - 48
    if (v0 >= 1 && v0 <= 9) {
      let j = i + 1
      while (j < i + 3 && isDigit(line.charCodeAt(j))) j++
      if (line.charCodeAt(j) === SP) {
        if (j !== i + 1 || v0 !== 1)
          return new LineFailure('syntax', i, `unsupported syslog version ${line.slice(i, j)}`)
        return this.#rfc5424(line, j + 1, pri)
      }
    }
    return this.#rfc3164(line, i, pri)
  }

  /** Parses one message given as text or bytes. */
  parseLine(line: string | Uint8Array): LineResult<SyslogRecord> {
    const result = this.parseBinary(toBinary(line))
    return result instanceof LineFailure ? { ok: false, failure: result } : { ok: true, record: result }
  }

  #text(binary: string): string | undefined {
    return this.#ascii ? binary : decodeBinary(binary, this.#policy)
  }

  #rfc5424(line: string, start: number, pri: number): SyslogRecord | LineFailure {
    const n = line.length
    // TIMESTAMP
    let i = start
    let end = fieldEnd(line, i)
    if (end === i) return headerFailure(line, i, 'TIMESTAMP')
    let time: number | null = null
    if (!(end === i + 1 && line.charCodeAt(i) === NIL)) {
      time = parseRfc3339(line, i, end, true)
      if (Number.isNaN(time))
        return new LineFailure(
          'bad-time',
          i,
          'TIMESTAMP is not an RFC 3339 time as RFC 5424 §6.2.3 restricts it',
        )
    }
    if (end >= n) return new LineFailure('missing-field', end, 'line ends before HOSTNAME')
    // HOSTNAME, APP-NAME, PROCID, MSGID
    i = end + 1
    end = fieldEnd(line, i)
    const hostname = headerField(line, i, end, 255)
    if (hostname instanceof LineFailure) return headerFailure(line, i, 'HOSTNAME', hostname)
    if (end >= n) return new LineFailure('missing-field', end, 'line ends before APP-NAME')
    i = end + 1
    end = fieldEnd(line, i)
    const appName = headerField(line, i, end, 48)
    if (appName instanceof LineFailure) return headerFailure(line, i, 'APP-NAME', appName)
    if (end >= n) return new LineFailure('missing-field', end, 'line ends before PROCID')
    i = end + 1
    end = fieldEnd(line, i)
    const procId = headerField(line, i, end, 128)
    if (procId instanceof LineFailure) return headerFailure(line, i, 'PROCID', procId)
    if (end >= n) return new LineFailure('missing-field', end, 'line ends before MSGID')
    i = end + 1
    end = fieldEnd(line, i)
    const msgId = headerField(line, i, end, 32)
    if (msgId instanceof LineFailure) return headerFailure(line, i, 'MSGID', msgId)
    if (end >= n) return new LineFailure('missing-field', end, 'line ends before STRUCTURED-DATA')
    // STRUCTURED-DATA
    i = end + 1
    let structuredData: SyslogStructuredData | null = null
    const c = line.charCodeAt(i)
    if (c === NIL) i++
    else if (c === LBRACKET) {
      structuredData = bareObject()
      const next = this.#structuredData(line, i, structuredData)
      if (next instanceof LineFailure) return next
      i = next
    } else if (i >= n) return new LineFailure('missing-field', i, 'line ends before STRUCTURED-DATA')
    else return new LineFailure('syntax', i, 'STRUCTURED-DATA must be "-" or start with "["')
    // MSG
    let message = ''
    if (i < n) {
      if (line.charCodeAt(i) !== SP)
        return new LineFailure('syntax', i, 'expected a space between STRUCTURED-DATA and MSG')
      let from = i + 1
      if (line.startsWith(BOM, from)) from += 3
      const text = this.#text(line.slice(from))
      if (text === undefined) return new LineFailure('encoding', from, 'MSG is not valid UTF-8')
      message = text
    }
    return record(pri >> 3, pri & 7, 1, time, hostname, appName, procId, msgId, structuredData, message)
  }

  /** Reads SD-ELEMENTs from `[` at `i` into `into`; returns the index after the last `]`. */
  #structuredData(line: string, start: number, into: SyslogStructuredData): number | LineFailure {
    const n = line.length
    let i = start
    while (i < n && line.charCodeAt(i) === LBRACKET) {
      i++
      const idEnd = sdNameEnd(line, i)
      const id = sdName(line, i, idEnd, 'SD-ID')
      if (id instanceof LineFailure) return id
      const params = into[id] ?? bareObject<string | string[]>()
      into[id] = params
      i = idEnd
      for (;;) {
        const c = line.charCodeAt(i)
        if (c === RBRACKET) {
          i++
          break
        }
        if (i >= n) return new LineFailure('missing-field', i, `line ends inside SD-ELEMENT [${id}`)
        if (c !== SP) return new LineFailure('syntax', i, `expected " " or "]" in SD-ELEMENT [${id}`)
        i++
        const nameEnd = sdNameEnd(line, i)
        const name = sdName(line, i, nameEnd, 'PARAM-NAME')
        if (name instanceof LineFailure) return name
        i = nameEnd
        if (line.charCodeAt(i) !== EQUALS)
          return new LineFailure(
            i >= n ? 'missing-field' : 'syntax',
            i,
            `expected "=" after PARAM-NAME ${name}`,
          )
        if (line.charCodeAt(i + 1) !== QUOTE)
          return new LineFailure(
            i + 1 >= n ? 'missing-field' : 'syntax',
            i + 1,
            `expected '"' to open the value of ${name}`,
          )
        i += 2
        const valueStart = i
        let escaped = false
        for (; i < n; i++) {
          const v = line.charCodeAt(i)
          if (v === QUOTE) break
          if (v === BACKSLASH) {
            escaped = true
            i++
          }
        }
        if (i >= n)
          return new LineFailure('unterminated-quote', valueStart - 1, `the value of ${name} never closes`)
        const raw = line.slice(valueStart, i)
        i++
        const value = this.#text(escaped ? unescapeParam(raw) : raw)
        if (value === undefined) return new LineFailure('encoding', valueStart, `${name} is not valid UTF-8`)
        const previous = params[name]
        if (previous === undefined) params[name] = value
        else if (typeof previous === 'string') params[name] = [previous, value]
        else previous.push(value)
      }
    }
    return i
  }

  #rfc3164(line: string, start: number, pri: number | null): SyslogRecord | LineFailure {
    const n = line.length
    let i = start
    let time: number
    const c = line.charCodeAt(i)
    if (isDigit(c)) {
      // A variant that rsyslog and others write: an RFC 3339 time in place of `Mmm dd hh:mm:ss`.
      const end = fieldEnd(line, i)
      time = parseRfc3339(line, i, end, false)
      if (Number.isNaN(time)) {
        if (pri === null) return new LineFailure('syntax', i, 'neither <PRI> nor a timestamp starts the line')
        return this.#untimed(line, i, pri)
      }
      i = end
    } else {
      const month = monthAt(line, i)
      if (
        month === 0 ||
        line.charCodeAt(i + 3) !== SP ||
        line.charCodeAt(i + 6) !== SP ||
        line.charCodeAt(i + 9) !== COLON ||
        line.charCodeAt(i + 12) !== COLON ||
        (i + 15 < n && line.charCodeAt(i + 15) !== SP)
      ) {
        if (pri === null) return new LineFailure('syntax', i, 'neither <PRI> nor a timestamp starts the line')
        return this.#untimed(line, i, pri)
      }
      time = this.#stamp3164(line, i, month)
      if (Number.isNaN(time))
        return new LineFailure('bad-time', i, 'TIMESTAMP is not a valid date and time "Mmm dd hh:mm:ss"')
      i += 15
    }
    if (i >= n) return this.#tagged(line, n, pri, time, null)
    i++
    // HOSTNAME, unless the next word is already the TAG (`tag:` or `tag[pid]:`): local senders omit it.
    let hostname: string | null = null
    const wordEnd = fieldEnd(line, i)
    if (wordEnd > i && !isTagWord(line, i, wordEnd)) {
      const host = this.#text(line.slice(i, wordEnd))
      if (host === undefined) return new LineFailure('encoding', i, 'HOSTNAME is not valid UTF-8')
      hostname = host
      i = wordEnd < n ? wordEnd + 1 : wordEnd
    }
    return this.#tagged(line, i, pri, time, hostname)
  }

  /** Reads `TAG[PID]: MSG` or `TAG: MSG` from `i`; without a TAG, the whole rest is the message. */
  #tagged(
    line: string,
    start: number,
    pri: number | null,
    time: number | null,
    hostname: string | null,
  ): SyslogRecord | LineFailure {
    const n = line.length
    let i = start
    let appName: string | null = null
    let procId: string | null = null
    const tagEnd = tagWordEnd(line, i)
    if (tagEnd > 0) {
      const bracket = line.indexOf('[', i)
      const nameEnd = bracket >= 0 && bracket < tagEnd ? bracket : tagEnd - 1
      const name = this.#text(line.slice(i, nameEnd))
      if (name === undefined) return new LineFailure('encoding', i, 'TAG is not valid UTF-8')
      appName = name
      if (nameEnd !== tagEnd - 1) {
        const pid = this.#text(line.slice(nameEnd + 1, tagEnd - 2))
        if (pid === undefined) return new LineFailure('encoding', nameEnd + 1, 'PID is not valid UTF-8')
        procId = pid.length === 0 ? null : pid
      }
      i = tagEnd < n ? tagEnd + 1 : tagEnd
    }
    const message = this.#text(i === 0 ? line : i >= n ? '' : line.slice(i))
    if (message === undefined) return new LineFailure('encoding', i, 'MSG is not valid UTF-8')
    return record(
      pri === null ? null : pri >> 3,
      pri === null ? null : pri & 7,
      null,
      time,
      hostname,
      appName,
      procId,
      null,
      null,
      message,
    )
  }

  /** `Mmm dd hh:mm:ss` at `i` (shape already checked) → epoch ms, inferring the year. */
  #stamp3164(line: string, i: number, month: number): number {
    const now = this.#now()
    const key = line.slice(i, i + 15)
    if (key === this.#lastStamp && now >= this.#lastStampNow && now - this.#lastStampNow < 60_000)
      return this.#lastStampValue
    // The day is space-padded (`Feb  5`) per RFC 3164 §4.1.2; `Feb 05` is accepted as well.
    const d1 = line.charCodeAt(i + 4)
    const day = d1 === SP ? digitsAt(line, i + 5, 1) : digitsAt(line, i + 4, 2)
    const hour = digitsAt(line, i + 7, 2)
    const minute = digitsAt(line, i + 10, 2)
    const second = digitsAt(line, i + 13, 2)
    if (
      day < 1 ||
      day > 31 ||
      hour < 0 ||
      hour > 23 ||
      minute < 0 ||
      minute > 59 ||
      second < 0 ||
      second > 59
    )
      return Number.NaN
    // The year: the latest that puts the time no more than FUTURE_TOLERANCE_MS after `now`,
    // i.e. the nearest to `now` of those. Feb 29 looks back as far as the last leap year.
    const year = new Date(now).getUTCFullYear()
    let value = Number.NaN
    for (let y = year + 1; y >= year - 4; y--) {
      if (day > daysInMonth(y, month)) continue
      const t = this.#wall(civilUtc(y, month, day, hour, minute, second))
      if (t <= now + FUTURE_TOLERANCE_MS) {
        value = t
        break
      }
    }
    this.#lastStamp = key
    this.#lastStampValue = value
    this.#lastStampNow = now
    return value
  }

  /** An RFC 3164 line with a PRI but no valid TIMESTAMP: RFC 3164 §4.3.2 makes the rest the message. */
  #untimed(line: string, i: number, pri: number): SyslogRecord | LineFailure {
    const message = this.#text(line.slice(i))
    if (message === undefined) return new LineFailure('encoding', i, 'MSG is not valid UTF-8')
    return record(pri >> 3, pri & 7, null, null, null, null, null, null, null, message)
  }
}

/**
 * Makes a parser of syslog messages: RFC 5424 and RFC 3164, detected line by line.
 *
 * RFC 5424 (`<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]`) is read as
 * its §6 grammar says: PRI 0..191, version 1 only, NILVALUE `-` → null, header fields of
 * printable US-ASCII within their length limits, RFC 3339 times (upper-case `T`/`Z`, at most 6
 * fraction digits, no leap second), any number of SD-ELEMENTs with `\"` `\\` `\]` escaped in
 * values (any other backslash is kept, with the character after it, as §6.3.3 says), and an
 * optional UTF-8 BOM before MSG (removed). An SD-ID that occurs twice (§6.3.2 forbids it) has its
 * parameters merged rather than the line rejected.
 *
 * RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG`) is read leniently, as relays do:
 * - the day may be space- or zero-padded; the year is inferred as the latest one that puts the
 *   time at most 31 days after `now()`; the zone is `timeZone` (UTC by default);
 * - an RFC 3339 time may stand in place of `Mmm dd hh:mm:ss` (rsyslog's high-precision format);
 * - the HOSTNAME is absent when the word after the time is already a TAG (`tag:` or
 *   `tag[pid]:`, as messages from local senders look);
 * - a TAG is a word ended by `:` or `[pid]:` and followed by a space or the end; anything else
 *   leaves `appName` null and makes the whole rest the message;
 * - `<PRI>` may be missing (lines of files such as `/var/log/syslog`): facility and severity are
 *   then null. A line with a PRI but no valid timestamp is all message (RFC 3164 §4.3.2);
 *   a line with neither is rejected with `syntax`.
 *
 * @example
 * ```ts
 * const parser = syslogParser({ timeZone: 'Europe/Paris' })
 * const result = parser.parseLine('<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - hello')
 * ```
 * @throws ShoalError `ERR_INVALID_ARGUMENT` for a bad option
 */
export function syslogParser(options: SyslogParserOptions = {}): SyslogParser {
  return new SyslogParser(options)
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

/** Index of the next space at or after `i`, or the line's length. */
function fieldEnd(line: string, i: number): number {
  const sp = line.indexOf(' ', i)
  return sp < 0 ? line.length : sp
}

/** A header field of 1..max PRINTUSASCII characters, or `-` for null. */
function headerField(line: string, start: number, end: number, max: number): string | null | LineFailure {
  if (end === start) return new LineFailure('syntax', start, 'is empty (two spaces in a row?)')
  if (end - start > max) return new LineFailure('syntax', start + max, `is longer than ${max} characters`)
  if (end === start + 1 && line.charCodeAt(start) === NIL) return null
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i)
    if (c < 33 || c > 126) return new LineFailure('syntax', i, 'holds a character outside printable US-ASCII')
  }
  return line.slice(start, end)
}

function headerFailure(line: string, at: number, field: string, cause?: LineFailure): LineFailure {
  if (cause !== undefined) return new LineFailure(cause.reason, cause.column, `${field} ${cause.message}`)
  if (at >= line.length) return new LineFailure('missing-field', at, `line ends before ${field}`)
  return new LineFailure('syntax', at, `${field} is empty (two spaces in a row?)`)
}

/** End of an SD-NAME at `i`: the first character that is not PRINTUSASCII except `=`, SP, `]`, `"`. */
function sdNameEnd(line: string, i: number): number {
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if (c <= SP || c > 126 || c === EQUALS || c === RBRACKET || c === QUOTE) break
  }
  return i
}

function sdName(line: string, start: number, end: number, what: string): string | LineFailure {
  if (end === start) {
    if (start >= line.length) return new LineFailure('missing-field', start, `line ends before ${what}`)
    return new LineFailure('syntax', start, `${what} is empty or starts with a forbidden character`)
  }
  if (end - start > 32) return new LineFailure('syntax', start + 32, `${what} is longer than 32 characters`)
  return line.slice(start, end)
}

/** PARAM-VALUE escapes: `\"` `\\` `\]` lose their backslash; any other backslash stays (RFC 5424 §6.3.3). */
function unescapeParam(raw: string): string {
  let out = ''
  let from = 0
  for (let i = raw.indexOf('\\'); i >= 0 && i < raw.length; i = raw.indexOf('\\', i)) {
    const next = raw.charCodeAt(i + 1)
    if (next === QUOTE || next === BACKSLASH || next === RBRACKET) {
      out += raw.slice(from, i)
      from = i + 1
      i += 2
    } else i += 1
  }
  return out + raw.slice(from)
}

/**
 * End (exclusive, including the colon) of a TAG word `name:` or `name[pid]:` at `i` that is
 * followed by a space or the end of the line, or -1.
 */
function tagWordEnd(line: string, i: number): number {
  const n = line.length
  let j = i
  for (; j < n; j++) {
    const c = line.charCodeAt(j)
    if (c === SP || c === COLON || c === LBRACKET) break
  }
  if (j === i) return -1
  let c = line.charCodeAt(j)
  if (c === LBRACKET) {
    const close = line.indexOf(']', j + 1)
    if (close < 0) return -1
    const sp = line.indexOf(' ', j + 1)
    if (sp >= 0 && sp < close) return -1
    j = close + 1
    c = line.charCodeAt(j)
  }
  if (c !== COLON) return -1
  j++
  return j >= n || line.charCodeAt(j) === SP ? j : -1
}

function isTagWord(line: string, start: number, end: number): boolean {
  return tagWordEnd(line, start) === end
}
