import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  apacheParser,
  LineFailure,
  type LineParser,
  LineSplitter,
  parseBuffer,
  parseFile,
} from '../src/index.js'

/** Hands lines back unchanged (as text), so the splitter alone is under test. */
const raw: LineParser<string> = {
  name: 'raw',
  parseBinary: (line) => line,
  parseLine: (line) => ({
    ok: true,
    record: typeof line === 'string' ? line : Buffer.from(line).toString('latin1'),
  }),
}

function split(chunks: (string | Buffer)[], maxLineBytes = 64) {
  const splitter = new LineSplitter({ maxLineBytes })
  const out: [string, number, number][] = []
  const sink = {
    line: (text: string, line: number, offset: number) => void out.push([text, line, offset]),
    oversize: (line: number, offset: number, sample: string) =>
      void out.push([`OVERSIZE:${sample.length}`, line, offset]),
  }
  for (const chunk of chunks)
    splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk, sink)
  splitter.end(sink)
  return { out, offset: splitter.offset, line: splitter.line }
}

describe('LineSplitter', () => {
  it('accepts \\n and \\r\\n, keeps lone \\r inside lines, numbers lines and offsets', () => {
    expect(split(['a\r\nbb\n\nc\rd\n', 'last']).out).toEqual([
      ['a', 1, 0],
      ['bb', 2, 3],
      ['', 3, 6],
      ['c\rd', 4, 7],
      ['last', 5, 11],
    ])
  })

  it('joins a \\r\\n that straddles chunks', () => {
    expect(split(['abc\r', '\ndef\r', '\n']).out).toEqual([
      ['abc', 1, 0],
      ['def', 2, 5],
    ])
  })

  it('reports an oversize line once and resyncs at the next newline, in any chunking', () => {
    const long = 'x'.repeat(200)
    const input = `ok\n${long}\nafter\n`
    const whole = split([input])
    expect(whole.out).toEqual([
      ['ok', 1, 0],
      ['OVERSIZE:200', 2, 3],
      ['after', 3, 204],
    ])
    for (let cut = 1; cut < input.length; cut++) {
      expect(split([input.slice(0, cut), input.slice(cut)]).out, `cut at ${cut}`).toEqual(whole.out)
    }
    expect(split(['y'.repeat(100)]).out).toEqual([['OVERSIZE:100', 1, 0]])
  })

  it('gives the same lines, numbers and offsets whatever the chunking (every single cut, then random cuts)', () => {
    const input = Buffer.from('first\r\n\nsecond line\n\u00e9t\u00e9\r\nx'.repeat(3), 'utf8')
    const whole = split([input])
    for (let cut = 0; cut <= input.length; cut++)
      expect(split([input.subarray(0, cut), input.subarray(cut)])).toEqual(whole)
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: input.length - 1 }), { maxLength: 20 }),
        (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), input.length]
          expect(split(points.slice(1).map((end, i) => input.subarray(points[i], end)))).toEqual(whole)
        },
      ),
    )
  })

  it('resumes from a start offset and line', () => {
    const splitter = new LineSplitter({ startOffset: 100, startLine: 9 })
    const seen: [string, number, number][] = []
    splitter.push(Buffer.from('a\nb\n'), {
      line: (t, l, o) => void seen.push([t, l, o]),
      oversize: () => undefined,
    })
    expect(seen).toEqual([
      ['a', 10, 100],
      ['b', 11, 102],
    ])
    expect(splitter.offset).toBe(104)
  })

  it('rejects a bad maxLineBytes', () => {
    expect(() => new LineSplitter({ maxLineBytes: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })
})

describe('stream readers', () => {
  const LINE = '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 12 "-" "UA"'

  it('CRLF files parse like LF files', () => {
    const lf = parseBuffer(`${LINE}\n${LINE}\n`, apacheParser('combined', { mode: 'strict' }))
    const crlf = parseBuffer(`${LINE}\r\n${LINE}\r\n`, apacheParser('combined', { mode: 'strict' }))
    expect(crlf.records).toEqual(lf.records)
    expect(crlf.errors).toEqual([])
  })

  it('skips and counts empty lines, or reports them when asked', () => {
    const skipped = parseBuffer(`${LINE}\n\n${LINE}\n`, raw)
    expect(skipped.emptyLines).toBe(1)
    expect(skipped.errors).toEqual([])
    const reported = parseBuffer(`${LINE}\n\n`, raw, { skipEmpty: false })
    expect(reported.errors).toMatchObject([{ reason: 'empty', line: 2, offset: LINE.length + 1 }])
  })

  it('a 1 MiB user agent is read whole under a raised limit, and one oversize error under the default', () => {
    const line = LINE.replace('"UA"', `"${'A'.repeat(1 << 20)}"`)
    const input = `${LINE}\n${line}\n${LINE}\n`
    const raised = parseBuffer(input, apacheParser('combined'), { maxLineBytes: 2 << 20 })
    expect(raised.records.map((r) => (r.userAgent as string).length)).toEqual([2, 1 << 20, 2])
    const limited = parseBuffer(input, apacheParser('combined'))
    expect(limited.records).toHaveLength(2)
    expect(limited.errors).toMatchObject([{ reason: 'oversize', line: 2 }])
  })

  it('parseFile reads a file in batches and every rejected line carries its line number and offset', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-parse-file-'))
    try {
      const file = join(dir, 'access.log')
      await writeFile(file, `${LINE}\nbroken\n${LINE}`)
      const records: unknown[] = []
      const errors: unknown[] = []
      for await (const batch of parseFile(file, apacheParser('combined'), { readChunkBytes: 16 })) {
        records.push(...batch.records)
        errors.push(...batch.errors)
      }
      expect(records).toHaveLength(2)
      expect(errors).toMatchObject([{ line: 2, offset: LINE.length + 1, sample: 'broken' }])
      expect(errors[0]).not.toBeInstanceOf(LineFailure)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
