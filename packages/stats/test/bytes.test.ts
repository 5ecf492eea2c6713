import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ByteReader, ByteWriter } from '../src/index.js'

describe('ByteWriter and ByteReader', () => {
  it('round-trip every value type, growing as needed', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat(255),
            fc.nat(0xffff),
            fc.nat(0xffffffff),
            fc.integer(),
            fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
            fc.double(),
            fc.string(),
          ),
        ),
        (rows) => {
          const writer = new ByteWriter(1)
          for (const [a, b, c, d, e, f, g] of rows) {
            const text = Buffer.from(g, 'utf8')
            writer.u8(a).u16(b).u32(c).i32(d).i64(e).f64(f).u32(text.length).bytes(text)
          }
          const reader = new ByteReader(writer.finish())
          for (const [a, b, c, d, e, f, g] of rows) {
            expect([
              reader.u8(),
              reader.u16(),
              reader.u32(),
              reader.i32(),
              reader.i64(),
              reader.f64(),
            ]).toEqual([a, b, c, d, e, f])
            expect(reader.utf8(reader.u32())).toBe(Buffer.from(g, 'utf8').toString('utf8'))
          }
          reader.end()
        },
      ),
    )
  })

  it('reports reads past the end, bad UTF-8, oversized lengths and leftovers as ERR_INVALID_SKETCH', () => {
    const code = expect.objectContaining({ code: 'ERR_INVALID_SKETCH' })
    expect(() => new ByteReader(new Uint8Array(3)).u32()).toThrow(code)
    expect(() => new ByteReader(new Uint8Array([0xff, 0xfe])).utf8(2)).toThrow(code)
    expect(() => new ByteReader(new Uint8Array(4)).bytes(2 ** 31)).toThrow(code)
    expect(() => new ByteReader(new Uint8Array(4)).need(-1)).toThrow(code)
    expect(() => new ByteReader(new Uint8Array(1)).end()).toThrow(code)
    expect(() => new ByteReader(new Uint8Array(1)).seek(2)).toThrow(code)
    const big = new ByteWriter().i64(2n ** 60n).finish()
    expect(() => new ByteReader(big).u64Safe()).toThrow(code)
  })
})
