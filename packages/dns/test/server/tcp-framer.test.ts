import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CLOSE_FRAME, TcpFramer } from '../../src/server/tcp-framer.js'

function framed(messages: readonly Uint8Array[]): Uint8Array {
  const total = messages.reduce((n, m) => n + 2 + m.length, 0)
  const out = new Uint8Array(total)
  let at = 0
  for (const m of messages) {
    out[at] = m.length >>> 8
    out[at + 1] = m.length & 0xff
    out.set(m, at + 2)
    at += 2 + m.length
  }
  return out
}

function drain(framer: TcpFramer, into: Uint8Array[]): void {
  for (let f = framer.next(); f !== undefined; f = framer.next()) into.push(f.slice())
}

describe('TcpFramer', () => {
  it('splits pipelined messages and returns views without copying', () => {
    const framer = new TcpFramer()
    const stream = framed([Uint8Array.of(1, 2, 3), Uint8Array.of(4)])
    framer.push(stream)
    const first = framer.next()
    expect(first).toEqual(Uint8Array.of(1, 2, 3))
    expect(first?.buffer).toBe(stream.buffer)
    expect(framer.next()).toEqual(Uint8Array.of(4))
    expect(framer.next()).toBeUndefined()
    expect(framer.buffered).toBe(0)
  })

  it('waits for a length prefix split across chunks', () => {
    const framer = new TcpFramer()
    const stream = framed([new Uint8Array(300).fill(9)])
    framer.push(stream.subarray(0, 1))
    expect(framer.next()).toBeUndefined()
    framer.push(stream.subarray(1, 2))
    expect(framer.next()).toBeUndefined()
    framer.push(stream.subarray(2, 100))
    expect(framer.next()).toBeUndefined()
    expect(framer.buffered).toBe(100)
    framer.push(stream.subarray(100))
    expect(framer.next()?.length).toBe(300)
  })

  it('reports a zero-length frame', () => {
    const framer = new TcpFramer()
    framer.push(Uint8Array.of(0, 1, 7, 0, 0, 0, 1, 8))
    expect(framer.next()).toEqual(Uint8Array.of(7))
    expect(framer.next()).toBe(CLOSE_FRAME)
  })

  it('yields the same frames however the stream is cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 600 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (messages, cuts) => {
          const stream = framed(messages)
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b)
          const framer = new TcpFramer()
          const got: Uint8Array[] = []
          let from = 0
          for (const p of [...points, stream.length]) {
            framer.push(stream.subarray(from, p))
            from = p
            drain(framer, got)
          }
          expect(got).toEqual(messages)
          expect(framer.buffered).toBe(0)
        },
      ),
    )
  })
})
