import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { BadLine, LineParser, RecordBatch } from '../src/index.js'
import {
  ACCESS_PRESETS,
  accessParser,
  apacheParser,
  LineFailure,
  LineSplitter,
  parseBuffer,
} from '../src/index.js'
import { apacheEscape, clfTime } from './apache-escaper.js'

interface Directive {
  readonly format: string
  readonly value: fc.Arbitrary<unknown>
  readonly render: (value: never) => string
  readonly expected: (value: never) => Record<string, unknown>
}

const wellFormed = (s: string): boolean => Buffer.from(s, 'utf8').toString('utf8') === s
const anyText = fc.string({ unit: 'binary', maxLength: 40 }).filter(wellFormed)
const token = fc.stringMatching(/^[A-Za-z0-9._@:-]{1,16}$/).filter((s) => s !== '-')
const host = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain())

const DIRECTIVES: readonly Directive[] = [
  { format: '%h', value: host, render: (v: string) => v, expected: (v: string) => ({ remoteHost: v }) },
  {
    format: '%u',
    value: fc.option(token),
    render: (v: string | null) => v ?? '-',
    expected: (v: string | null) => ({ remoteUser: v }),
  },
  {
    format: '%t',
    value: fc.record({ s: fc.integer({ min: 0, max: 4_000_000_000 }), z: fc.integer({ min: -48, max: 56 }) }),
    render: (v: { s: number; z: number }) => clfTime(v.s, v.z * 15),
    expected: (v: { s: number }) => ({ time: v.s * 1000 }),
  },
  {
    format: '"%r"',
    value: fc.record({
      method: fc.stringMatching(/^[A-Z]{1,8}$/),
      target: anyText.filter((t) => !t.includes(' HTTP/')),
      protocol: fc.constantFrom('HTTP/1.0', 'HTTP/1.1', 'HTTP/2.0'),
    }),
    render: (v: { method: string; target: string; protocol: string }) =>
      `"${apacheEscape(`${v.method} ${v.target} ${v.protocol}`)}"`,
    expected: (v: { method: string; target: string; protocol: string }) => ({
      method: v.method,
      target: v.target,
      protocol: v.protocol,
    }),
  },
  {
    format: '%>s',
    value: fc.integer({ min: 100, max: 599 }),
    render: (v: number) => String(v),
    expected: (v: number) => ({ status: v }),
  },
  {
    format: '%b',
    value: fc.nat(),
    render: (v: number) => (v === 0 ? '-' : String(v)),
    expected: (v: number) => ({ bytes: v }),
  },
  {
    format: '%D',
    value: fc.nat(),
    render: (v: number) => String(v),
    expected: (v: number) => ({ duration: v }),
  },
  {
    format: '%k',
    value: fc.nat(1e9),
    render: (v: number) => String(v),
    expected: (v: number) => ({ keepAliveRequests: v }),
  },
  { format: '%v', value: token, render: (v: string) => v, expected: (v: string) => ({ virtualHost: v }) },
  {
    format: '"%{Referer}i"',
    value: anyText,
    render: (v: string) => `"${apacheEscape(v)}"`,
    expected: (v: string) => ({ referer: v === '-' ? null : v }),
  },
  {
    format: '"%{User-Agent}i"',
    value: anyText,
    render: (v: string) => `"${apacheEscape(v)}"`,
    expected: (v: string) => ({ userAgent: v === '-' ? null : v }),
  },
]

const formatAndLine = fc
  .uniqueArray(fc.integer({ min: 0, max: DIRECTIVES.length - 1 }), {
    minLength: 1,
    maxLength: DIRECTIVES.length,
  })
  .chain((indexes) => {
    const chosen = indexes.map((i) => DIRECTIVES[i] as Directive)
    return fc
      .record({
        separators: fc.array(fc.constantFrom(' ', ' | ', ' :: ', '\t'), {
          minLength: chosen.length,
          maxLength: chosen.length,
        }),
        values: fc.tuple(...chosen.map((d) => d.value)),
      })
      .map(({ separators, values }) => {
        let format = ''
        let line = ''
        const expected: Record<string, unknown> = {}
        chosen.forEach((directive, i) => {
          const separator = i === 0 ? '' : (separators[i] as string)
          format += separator + directive.format
          line += separator + directive.render(values[i] as never)
          Object.assign(expected, directive.expected(values[i] as never))
        })
        return { format, line, expected }
      })
  })

describe('access parsers: properties', () => {
  it('a line rendered by an Apache-faithful escaper parses back to its values (generated and interpreted scanners)', () => {
    fc.assert(
      fc.property(
        formatAndLine,
        fc.constantFrom('strict', 'lenient') as fc.Arbitrary<'strict' | 'lenient'>,
        ({ format, line, expected }, mode) => {
          for (const codegen of [true, false]) {
            const result = apacheParser(format, { mode, codegen }).parseLine(line)
            if (!result.ok)
              throw new Error(`${format}\n${line}\n${result.failure.reason}: ${result.failure.message}`)
            expect(result.record).toMatchObject({ ...expected, rest: null, recovered: false })
          }
        },
      ),
      { numRuns: 400 },
    )
  })

  it('the generated scanner and the interpreter agree on damaged lines', () => {
    const combined =
      '1.2.3.4 - frank [17/May/2015:10:05:03 +0000] "GET /a\\"b HTTP/1.1" 200 2326 "http://r/" "UA \\x41\\\\"'
    const mutation = fc.record({
      at: fc.nat(combined.length),
      cut: fc.nat(6),
      insert: fc.string({ unit: 'binary-ascii', maxLength: 4 }),
    })
    fc.assert(
      fc.property(
        fc.array(mutation, { maxLength: 3 }),
        fc.constantFrom('strict', 'lenient') as fc.Arbitrary<'strict' | 'lenient'>,
        (mutations, mode) => {
          let line = combined
          for (const { at, cut, insert } of mutations)
            line = line.slice(0, at) + insert + line.slice(at + cut)
          const generated = apacheParser('combined', { mode }).parseLine(line)
          const interpreted = apacheParser('combined', { mode, codegen: false }).parseLine(line)
          expect(generated).toEqual(interpreted)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('random bytes never throw from any preset, in either mode', () => {
    const parsers = Object.keys(ACCESS_PRESETS).flatMap((name) => [
      accessParser(name, { mode: 'strict' }),
      accessParser(name, { mode: 'lenient' }),
      accessParser(name, { mode: 'lenient', escape: 'json' }),
    ])
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        for (const parser of parsers) {
          const result = parser.parseLine(bytes)
          if (!result.ok) expect(result.failure).toBeInstanceOf(LineFailure)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('splitting the same input at any chunk boundaries gives identical output', () => {
    const lines = [
      '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 12 "-" "UA"',
      '1.2.3.4 - - [17/May/2015:10:05:04 +0000] "GET /caf\\xc3\\xa9 HTTP/1.1" 404 - "-" "UA \\"x\\""\r',
      '',
      'garbage line',
      '::1 - - [17/May/2015:10:05:05 +0000] "GET /é HTTP/1.1" 500 1 "-" "Ü"',
      `1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /${'x'.repeat(300)} HTTP/1.1" 200 12 "-" "UA"`,
      '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 12 "-" "cut',
    ]
    const input = Buffer.from(lines.join('\n'))
    const parser = apacheParser('combined')
    const whole = parseBuffer(input, parser, { maxLineBytes: 256 })
    expect(whole.records.length).toBe(4)
    expect(whole.errors.map((e) => [e.line, e.reason])).toEqual([
      [4, 'missing-field'],
      [6, 'oversize'],
    ])
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: input.length - 1 }), { maxLength: 12 }),
        (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), input.length]
          const chunks = points.slice(1).map((end, i) => input.subarray(points[i], end))
          const records: unknown[] = []
          const errors: unknown[] = []
          let line = 0
          let offset = 0
          for (const result of chunkedParse(chunks, parser)) {
            records.push(...result.records)
            errors.push(...result.errors)
            line = result.line
            offset = result.offset
          }
          expect(records).toEqual(whole.records)
          expect(errors).toEqual(whole.errors)
          expect([line, offset]).toEqual([whole.line, whole.offset])
        },
      ),
      { numRuns: 300 },
    )
  })
})

/** The stream readers' splitting, chunk by chunk, without their batching. */
function* chunkedParse<R>(chunks: Uint8Array[], parser: LineParser<R>): Generator<RecordBatch<R>> {
  const splitter = new LineSplitter({ maxLineBytes: 256 })
  let records: R[] = []
  let errors: BadLine[] = []
  const sink = {
    line(text: string, line: number, offset: number) {
      if (text.length === 0) return
      const result = parser.parseBinary(text)
      if (result instanceof LineFailure)
        errors.push({
          reason: result.reason,
          line,
          offset,
          column: result.column,
          message: result.message,
          sample: text.slice(0, 200),
        })
      else records.push(result)
    },
    oversize(line: number, offset: number, sample: string) {
      errors.push({
        reason: 'oversize',
        line,
        offset,
        column: sample.length,
        message: 'line longer than maxLineBytes',
        sample,
      })
    },
  }
  for (const chunk of chunks) {
    splitter.push(chunk, sink)
    yield { records, errors, emptyLines: 0, line: splitter.line, offset: splitter.offset }
    records = []
    errors = []
  }
  splitter.end(sink)
  yield { records, errors, emptyLines: 0, line: splitter.line, offset: splitter.offset }
}
