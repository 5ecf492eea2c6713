import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { FrequentItemsSketch } from '../src/frequency/frequent-items-sketch.js'
import { FrequentLongsSketch } from '../src/frequency/frequent-longs-sketch.js'
import { ErrorType } from '../src/frequency/query.js'
import { hex } from './frequency-streams.js'

// Apache DataSketches images written by Java and C++ (see ../shared/data/datasketches/README.md)
const DATA = fileURLToPath(new URL('../../../../shared/data/datasketches/', import.meta.url))
const present = existsSync(DATA)
if (!present) console.warn(`skipping the DataSketches frequent-items fixtures: ${DATA} is absent`)

const SIZES = [0, 1, 10, 100, 1000, 10000, 100000, 1000000]
const LANGUAGES = ['java', 'cpp'] as const
const read = (language: string, name: string): Uint8Array =>
  new Uint8Array(readFileSync(`${DATA}${language}/${name}_${language}.sk`))

// maxMapSize 64 holds 48 items; the 49th distinct item purges by the median count, 1, which
// empties the table: so n items 1 … n leave n mod 49 items and a maximum error of ⌊n / 49⌋
const expectedError = (n: number): number => Math.floor(n / 49)
const expectedActive = (n: number): number => n % 49

/** The sketch's tracked rows as "item=lowerBound" strings, sorted. */
const rowsOf = (sketch: FrequentItemsSketch | FrequentLongsSketch): string[] =>
  sketch
    .getFrequentItems(ErrorType.NO_FALSE_NEGATIVES, 0)
    .map((row) => `${row.item}=${row.lowerBound}`)
    .sort()

describe.skipIf(!present)('DataSketches frequent-items fixtures', () => {
  for (const language of LANGUAGES) {
    for (const n of SIZES) {
      it(`reads frequent_long_n${n}_${language}`, () => {
        const sketch = FrequentLongsSketch.fromBytes(read(language, `frequent_long_n${n}`))
        expect(sketch.lgMaxMapSize).toBe(6)
        expect(sketch.getStreamLength()).toBe(n)
        expect(sketch.isEmpty).toBe(n === 0)
        expect(sketch.getMaximumError()).toBe(expectedError(n))
        if (n <= 10) expect(sketch.getMaximumError()).toBe(0)
        else expect(sketch.getMaximumError()).toBeGreaterThan(0)
        expect(sketch.numActiveItems).toBe(expectedActive(n))
        for (let i = 1; i <= n; i += Math.max(1, Math.floor(n / 5000))) {
          expect(sketch.getLowerBound(i)).toBeLessThanOrEqual(1)
          expect(sketch.getUpperBound(BigInt(i))).toBeGreaterThanOrEqual(1)
          if (n <= 10) expect(sketch.getEstimate(i)).toBe(1)
        }
        // the items kept are the last n mod 49, each with a lower bound of 1
        const kept = Array.from({ length: expectedActive(n) }, (_, k) => `${n - k}=1`).sort()
        expect(rowsOf(sketch)).toEqual(kept)
      })

      it(`reads frequent_string_n${n}_${language}`, () => {
        const sketch = FrequentItemsSketch.fromBytes(read(language, `frequent_string_n${n}`))
        expect(sketch.lgMaxMapSize).toBe(6)
        expect(sketch.getStreamLength()).toBe(n)
        expect(sketch.getMaximumError()).toBe(expectedError(n))
        expect(sketch.numActiveItems).toBe(expectedActive(n))
        for (let i = 1; i <= n; i += Math.max(1, Math.floor(n / 5000))) {
          expect(sketch.getLowerBound(String(i))).toBeLessThanOrEqual(1)
          expect(sketch.getUpperBound(String(i))).toBeGreaterThanOrEqual(1)
          if (n <= 10) expect(sketch.getEstimate(String(i))).toBe(1)
        }
        const kept = Array.from({ length: expectedActive(n) }, (_, k) => `${n - k}=1`).sort()
        expect(rowsOf(sketch)).toEqual(kept)
      })
    }

    it(`reads frequent_string_ascii_${language} with exact counts`, () => {
      const sketch = FrequentItemsSketch.fromBytes(read(language, 'frequent_string_ascii'))
      expect(sketch.getStreamLength()).toBe(10)
      expect(sketch.getMaximumError()).toBe(0)
      const rows = sketch.getFrequentItems(ErrorType.NO_FALSE_POSITIVES)
      expect(rows.map((row) => [row.item, row.estimate, row.lowerBound, row.upperBound])).toEqual(
        ['d', 'c', 'b', 'a'].map((c, k) => [c.repeat(29), 4 - k, 4 - k, 4 - k]),
      )
    })

    it(`reads frequent_string_utf8_${language} with exact counts`, () => {
      const sketch = FrequentItemsSketch.fromBytes(read(language, 'frequent_string_utf8'))
      const words = ['абвгд', 'еёжзи', 'йклмн', 'опрст', 'уфхцч', 'шщъыь', 'эюя']
      expect(sketch.getStreamLength()).toBe(28)
      expect(sketch.getMaximumError()).toBe(0)
      for (const [k, word] of words.entries()) expect(sketch.getEstimate(word)).toBe(k + 1)
      expect(sketch.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES).map((row) => row.item)).toEqual(
        [...words].reverse(),
      )
    })
  }

  // Our images for the same updates: byte for byte Java's (same table slots, same purges); C++
  // places items by std::hash, so its images list the same items and counts in another order.
  const inputs: [string, () => FrequentItemsSketch | FrequentLongsSketch][] = [
    ...SIZES.map((n): [string, () => FrequentLongsSketch] => [
      `frequent_long_n${n}`,
      () => {
        const sketch = new FrequentLongsSketch({ maxMapSize: 64 })
        for (let i = 1; i <= n; i++) sketch.update(i)
        return sketch
      },
    ]),
    ...SIZES.map((n): [string, () => FrequentItemsSketch] => [
      `frequent_string_n${n}`,
      () => {
        const sketch = new FrequentItemsSketch({ maxMapSize: 64 })
        for (let i = 1; i <= n; i++) sketch.update(String(i))
        return sketch
      },
    ]),
    [
      'frequent_string_ascii',
      () => {
        const sketch = new FrequentItemsSketch({ maxMapSize: 64 })
        for (const [c, count] of [
          ['a', 1],
          ['b', 2],
          ['c', 3],
          ['d', 4],
        ] as const)
          for (let k = 0; k < count; k++) sketch.update(c.repeat(29))
        return sketch
      },
    ],
    [
      'frequent_string_utf8',
      () => {
        const sketch = new FrequentItemsSketch({ maxMapSize: 64 })
        const words = ['абвгд', 'еёжзи', 'йклмн', 'опрст', 'уфхцч', 'шщъыь', 'эюя']
        words.forEach((word, k) => {
          for (let j = 0; j <= k; j++) sketch.update(word)
        })
        return sketch
      },
    ],
  ]

  for (const [name, build] of inputs) {
    it(`writes ${name} byte for byte as Java does, and as C++ up to item order`, () => {
      const ours = build().toBytes()
      expect(hex(ours)).toBe(hex(read('java', name)))
      const cpp = read('cpp', name)
      expect(ours.length).toBe(cpp.length)
      expect(hex(ours.subarray(0, 32))).toBe(hex(cpp.subarray(0, 32)))
      const reader = name.includes('long') ? FrequentLongsSketch.fromBytes : FrequentItemsSketch.fromBytes
      expect(rowsOf(reader(cpp))).toEqual(rowsOf(reader(ours)))
    })
  }
})
