import { existsSync, readFileSync } from 'node:fs'
import { createRandom, isShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ByteReader } from '../src/bytes/byte-reader.js'
import { ByteWriter } from '../src/bytes/byte-writer.js'
import { totalCapacity } from '../src/quantiles/kll-capacity.js'
import { KllDoublesSketch } from '../src/quantiles/kll-doubles-sketch.js'
import { latencies, mutate, throwsCode, uniform } from './quantiles-helpers.js'

const DATA = new URL('../../../../shared/data/datasketches/', import.meta.url)

function sketchOf(values: ArrayLike<number>, k = 200, seed = 1): KllDoublesSketch {
  const sketch = new KllDoublesSketch({ k, random: createRandom(seed) })
  for (let i = 0; i < values.length; i++) sketch.update(values[i] as number)
  return sketch
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(b)
}

/** Java's updatable layout of the sketch in a compact full image (free space filled with `fill`). */
function updatableFromCompact(compact: Uint8Array, fill: number, legacyFlag: boolean): Uint8Array {
  const reader = new ByteReader(compact)
  reader.seek(3)
  const flags = reader.u8()
  const k = reader.u16()
  const m = reader.u8()
  reader.seek(8)
  const n = reader.u64Safe()
  const minK = reader.u16()
  const numLevels = reader.u8()
  reader.seek(20)
  const levels = Array.from({ length: numLevels }, () => reader.u32())
  const capacity = totalCapacity(k, m, numLevels)
  const writer = new ByteWriter()
  writer
    .u8(5)
    .u8(3)
    .u8(15)
    .u8(flags | (legacyFlag ? 16 : 0))
    .u16(k)
    .u8(m)
    .u8(0)
  writer.u64(n).u16(minK).u8(numLevels).u8(0)
  for (const level of levels) writer.u32(level)
  writer.u32(capacity)
  writer.bytes(compact.subarray(20 + numLevels * 4, 20 + numLevels * 4 + 16))
  for (let i = 0; i < (levels[0] as number); i++) writer.f64(fill)
  writer.bytes(compact.subarray(20 + numLevels * 4 + 16))
  return writer.finish()
}

describe('KLL images', () => {
  it('round-trip exactly (serialize → deserialize is the identity)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true }), { maxLength: 3000 }),
        fc.constantFrom(8, 20, 200),
        fc.integer(),
        (values, k, seed) => {
          const sketch = sketchOf(values, k, seed)
          const bytes = sketch.toBytes()
          const copy = KllDoublesSketch.fromBytes(bytes, { random: createRandom(seed) })
          expect(same(copy.toBytes(), bytes)).toBe(true)
          expect([copy.n, copy.k, copy.minK, copy.numLevels, copy.numRetained]).toEqual([
            sketch.n,
            sketch.k,
            sketch.minK,
            sketch.numLevels,
            sketch.numRetained,
          ])
          if (values.length > 0) {
            expect(Object.is(copy.min, sketch.min)).toBe(true)
            expect(Object.is(copy.max, sketch.max)).toBe(true)
            for (const rank of [0, 0.1, 0.5, 0.99, 1])
              expect(copy.getQuantile(rank)).toBe(sketch.getQuantile(rank))
          }
          // both keep working identically with the same random source
          const more = [1, 2, 3, 0.5]
          const twin = sketchOf([], k, seed)
          twin.merge(copy)
          for (const value of more) copy.update(value)
          expect(copy.n).toBe(values.length + more.length)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('uses the short layouts for empty and single-item sketches', () => {
    expect(Array.from(new KllDoublesSketch().toBytes())).toEqual([2, 1, 15, 1, 200, 0, 8, 0])
    const single = sketchOf([2.5], 100).toBytes()
    expect(Array.from(single.subarray(0, 8))).toEqual([2, 2, 15, 4, 100, 0, 8, 0])
    expect(new DataView(single.buffer).getFloat64(8, true)).toBe(2.5)
    expect(single.length).toBe(16)
  })

  it("reads Java's updatable layout (serial version 3), with and without the legacy flag", () => {
    for (const values of [uniform(createRandom(1), 50_000, 0, 1), [1, 2, 3], [7]]) {
      const sketch = sketchOf(values)
      const compact = sketch.toBytes()
      if (compact[0] !== 5) {
        // empty or single: Java's updatable form of a one-item sketch is the full layout with n = 1
        const writer = new ByteWriter()
        writer.u8(5).u8(3).u8(15).u8(0).u16(200).u8(8).u8(0).u64(1).u16(200).u8(1).u8(0).u32(199).u32(200)
        writer.f64(7).f64(7)
        for (let i = 0; i < 199; i++) writer.f64(0)
        writer.f64(7)
        const copy = KllDoublesSketch.fromBytes(writer.finish())
        expect([copy.n, copy.min, copy.max, copy.getQuantile(0.5)]).toEqual([1, 7, 7, 7])
        expect(same(copy.toBytes(), compact)).toBe(true)
        continue
      }
      for (const legacy of [false, true]) {
        const copy = KllDoublesSketch.fromBytes(updatableFromCompact(compact, 123.5, legacy))
        expect(same(copy.toBytes(), compact)).toBe(true)
      }
    }
    const empty = new ByteWriter()
    empty.u8(5).u8(3).u8(15).u8(0).u16(200).u8(8).u8(0).u64(0).u16(200).u8(1).u8(0).u32(200).u32(200)
    empty.f64(Number.NaN).f64(Number.NaN)
    for (let i = 0; i < 200; i++) empty.f64(0)
    expect(KllDoublesSketch.fromBytes(empty.finish()).isEmpty).toBe(true)
  })

  it('reads older layouts: the doubles flag of Java 3.x–4.0 and a single item in the full layout', () => {
    const compact = sketchOf(latencies(createRandom(2), 10_000)).toBytes()
    const flagged = compact.slice()
    flagged[3] = (flagged[3] as number) | 8
    expect(KllDoublesSketch.fromBytes(flagged).getQuantile(0.5)).toBe(
      KllDoublesSketch.fromBytes(compact).getQuantile(0.5),
    )
    const writer = new ByteWriter()
    writer.u8(5).u8(1).u8(15).u8(0).u16(200).u8(8).u8(0).u64(1).u16(200).u8(1).u8(0).u32(199)
    writer.f64(-4).f64(-4).f64(-4)
    const single = KllDoublesSketch.fromBytes(writer.finish())
    expect([single.n, single.min, single.getQuantile(1)]).toEqual([1, -4, -4])
  })

  it('reads images with another minimum level width m (Java allows 2, 4, 6, 8) and keeps using it', () => {
    const sketch = KllDoublesSketch.fromBytes(Uint8Array.of(2, 1, 15, 1, 6, 0, 4, 0), {
      random: createRandom(3),
    })
    expect([sketch.k, sketch.m]).toEqual([6, 4])
    for (let i = 1; i <= 10_000; i++) sketch.update(i)
    const copy = KllDoublesSketch.fromBytes(sketch.toBytes())
    expect([copy.k, copy.m, copy.n]).toEqual([6, 4, 10_000])
    expect(throwsCode(() => new KllDoublesSketch().merge(copy), 'ERR_INCOMPATIBLE_SKETCH')).toBe(true)
  })

  it('rejects inconsistent images', () => {
    const compact = sketchOf(uniform(createRandom(5), 5000, 0, 1)).toBytes()
    const patched = (at: number, value: number): Uint8Array => {
      const copy = compact.slice()
      copy[at] = value
      return copy
    }
    const cases: [string, Uint8Array][] = [
      ['another family', patched(2, 7)],
      ['preamble ints', patched(0, 2)],
      ['serial version', patched(1, 2)],
      ['empty and single', Uint8Array.of(2, 1, 15, 5, 200, 0, 8, 0)],
      ['unknown flag', patched(3, 0x40)],
      ['m = 3', patched(6, 3)],
      ['m = 10', patched(6, 10)],
      ['k < m', Uint8Array.of(2, 1, 15, 1, 4, 0, 8, 0)],
      ['n off by one', patched(8, ((compact[8] as number) + 1) & 0xff)],
      ['levels out of order', patched(24, 0xff)],
      ['truncated', compact.subarray(0, compact.length - 8)],
      ['trailing bytes', Uint8Array.from([...compact, 0, 0, 0, 0, 0, 0, 0, 0])],
      ['NaN single item', Uint8Array.from([2, 2, 15, 4, 200, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f])],
    ]
    for (const [name, bytes] of cases)
      if (!throwsCode(() => KllDoublesSketch.fromBytes(bytes), 'ERR_INVALID_SKETCH'))
        expect.fail(`accepted: ${name}`)
    // an unsorted level above 0: swap the first two items of the top level
    const view = new DataView(compact.buffer, compact.byteOffset)
    const numLevels = compact[18] as number
    const top = view.getUint32(20 + 4 * (numLevels - 1), true) - view.getUint32(20, true)
    const at = 20 + 4 * numLevels + 16 + 8 * top
    expect(view.getFloat64(at, true)).toBeLessThan(view.getFloat64(at + 8, true))
    const swapped = compact.slice()
    swapped.set(compact.subarray(at + 8, at + 16), at)
    swapped.set(compact.subarray(at, at + 8), at + 8)
    expect(throwsCode(() => KllDoublesSketch.fromBytes(swapped), 'ERR_INVALID_SKETCH')).toBe(true)
  })

  it('checks sizes before allocating: the largest claim in a few bytes is rejected at once', () => {
    const writer = new ByteWriter()
    writer
      .u8(5)
      .u8(1)
      .u8(15)
      .u8(0)
      .u16(0xffff)
      .u8(8)
      .u8(0)
      .u64(2 ** 52)
      .u16(0xffff)
      .u8(61)
      .u8(0)
    for (let i = 0; i < 61; i++) writer.u32(0)
    expect(throwsCode(() => KllDoublesSketch.fromBytes(writer.finish()), 'ERR_INVALID_SKETCH')).toBe(true)
  })

  it('turns random bytes into ERR_INVALID_SKETCH, never another failure', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 160 }),
        fc.constantFrom([], [2, 1, 15], [2, 2, 15], [5, 1, 15], [5, 3, 15]),
        (tail, head) => {
          try {
            const sketch = KllDoublesSketch.fromBytes(Uint8Array.from([...head, ...tail]))
            sketch.getQuantiles([0, 0.5, 1])
            sketch.update(1)
            sketch.toBytes()
          } catch (err) {
            if (!isShoalError(err, 'ERR_INVALID_SKETCH')) throw err
          }
        },
      ),
      { numRuns: 5000 },
    )
  })

  it('turns mutated images into ERR_INVALID_SKETCH or a working sketch', () => {
    const random = createRandom(99)
    const images = [
      new KllDoublesSketch().toBytes(),
      sketchOf([1]).toBytes(),
      sketchOf([3, 1, 2]).toBytes(),
      sketchOf(uniform(random, 5000, -1, 1), 20).toBytes(),
      sketchOf(latencies(random, 3000)).toBytes(),
    ]
    if (existsSync(DATA))
      for (const n of [10, 1000, 100_000])
        images.push(readFileSync(new URL(`java/kll_double_n${n}_java.sk`, DATA)))
    let accepted = 0
    for (let run = 0; run < 20_000; run++) {
      const bytes = mutate(images[run % images.length] as Uint8Array, random)
      try {
        const sketch = KllDoublesSketch.fromBytes(bytes, { random })
        sketch.getQuantiles([0, 0.5, 1])
        sketch.getRank(0.5)
        for (let i = 0; i < 50; i++) sketch.update(i)
        // a mutated image may carry another m; merging across m is refused by design
        if (sketch.m === 8) sketch.merge(sketchOf(uniform(random, 300, 0, 1), 50))
        KllDoublesSketch.fromBytes(sketch.toBytes())
        accepted++
      } catch (err) {
        if (!isShoalError(err, 'ERR_INVALID_SKETCH')) throw err
      }
    }
    // edits of item bytes can leave a valid sketch; most edits of the preamble cannot
    expect(accepted).toBeGreaterThan(100)
    expect(accepted).toBeLessThan(19_000)
  })
})
