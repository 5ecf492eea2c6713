import { invalidArgument } from '@shoal/core'
import { type BadLineReason, LineFailure } from '../bad-line.js'
import type { LineParser, LineResult } from '../line-parser.js'
import { decodeBinary, hasHighBytes, type InvalidUtf8Policy, toBinary } from '../text.js'
import { parseClfTime } from '../time/clf-time.js'
import { parseRfc3339 } from '../time/rfc3339.js'
import { jsonSyntaxErrorAt } from './json-syntax.js'

/**
 * How {@link jsonLinesParser} coerces a field; missing fields, `null`, `""` and `"-"` become null
 * for every type but `string` (where `""` and `"-"` stay as they are):
 *
 * - `string`: strings as they are; numbers and booleans as text; objects and arrays as JSON text.
 * - `int`: a safe integer, written as a JSON number or as a string of digits (`"200"`); else `bad-int`.
 * - `number`: a number, written as a JSON number or as a decimal string (`"0.012"`); else `bad-number`.
 * - `time`: an RFC 3339 / ISO 8601 string with a zone (`2024-05-01T10:00:00.123+02:00`, a space
 *   may stand for the `T`) or a Common Log Format time (`01/May/2024:10:00:00 +0200`, nginx
 *   `$time_local`), to epoch milliseconds; else `bad-time`.
 * - `epoch-s`: seconds since the epoch, fraction allowed (nginx `$msec`, Caddy `ts`), number or
 *   string, to epoch milliseconds; else `bad-time`.
 * - `epoch-ms`: milliseconds since the epoch, number or string; else `bad-time`.
 */
export type JsonFieldType = 'string' | 'int' | 'number' | 'time' | 'epoch-s' | 'epoch-ms'

/** Field name → how to coerce it. Only top-level fields of the object can be named. */
export type JsonFieldTypes = Readonly<Record<string, JsonFieldType>>

/** The value a field of type `T` has after coercion. */
export type JsonFieldValue<T extends JsonFieldType> = T extends 'string' ? string | null : number | null

/** A parsed JSON line: the object as `JSON.parse` makes it, with the named fields coerced (and present, null when missing). */
export type JsonRecord<F extends JsonFieldTypes = Record<never, never>> = {
  -readonly [K in keyof F]: JsonFieldValue<F[K]>
} & Record<string, unknown>

/** Options of {@link jsonLinesParser}. */
export interface JsonLinesOptions<F extends JsonFieldTypes = Record<never, never>> {
  /** Fields to coerce, e.g. `{ status: 'int', request_time: 'number', time_local: 'time' }`. */
  readonly fields?: F | undefined
  /**
   * What to do with a line that is not valid UTF-8 (default `replace`): `bytes` keeps the whole
   * line as a binary string, so its strings hold one character per byte.
   */
  readonly invalidUtf8?: InvalidUtf8Policy | undefined
  /** The parser's name (default `json`). */
  readonly name?: string | undefined
}

/** Field kinds as small integers, for a monomorphic switch on the hot path. */
const Kind = { String: 0, Int: 1, Number: 2, Time: 3, EpochS: 4, EpochMs: 5 } as const
type Kind = (typeof Kind)[keyof typeof Kind]

const KINDS: Readonly<Record<JsonFieldType, Kind>> = {
  string: Kind.String,
  int: Kind.Int,
  number: Kind.Number,
  time: Kind.Time,
  'epoch-s': Kind.EpochS,
  'epoch-ms': Kind.EpochMs,
}

const INTEGER = /^-?\d+$/
const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const BOM = '\xef\xbb\xbf'

function OWN(value: unknown): PropertyDescriptor {
  return { value, enumerable: true, writable: true, configurable: true }
}

/**
 * A parser of JSON lines: one JSON object per line, as nginx (`escape=json`), Caddy and Traefik
 * write them. Made by {@link jsonLinesParser}.
 */
export class JsonLinesParser<F extends JsonFieldTypes = Record<never, never>>
  implements LineParser<JsonRecord<F>>
{
  /** The parser's name. */
  readonly name: string
  readonly #keys: string[]
  readonly #kinds: Kind[]
  // Names that objects inherit from Object.prototype (`constructor`, `__proto__` …): read and written as own properties only.
  readonly #inherited: boolean[]
  readonly #policy: InvalidUtf8Policy

  /** @param options - field coercions, UTF-8 policy and name */
  constructor(options: JsonLinesOptions<F> = {}) {
    const { fields = {}, invalidUtf8 = 'replace', name = 'json' } = options
    if (invalidUtf8 !== 'replace' && invalidUtf8 !== 'bytes' && invalidUtf8 !== 'reject')
      throw invalidArgument(`invalidUtf8 must be 'replace', 'bytes' or 'reject', got ${String(invalidUtf8)}`)
    if (typeof fields !== 'object' || fields === null)
      throw invalidArgument('fields must be an object of field name → type')
    this.#keys = []
    this.#kinds = []
    this.#inherited = []
    for (const [key, type] of Object.entries(fields as JsonFieldTypes)) {
      const kind = Object.hasOwn(KINDS, type) ? KINDS[type] : undefined
      if (kind === undefined)
        throw invalidArgument(
          `field ${key}: unknown type ${JSON.stringify(type)}; expected one of ${Object.keys(KINDS).join(', ')}`,
          { field: key, type },
        )
      this.#keys.push(key)
      this.#kinds.push(kind)
      this.#inherited.push(key in Object.prototype)
    }
    this.#policy = invalidUtf8
    this.name = name
  }

  /**
   * Parses one line given as a binary string (one character per byte).
   *
   * @param ascii - true when the caller knows the line holds no byte ≥ 0x80 (spares a scan)
   */
  parseBinary(line: string, ascii?: boolean): JsonRecord<F> | LineFailure {
    let text = line
    if (ascii !== true && hasHighBytes(line)) {
      const from = line.startsWith(BOM) ? 3 : 0
      const decoded = decodeBinary(from === 0 ? line : line.slice(from), this.#policy)
      if (decoded === undefined) return new LineFailure('encoding', 0, 'the line is not valid UTF-8')
      text = decoded
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return syntaxFailure(line, text)
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return new LineFailure('syntax', firstNonSpace(line), 'the line is JSON but not an object')
    const record = value as Record<string, unknown>
    const keys = this.#keys
    const kinds = this.#kinds
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as string
      const inherited = this.#inherited[k] === true
      const raw = inherited ? Object.getOwnPropertyDescriptor(record, key)?.value : record[key]
      const coerced = coerce(raw, kinds[k] as Kind)
      if (coerced instanceof LineFailure) return fieldFailure(line, key, coerced.reason, coerced.message)
      if (inherited) Object.defineProperty(record, key, OWN(coerced))
      else record[key] = coerced
    }
    return record as JsonRecord<F>
  }

  /** Parses one line given as text or bytes. */
  parseLine(line: string | Uint8Array): LineResult<JsonRecord<F>> {
    const result = this.parseBinary(toBinary(line))
    return result instanceof LineFailure ? { ok: false, failure: result } : { ok: true, record: result }
  }
}

/**
 * Makes a parser of JSON lines. Each line must hold one JSON object; anything else is rejected
 * with `syntax` (at the column where the JSON breaks, in bytes) or `empty`. ASCII lines go
 * straight to `JSON.parse`; lines with bytes ≥ 0x80 are decoded as UTF-8 first, per
 * `invalidUtf8`. A UTF-8 BOM at the start of a line is ignored. Named `fields` are coerced as
 * {@link JsonFieldType} says, so `"200"` and `200` both give the number 200; a field that cannot
 * be coerced rejects the line (`bad-int`, `bad-number`, `bad-time`).
 *
 * @example
 * ```ts
 * const parser = jsonLinesParser({ fields: { status: 'int', request_time: 'number', time_iso8601: 'time' } })
 * for await (const r of parseRecords(createReadStream('access.json'), parser)) total += r.request_time ?? 0
 * ```
 * @throws ShoalError `ERR_INVALID_ARGUMENT` for an unknown field type or a bad option
 */
export function jsonLinesParser<const F extends JsonFieldTypes = Record<never, never>>(
  options: JsonLinesOptions<F> = {},
): JsonLinesParser<F> {
  return new JsonLinesParser(options)
}

function coerce(value: unknown, kind: Kind): string | number | null | LineFailure {
  if (value === undefined || value === null) return null
  if (kind === Kind.String) {
    if (typeof value === 'string') return value
    return typeof value === 'object' ? JSON.stringify(value) : String(value)
  }
  if (value === '' || value === '-') return null
  switch (kind) {
    case Kind.Int: {
      if (typeof value === 'number')
        return Number.isSafeInteger(value) ? value : failure('bad-int', 'is not a safe integer')
      const n = typeof value === 'string' ? integer(value) : Number.NaN
      return Number.isNaN(n) ? failure('bad-int', 'is not an integer') : n
    }
    case Kind.Number:
      if (typeof value === 'number') return value
      if (typeof value === 'string' && DECIMAL.test(value)) return Number(value)
      return failure('bad-number', 'is not a number')
    case Kind.Time: {
      if (typeof value !== 'string') return failure('bad-time', 'is not a time string')
      // Lines written in the same second share their time: keep the last one read.
      if (value === lastTimeText) return lastTime
      const t =
        value.length === 26 && value.charCodeAt(2) === 47
          ? parseClfTime(value, 0, 26)
          : parseRfc3339(value, 0, value.length, false)
      if (Number.isNaN(t)) return failure('bad-time', 'is not an RFC 3339 or Common Log Format time')
      lastTimeText = value
      lastTime = t
      return t
    }
    default: {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && DECIMAL.test(value)
            ? Number(value)
            : Number.NaN
      if (!Number.isFinite(n)) return failure('bad-time', 'is not an epoch time')
      return kind === Kind.EpochS ? Math.round(n * 1000) : n
    }
  }
}

let lastTimeText = ''
let lastTime = 0

/** A decimal integer string (optional `-`, at most 15 digits: always safe), or NaN. */
function integer(text: string): number {
  const negative = text.charCodeAt(0) === 45
  const start = negative ? 1 : 0
  const n = text.length
  if (n === start || n - start > 15)
    return n - start > 15 && INTEGER.test(text) ? safe(Number(text)) : Number.NaN
  let value = 0
  for (let i = start; i < n; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return Number.NaN
    value = value * 10 + d
  }
  return negative ? -value : value
}

function safe(n: number): number {
  return Number.isSafeInteger(n) ? n : Number.NaN
}

function failure(reason: BadLineReason, message: string): LineFailure {
  return new LineFailure(reason, 0, message)
}

function fieldFailure(line: string, key: string, reason: BadLineReason, message: string): LineFailure {
  const at = line.indexOf(`"${toBinary(key)}"`)
  return new LineFailure(reason, Math.max(at, 0), `field ${key} ${message}`)
}

function syntaxFailure(line: string, text: string): LineFailure {
  const first = firstNonSpace(text)
  if (first >= text.length) return new LineFailure('empty', 0, 'blank line')
  if (text.charCodeAt(first) !== 123)
    return new LineFailure('syntax', byteColumn(line, text, first), 'the line is not a JSON object')
  const at = jsonSyntaxErrorAt(text)
  const column = at < 0 ? 0 : byteColumn(line, text, at)
  return new LineFailure(
    'syntax',
    column,
    at >= text.length ? 'the JSON object is cut short' : `invalid JSON at column ${column}`,
  )
}

function firstNonSpace(text: string): number {
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break
    i++
  }
  return i
}

/** Column in the line's bytes of index `at` of its decoded text. */
function byteColumn(line: string, text: string, at: number): number {
  if (line === text) return at
  const bom = line.startsWith(BOM) ? 3 : 0
  return bom + Buffer.byteLength(text.slice(0, at), 'utf8')
}
