import { existsSync, readFileSync } from 'node:fs'
import { createRandom } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import { KllDoublesSketch } from '../src/quantiles/kll-doubles-sketch.js'

// KllDoublesSketch images written by Apache DataSketches (Java and C++): k = 200, update(i) for
// i = 1 … n. See ../../../../shared/data/datasketches/README.md.
const DATA = new URL('../../../../shared/data/datasketches/', import.meta.url)
const available = existsSync(DATA)
if (!available) console.log(`skipping the DataSketches KLL fixtures: ${DATA.pathname} is absent`)

const SIZES = [0, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000]
const LANGUAGES = ['java', 'cpp'] as const

function fixture(language: (typeof LANGUAGES)[number], n: number): Uint8Array {
  return readFileSync(new URL(`${language}/kll_double_n${n}_${language}.sk`, DATA))
}

/** Our sketch of the same input. */
function ours(n: number, seed: number): KllDoublesSketch {
  const sketch = new KllDoublesSketch({ random: createRandom(seed) })
  for (let i = 1; i <= n; i++) sketch.update(i)
  return sketch
}

/** The worst error of quantiles and ranks of a sketch of 1 … n (true rank of v: v / n). */
function worstRankError(sketch: KllDoublesSketch, n: number): number {
  let worst = 0
  for (let step = 0; step <= 1000; step++) {
    const rank = step / 1000
    const quantile = sketch.getQuantile(rank)
    // an item returned for rank r covers the ranks up to its own: allow its 1/n granularity
    worst = Math.max(worst, Math.abs(quantile / n - rank) - 1 / n)
    const value = Math.max(1, Math.round(rank * n))
    worst = Math.max(worst, Math.abs(sketch.getRank(value) - value / n))
  }
  return worst
}

/** The size of the preamble and level array of a full image. */
function headerLength(bytes: Uint8Array): number {
  return bytes[0] === 5 ? 20 + 4 * (bytes[18] as number) : bytes.length
}

describe.skipIf(!available)('DataSketches KLL doubles fixtures', () => {
  for (const language of LANGUAGES)
    for (const n of SIZES)
      it(`reads ${language} n = ${n}: n exact, min 1, max n, ranks within the error bound`, () => {
        const bytes = fixture(language, n)
        const sketch = KllDoublesSketch.fromBytes(bytes)
        expect(sketch.n).toBe(n)
        expect(sketch.k).toBe(200)
        expect(sketch.m).toBe(8)
        expect(sketch.isEmpty).toBe(n === 0)
        if (n === 0) {
          expect(sketch.getQuantile(0.5)).toBeNaN()
          return
        }
        expect([sketch.min, sketch.max]).toEqual([1, n])
        expect(sketch.isEstimationMode).toBe(n > 200)
        const epsilon = sketch.getNormalizedRankError(false)
        expect(worstRankError(sketch, n)).toBeLessThanOrEqual(n > 200 ? epsilon : 0)
        if (n <= 200) for (let i = 1; i <= n; i++) expect(sketch.getQuantile(i / n)).toBe(i)
        // read then written, an image is the same bytes
        expect(Buffer.from(sketch.toBytes()).equals(bytes)).toBe(true)
      })

  it('has Java and C++ agree, byte for byte up to k and in layout beyond', () => {
    for (const n of SIZES) {
      const java = fixture('java', n)
      const cpp = fixture('cpp', n)
      expect(cpp.length).toBe(java.length)
      expect(
        Buffer.from(cpp.subarray(0, headerLength(cpp))).equals(java.subarray(0, headerLength(java))),
      ).toBe(true)
      if (n <= 200) expect(Buffer.from(cpp).equals(java)).toBe(true)
    }
  })

  for (const n of SIZES)
    it(`writes n = ${n} in the same layout: ${n <= 200 ? 'byte for byte' : 'same preamble, levels and size'}`, () => {
      const reference = fixture('java', n)
      for (const seed of [1, 2, 3]) {
        const mine = ours(n, seed).toBytes()
        expect(mine.length).toBe(reference.length)
        // flags, k, m, n, min k, number of levels and every level boundary: deterministic
        const header = headerLength(reference)
        expect(Buffer.from(mine.subarray(0, header)).equals(reference.subarray(0, header))).toBe(true)
        if (n <= 200) {
          expect(Buffer.from(mine).equals(reference)).toBe(true)
        } else {
          // min and max follow the levels; the retained items differ (random compaction)
          expect(
            Buffer.from(mine.subarray(header, header + 16)).equals(reference.subarray(header, header + 16)),
          ).toBe(true)
          const copy = KllDoublesSketch.fromBytes(mine)
          expect(worstRankError(copy, n)).toBeLessThanOrEqual(copy.getNormalizedRankError(false))
        }
      }
    })

  it('merges Java and C++ sketches within the bound', () => {
    const merged = KllDoublesSketch.fromBytes(fixture('java', 1_000_000), { random: createRandom(1) })
    merged.merge(KllDoublesSketch.fromBytes(fixture('cpp', 1_000_000)))
    merged.merge(KllDoublesSketch.fromBytes(fixture('cpp', 1000)))
    merged.merge(ours(1_000_000, 4))
    expect(merged.n).toBe(3_001_000)
    expect([merged.min, merged.max]).toEqual([1, 1_000_000])
    const epsilon = merged.getNormalizedRankError(false)
    for (let step = 1; step < 100; step++) {
      const rank = step / 100
      // three copies of 1 … 10^6 and one of 1 … 1000: the true rank of v ≥ 1000 is (3v + 1000) / n
      const quantile = merged.getQuantile(rank)
      if (quantile >= 1000)
        expect(Math.abs((3 * quantile + 1000) / merged.n - rank)).toBeLessThanOrEqual(epsilon)
    }
  })
})
