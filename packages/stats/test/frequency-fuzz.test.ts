import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Counter } from '../src/counters/counter.js'
import { CounterByKey } from '../src/counters/counter-by-key.js'
import { DecayedCounter } from '../src/counters/decayed-counter.js'
import { Rate } from '../src/counters/rate.js'
import { CountMinSketch } from '../src/frequency/count-min-sketch.js'
import { FrequentItemsSketch } from '../src/frequency/frequent-items-sketch.js'
import { FrequentLongsSketch } from '../src/frequency/frequent-longs-sketch.js'

interface Reader {
  readonly name: string
  readonly fromBytes: (bytes: Uint8Array) => { toBytes(): Uint8Array; toJSON(): unknown }
  readonly samples: Uint8Array[]
}

const DATA = fileURLToPath(new URL('../../../../shared/data/datasketches/', import.meta.url))
const fixtures = (prefix: string): Uint8Array[] =>
  existsSync(DATA)
    ? ['java', 'cpp'].flatMap((language) =>
        readdirSync(`${DATA}${language}`)
          .filter((name) => name.startsWith(prefix))
          .map((name) => new Uint8Array(readFileSync(`${DATA}${language}/${name}`))),
      )
    : []

function frequentItems(): Uint8Array[] {
  const out: Uint8Array[] = [new FrequentItemsSketch({ maxMapSize: 8 }).toBytes()]
  for (const n of [3, 40, 500]) {
    const sketch = new FrequentItemsSketch({ maxMapSize: 16 })
    for (let i = 0; i < n; i++) sketch.update(`item-${i % 37}-é`, 1 + (i % 3))
    out.push(sketch.toBytes())
  }
  return [...out, ...fixtures('frequent_string')]
}

function frequentLongs(): Uint8Array[] {
  const out: Uint8Array[] = [new FrequentLongsSketch({ maxMapSize: 8 }).toBytes()]
  for (const n of [3, 40, 500]) {
    const sketch = new FrequentLongsSketch({ maxMapSize: 16 })
    for (let i = 0; i < n; i++) sketch.update(i % 37, 1 + (i % 3))
    out.push(sketch.toBytes())
  }
  return [...out, ...fixtures('frequent_long')]
}

function ours(): Record<string, Uint8Array[]> {
  const counter = new Counter()
  counter.add(12, 3400)
  const byKey = new CounterByKey({ maxKeys: 4 })
  for (const key of ['a', 'b', 'c', 'a', 'dé', 'e', 'f']) byKey.update(key)
  const rate = new Rate({ seconds: 30 })
  for (let t = 0; t < 40; t++) rate.update(1_700_000_000_000 + t * 700, t)
  const decayed = new DecayedCounter({ capacity: 4 })
  for (let t = 0; t < 40; t++) decayed.update(`k${t % 7}`, 1_700_000_000_000 + t * 1000)
  const countMin = new CountMinSketch({ width: 8, depth: 2 })
  for (let t = 0; t < 40; t++) countMin.update(`k${t % 7}`)
  return {
    counter: [new Counter().toBytes(), counter.toBytes()],
    byKey: [new CounterByKey().toBytes(), byKey.toBytes()],
    rate: [new Rate().toBytes(), rate.toBytes()],
    decayed: [new DecayedCounter().toBytes(), decayed.toBytes()],
    countMin: [countMin.toBytes()],
  }
}

const samples = ours()
const READERS: Reader[] = [
  { name: 'FrequentItemsSketch', fromBytes: FrequentItemsSketch.fromBytes, samples: frequentItems() },
  { name: 'FrequentLongsSketch', fromBytes: FrequentLongsSketch.fromBytes, samples: frequentLongs() },
  { name: 'CountMinSketch', fromBytes: CountMinSketch.fromBytes, samples: samples.countMin as Uint8Array[] },
  { name: 'Counter', fromBytes: Counter.fromBytes, samples: samples.counter as Uint8Array[] },
  { name: 'CounterByKey', fromBytes: CounterByKey.fromBytes, samples: samples.byKey as Uint8Array[] },
  { name: 'Rate', fromBytes: Rate.fromBytes, samples: samples.rate as Uint8Array[] },
  { name: 'DecayedCounter', fromBytes: DecayedCounter.fromBytes, samples: samples.decayed as Uint8Array[] },
]

/** Reads `bytes`: either a usable sketch or ERR_INVALID_SKETCH, nothing else, and quickly. */
function readsOrRejects(reader: Reader, bytes: Uint8Array): void {
  const started = performance.now()
  try {
    const sketch = reader.fromBytes(bytes)
    sketch.toBytes()
    JSON.stringify(sketch.toJSON())
  } catch (error) {
    expect(error).toMatchObject({ code: 'ERR_INVALID_SKETCH' })
  }
  expect(performance.now() - started).toBeLessThan(1000)
}

/** Valid images with some bytes overwritten, some cut off, some appended, or a field made huge. */
const mutated = (images: Uint8Array[]) =>
  fc
    .tuple(
      fc.constantFrom(...images),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0x10, 0x3f)), {
        minLength: 1,
        maxLength: 6,
      }),
      fc.nat(64),
      fc.uint8Array({ maxLength: 24 }),
      fc.nat(3),
    )
    .map(([image, edits, cut, extra, mode]) => {
      let bytes = image.slice()
      for (const [at, value] of edits) if (bytes.length > 0) bytes[at % bytes.length] = value
      if (mode === 1) bytes = bytes.subarray(0, Math.max(0, bytes.length - 1 - (cut % bytes.length)))
      if (mode === 2) bytes = Uint8Array.from([...bytes, ...extra])
      return bytes
    })

describe('deserializers under fuzzing', () => {
  for (const reader of READERS) {
    it(`${reader.name}.fromBytes gives a sketch or ERR_INVALID_SKETCH for random bytes`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => readsOrRejects(reader, bytes)),
        { numRuns: 1000 },
      )
      // random bodies behind a plausible header
      fc.assert(
        fc.property(fc.constantFrom(...reader.samples), fc.uint8Array({ maxLength: 300 }), (image, body) =>
          readsOrRejects(reader, Uint8Array.from([...image.subarray(0, 8), ...body])),
        ),
        { numRuns: 1000 },
      )
    })

    it(`${reader.name}.fromBytes gives a sketch or ERR_INVALID_SKETCH for mutated images`, () => {
      for (const image of reader.samples) {
        expect(() => reader.fromBytes(image)).not.toThrow()
        for (let length = 0; length < image.length; length++)
          readsOrRejects(reader, image.subarray(0, length))
      }
      fc.assert(
        fc.property(mutated(reader.samples), (bytes) => readsOrRejects(reader, bytes)),
        { numRuns: 3000 },
      )
    })

    it(`${reader.name}.fromBytes refuses what is not a Uint8Array`, () => {
      for (const bad of [null, undefined, 'abc', [1, 2, 3], 42])
        expect(() => reader.fromBytes(bad as unknown as Uint8Array)).toThrow(
          expect.objectContaining({ code: 'ERR_INVALID_SKETCH' }),
        )
    })
  }

  it('refuses images that ask for huge tables before allocating them', () => {
    // frequent items: a 48-byte image of one item in a table of 2^21 slots (beyond the default
    // limit of 2^18), and one of 2^27 (beyond what the format allows here)
    const big = new Uint8Array(48)
    big.set([4, 1, 10, 26, 21, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1])
    big[32] = 1
    expect(() => FrequentLongsSketch.fromBytes(big)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_SKETCH' }),
    )
    expect(FrequentLongsSketch.fromBytes(big, { maxLgCurMapSize: 21 }).getEstimate(0)).toBe(1)
    big.set([27, 27], 3)
    expect(() => FrequentLongsSketch.fromBytes(big)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_SKETCH' }),
    )
    // count-min: 2^26 counters declared, 8 bytes present
    const cm = new CountMinSketch({ width: 2, depth: 1 }).toBytes()
    const view = new DataView(cm.buffer, cm.byteOffset)
    view.setUint32(4, 1 << 20, true)
    view.setUint32(8, 64, true)
    expect(() => CountMinSketch.fromBytes(cm)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_SKETCH' }),
    )
  })
})
