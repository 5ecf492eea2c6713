import { createRandom, isShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ByteWriter } from '../src/bytes/byte-writer.js'
import { writeEnvelope } from '../src/bytes/envelope.js'
import { DDSketch } from '../src/quantiles/ddsketch.js'
import { writeVarint, writeZigzag } from '../src/quantiles/varint.js'
import { latencies, mixedSigns, mutate, throwsCode } from './quantiles-helpers.js'

const valuesArb = fc.array(
  fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ min: 1, max: 1e8, noNaN: true })),
  { maxLength: 200 },
)

function expectIdentical(copy: DDSketch, original: DDSketch): void {
  expect(copy.bins()).toEqual(original.bins())
  expect(copy.relativeAccuracy).toBe(original.relativeAccuracy)
  expect(copy.maxBins).toBe(original.maxBins)
  expect(copy.count).toBe(original.count)
  expect(copy.zeroCount).toBe(original.zeroCount)
  expect(Object.is(copy.sum, original.sum)).toBe(true)
  expect(Object.is(copy.min, original.min)).toBe(true)
  expect(Object.is(copy.max, original.max)).toBe(true)
  for (const q of [0, 0.1, 0.5, 0.9, 0.99, 1])
    expect(Object.is(copy.quantile(q), original.quantile(q))).toBe(true)
}

/** Valid images of many shapes, for mutation. */
function sampleImages(): Uint8Array[] {
  const random = createRandom(77)
  const images = [new DDSketch().toBytes()]
  for (const values of [latencies(random, 2000), mixedSigns(random, 500), [0, 0, 0], [-5], [1e-300, 1e300]]) {
    const sketch = new DDSketch({ maxBins: 100 })
    for (const value of values) sketch.add(value)
    images.push(sketch.toBytes())
  }
  const weighted = new DDSketch({ relativeAccuracy: 0.05 })
  weighted.add(3, 0.5)
  weighted.add(-7, 2.25)
  images.push(weighted.toBytes())
  return images
}

describe('DDSketch images', () => {
  it('round-trip exactly (serialize → deserialize is the identity)', () => {
    fc.assert(
      fc.property(
        valuesArb,
        fc.constantFrom(0.01, 0.02, 0.005),
        fc.constantFrom(2048, 16),
        fc.boolean(),
        (values, relativeAccuracy, maxBins, weighted) => {
          const sketch = new DDSketch({ relativeAccuracy, maxBins })
          values.forEach((value, i) => {
            sketch.add(value, weighted ? 0.5 + (i % 3) : 1)
          })
          const bytes = sketch.toBytes()
          const copy = DDSketch.fromBytes(bytes)
          expectIdentical(copy, sketch)
          expect(Buffer.from(copy.toBytes()).equals(bytes)).toBe(true)
          // the copy keeps working as a sketch
          copy.add(42)
          sketch.add(42)
          expect(copy.bins()).toEqual(sketch.bins())
        },
      ),
      { numRuns: 300 },
    )
  })

  it('is compact: a 1 M-value latency sketch takes about 1 KB', () => {
    const sketch = new DDSketch()
    for (const value of latencies(createRandom(1), 1_000_000)) sketch.add(value)
    const bytes = sketch.toBytes()
    expect(bytes.length).toBeLessThan(1500)
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x53, 0x48, 4, 1])
  })

  it('turns random bytes into ERR_INVALID_SKETCH, never another failure', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), fc.boolean(), (tail, withHeader) => {
        const bytes = withHeader ? Uint8Array.from([0x53, 0x48, 4, 1, 1, ...tail]) : tail
        try {
          const sketch = DDSketch.fromBytes(bytes)
          sketch.quantile(0.5)
          expect(DDSketch.fromBytes(sketch.toBytes()).bins()).toEqual(sketch.bins())
        } catch (err) {
          if (!isShoalError(err, 'ERR_INVALID_SKETCH')) throw err
        }
      }),
      { numRuns: 3000 },
    )
  })

  it('turns mutated images into ERR_INVALID_SKETCH or a working sketch', () => {
    const images = sampleImages()
    const random = createRandom(2024)
    let rejected = 0
    for (let run = 0; run < 20_000; run++) {
      const bytes = mutate(images[run % images.length] as Uint8Array, random)
      try {
        const sketch = DDSketch.fromBytes(bytes)
        sketch.quantiles([0, 0.5, 0.99, 1])
        sketch.add(1)
        sketch.toJSON()
      } catch (err) {
        if (!isShoalError(err, 'ERR_INVALID_SKETCH')) throw err
        rejected++
      }
    }
    expect(rejected).toBeGreaterThan(10_000)
  })

  it('checks sizes before allocating: a claimed 2^20-bin store in a few bytes is rejected at once', () => {
    const writer = new ByteWriter()
    writeEnvelope(writer, 'ddsketch', 1)
    writer.u8(1).f64(0.01)
    writeVarint(writer, 2 ** 20)
    writer.u8(2).f64(1).f64(2).f64(3)
    writeVarint(writer, 0)
    writeVarint(writer, 2 ** 20)
    writeZigzag(writer, -1000)
    writer.u8(1)
    expect(throwsCode(() => DDSketch.fromBytes(writer.finish()), 'ERR_INVALID_SKETCH')).toBe(true)
  })

  it('rejects other kinds, versions, mappings and inconsistent contents', () => {
    const good = new DDSketch()
    good.add(5)
    const bytes = good.toBytes()
    const patched = (at: number, value: number): Uint8Array => {
      const copy = bytes.slice()
      copy[at] = value
      return copy
    }
    for (const bad of [
      patched(2, 5), // another block kind
      patched(3, 2), // a newer version
      patched(4, 7), // an unknown mapping
      Uint8Array.from([...bytes, 0]), // trailing bytes
      bytes.subarray(0, bytes.length - 1), // truncated
    ])
      expect(throwsCode(() => DDSketch.fromBytes(bad), 'ERR_INVALID_SKETCH')).toBe(true)
  })
})
