import { createRandom } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { KllDoublesSketch } from '../src/quantiles/kll-doubles-sketch.js'
import type { QuantileSearchCriteria } from '../src/quantiles/kll-sorted-view.js'
import { latencies, sorted, throwsCode, uniform } from './quantiles-helpers.js'

/** DataSketches' quantile over all items (what an exact-mode sketch must return). */
function exactQuantile(ordered: Float64Array, rank: number, criteria: QuantileSearchCriteria): number {
  const n = ordered.length
  let natural = Math.round(rank * n * 1e7) / 1e7
  if (criteria === 'inclusive') {
    natural = Math.ceil(natural)
    return ordered[Math.min(Math.max(natural - 1, 0), n - 1)] as number
  }
  return ordered[Math.min(Math.floor(natural), n - 1)] as number
}

/** The number of items ≤ value (inclusive) or < value (exclusive). */
function countBelow(ordered: Float64Array, value: number, criteria: QuantileSearchCriteria): number {
  let lo = 0
  let hi = ordered.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const item = ordered[mid] as number
    if (criteria === 'inclusive' ? item <= value : item < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

const RANKS = [0.001, 0.01, 0.05, ...Array.from({ length: 19 }, (_, i) => (i + 1) / 20), 0.99, 0.999]

/** The worst rank error of the sketch's quantiles and ranks against the true distribution. */
function worstRankError(sketch: KllDoublesSketch, ordered: Float64Array): number {
  const n = ordered.length
  let worst = 0
  for (const rank of RANKS) {
    const quantile = sketch.getQuantile(rank)
    worst = Math.max(worst, Math.abs(countBelow(ordered, quantile, 'inclusive') / n - rank))
    const value = ordered[Math.floor(rank * (n - 1))] as number
    worst = Math.max(worst, Math.abs(sketch.getRank(value) - countBelow(ordered, value, 'inclusive') / n))
  }
  return worst
}

function sketchOf(values: ArrayLike<number>, k = 200, seed = 1): KllDoublesSketch {
  const sketch = new KllDoublesSketch({ k, random: createRandom(seed) })
  for (let i = 0; i < values.length; i++) sketch.update(values[i] as number)
  return sketch
}

describe('KllDoublesSketch in exact mode (n ≤ k)', () => {
  it('answers exactly, with both search criteria', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ noNaN: true }), fc.integer({ min: -5, max: 5 })), {
          minLength: 1,
          maxLength: 200,
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom<QuantileSearchCriteria>('inclusive', 'exclusive'),
        (values, rank, criteria) => {
          const sketch = sketchOf(values)
          const ordered = sorted(values)
          expect(sketch.isEstimationMode).toBe(false)
          expect(sketch.getQuantile(rank, criteria)).toBe(exactQuantile(ordered, rank, criteria))
          for (const value of [values[0] as number, 0, 1.5])
            expect(sketch.getRank(value, criteria)).toBe(
              countBelow(ordered, value, criteria) / ordered.length,
            )
        },
      ),
      { numRuns: 500 },
    )
  })

  it('follows DataSketches on 1 … 10', () => {
    const sketch = sketchOf([5, 3, 9, 1, 7, 2, 10, 4, 8, 6])
    expect(sketch.getQuantile(0)).toBe(1)
    expect(sketch.getQuantile(0.5)).toBe(5)
    expect(sketch.getQuantile(0.5, 'exclusive')).toBe(6)
    expect(sketch.getQuantile(0.55)).toBe(6)
    expect(sketch.getQuantile(1)).toBe(10)
    expect(sketch.getQuantile(1, 'exclusive')).toBe(10)
    expect(sketch.getQuantile(0.7)).toBe(7) // 0.7 × 10 is 7.000000000000001 before rounding
    expect(sketch.getRank(5)).toBe(0.5)
    expect(sketch.getRank(5, 'exclusive')).toBe(0.4)
    expect(sketch.getRank(0)).toBe(0)
    expect(sketch.getCDF([2, 5, 8])).toEqual([0.2, 0.5, 0.8, 1])
    expect(sketch.getCDF([2, 5, 8], 'exclusive')).toEqual([0.1, 0.4, 0.7, 1])
    const pmf = sketch.getPMF([2, 5, 8])
    expect(pmf.map((p) => Math.round(p * 10) / 10)).toEqual([0.2, 0.3, 0.3, 0.2])
    expect(sketch.getQuantiles([0.1, 0.9])).toEqual([1, 9])
    expect(sketch.getQuantileLowerBound(0.5)).toBe(5)
    expect(sketch.getQuantileUpperBound(0.5)).toBe(6)
  })

  it('returns NaN from an empty sketch and keeps min and max', () => {
    const sketch = new KllDoublesSketch()
    expect(sketch.isEmpty).toBe(true)
    expect(sketch.getQuantile(0.5)).toBeNaN()
    expect(sketch.getRank(1)).toBeNaN()
    expect(sketch.getCDF([1, 2])).toEqual([Number.NaN, Number.NaN, Number.NaN])
    expect(sketch.getQuantiles([0.5])).toEqual([Number.NaN])
    expect([sketch.min, sketch.max]).toEqual([Number.NaN, Number.NaN])
    expect(sketch.toJSON()).toMatchObject({ kind: 'kll-doubles', n: 0, min: null, quantiles: { p50: null } })
    sketch.update(Number.NEGATIVE_INFINITY)
    sketch.update(3)
    expect([sketch.min, sketch.max, sketch.n]).toEqual([Number.NEGATIVE_INFINITY, 3, 2])
  })
})

describe('KllDoublesSketch accuracy', () => {
  it('computes DataSketches error bounds', () => {
    expect(KllDoublesSketch.getNormalizedRankError(200, false)).toBeCloseTo(0.01329, 5)
    expect(KllDoublesSketch.getNormalizedRankError(200, true)).toBeCloseTo(0.01652, 5)
    expect(new KllDoublesSketch({ k: 100 }).getNormalizedRankError(false)).toBe(
      KllDoublesSketch.getNormalizedRankError(100, false),
    )
  })

  for (const [name, make] of [
    ['uniform', (seed: number) => uniform(createRandom(seed), 30_000, -1e6, 1e6)],
    ['lognormal latencies', (seed: number) => latencies(createRandom(seed), 30_000)],
  ] as const)
    it(`keeps the rank error within the bound over 100 seeds (${name})`, () => {
      // the bound is DataSketches' 99th percentile of the worst error over all ranks: allow a
      // few seeds above it (3 or more of 100 would be a 1-in-12 event), none beyond 1.5 ε
      const epsilon = KllDoublesSketch.getNormalizedRankError(200, false)
      const errors: number[] = []
      for (let seed = 1; seed <= 100; seed++) {
        const values = make(seed)
        errors.push(worstRankError(sketchOf(values, 200, seed), sorted(values)))
      }
      expect(errors.filter((error) => error > epsilon).length).toBeLessThanOrEqual(2)
      expect(Math.max(...errors)).toBeLessThanOrEqual(1.5 * epsilon)
    })

  it('retains about 3k items however large n, and counts n, min and max exactly', () => {
    const random = createRandom(4)
    const sketch = new KllDoublesSketch({ random })
    let min = Number.POSITIVE_INFINITY
    let max = Number.NEGATIVE_INFINITY
    for (let i = 0; i < 500_000; i++) {
      const value = random.next() * 1e9 - 5e8
      min = Math.min(min, value)
      max = Math.max(max, value)
      sketch.update(value)
    }
    expect(sketch.n).toBe(500_000)
    expect([sketch.min, sketch.max]).toEqual([min, max])
    expect(sketch.numRetained).toBeLessThan(700) // 3k plus m per extra level (DataSketches: 614 at n = 10^6)
    expect(sketch.isEstimationMode).toBe(true)
  })

  it('is reproducible with a seeded random source', () => {
    const values = uniform(createRandom(8), 10_000, 0, 1)
    expect(sketchOf(values, 200, 5).toBytes()).toEqual(sketchOf(values, 200, 5).toBytes())
    expect(sketchOf(values, 200, 5).toBytes()).not.toEqual(sketchOf(values, 200, 6).toBytes())
  })

  it('does not change its image when queried', () => {
    const sketch = sketchOf(uniform(createRandom(2), 150, 0, 1))
    const before = sketch.toBytes()
    sketch.getQuantile(0.5)
    sketch.getCDF([0.5])
    expect(sketch.toBytes()).toEqual(before)
  })
})

describe('KllDoublesSketch merge', () => {
  it('stays within the bound after merging shards, over 60 seeds', () => {
    const epsilon = KllDoublesSketch.getNormalizedRankError(200, false)
    const errors: number[] = []
    for (let seed = 1; seed <= 60; seed++) {
      const random = createRandom(seed)
      const values = uniform(random, 40_000, 0, 1)
      const shards = Array.from(
        { length: 4 },
        (_, i) => new KllDoublesSketch({ random: createRandom(seed * 10 + i) }),
      )
      for (const value of values) (shards[random.int(4)] as KllDoublesSketch).update(value)
      const merged = new KllDoublesSketch({ random: createRandom(seed) })
      for (const shard of shards) merged.merge(shard)
      expect(merged.n).toBe(values.length)
      const ordered = sorted(values)
      expect([merged.min, merged.max]).toEqual([ordered[0], ordered[ordered.length - 1]])
      errors.push(worstRankError(merged, ordered))
    }
    expect(errors.filter((error) => error > epsilon).length).toBeLessThanOrEqual(2)
    expect(Math.max(...errors)).toBeLessThanOrEqual(1.5 * epsilon)
  })

  it('merges sketches of different k, keeping its k and taking min k from estimating ones', () => {
    const random = createRandom(12)
    const small = sketchOf(uniform(random, 20_000, 0, 1), 100, 1)
    const exact = sketchOf(uniform(random, 50, 0, 1), 64, 2)
    const big = sketchOf(uniform(random, 20_000, 0, 1), 400, 3)
    big.merge(exact)
    expect(big.minK).toBe(400)
    big.merge(small)
    expect([big.k, big.minK, big.n]).toEqual([400, 100, 40_050])
    expect(big.getNormalizedRankError(false)).toBe(KllDoublesSketch.getNormalizedRankError(100, false))
    const copy = KllDoublesSketch.fromBytes(big.toBytes())
    expect(copy.minK).toBe(100)
  })

  it('merges into an empty sketch, into itself, and leaves the source alone', () => {
    const source = sketchOf(uniform(createRandom(3), 5000, 0, 1))
    const before = source.toBytes()
    const target = new KllDoublesSketch({ random: createRandom(1) })
    target.merge(new KllDoublesSketch())
    expect(target.isEmpty).toBe(true)
    target.merge(source)
    expect(source.toBytes()).toEqual(before)
    expect([target.n, target.min, target.max]).toEqual([source.n, source.min, source.max])
    target.merge(target)
    expect(target.n).toBe(10_000)
    expect(Math.abs(target.getRank(0.5) - 0.5)).toBeLessThan(0.03)
  })

  it('keeps n, min and max exact and the result readable, in any merge order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ noNaN: true }), { maxLength: 700 }), { minLength: 1, maxLength: 5 }),
        fc.integer(),
        (parts, seed) => {
          const sketches = parts.map((part, i) => sketchOf(part, 50, seed + i))
          const merged = new KllDoublesSketch({ k: 50, random: createRandom(seed) })
          for (const sketch of sketches) merged.merge(sketch)
          const all = parts.flat()
          expect(merged.n).toBe(all.length)
          if (all.length > 0) {
            const ordered = sorted(all)
            expect(merged.min).toBe(ordered[0])
            expect(merged.max).toBe(ordered[ordered.length - 1])
          }
          const copy = KllDoublesSketch.fromBytes(merged.toBytes())
          expect(copy.n).toBe(merged.n)
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('KllDoublesSketch arguments', () => {
  it('rejects bad k, NaN updates, ranks outside [0, 1], unordered split points and merging other things', () => {
    for (const k of [7, 65536, 10.5, Number.NaN])
      expect(throwsCode(() => new KllDoublesSketch({ k }), 'ERR_INVALID_ARGUMENT')).toBe(true)
    const sketch = sketchOf([1, 2, 3])
    expect(throwsCode(() => sketch.update(Number.NaN), 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect(sketch.n).toBe(3)
    for (const rank of [-0.1, 1.1, Number.NaN])
      expect(throwsCode(() => sketch.getQuantile(rank), 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect(throwsCode(() => sketch.getRank(Number.NaN), 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect(throwsCode(() => sketch.getCDF([2, 1]), 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect(throwsCode(() => sketch.getPMF([1, 1]), 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect(throwsCode(() => sketch.getCDF([Number.NaN]), 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect(
      throwsCode(() => sketch.getQuantile(0.5, 'nearest' as QuantileSearchCriteria), 'ERR_INVALID_ARGUMENT'),
    ).toBe(true)
    expect(throwsCode(() => KllDoublesSketch.getNormalizedRankError(0, false), 'ERR_INVALID_ARGUMENT')).toBe(
      true,
    )
    expect(
      throwsCode(() => sketch.merge({ n: 3 } as unknown as KllDoublesSketch), 'ERR_INCOMPATIBLE_SKETCH'),
    ).toBe(true)
  })
})
