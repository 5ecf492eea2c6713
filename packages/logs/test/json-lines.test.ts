import { isShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BAD_LINE_REASONS, LineFailure } from '../src/bad-line.js'
import { jsonLinesParser } from '../src/formats/json-lines.js'
import { jsonSyntaxErrorAt } from '../src/formats/json-syntax.js'
import { parseBuffer } from '../src/parse-stream.js'

const NGINX =
  '{"time_local":"01/May/2024:10:00:00 +0200","remote_addr":"203.0.113.9","request":"GET /a?b=c HTTP/1.1",' +
  '"status":"200","body_bytes_sent":"612","request_time":"0.005","upstream_response_time":"",' +
  '"http_referrer":"","http_user_agent":"curl/8.5.0 \\"x\\"","msec":"1714550400.123"}'

function failure(result: unknown): LineFailure {
  expect(result).toBeInstanceOf(LineFailure)
  return result as LineFailure
}

describe('jsonLinesParser', () => {
  it('parses an nginx escape=json line and coerces the named fields', () => {
    const parser = jsonLinesParser({
      fields: {
        status: 'int',
        body_bytes_sent: 'int',
        request_time: 'number',
        upstream_response_time: 'number',
        time_local: 'time',
        msec: 'epoch-s',
        http_referrer: 'string',
        missing: 'int',
      },
    })
    const result = parser.parseLine(NGINX)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const r = result.record
    expect(r.status).toBe(200)
    expect(r.body_bytes_sent).toBe(612)
    expect(r.request_time).toBe(0.005)
    expect(r.upstream_response_time).toBeNull()
    expect(r.time_local).toBe(Date.UTC(2024, 4, 1, 8, 0, 0))
    expect(r.msec).toBe(1714550400123)
    expect(r.http_referrer).toBe('')
    expect(r.missing).toBeNull()
    expect('missing' in r).toBe(true)
    expect(r.http_user_agent).toBe('curl/8.5.0 "x"')
    expect(r.remote_addr).toBe('203.0.113.9')
  })

  it('reads RFC 3339 times, epoch milliseconds and JSON numbers', () => {
    const parser = jsonLinesParser({
      fields: { t: 'time', ms: 'epoch-ms', n: 'int', x: 'number', s: 'string' },
    })
    const r = parser.parseBinary(
      '{"t":"2024-05-01T10:00:00.123456+02:00","ms":1714550400123,"n":-7,"x":1e3,"s":42}',
    )
    expect(r).toEqual({ t: Date.UTC(2024, 4, 1, 8, 0, 0, 123), ms: 1714550400123, n: -7, x: 1000, s: '42' })
    const z = parser.parseBinary('{"t":"2024-05-01 10:00:00Z","ms":"5","n":"12","x":"-.5","s":{"a":[1]}}')
    expect(z).toEqual({ t: Date.UTC(2024, 4, 1, 10), ms: 5, n: 12, x: -0.5, s: '{"a":[1]}' })
  })

  it('rejects values that cannot be coerced, pointing at the field', () => {
    const parser = jsonLinesParser({ fields: { status: 'int', rt: 'number', t: 'time', e: 'epoch-s' } })
    let f = failure(parser.parseBinary('{"a":1,"status":"2xx"}'))
    expect(f.reason).toBe('bad-int')
    expect(f.column).toBe(7)
    expect(f.message).toContain('status')
    expect(failure(parser.parseBinary('{"status":1.5}')).reason).toBe('bad-int')
    expect(failure(parser.parseBinary('{"status":true}')).reason).toBe('bad-int')
    expect(failure(parser.parseBinary('{"status":"99999999999999999"}')).reason).toBe('bad-int')
    expect(failure(parser.parseBinary('{"rt":"0.1, 0.2"}')).reason).toBe('bad-number')
    expect(failure(parser.parseBinary('{"t":"yesterday"}')).reason).toBe('bad-time')
    expect(failure(parser.parseBinary('{"t":"2024-02-30T00:00:00Z"}')).reason).toBe('bad-time')
    expect(failure(parser.parseBinary('{"t":"2024-05-01T10:00:00"}')).reason).toBe('bad-time')
    expect(failure(parser.parseBinary('{"t":1714550400}')).reason).toBe('bad-time')
    f = failure(parser.parseBinary('{"e":"soon"}'))
    expect(f.reason).toBe('bad-time')
    expect(parser.parseBinary('{"status":"-","rt":null,"t":"","e":"-"}')).toEqual({
      status: null,
      rt: null,
      t: null,
      e: null,
    })
  })

  it('reports syntax errors with the byte column where the JSON breaks', () => {
    const parser = jsonLinesParser()
    const cases: [string, number][] = [
      ['{"a":}', 5],
      ['{"a" 1}', 5],
      ['{"a":1}x', 7],
      ['{"a":tru}', 8],
      ['{"a":[1,]}', 8],
      ['{"a":"b\\q"}', 8],
      ['{"a":01}', 6],
    ]
    for (const [line, column] of cases) {
      const f = failure(parser.parseBinary(line))
      expect(f.reason, line).toBe('syntax')
      expect(f.column, line).toBe(column)
    }
    const cut = failure(parser.parseBinary('{"a":1'))
    expect(cut.column).toBe(6)
    expect(cut.message).toContain('cut short')
    // é is two bytes: the column counts bytes of the line, not characters
    const wide = failure(parser.parseBinary(Buffer.from('{"é":}').toString('latin1')))
    expect(wide.column).toBe(6)
  })

  it('rejects JSON that is not an object, and blank lines', () => {
    const parser = jsonLinesParser()
    for (const line of ['[1,2]', '"text"', '42', 'null', 'true', '  [']) {
      const f = failure(parser.parseBinary(line))
      expect(f.reason, line).toBe('syntax')
    }
    expect(failure(parser.parseBinary('  [1]')).column).toBe(2)
    expect(failure(parser.parseBinary('   ')).reason).toBe('empty')
    expect(failure(parser.parseBinary('')).reason).toBe('empty')
  })

  it('decodes lines with bytes ≥ 0x80 as UTF-8, per policy', () => {
    const utf8 = Buffer.from('{"ua":"Ünïcødé ✓ 😀"}')
    expect(jsonLinesParser().parseLine(utf8)).toEqual({ ok: true, record: { ua: 'Ünïcødé ✓ 😀' } })
    expect(jsonLinesParser().parseBinary(utf8.toString('latin1'))).toEqual({ ua: 'Ünïcødé ✓ 😀' })
    const bad = Buffer.concat([Buffer.from('{"ua":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}')])
    expect(jsonLinesParser().parseLine(bad)).toEqual({ ok: true, record: { ua: 'a\ufffd\ufffdb' } })
    expect(jsonLinesParser({ invalidUtf8: 'bytes' }).parseLine(bad)).toEqual({
      ok: true,
      record: { ua: 'a\xff\xfeb' },
    })
    const rejected = jsonLinesParser({ invalidUtf8: 'reject' }).parseLine(bad)
    expect(rejected.ok ? null : rejected.failure.reason).toBe('encoding')
    // a BOM before the first line is ignored
    expect(jsonLinesParser().parseLine(Buffer.from('\ufeff{"a":1}'))).toEqual({ ok: true, record: { a: 1 } })
  })

  it('keeps __proto__ and other Object.prototype names as plain own fields', () => {
    const parser = jsonLinesParser({
      fields: { ['__proto__']: 'int', constructor: 'string', toString: 'int' },
    })
    const r = parser.parseBinary('{"__proto__":"7"}')
    expect(r).not.toBeInstanceOf(LineFailure)
    const record = r as Record<string, unknown>
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(record, '__proto__')?.value).toBe(7)
    expect(Object.getOwnPropertyDescriptor(record, 'constructor')?.value).toBeNull()
    expect(Object.getOwnPropertyDescriptor(record, 'toString')?.value).toBeNull()
  })

  it('throws ERR_INVALID_ARGUMENT for unknown field types and policies', () => {
    const bad = { fields: { status: 'integer' } } as unknown as Parameters<typeof jsonLinesParser>[0]
    expect(() => jsonLinesParser(bad)).toThrow(/unknown type/)
    try {
      jsonLinesParser({ invalidUtf8: 'drop' as 'replace' })
    } catch (err) {
      expect(isShoalError(err, 'ERR_INVALID_ARGUMENT')).toBe(true)
    }
    expect(() => jsonLinesParser({ invalidUtf8: 'drop' as 'replace' })).toThrow()
  })

  it('streams through parseBuffer with bad lines located', () => {
    const text = `{"a":1}\n[2]\n\n{"a":3}\r\n{"a":`
    const batch = parseBuffer(text, jsonLinesParser({ fields: { a: 'int' } }))
    expect(batch.records).toEqual([{ a: 1 }, { a: 3 }])
    expect(batch.errors.map((e) => [e.line, e.reason])).toEqual([
      [2, 'syntax'],
      [5, 'syntax'],
    ])
    expect(batch.emptyLines).toBe(1)
  })
})

describe('jsonLinesParser properties', () => {
  it('a JSON object rendered as a line parses back to itself', () => {
    const parser = jsonLinesParser()
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()), (object) => {
        const line = JSON.stringify(object)
        const expected = JSON.parse(line)
        expect(parser.parseLine(line)).toEqual({ ok: true, record: expected })
        expect(parser.parseLine(Buffer.from(line, 'utf8'))).toEqual({ ok: true, record: expected })
      }),
    )
  })

  it('numbers written as strings coerce to the numbers', () => {
    const parser = jsonLinesParser({ fields: { status: 'int', bytes: 'int', rt: 'number', at: 'epoch-ms' } })
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.maxSafeInteger(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.boolean(),
        (status, bytes, rt, at, asStrings) => {
          const wrap = (v: number) => (asStrings ? String(v) : v)
          const line = JSON.stringify({
            status: wrap(status),
            bytes: wrap(bytes),
            rt: wrap(rt),
            at: wrap(at),
          })
          expect(parser.parseBinary(line)).toEqual({ status, bytes, rt: Object.is(rt, -0) ? 0 : rt, at })
        },
      ),
    )
  })

  it('random bytes never throw and failures stay within the line', () => {
    const parser = jsonLinesParser({ fields: { a: 'int', t: 'time' } })
    const jsonish = fc
      .tuple(fc.json(), fc.nat(), fc.string({ unit: 'binary', maxLength: 3 }))
      .map(([json, at, junk]) => {
        const i = at % (json.length + 1)
        return Buffer.from(json.slice(0, i) + junk + json.slice(i + junk.length), 'utf8')
      })
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), jsonish), (bytes) => {
        const result = parser.parseLine(bytes)
        if (!result.ok) {
          expect(BAD_LINE_REASONS).toContain(result.failure.reason)
          expect(result.failure.column).toBeGreaterThanOrEqual(0)
          expect(result.failure.column).toBeLessThanOrEqual(bytes.length)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('the syntax locator agrees with JSON.parse on what is valid', () => {
    const mutated = fc
      .tuple(
        fc.json(),
        fc.nat(),
        fc.constantFrom('', '}', ']', ',', '"', ':', '\\', '-', '0', 'e', ' ', '\x01', 't'),
      )
      .map(([json, at, insert]) => {
        const i = at % (json.length + 1)
        return at % 2 === 0 ? json.slice(0, i) + insert + json.slice(i) : json.slice(0, i) + json.slice(i + 1)
      })
    fc.assert(
      fc.property(fc.oneof(fc.json(), mutated, fc.string()), (text) => {
        let valid = true
        try {
          JSON.parse(text)
        } catch {
          valid = false
        }
        const at = jsonSyntaxErrorAt(text)
        expect(at === -1).toBe(valid)
        expect(at).toBeLessThanOrEqual(text.length)
      }),
      { numRuns: 3000 },
    )
  })
})
