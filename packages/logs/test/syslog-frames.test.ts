import { isShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { BadLine } from '../src/bad-line.js'
import { BadLineLog } from '../src/bad-line-log.js'
import {
  parseSyslogStream,
  SyslogFramer,
  type SyslogFrameSink,
  syslogFrames,
} from '../src/formats/syslog-frames.js'

/** An octet-counted frame: MSG-LEN counts bytes, not characters. */
function octet(message: string): string {
  return `${Buffer.byteLength(message, 'utf8')} ${message}`
}

async function collect(
  chunks: (string | Uint8Array)[],
  options: Parameters<typeof syslogFrames>[1] = {},
): Promise<{ frames: string[]; bad: BadLine[] }> {
  const bad: BadLine[] = []
  const frames: string[] = []
  for await (const frame of syslogFrames(chunks, { ...options, onBadLine: (b) => bad.push(b) }))
    frames.push(frame)
  return { frames, bad }
}

/** Splits bytes into chunks at the given cut points. */
function cut(bytes: Buffer, points: number[]): Buffer[] {
  const sorted = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Buffer[] = []
  let from = 0
  for (const p of sorted) {
    chunks.push(bytes.subarray(from, p))
    from = p
  }
  chunks.push(bytes.subarray(from))
  return chunks
}

/** Records everything a framer reports, in order. */
class Recorder implements SyslogFrameSink {
  readonly events: unknown[] = []
  line(text: string, frame: number, offset: number): void {
    this.events.push(['frame', text, frame, offset])
  }
  oversize(frame: number, offset: number, sample: string): void {
    this.events.push(['oversize', frame, offset, sample])
  }
  truncated(frame: number, offset: number, sample: string, missing: number): void {
    this.events.push(['truncated', frame, offset, sample, missing])
  }
}

function frameAll(chunks: Uint8Array[], maxLineBytes?: number): unknown[] {
  const framer = new SyslogFramer(maxLineBytes === undefined ? {} : { maxLineBytes })
  const sink = new Recorder()
  for (const chunk of chunks) framer.push(chunk, sink)
  framer.end(sink)
  return sink.events
}

describe('syslogFrames', () => {
  it('reads octet-counted frames, keeping newlines inside them', async () => {
    const a = '<13>1 - h a - - - line one\nline two'
    const b = '<13>1 - h a - - - é✓'
    const { frames, bad } = await collect([octet(a) + octet(b)])
    expect(frames.map((f) => Buffer.from(f, 'latin1').toString('utf8'))).toEqual([a, b])
    expect(bad).toEqual([])
  })

  it('reads newline-framed messages, CRLF included, and mixes both framings', async () => {
    const { frames } = await collect([
      `<13>Oct 11 22:14:15 h t: one\n<13>Oct 11 22:14:15 h t: two\r\n${octet('<13>1 - - - - - - three')}\n\n${octet('<13>1 - - - - - - four')}<13>five`,
    ])
    expect(frames).toEqual([
      '<13>Oct 11 22:14:15 h t: one',
      '<13>Oct 11 22:14:15 h t: two',
      '<13>1 - - - - - - three',
      '<13>1 - - - - - - four',
      '<13>five',
    ])
  })

  it('reads digits not followed by a space as the start of a line', async () => {
    const { frames } = await collect(['2024-05-01 message\n0 zero\n12\n12345678901 x\n7'])
    expect(frames).toEqual(['2024-05-01 message', '0 zero', '12', '12345678901 x', '7'])
  })

  it('skips an oversize octet-counted frame by its length and stays in step', async () => {
    const big = `<13>1 - - - - - - ${'x'.repeat(100)}\n<13>fake`
    const { frames, bad } = await collect([octet('<13>a') + octet(big) + octet('<13>b')], {
      maxLineBytes: 50,
    })
    expect(frames).toEqual(['<13>a', '<13>b'])
    expect(bad).toHaveLength(1)
    expect(bad[0]).toMatchObject({ reason: 'oversize', line: 2, offset: 7 })
    expect(bad[0]?.sample.startsWith('<13>1 - - - - - - xxx')).toBe(true)
  })

  it('skips an oversize newline-framed message up to its LF', async () => {
    const { frames, bad } = await collect([`<13>a\n<13>${'y'.repeat(100)}\n<13>b`], { maxLineBytes: 50 })
    expect(frames).toEqual(['<13>a', '<13>b'])
    expect(bad.map((b) => [b.reason, b.line, b.offset])).toEqual([['oversize', 2, 6]])
  })

  it('reports a frame cut short by the end of the stream', async () => {
    const { frames, bad } = await collect([`${octet('<13>ok')}20 <13>short`])
    expect(frames).toEqual(['<13>ok'])
    expect(bad).toHaveLength(1)
    expect(bad[0]).toMatchObject({ reason: 'missing-field', line: 2, offset: 8, sample: '<13>short' })
    expect(bad[0]?.message).toContain('11 bytes short')
  })

  it('counts rejected frames in a BadLineLog', async () => {
    const badLines = new BadLineLog()
    for await (const _ of syslogFrames([`${'z'.repeat(20)}\n9 x`], { maxLineBytes: 10, badLines })) {
      // drain
    }
    expect(badLines.counts.oversize).toBe(1)
    expect(badLines.counts['missing-field']).toBe(1)
  })

  it('throws ERR_INVALID_ARGUMENT at once for a bad maxLineBytes', () => {
    let thrown: unknown
    try {
      syslogFrames([], { maxLineBytes: 0 })
    } catch (err) {
      thrown = err
    }
    expect(isShoalError(thrown, 'ERR_INVALID_ARGUMENT')).toBe(true)
  })

  it('stops when aborted', async () => {
    const controller = new AbortController()
    const frames: string[] = []
    const run = async () => {
      for await (const frame of syslogFrames(['a\n', 'b\n', 'c\n'], { signal: controller.signal })) {
        frames.push(frame)
        controller.abort(new Error('enough'))
      }
    }
    await expect(run()).rejects.toThrow('enough')
    expect(frames).toEqual(['a'])
  })
})

describe('SyslogFramer', () => {
  it('numbers frames and gives their offsets and a resumable checkpoint', () => {
    const framer = new SyslogFramer({ startOffset: 100, startLine: 7 })
    const sink = new Recorder()
    framer.push(Buffer.from(`\n${octet('<1>a')}\n<2>b\n<3>c`), sink)
    expect(sink.events).toEqual([
      ['frame', '<1>a', 8, 101],
      ['frame', '<2>b', 9, 108],
    ])
    expect(framer.frame).toBe(9)
    expect(framer.offset).toBe(113)
    framer.end(sink)
    expect(sink.events[2]).toEqual(['frame', '<3>c', 10, 113])
    expect(framer.offset).toBe(117)
  })
})

describe('syslog framing properties', () => {
  const message = fc
    .tuple(
      fc.constantFrom('<13>1 - h a - - - ', '<34>Oct 11 22:14:15 h t: ', '<0>'),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
    )
    .map(([head, body]) => head + body)
  const framed = fc
    .array(fc.tuple(message, fc.boolean(), fc.constantFrom('', '\n', '\r\n')), { maxLength: 12 })
    .map((items) => {
      let stream = ''
      for (const [m, counted, after] of items) {
        // a newline-framed message cannot hold LF; an octet-counted one can
        stream += counted ? octet(m) + after : `${m.replace(/[\r\n]/g, ' ')}\n`
      }
      return Buffer.from(stream, 'utf8')
    })

  it('splitting the stream at any points gives identical frames and errors', () => {
    fc.assert(
      fc.property(
        framed,
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.constantFrom(undefined, 24),
        (bytes, points, max) => {
          const whole = frameAll([bytes], max)
          expect(frameAll(cut(bytes, points), max)).toEqual(whole)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('splitting a fixed stream at every single offset gives identical frames', () => {
    const bytes = Buffer.from(
      `${octet('<13>1 - h a - - - é\nx')}\n<34>Oct 11 22:14:15 h t: ü\r\n${octet(`<1>${'q'.repeat(40)}`)}12 <13>1 - - -\n${octet('<0>z')}`,
      'utf8',
    )
    for (const max of [undefined, 30]) {
      const whole = frameAll([bytes], max)
      for (let i = 0; i <= bytes.length; i++) {
        expect(frameAll([bytes.subarray(0, i), bytes.subarray(i)], max)).toEqual(whole)
        for (let j = i; j <= Math.min(bytes.length, i + 3); j++)
          expect(frameAll([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)], max)).toEqual(
            whole,
          )
      }
    }
  })

  it('octet-counted messages come back byte for byte', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 50 }), { maxLength: 10 }), (messages) => {
        const stream = Buffer.concat(messages.flatMap((m) => [Buffer.from(`${m.length} `), Buffer.from(m)]))
        const frames = (frameAll([stream]) as [string, string][]).map((e) => Buffer.from(e[1], 'latin1'))
        expect(frames).toEqual(messages.map((m) => Buffer.from(m)))
      }),
    )
  })

  it('random bytes never throw and every byte is accounted for', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (bytes, points) => {
          const buffer = Buffer.from(bytes)
          const framer = new SyslogFramer({ maxLineBytes: 40 })
          const sink = new Recorder()
          for (const chunk of cut(buffer, points)) framer.push(chunk, sink)
          framer.end(sink)
          expect(framer.offset).toBe(buffer.length)
        },
      ),
      { numRuns: 2000 },
    )
  })
})

describe('parseSyslogStream', () => {
  it('parses frames into batches with frame numbers, offsets and errors', async () => {
    const chunks = [
      `${octet('<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - hello')}<13>Oct 11 22:14:15 h t: m\n`,
      'not syslog\n<13>1 - h a',
      ` - - - end\n${octet('<13>1 - - - - - - x').slice(0, 6)}`,
    ]
    const batches = []
    for await (const batch of parseSyslogStream(chunks, { now: () => Date.UTC(2003, 9, 12) }))
      batches.push(batch)
    expect(batches).toHaveLength(4)
    expect(batches[0]?.records.map((r) => [r.version, r.appName, r.message])).toEqual([
      [1, 'su', 'hello'],
      [null, 't', 'm'],
    ])
    expect(batches[0]?.line).toBe(2)
    expect(batches[1]?.records).toEqual([])
    expect(batches[1]?.errors.map((e) => [e.reason, e.line])).toEqual([['syntax', 3]])
    expect(batches[2]?.records.map((r) => r.message)).toEqual(['end'])
    expect(batches[2]?.line).toBe(4)
    // the frame cut short by the end of the stream comes in a last batch
    expect(batches[3]?.records).toEqual([])
    expect(batches[3]?.errors.map((e) => [e.reason, e.line])).toEqual([['missing-field', 5]])
    const total = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0)
    expect(batches[3]?.offset).toBe(total)
  })

  it('throws ERR_INVALID_ARGUMENT at once for a bad parser option', () => {
    let thrown: unknown
    try {
      parseSyslogStream([], { timeZone: 'Nowhere/Special' })
    } catch (err) {
      thrown = err
    }
    expect(isShoalError(thrown, 'ERR_INVALID_ARGUMENT')).toBe(true)
  })
})
