import { LineFailure } from '../bad-line.js'
import type { LineParser, LineResult } from '../line-parser.js'
import { decodeBinary, type InvalidUtf8Policy, toBinary } from '../text.js'
import { civilToEpoch, monthAt } from '../time/calendar.js'

/** A line of an Apache error log (2.2 or 2.4 default layout). */
export interface ApacheErrorRecord {
  /** When it was logged, epoch milliseconds (the log has no zone: read as UTC unless told otherwise). */
  readonly time: number
  /** The module that logged it (`core`, `proxy`…), null in 2.2 layouts. */
  readonly module: string | null
  /** The level: `emerg` … `debug`, `trace1` … `trace8`. */
  readonly level: string
  /** The process id, when logged. */
  readonly pid: number | null
  /** The thread id, when logged. */
  readonly tid: number | null
  /** The client address (`ip` or `ip:port`), when logged. */
  readonly client: string | null
  /** The APR error, e.g. `(111)Connection refused`, when logged. */
  readonly errorStatus: string | null
  /** The message code, e.g. `AH00957`, when logged. */
  readonly code: string | null
  /** The message itself, without the prefixes above and the referer suffix. */
  readonly message: string
  /** The `, referer: …` suffix, when logged. */
  readonly referer: string | null
}

/** Options of {@link apacheErrorParser}. */
export interface ApacheErrorParserOptions {
  /** Minutes east of UTC of the server that wrote the log (default 0: UTC). */
  readonly utcOffsetMinutes?: number | undefined
  /** What to do with text that is not valid UTF-8 (default `replace`). */
  readonly invalidUtf8?: InvalidUtf8Policy | undefined
}

// [Wed Oct 11 14:32:52.123456 2000]
const TIME = /^\[[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? (\d{4})\] /
const LEVEL = /^\[(?:([^\]:\s]+):)?(emerg|alert|crit|error|warn|notice|info|debug|trace[1-8])\] /
const PID = /^\[pid (\d+)(?::tid (\d+))?\] /
const CLIENT = /^\[(?:client|remote) ([^\]\s]+)\] /
const STATUS = /^(\(-?\d+\)[^:]*): /
const CODE = /^(AH\d{5}): /
const REFERER = /, referer: ([^,]*)$/

/**
 * A {@link LineParser} for Apache error logs in the default layouts of 2.2
 * (`[time] [level] [client ip] message`) and 2.4
 * (`[time] [module:level] [pid N:tid M] (status)text: [client ip:port] AHnnnnn: message, referer: url`).
 */
export class ApacheErrorParser implements LineParser<ApacheErrorRecord> {
  readonly name = 'apache_error'
  readonly #offset: number
  readonly #policy: InvalidUtf8Policy

  /** @param options - the server's UTC offset and the UTF-8 policy */
  constructor(options: ApacheErrorParserOptions = {}) {
    this.#offset = options.utcOffsetMinutes ?? 0
    this.#policy = options.invalidUtf8 ?? 'replace'
  }

  /** {@inheritDoc LineParser.parseBinary} */
  parseBinary(binary: string): ApacheErrorRecord | LineFailure {
    const line = decodeBinary(binary, this.#policy)
    if (line === undefined) return new LineFailure('encoding', 0, 'the line is not valid UTF-8')
    const time = TIME.exec(line)
    if (time === null)
      return new LineFailure('bad-time', 0, 'expected [Www Mmm dd hh:mm:ss yyyy] at the start')
    const [, month, day, hour, minute, second, fraction, year] = time
    const epoch =
      civilToEpoch(
        Number(year),
        monthAt(month as string, 0),
        Number(day),
        Number(hour),
        Number(minute),
        Number(second),
        this.#offset,
      ) + (fraction === undefined ? 0 : Number(`0.${fraction}`) * 1000)
    if (Number.isNaN(epoch)) return new LineFailure('bad-time', 1, 'the time names an impossible date')
    let at = time[0].length
    const level = LEVEL.exec(line.slice(at))
    if (level === null)
      return new LineFailure('literal-mismatch', at, 'expected [level] or [module:level] after the time')
    at += level[0].length
    let rest = line.slice(at)
    const pid = PID.exec(rest)
    if (pid !== null) rest = rest.slice(pid[0].length)
    const status = STATUS.exec(rest)
    if (status !== null) rest = rest.slice(status[0].length)
    const client = CLIENT.exec(rest)
    if (client !== null) rest = rest.slice(client[0].length)
    const code = CODE.exec(rest)
    if (code !== null) rest = rest.slice(code[0].length)
    const referer = REFERER.exec(rest)
    if (referer !== null) rest = rest.slice(0, referer.index)
    return {
      time: epoch,
      module: level[1] ?? null,
      level: level[2] as string,
      pid: pid === null ? null : Number(pid[1]),
      tid: pid?.[2] === undefined ? null : Number(pid[2]),
      client: client?.[1] ?? null,
      errorStatus: status?.[1] ?? null,
      code: code?.[1] ?? null,
      message: rest,
      referer: referer?.[1] ?? null,
    }
  }

  /** {@inheritDoc LineParser.parseLine} */
  parseLine(line: string | Uint8Array): LineResult<ApacheErrorRecord> {
    const result = this.parseBinary(toBinary(line))
    return result instanceof LineFailure ? { ok: false, failure: result } : { ok: true, record: result }
  }
}

/**
 * A parser for Apache error logs (2.2 and 2.4 default layouts).
 *
 * @example
 * ```ts
 * const result = apacheErrorParser().parseLine('[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied')
 * ```
 */
export function apacheErrorParser(options: ApacheErrorParserOptions = {}): ApacheErrorParser {
  return new ApacheErrorParser(options)
}
