import { isShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BAD_LINE_REASONS, LineFailure } from '../src/bad-line.js'
import { w3cParser } from '../src/formats/w3c.js'
import { parseBatches, parseBuffer } from '../src/parse-stream.js'
import { SKIP_LINE } from '../src/skip-line.js'

const IIS = [
  '#Software: Microsoft Internet Information Services 10.0',
  '#Version: 1.0',
  '#Date: 2024-05-01 00:00:01',
  '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken',
  '2024-05-01 00:00:01 10.0.0.4 GET /index.html q=a+b 443 - 203.0.113.9 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) https://example.com/ 200 0 0 15',
  '2024-05-01 00:00:02 10.0.0.4 POST /api/orders - 443 alice 2001:db8::1 curl/8.5.0 - 500 19 64 1234',
].join('\r\n')

const CLOUDFRONT_FIELDS =
  'date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end'

const CLOUDFRONT_LINE = [
  '2019-12-04',
  '21:02:31',
  'LAX1',
  '392',
  '192.0.2.100',
  'GET',
  'd111111abcdef8.cloudfront.net',
  '/index.html',
  '200',
  '-',
  'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)+X',
  '-',
  '-',
  'Hit',
  'SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==',
  'd111111abcdef8.cloudfront.net',
  'https',
  '23',
  '0.001',
  '-',
  'TLSv1.2',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'Hit',
  'HTTP/2.0',
  '-',
  '-',
  '11040',
  '0.001',
  'Hit',
  'text/html',
  '78',
  '-',
  '-',
].join('\t')

function failure(result: unknown): LineFailure {
  expect(result).toBeInstanceOf(LineFailure)
  return result as LineFailure
}

describe('w3cParser', () => {
  it('parses an IIS log: directives skipped, numbers and time read, + as space in the user agent', () => {
    const batch = parseBuffer(IIS, w3cParser())
    expect(batch.errors).toEqual([])
    expect(batch.records).toEqual([
      {
        date: '2024-05-01',
        time: Date.UTC(2024, 4, 1, 0, 0, 1),
        's-ip': '10.0.0.4',
        'cs-method': 'GET',
        'cs-uri-stem': '/index.html',
        'cs-uri-query': 'q=a+b',
        's-port': 443,
        'cs-username': null,
        'c-ip': '203.0.113.9',
        'cs(User-Agent)': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
        'cs(Referer)': 'https://example.com/',
        'sc-status': 200,
        'sc-substatus': 0,
        'sc-win32-status': 0,
        'time-taken': 15,
      },
      {
        date: '2024-05-01',
        time: Date.UTC(2024, 4, 1, 0, 0, 2),
        's-ip': '10.0.0.4',
        'cs-method': 'POST',
        'cs-uri-stem': '/api/orders',
        'cs-uri-query': null,
        's-port': 443,
        'cs-username': 'alice',
        'c-ip': '2001:db8::1',
        'cs(User-Agent)': 'curl/8.5.0',
        'cs(Referer)': null,
        'sc-status': 500,
        'sc-substatus': 19,
        'sc-win32-status': 64,
        'time-taken': 1234,
      },
    ])
    // every record of one #Fields has its keys in the same order
    expect(Object.keys(batch.records[0] ?? {})).toEqual(Object.keys(batch.records[1] ?? {}))
  })

  it('parses a tab-separated CloudFront log, leaving + and URL encoding as written', () => {
    const parser = w3cParser()
    expect(parser.parseBinary('#Version: 1.0')).toBe(SKIP_LINE)
    expect(parser.parseBinary(`#Fields: ${CLOUDFRONT_FIELDS}`)).toBe(SKIP_LINE)
    const r = parser.parseBinary(CLOUDFRONT_LINE)
    expect(r).toMatchObject({
      date: '2019-12-04',
      time: Date.UTC(2019, 11, 4, 21, 2, 31),
      'x-edge-location': 'LAX1',
      'sc-bytes': 392,
      'cs(User-Agent)': 'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)+X',
      'cs-bytes': 23,
      'time-taken': 0.001,
      'c-port': 11040,
      'time-to-first-byte': 0.001,
      'sc-content-len': 78,
      'sc-range-start': null,
      'x-forwarded-for': null,
    })
    expect(Object.keys(r as object)).toEqual(CLOUDFRONT_FIELDS.split(' '))
  })

  it('re-plans when a new #Fields directive arrives mid-stream', async () => {
    const text = [
      '#Fields: date time c-ip sc-status',
      '2024-05-01 10:00:00 1.2.3.4 200',
      '#Software: restarted',
      '#Fields: time cs-method sc-bytes',
      '#Date: 2024-05-02 00:00:00',
      '10:00:01 GET 512',
    ].join('\n')
    const records = []
    for await (const batch of parseBatches([text.slice(0, 50), text.slice(50)], w3cParser())) {
      expect(batch.errors).toEqual([])
      records.push(...batch.records)
    }
    expect(records).toEqual([
      { date: '2024-05-01', time: Date.UTC(2024, 4, 1, 10), 'c-ip': '1.2.3.4', 'sc-status': 200 },
      { time: Date.UTC(2024, 4, 2, 10, 0, 1), 'cs-method': 'GET', 'sc-bytes': 512 },
    ])
  })

  it('takes the date from #Date when there is no date field, and leaves time null without either', () => {
    const parser = w3cParser({ fields: 'time c-ip' })
    expect(parser.parseBinary('10:00:00 1.2.3.4')).toEqual({ time: null, 'c-ip': '1.2.3.4' })
    parser.parseBinary('#Date: 2024-05-01 00:00:00')
    expect(parser.parseBinary('10:00:00.250 1.2.3.4')).toEqual({
      time: Date.UTC(2024, 4, 1, 10, 0, 0, 250),
      'c-ip': '1.2.3.4',
    })
    expect(parser.parseBinary('10:00 1.2.3.4')).toEqual({ time: Date.UTC(2024, 4, 1, 10), 'c-ip': '1.2.3.4' })
    expect(parser.parseBinary('- 1.2.3.4')).toEqual({ time: null, 'c-ip': '1.2.3.4' })
  })

  it('reads time before date in the field order', () => {
    const parser = w3cParser({ fields: ['time', 'date'] })
    expect(parser.parseBinary('23:59:59 2024-02-29')).toEqual({
      time: Date.UTC(2024, 1, 29, 23, 59, 59),
      date: '2024-02-29',
    })
  })

  it('reports bad entries with reason and column', () => {
    const parser = w3cParser({ fields: 'date time sc-status time-taken c-ip' })
    const cases: [string, string, number][] = [
      ['2024-05-01 10:00:00 200 15', 'missing-field', 26],
      ['2024-05-01 10:00:00 200 15 1.2.3.4 extra', 'trailing-data', 34],
      ['2024-05-01 10:00:00 2xx 15 1.2.3.4', 'bad-int', 20],
      ['2024-05-01 10:00:00 -1 15 1.2.3.4', 'bad-int', 20],
      ['2024-05-01 10:00:00 200 1e3 1.2.3.4', 'bad-number', 24],
      ['2024-02-30 10:00:00 200 15 1.2.3.4', 'bad-time', 11],
      ['2024-05-01 24:00:00 200 15 1.2.3.4', 'bad-time', 11],
      ['2024-05-01 10:00:00.x 200 15 1.2.3.4', 'bad-time', 11],
      ['2024/05/01 10:00:00 200 15 1.2.3.4', 'bad-time', 11],
      ['2024-05-01  10:00:00 200 15 1.2.3.4', 'bad-int', 12], // two spaces: an empty time, values shift
    ]
    for (const [line, reason, column] of cases) {
      const f = failure(parser.parseBinary(line))
      expect([f.reason, f.column], line).toEqual([reason, column])
    }
  })

  it('rejects entries before any #Fields, and bad #Fields directives', () => {
    const parser = w3cParser()
    expect(failure(parser.parseBinary('2024-05-01 10:00:00 1.2.3.4')).reason).toBe('syntax')
    expect(failure(parser.parseBinary('#Fields:')).reason).toBe('syntax')
    expect(failure(parser.parseBinary('#Fields: c-ip c-ip')).message).toContain('twice')
    expect(failure(parser.parseBinary('#Fields: __proto__')).reason).toBe('syntax')
    expect(parser.fields).toBeUndefined()
    parser.parseBinary('#Fields: c-ip')
    expect(failure(parser.parseBinary('#Fields: ')).reason).toBe('syntax')
    expect(parser.fields).toEqual(['c-ip'])
  })

  it('decodes UTF-8 values, per policy', () => {
    const line = Buffer.from('/café 1.2.3.4')
    expect(w3cParser({ fields: 'cs-uri-stem c-ip' }).parseLine(line)).toEqual({
      ok: true,
      record: { 'cs-uri-stem': '/café', 'c-ip': '1.2.3.4' },
    })
    const bad = Buffer.from([0x2f, 0xff, 0x20, 0x61])
    expect(w3cParser({ fields: 'cs-uri-stem c-ip' }).parseLine(bad)).toEqual({
      ok: true,
      record: { 'cs-uri-stem': '/\ufffd', 'c-ip': 'a' },
    })
    const rejected = w3cParser({ fields: 'cs-uri-stem c-ip', invalidUtf8: 'reject' }).parseLine(bad)
    expect(rejected.ok ? null : rejected.failure.reason).toBe('encoding')
  })

  it('applies plusAsSpace to the named fields of space-separated logs only', () => {
    const parser = w3cParser({ fields: 'cs(User-Agent) cs(Cookie)', plusAsSpace: ['cs(Cookie)'] })
    expect(parser.parseBinary('a+b c+d')).toEqual({ 'cs(User-Agent)': 'a+b', 'cs(Cookie)': 'c d' })
    const tabs = w3cParser({ fields: 'cs(User-Agent) c-ip', separator: 'tab' })
    expect(tabs.parseBinary('a+b c\t1.2.3.4')).toEqual({ 'cs(User-Agent)': 'a+b c', 'c-ip': '1.2.3.4' })
    const spaces = w3cParser({ fields: 'cs(User-Agent) c-ip', separator: 'space' })
    expect(failure(spaces.parseBinary('a\tb 1.2.3.4 x')).reason).toBe('trailing-data')
  })

  it('keeps the directives, signals skipped lines through parseLine, and resets', () => {
    const parser = w3cParser({ fields: 'c-ip' })
    expect(parser.parseLine('#Software: IIS')).toEqual({ ok: true, record: SKIP_LINE })
    parser.parseLine('#Remark: hello world ')
    parser.parseLine('#Fields: date c-ip')
    expect(parser.directives).toEqual({ Software: 'IIS', Remark: 'hello world', Fields: 'date c-ip' })
    expect(parser.fields).toEqual(['date', 'c-ip'])
    parser.reset()
    expect(parser.directives).toEqual({})
    expect(parser.fields).toEqual(['c-ip'])
  })

  it('throws ERR_INVALID_ARGUMENT for bad options', () => {
    for (const options of [
      { fields: '' },
      { fields: ['a', 'a'] },
      { separator: 'comma' as 'tab' },
      { plusAsSpace: 'cs(Cookie)' as unknown as string[] },
      { invalidUtf8: 'x' as 'replace' },
    ]) {
      let thrown: unknown
      try {
        w3cParser(options)
      } catch (err) {
        thrown = err
      }
      expect(isShoalError(thrown, 'ERR_INVALID_ARGUMENT'), JSON.stringify(options)).toBe(true)
    }
  })
})

describe('w3cParser properties', () => {
  const field = fc.constantFrom(
    'date',
    'time',
    'c-ip',
    'sc-status',
    'time-taken',
    'cs(User-Agent)',
    'cs-uri-stem',
    'sc-bytes',
  )
  const value = (name: string): fc.Arbitrary<[string, unknown]> => {
    switch (name) {
      case 'date':
        return fc.constant(['2024-05-01', '2024-05-01'])
      case 'time':
        return fc
          .tuple(
            fc.integer({ min: 0, max: 23 }),
            fc.integer({ min: 0, max: 59 }),
            fc.integer({ min: 0, max: 59 }),
          )
          .map(([h, m, s]) => [
            `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`,
            Date.UTC(2024, 4, 1, h, m, s),
          ])
      case 'sc-status':
      case 'sc-bytes':
        return fc.nat().map((n) => [String(n), n])
      case 'time-taken':
        return fc.nat({ max: 1e6 }).map((n) => [(n / 1000).toString(), n / 1000])
      default:
        return fc
          .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
          .filter((s) => !/[\s+]/u.test(s) && s !== '-' && !s.startsWith('#'))
          .map((s) => [s, s])
    }
  }

  it('entries rendered from generated values parse back to them', () => {
    const entry = fc
      .uniqueArray(field, { minLength: 1, maxLength: 8 })
      .chain((names) =>
        fc.tuple(fc.constant(names), fc.tuple(...names.map(value)), fc.constantFrom(' ', '\t')),
      )
    fc.assert(
      fc.property(entry, ([names, values, separator]) => {
        const parser = w3cParser()
        expect(parser.parseBinary(`#Date: 2024-05-01 00:00:00`)).toBe(SKIP_LINE)
        expect(parser.parseBinary(`#Fields: ${names.join(' ')}`)).toBe(SKIP_LINE)
        const line = values.map(([text]) => text).join(separator)
        const result = parser.parseLine(Buffer.from(line, 'utf8'))
        expect(result).toEqual({
          ok: true,
          record: Object.fromEntries(names.map((name, i) => [name, values[i]?.[1]])),
        })
      }),
    )
  })

  it('random bytes never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 5 }), (lines) => {
        const parser = w3cParser()
        parser.parseBinary('#Fields: date time c-ip sc-status time-taken cs(User-Agent)')
        for (const bytes of lines) {
          const result = parser.parseLine(bytes)
          if (!result.ok) {
            expect(BAD_LINE_REASONS).toContain(result.failure.reason)
            expect(result.failure.column).toBeLessThanOrEqual(bytes.length)
          }
        }
      }),
      { numRuns: 2000 },
    )
  })
})
