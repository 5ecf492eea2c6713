import type { BadLineReason } from '../bad-line.js'
import { decodeBinary, type InvalidUtf8Policy } from '../text.js'
import { CLF_TIME_LENGTH, ClfTimeParser } from '../time/clf-time.js'
import { parseRfc3339 } from '../time/rfc3339.js'
import { type EscapeMode, unescapeBinary } from './unescape.js'
import { isDash, readHex, readInt, readNumber } from './value-readers.js'

/** Returned by a value reader that rejects its text; {@link ScanContext.reason} says why. */
export const REJECT: unique symbol = Symbol('reject')

/**
 * Per-parser state shared by the value readers: the decoding policies, the time cache, the parts
 * of the last request line, and why the last reader rejected its text.
 */
export class ScanContext {
  readonly escapeMode: EscapeMode
  readonly policy: InvalidUtf8Policy
  readonly clf = new ClfTimeParser()
  reason: BadLineReason = 'literal-mismatch'
  /** Whether the line being scanned is all ASCII: then no field needs UTF-8 decoding. */
  ascii = true
  method: string | null = null
  target: string | null = null
  protocol: string | null = null

  constructor(escapeMode: EscapeMode, policy: InvalidUtf8Policy) {
    this.escapeMode = escapeMode
    this.policy = policy
  }

  reject(reason: BadLineReason): typeof REJECT {
    this.reason = reason
    return REJECT
  }

  /** A text field: `-` is null, `""` (Apache's empty user) is '', escapes decoded, then UTF-8. */
  text(line: string, start: number, end: number): string | null | typeof REJECT {
    if (isDash(line, start, end)) return null
    if (end - start === 2 && line.charCodeAt(start) === 34 && line.charCodeAt(start + 1) === 34) return ''
    const raw = line.slice(start, end)
    if (this.ascii && raw.indexOf('\\') < 0) return raw
    const decoded = decodeBinary(unescapeBinary(raw, this.escapeMode), this.policy)
    return decoded === undefined ? this.reject('encoding') : decoded
  }

  int(line: string, start: number, end: number): number | null | typeof REJECT {
    if (isDash(line, start, end)) return null
    const value = readInt(line, start, end)
    return !Number.isNaN(value) ? value : this.reject('bad-int')
  }

  /** Apache `%b`: `-` means no body, so 0. */
  bytes(line: string, start: number, end: number): number | typeof REJECT {
    if (isDash(line, start, end)) return 0
    const value = readInt(line, start, end)
    return !Number.isNaN(value) ? value : this.reject('bad-int')
  }

  number(line: string, start: number, end: number): number | null | typeof REJECT {
    if (isDash(line, start, end)) return null
    const value = readNumber(line, start, end)
    return !Number.isNaN(value) ? value : this.reject('bad-number')
  }

  hex(line: string, start: number, end: number): number | null | typeof REJECT {
    if (isDash(line, start, end)) return null
    const value = readHex(line, start, end)
    return !Number.isNaN(value) ? value : this.reject('bad-int')
  }

  /** A duration scaled to whole microseconds. */
  duration(line: string, start: number, end: number, scale: number): number | null | typeof REJECT {
    if (isDash(line, start, end)) return null
    const value = scale === 1 ? readInt(line, start, end) : readNumber(line, start, end)
    return !Number.isNaN(value)
      ? Math.round(value * scale)
      : this.reject(scale === 1 ? 'bad-int' : 'bad-number')
  }

  /** nginx lists of durations: `0.010, 0.004 : -` (commas for retries, colons for redirects). */
  durations(
    line: string,
    start: number,
    end: number,
    scale: number,
  ): (number | null)[] | null | typeof REJECT {
    if (isDash(line, start, end)) return null
    const parts = line.slice(start, end).split(/\s*[,:]\s*/)
    const values: (number | null)[] = []
    for (const part of parts) {
      if (part === '-') values.push(null)
      else {
        const value = readNumber(part, 0, part.length)
        if (Number.isNaN(value)) return this.reject('bad-number')
        values.push(Math.round(value * scale))
      }
    }
    return values
  }

  clfTime(line: string, start: number, end: number): number | typeof REJECT {
    if (end - start !== CLF_TIME_LENGTH) return this.reject('bad-time')
    const value = this.clf.parse(line, start)
    return !Number.isNaN(value) ? value : this.reject('bad-time')
  }

  isoTime(line: string, start: number, end: number): number | null | typeof REJECT {
    if (isDash(line, start, end)) return null
    const value = parseRfc3339(line, start, end, false)
    return !Number.isNaN(value) ? value : this.reject('bad-time')
  }

  /** Seconds (or ms, µs) since the epoch, scaled to milliseconds. */
  epoch(line: string, start: number, end: number, scale: number): number | null | typeof REJECT {
    if (isDash(line, start, end)) return null
    const value = readNumber(line, start, end)
    return value >= 0 ? value * scale : this.reject('bad-time')
  }

  /**
   * A request line: `-` gives nulls; otherwise the method is before the first space, the protocol
   * after the last one when it starts with `HTTP/`, and the target in between (it may hold spaces).
   * Sets {@link ScanContext.method}, {@link ScanContext.target} and {@link ScanContext.protocol}.
   */
  request(line: string, start: number, end: number): string | null | typeof REJECT {
    const raw = this.text(line, start, end)
    if (raw === REJECT) return raw
    this.method = null
    this.target = null
    this.protocol = null
    if (raw === null) return null
    const first = raw.indexOf(' ')
    if (first < 0) return raw
    this.method = raw.slice(0, first)
    const last = raw.lastIndexOf(' ')
    if (last > first && raw.startsWith('HTTP/', last + 1)) {
      this.target = raw.slice(first + 1, last)
      this.protocol = raw.slice(last + 1)
    } else this.target = raw.slice(first + 1)
    return raw
  }
}
