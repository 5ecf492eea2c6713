import { createRandom, type Random } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DDSketch } from '../src/quantiles/ddsketch.js'
import { LogarithmicMapping, MIN_INDEXABLE_VALUE } from '../src/quantiles/log-mapping.js'
import { latencies, mixedSigns, sorted, throwsCode, uniform } from './quantiles-helpers.js'

const QS = [
  0, 0.001, 0.01, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999,
  0.9999, 1,
]

/** The value of rank ⌊q·(n − 1)⌋, the DDSketch paper's quantile. */
function trueQuantile(values: Float64Array, q: number): number {
  return values[Math.floor(q * (values.length - 1))] as number
}

/**
 * Rounding slack of the guarantee: bin edges computed as exp(i · ln γ) are off by up to ~3e−12
 * relative at the ends of the double range, so a value on an edge may land one bin over.
 */
const SLACK = 1e-11

/** Whether `estimate` is within α of `truth`, relative (subnormal truths count as zero). */
function withinAlpha(estimate: number, truth: number, alpha: number): boolean {
  if (Math.abs(truth) < MIN_INDEXABLE_VALUE) return Math.abs(estimate) <= MIN_INDEXABLE_VALUE
  return Math.abs(estimate - truth) <= (alpha + SLACK) * Math.abs(truth)
}

/** The worst relative error of the sketch over QS. */
function worstError(sketch: DDSketch, values: Float64Array): number {
  const ordered = sorted(values)
  let worst = 0
  for (const q of QS) {
    const truth = trueQuantile(ordered, q)
    const estimate = sketch.quantile(q)
    const error = truth === 0 ? Math.abs(estimate) : Math.abs(estimate - truth) / Math.abs(truth)
    if (error > worst) worst = error
  }
  return worst
}

function sketchOf(
  values: ArrayLike<number>,
  options: ConstructorParameters<typeof DDSketch>[0] = {},
): DDSketch {
  const sketch = new DDSketch(options)
  for (let i = 0; i < values.length; i++) sketch.add(values[i] as number)
  return sketch
}

const streams: [string, (random: Random) => Float64Array][] = [
  ['lognormal latencies', (random) => latencies(random, 20_000)],
  ['uniform', (random) => uniform(random, 20_000, 0, 1e6)],
  ['negatives, zeros and positives', (random) => mixedSigns(random, 20_000)],
]

describe('DDSketch accuracy', () => {
  // at α = 0.1 %, 2048 bins span only a ratio of 60: give the finer sketch room for 10^15
  for (const [name, make] of streams)
    for (const [alpha, maxBins] of [
      [0.01, 2048],
      [0.05, 2048],
      [0.001, 20_000],
    ] as const)
      it(`keeps every quantile within α = ${alpha} on ${name}, over 25 seeds`, () => {
        for (let seed = 1; seed <= 25; seed++) {
          const values = make(createRandom(seed))
          const sketch = sketchOf(values, { relativeAccuracy: alpha, maxBins })
          const error = worstError(sketch, values)
          if (!(error <= alpha + SLACK)) expect.fail(`seed ${seed}: worst relative error ${error} > ${alpha}`)
        }
      })

  it('holds for arbitrary finite doubles, subnormals and extremes included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(0.01, 0.02, 0.1),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, alpha, q) => {
          // enough bins for every normal double, so nothing folds
          const sketch = sketchOf(values, { relativeAccuracy: alpha, maxBins: 2 ** 20 })
          const ordered = sorted(values)
          expect(withinAlpha(sketch.quantile(q), trueQuantile(ordered, q), alpha)).toBe(true)
          for (const fixed of QS)
            expect(withinAlpha(sketch.quantile(fixed), trueQuantile(ordered, fixed), alpha)).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('returns the exact min and max at q = 0 and 1, and keeps count, sum and mean', () => {
    const values = latencies(createRandom(3), 5000)
    const sketch = sketchOf(values)
    const ordered = sorted(values)
    expect(sketch.quantile(0)).toBe(ordered[0])
    expect(sketch.quantile(1)).toBe(ordered[ordered.length - 1])
    expect(sketch.min).toBe(ordered[0])
    expect(sketch.max).toBe(ordered[ordered.length - 1])
    expect(sketch.count).toBe(5000)
    const sum = values.reduce((a, b) => a + b, 0)
    expect(sketch.sum).toBeCloseTo(sum, 3)
    expect(sketch.mean).toBeCloseTo(sum / 5000, 6)
    expect(sketch.quantiles([0.5, 0.99])).toEqual([sketch.quantile(0.5), sketch.quantile(0.99)])
  })

  it('counts zeros and subnormals in the zero bin, and handles -0', () => {
    const sketch = sketchOf([0, -0, 1e-310, -1e-320, 5])
    expect(sketch.zeroCount).toBe(4)
    expect(sketch.quantile(0.5)).toBe(0)
    expect(sketch.min).toBe(-1e-320)
    expect(sketch.max).toBe(5)
    expect(sketch.bins().map((bin) => bin.count)).toEqual([4, 1])
  })

  it('treats a weight as that many adds, fractional weights included', () => {
    const weighted = new DDSketch()
    const repeated = new DDSketch()
    const random = createRandom(9)
    for (let i = 0; i < 500; i++) {
      const value = (random.next() - 0.3) * 1e4
      const times = 1 + random.int(5)
      weighted.add(value, times)
      for (let t = 0; t < times; t++) repeated.add(value)
    }
    expect(weighted.bins()).toEqual(repeated.bins())
    expect(weighted.count).toBe(repeated.count)
    const fractional = new DDSketch()
    fractional.add(10, 2.5)
    fractional.add(20, 7.5)
    fractional.add(30, 0)
    expect(fractional.count).toBe(10)
    expect(fractional.max).toBe(20)
    expect(fractional.quantile(0.2)).toBeCloseTo(10, 0)
    expect(fractional.quantile(0.5)).toBeCloseTo(20, 0)
    expect(DDSketch.fromBytes(fractional.toBytes()).bins()).toEqual(fractional.bins())
  })

  it('returns NaN from an empty sketch', () => {
    const sketch = new DDSketch()
    expect(sketch.isEmpty).toBe(true)
    expect(sketch.quantile(0.5)).toBeNaN()
    expect(sketch.quantiles([0, 1])).toEqual([Number.NaN, Number.NaN])
    expect([sketch.min, sketch.max, sketch.mean]).toEqual([Number.NaN, Number.NaN, Number.NaN])
    expect(sketch.toJSON()).toMatchObject({ count: 0, min: null, quantiles: { p99: null } })
  })

  it('summarises itself as JSON', () => {
    const sketch = sketchOf([1, 2, 3, 4, 1000])
    const json = JSON.parse(JSON.stringify(sketch))
    expect(json).toMatchObject({
      kind: 'ddsketch',
      relativeAccuracy: 0.01,
      maxBins: 2048,
      count: 5,
      min: 1,
      max: 1000,
    })
    expect(json.bins).toBe(5)
    expect(Math.abs(json.quantiles.p50 - 3) / 3).toBeLessThanOrEqual(0.01)
  })
})

describe('DDSketch bounded bins', () => {
  it('folds the lowest bins, keeping the guarantee above them', () => {
    const maxBins = 64
    const mapping = new LogarithmicMapping(0.01)
    for (let seed = 1; seed <= 20; seed++) {
      const random = createRandom(seed)
      const values = Float64Array.from({ length: 5000 }, () => 10 ** (12 * random.next()))
      const sketch = sketchOf(values, { maxBins })
      expect(sketch.bins().length).toBeLessThanOrEqual(maxBins)
      const ordered = sorted(values)
      const floor = (ordered[ordered.length - 1] as number) / mapping.gamma ** (maxBins - 2)
      for (let q = 0; q <= 1; q += 0.001) {
        const truth = trueQuantile(ordered, q)
        const estimate = sketch.quantile(q)
        expect(estimate).toBeGreaterThanOrEqual(sketch.min)
        if (truth >= floor) expect(withinAlpha(estimate, truth, 0.01)).toBe(true)
      }
      expect(withinAlpha(sketch.quantile(0.999), trueQuantile(ordered, 0.999), 0.01)).toBe(true)
    }
  })

  it('folds the most negative bins of the negative store', () => {
    const maxBins = 32
    const mapping = new LogarithmicMapping(0.02)
    const random = createRandom(5)
    const values = Float64Array.from({ length: 4000 }, () => -(10 ** (10 * random.next())))
    const sketch = sketchOf(values, { maxBins, relativeAccuracy: 0.02 })
    expect(sketch.bins().length).toBeLessThanOrEqual(maxBins)
    const ordered = sorted(values)
    const smallest = -(ordered[ordered.length - 1] as number)
    const limit = smallest * mapping.gamma ** (maxBins - 2)
    for (let q = 0; q <= 1; q += 0.001) {
      const truth = trueQuantile(ordered, q)
      if (-truth <= limit) expect(withinAlpha(sketch.quantile(q), truth, 0.02)).toBe(true)
    }
  })

  it('copes with values spanning the whole double range', () => {
    // 70,906 bins at α = 1 % cover every normal double
    const sketch = new DDSketch({ maxBins: 2 ** 20 })
    for (const value of [
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      MIN_INDEXABLE_VALUE,
      -MIN_INDEXABLE_VALUE,
      1,
      -1,
    ])
      sketch.add(value)
    const ordered = sorted([
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      MIN_INDEXABLE_VALUE,
      -MIN_INDEXABLE_VALUE,
      1,
      -1,
    ])
    for (let q = 0; q <= 1; q += 0.05)
      expect(withinAlpha(sketch.quantile(q), trueQuantile(ordered, q), 0.01)).toBe(true)
    expect(sketch.quantile(1)).toBe(Number.MAX_VALUE)
    expect(sketch.quantile(0)).toBe(-Number.MAX_VALUE)
    expect(sketch.zeroCount).toBe(0)
    expect(sketch.bins().length).toBe(6)
    const collapsed = new DDSketch({ relativeAccuracy: 0.001 })
    for (const value of ordered) collapsed.add(value)
    expect(collapsed.quantile(1)).toBe(Number.MAX_VALUE)
    expect(collapsed.bins().every((bin) => Number.isFinite(bin.value))).toBe(true)
  })
})

const valuesArb = fc.array(
  fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.double({ min: 1, max: 1e8, noNaN: true }),
    fc.constant(0),
  ),
  { maxLength: 200 },
)
const optionsArb = fc.record({
  relativeAccuracy: fc.constantFrom(0.01, 0.05),
  maxBins: fc.constantFrom(2048, 24),
})

function expectSame(a: DDSketch, b: DDSketch): void {
  expect(a.bins()).toEqual(b.bins())
  expect(a.count).toBe(b.count)
  expect(a.zeroCount).toBe(b.zeroCount)
  expect(Object.is(a.min, b.min) || a.min === b.min).toBe(true)
  expect(a.max === b.max || (Number.isNaN(a.max) && Number.isNaN(b.max))).toBe(true)
  for (const q of QS) expect(a.quantile(q)).toBe(b.quantile(q))
  // a sum near the double limit can overflow in one order of additions and not in another
  if (Number.isFinite(a.sum) && Number.isFinite(b.sum))
    expect(Math.abs(a.sum - b.sum)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(a.sum)) + 1e-300)
}

describe('DDSketch merge', () => {
  it('shard-then-merge equals one sketch, bin for bin (collapsing included)', () => {
    fc.assert(
      fc.property(
        valuesArb,
        fc.array(fc.nat(4), { maxLength: 200 }),
        optionsArb,
        (values, shardOf, options) => {
          const whole = sketchOf(values, options)
          const shards = Array.from({ length: 5 }, () => new DDSketch(options))
          values.forEach((value, i) => {
            ;(shards[shardOf[i] ?? 0] as DDSketch).add(value)
          })
          const merged = new DDSketch(options)
          for (const shard of shards) merged.merge(shard)
          expectSame(merged, whole)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('is commutative and associative', () => {
    fc.assert(
      fc.property(valuesArb, valuesArb, valuesArb, optionsArb, (a, b, c, options) => {
        const [sa, sb, sc] = [sketchOf(a, options), sketchOf(b, options), sketchOf(c, options)]
        const ab = sa.clone()
        ab.merge(sb)
        const ba = sb.clone()
        ba.merge(sa)
        expectSame(ab, ba)
        const abc = ab.clone()
        abc.merge(sc)
        const bc = sb.clone()
        bc.merge(sc)
        const aBc = sa.clone()
        aBc.merge(bc)
        expectSame(abc, aBc)
      }),
      { numRuns: 200 },
    )
  })

  it('merges into itself and leaves the source alone', () => {
    const sketch = sketchOf([1, 2, 3])
    const other = sketchOf([10, 20])
    const before = other.toBytes()
    sketch.merge(other)
    expect(other.toBytes()).toEqual(before)
    sketch.merge(sketch)
    expect(sketch.count).toBe(10)
    expect(sketch.max).toBe(20)
  })

  it('refuses sketches of another relative accuracy, and other things', () => {
    expect(throwsCode(() => new DDSketch().merge({} as DDSketch), 'ERR_INCOMPATIBLE_SKETCH')).toBe(true)
    expect(
      throwsCode(() => new DDSketch().merge(null as unknown as DDSketch), 'ERR_INCOMPATIBLE_SKETCH'),
    ).toBe(true)
    expect(
      throwsCode(
        () => new DDSketch().merge(new DDSketch({ relativeAccuracy: 0.02 })),
        'ERR_INCOMPATIBLE_SKETCH',
      ),
    ).toBe(true)
  })

  it('keeps its own bin bound when merging a wider sketch', () => {
    const wide = sketchOf(
      Array.from({ length: 400 }, (_, i) => 1.05 ** i),
      { maxBins: 4096 },
    )
    const narrow = new DDSketch({ maxBins: 50 })
    narrow.merge(wide)
    expect(narrow.bins().length).toBeLessThanOrEqual(50)
    expect(narrow.count).toBe(400)
    expect(narrow.quantile(1)).toBe(wide.max)
  })
})

describe('DDSketch arguments', () => {
  it('rejects NaN, infinities and bad weights', () => {
    const sketch = new DDSketch()
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
      expect(throwsCode(() => sketch.add(value), 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect(throwsCode(() => sketch.add(Number.NaN, 0), 'ERR_INVALID_ARGUMENT')).toBe(true)
    for (const count of [-1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(throwsCode(() => sketch.add(1, count), 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect(sketch.isEmpty).toBe(true)
  })

  it('rejects relative accuracies outside (0, 1) and bad bin bounds', () => {
    for (const relativeAccuracy of [0, 1, -0.1, 1.5, Number.NaN, 1e-12])
      expect(throwsCode(() => new DDSketch({ relativeAccuracy }), 'ERR_INVALID_ARGUMENT')).toBe(true)
    for (const maxBins of [0, 1.5, -3, 2 ** 21, Number.NaN])
      expect(throwsCode(() => new DDSketch({ maxBins }), 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect(new DDSketch({ relativeAccuracy: 0.999, maxBins: 1 }).relativeAccuracy).toBe(0.999)
  })

  it('rejects quantiles outside [0, 1]', () => {
    const sketch = sketchOf([1, 2, 3])
    for (const q of [-0.01, 1.01, Number.NaN])
      expect(throwsCode(() => sketch.quantile(q), 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect(throwsCode(() => sketch.quantiles([0.5, 2]), 'ERR_INVALID_ARGUMENT')).toBe(true)
  })
})
