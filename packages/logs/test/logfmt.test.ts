import { isShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BAD_LINE_REASONS, type LineFailure } from '../src/bad-line.js'
import { type LogfmtRecord, logfmtParser } from '../src/formats/logfmt.js'
import { parseBuffer } from '../src/parse-stream.js'

const parser = logfmtParser()

function parse(line: string): Record<string, string | true> {
  const result = parser.parseLine(line)
  if (!result.ok) throw new Error(`${line}: ${result.failure.reason} at ${result.failure.column}`)
  return { ...result.record }
}

function failure(line: string | Uint8Array, p = parser): LineFailure {
  const result = p.parseLine(line)
  expect(result.ok).toBe(false)
  return (result as { failure: LineFailure }).failure
}

describe('logfmtParser', () => {
  it('parses a Heroku router line', () => {
    const line =
      'at=info method=GET path="/" host=example.herokuapp.com request_id=8601b555-6a83-4c12-8269-97c8e32cdb22 ' +
      'fwd="204.204.204.204" dyno=web.1 connect=1ms service=18ms status=200 bytes=13 protocol=https'
    expect(parse(line)).toEqual({
      at: 'info',
      method: 'GET',
      path: '/',
      host: 'example.herokuapp.com',
      request_id: '8601b555-6a83-4c12-8269-97c8e32cdb22',
      fwd: '204.204.204.204',
      dyno: 'web.1',
      connect: '1ms',
      service: '18ms',
      status: '200',
      bytes: '13',
      protocol: 'https',
    })
  })

  it('reads bare keys as true, empty values as "", and any run of blanks as a separator', () => {
    expect(parse('  debug  a= b=""\tc=1 \t ')).toEqual({ debug: true, a: '', b: '', c: '1' })
    expect(parse('a')).toEqual({ a: true })
    expect(parse('a=1 a=2')).toEqual({ a: '2' })
  })

  it('keeps = and " inside unquoted values', () => {
    expect(parse('url=/p?a=b&c=d q=say"hi"')).toEqual({ url: '/p?a=b&c=d', q: 'say"hi"' })
  })

  it('unescapes quoted values like go-logfmt and logrus write them', () => {
    expect(parse('msg="a \\"quoted\\" \\\\ word"')).toEqual({ msg: 'a "quoted" \\ word' })
    expect(parse('m="l1\\nl2\\tt\\r\\/\\b\\f"')).toEqual({ m: 'l1\nl2\tt\r/\b\f' })
    expect(parse('m="\\u00e9\\u20ac\\ud83d\\ude00"')).toEqual({ m: 'é€😀' })
    expect(parse('m="\\a\\v\\x41\\U0001F600"')).toEqual({ m: '\x07\vA😀' })
    // \xHH are bytes: two of them can make one UTF-8 character
    expect(parse('m="\\xc3\\xa9"')).toEqual({ m: 'é' })
    // unknown escapes and malformed ones are kept as written
    expect(parse('m="\\q \\x4 \\u12 \\ud83d"')).toEqual({ m: '\\q \\x4 \\u12 \ufffd' })
  })

  it('decodes UTF-8 in keys and values, per policy', () => {
    expect(parser.parseLine(Buffer.from('clé="hé ho" ✓'))).toEqual({
      ok: true,
      record: { clé: 'hé ho', '✓': true },
    })
    const bad = Buffer.from([0x6b, 0x3d, 0xff, 0x20, 0x62])
    expect({ ...(parser.parseLine(bad) as { record: LogfmtRecord }).record }).toEqual({
      k: '\ufffd',
      b: true,
    })
    const bytes = logfmtParser({ invalidUtf8: 'bytes' }).parseLine(bad)
    expect({ ...(bytes as { record: LogfmtRecord }).record }).toEqual({ k: '\xff', b: true })
    expect(failure(bad, logfmtParser({ invalidUtf8: 'reject' })).reason).toBe('encoding')
  })

  it('rejects what it cannot read, saying where', () => {
    let f = failure('a=1 msg="never closed')
    expect(f.reason).toBe('unterminated-quote')
    expect(f.column).toBe(8)
    f = failure('a=1 =2')
    expect([f.reason, f.column]).toEqual(['syntax', 4])
    f = failure('k"ey=1')
    expect([f.reason, f.column]).toEqual(['syntax', 1])
    f = failure('k="a"b')
    expect([f.reason, f.column]).toEqual(['syntax', 5])
    expect(failure('msg="ends with backslash\\"').reason).toBe('unterminated-quote')
    expect(failure('').reason).toBe('empty')
    expect(failure(' \t ').reason).toBe('empty')
  })

  it('treats __proto__ as an ordinary key', () => {
    const result = parser.parseLine('__proto__=x constructor')
    expect(result.ok).toBe(true)
    const record = (result as { record: LogfmtRecord }).record
    expect(Object.getPrototypeOf(Object.getPrototypeOf(record))).toBeNull()
    expect('hasOwnProperty' in record).toBe(false)
    expect(Object.getOwnPropertyDescriptor(record, '__proto__')?.value).toBe('x')
    expect(record.constructor).toBe(true)
  })

  it('throws ERR_INVALID_ARGUMENT for a bad policy', () => {
    let thrown: unknown
    try {
      logfmtParser({ invalidUtf8: 'ignore' as 'replace' })
    } catch (err) {
      thrown = err
    }
    expect(isShoalError(thrown, 'ERR_INVALID_ARGUMENT')).toBe(true)
  })

  it('streams through parseBuffer', () => {
    const batch = parseBuffer('a=1\nb="x\n\nc=3\r\n', parser)
    expect(batch.records.map((r) => ({ ...r }))).toEqual([{ a: '1' }, { c: '3' }])
    expect(batch.errors.map((e) => [e.line, e.reason, e.column])).toEqual([[2, 'unterminated-quote', 2]])
  })
})

function needsQuotes(value: string): boolean {
  for (const ch of value) {
    if (ch <= ' ' || ch === '"' || ch === '=' || ch === '\\' || ch === '\x7f' || /\s/u.test(ch)) return true
  }
  return false
}

/** Renders a value as go-logfmt does: quoted (JSON-style escapes) when it needs to be. */
function renderValue(value: string, style: 'json' | 'go'): string {
  if (value.length > 0 && !needsQuotes(value)) return value
  let out = '"'
  for (const ch of value) {
    const c = ch.codePointAt(0) as number
    if (ch === '"' || ch === '\\') out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\r') out += '\\r'
    else if (c < 0x20 || c === 0x7f)
      out +=
        style === 'json' ? `\\u${c.toString(16).padStart(4, '0')}` : `\\x${c.toString(16).padStart(2, '0')}`
    else if (style === 'go' && c > 0xffff && c % 3 === 0) out += `\\U${c.toString(16).padStart(8, '0')}`
    else out += ch
  }
  return `${out}"`
}

describe('logfmtParser properties', () => {
  const key = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
    .filter((k) => ![...k].some((ch) => ch <= ' ' || ch === '"' || ch === '='))
  const value = fc.oneof(fc.constant(true as const), fc.string({ unit: 'grapheme', maxLength: 30 }))

  it('a record rendered as logfmt parses back to itself', () => {
    fc.assert(
      fc.property(
        fc.dictionary(key, value, { minKeys: 1 }),
        fc.constantFrom('json' as const, 'go' as const),
        fc.constantFrom(' ', '  ', '\t'),
        (record, style, separator) => {
          const line = Object.entries(record)
            .map(([k, v]) => (v === true ? k : `${k}=${renderValue(v, style)}`))
            .join(separator)
          const result = parser.parseLine(Buffer.from(line, 'utf8'))
          expect(result.ok).toBe(true)
          expect({ ...(result as { record: LogfmtRecord }).record }).toEqual({ ...record })
        },
      ),
    )
  })

  it('random bytes never throw', () => {
    const near = fc
      .array(fc.constantFrom('a', '=', '"', '\\', ' ', 'u', 'x', '0', 'é', '\t', 'U', 'd83d'), {
        maxLength: 40,
      })
      .map((parts) => Buffer.from(parts.join(''), 'utf8'))
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), near), (bytes) => {
        const result = parser.parseLine(bytes)
        if (!result.ok) {
          expect(BAD_LINE_REASONS).toContain(result.failure.reason)
          expect(result.failure.column).toBeLessThanOrEqual(bytes.length)
        }
      }),
      { numRuns: 3000 },
    )
  })
})
