import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FrequentItemsSketch } from '../src/frequency/frequent-items-sketch.js'
import { FrequentLongsSketch } from '../src/frequency/frequent-longs-sketch.js'
import { fmix64Low, javaStringHashCode } from '../src/frequency/java-hash.js'
import { ErrorType } from '../src/frequency/query.js'
import { kthSmallest } from '../src/frequency/reverse-purge-map.js'
import { seeded, zipfStream } from './frequency-streams.js'

const MASK64 = (1n << 64n) - 1n
/** fmix64 in bigint arithmetic, as the reference. */
function fmix64(k: bigint): bigint {
  k &= MASK64
  k ^= k >> 33n
  k = (k * 0xff51afd7ed558ccdn) & MASK64
  k ^= k >> 33n
  k = (k * 0xc4ceb9fe1a85ec53n) & MASK64
  k ^= k >> 33n
  return k
}

/** Every key of the universe seen or not: its bounds must contain its true count. */
function checkBounds(sketch: FrequentItemsSketch, truth: Map<string, number>, universe: number): void {
  const error = sketch.getMaximumError()
  for (let i = 0; i < universe; i++) {
    const key = `/path/${i}`
    const count = truth.get(key) ?? 0
    const lower = sketch.getLowerBound(key)
    const upper = sketch.getUpperBound(key)
    if (!(lower <= count && count <= upper)) throw new Error(`${key}: ${count} outside [${lower}, ${upper}]`)
    expect(upper - lower).toBe(error)
    expect(sketch.getEstimate(key)).toBe(lower > 0 ? upper : 0)
  }
}

describe('Java slot hashing', () => {
  it('fmix64Low is the low word of fmix64', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MASK64 }), (k) => {
        const hi = Number(k >> 32n)
        const lo = Number(k & 0xffffffffn)
        expect(fmix64Low(hi, lo)).toBe(Number(BigInt.asIntN(32, fmix64(k))))
      }),
      { numRuns: 5000 },
    )
  })

  it("javaStringHashCode is Java's String.hashCode", () => {
    expect(javaStringHashCode('')).toBe(0)
    expect(javaStringHashCode('1')).toBe(49)
    expect(javaStringHashCode('hello')).toBe(99162322)
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648)
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (text) => {
        let h = 0n
        for (let i = 0; i < text.length; i++) h = BigInt.asIntN(32, h * 31n + BigInt(text.charCodeAt(i)))
        expect(javaStringHashCode(text)).toBe(Number(h))
      }),
    )
  })

  it('kthSmallest selects as a sort does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 300 }),
        fc.nat(),
        (values, pick) => {
          const k = pick % values.length
          const sorted = [...values].sort((a, b) => a - b)
          expect(kthSmallest(Float64Array.from(values), values.length, k)).toBe(sorted[k])
        },
      ),
    )
  })
})

describe('FrequentItemsSketch', () => {
  it('counts exactly while the distinct items fit', () => {
    const sketch = new FrequentItemsSketch({ maxMapSize: 64 })
    for (let i = 0; i < 48; i++) sketch.update(`k${i}`, i + 1)
    expect(sketch.getMaximumError()).toBe(0)
    for (let i = 0; i < 48; i++) expect(sketch.getEstimate(`k${i}`)).toBe(i + 1)
    expect(sketch.getEstimate('absent')).toBe(0)
    expect(sketch.getUpperBound('absent')).toBe(0)
    expect(sketch.getStreamLength()).toBe((48 * 49) / 2)
  })

  it('bounds always contain the true count on seeded Zipf streams (many seeds)', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const random = seeded(seed)
      const maxMapSize = [8, 16, 64, 256][seed % 4] as number
      const universe = 500 + Math.floor(random() * 3000)
      const { items, weights, truth } = zipfStream(
        seed,
        20_000,
        universe,
        0.8 + random(),
        seed % 3 === 0 ? 5 : 1,
      )
      const sketch = new FrequentItemsSketch({ maxMapSize })
      for (let i = 0; i < items.length; i++) sketch.update(items[i] as string, weights[i])
      const n = sketch.getStreamLength()
      expect(n).toBe(weights.reduce((a, b) => a + b, 0))
      checkBounds(sketch, truth, universe)
      // the a-priori guarantee: error ≤ 3.5 / maxMapSize · N
      expect(sketch.getMaximumError()).toBeLessThanOrEqual((3.5 / maxMapSize) * n)
      expect(sketch.numActiveItems).toBeLessThanOrEqual(0.75 * maxMapSize)
    }
  })

  it('answers no-false-positives and no-false-negatives queries as documented', () => {
    for (let seed = 100; seed < 130; seed++) {
      const random = seeded(seed)
      const { items, truth } = zipfStream(seed, 10_000, 2000, 1.1)
      const sketch = new FrequentItemsSketch({ maxMapSize: 32 })
      for (const item of items) sketch.update(item)
      const error = sketch.getMaximumError()
      for (const threshold of [
        undefined,
        error,
        error + Math.floor(random() * 200),
        Math.floor(random() * 50),
      ]) {
        const limit = Math.max(threshold ?? 0, error)
        const positives = sketch.getFrequentItems(ErrorType.NO_FALSE_POSITIVES, threshold)
        for (const row of positives) expect(truth.get(row.item)).toBeGreaterThanOrEqual(limit)
        const negatives = sketch.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES, threshold)
        const returned = new Set(negatives.map((row) => row.item))
        for (const [item, count] of truth) if (count > limit) expect(returned.has(item)).toBe(true)
        for (const rows of [positives, negatives])
          for (let i = 1; i < rows.length; i++)
            expect((rows[i - 1] as { estimate: number }).estimate).toBeGreaterThanOrEqual(
              (rows[i] as { estimate: number }).estimate,
            )
      }
    }
  })

  it('merges within bounds in any order (commutative, associative)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 2, max: 5 }), (seed, shards) => {
        const { items, truth } = zipfStream(seed, 6000, 1500, 1.0)
        const parts = Array.from({ length: shards }, () => new FrequentItemsSketch({ maxMapSize: 64 }))
        for (const [i, item] of items.entries()) parts[i % shards]?.update(item)
        const orders = [parts.map((_, i) => i), parts.map((_, i) => shards - 1 - i)]
        for (const order of orders) {
          const merged = new FrequentItemsSketch({ maxMapSize: 64 })
          for (const i of order) merged.merge(parts[i] as FrequentItemsSketch)
          expect(merged.getStreamLength()).toBe(items.length)
          checkBounds(merged, truth, 1500)
        }
        // associativity: (a ∪ b) ∪ c and a ∪ (b ∪ c) both keep the bounds
        const left = FrequentItemsSketch.fromBytes((parts[0] as FrequentItemsSketch).toBytes())
        left.merge(parts[1] as FrequentItemsSketch)
        const right = FrequentItemsSketch.fromBytes((parts[1] as FrequentItemsSketch).toBytes())
        const partial = new Map<string, number>()
        items.forEach((item, i) => {
          if (i % shards < 2) partial.set(item, (partial.get(item) ?? 0) + 1)
        })
        const a = new FrequentItemsSketch({ maxMapSize: 64 })
        a.merge(parts[0] as FrequentItemsSketch)
        a.merge(right)
        checkBounds(left, partial, 1500)
        checkBounds(a, partial, 1500)
      }),
      { numRuns: 25 },
    )
  })

  it('shard-then-merge equals one sketch exactly while nothing is purged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(40), fc.integer({ min: 1, max: 9 })), { maxLength: 300 }),
        fc.nat(3),
        (updates, cut) => {
          const whole = new FrequentItemsSketch({ maxMapSize: 64 })
          const shards = [0, 1, 2, 3].map(() => new FrequentItemsSketch({ maxMapSize: 64 }))
          updates.forEach(([key, count], i) => {
            whole.update(`key-${key}`, count)
            shards[(i + cut) % 4]?.update(`key-${key}`, count)
          })
          const merged = new FrequentItemsSketch({ maxMapSize: 64 })
          for (const shard of [...shards].reverse()) merged.merge(shard)
          const view = (s: FrequentItemsSketch) =>
            s
              .getFrequentItems(ErrorType.NO_FALSE_NEGATIVES, 0)
              .map((r) => `${r.item}:${r.estimate}`)
              .sort()
          expect(view(merged)).toEqual(view(whole))
          expect(merged.getMaximumError()).toBe(0)
          expect(merged.getStreamLength()).toBe(whole.getStreamLength())
        },
      ),
    )
  })

  it('round-trips through its image (same items, bounds, stream length and error)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.integer({ min: 1, max: 1000 })),
          { maxLength: 400 },
        ),
        fc.constantFrom(8, 16, 64, 1024),
        (updates, maxMapSize) => {
          const sketch = new FrequentItemsSketch({ maxMapSize })
          for (const [item, count] of updates) sketch.update(item, count)
          const copy = FrequentItemsSketch.fromBytes(sketch.toBytes())
          // the reader reinserts items in image order, as DataSketches does, so ties may be listed
          // in another order (and a wrapped-around cluster may be laid out differently)
          const canonical = (s: FrequentItemsSketch) => {
            const json = s.toJSON()
            return { ...json, items: [...json.items].sort((a, b) => (a.item < b.item ? -1 : 1)) }
          }
          expect(canonical(copy)).toEqual(canonical(sketch))
          expect(copy.maxMapSize).toBe(maxMapSize)
          expect(copy.toBytes().length).toBe(sketch.toBytes().length)
          for (const [item] of updates) expect(copy.getUpperBound(item)).toBe(sketch.getUpperBound(item))
        },
      ),
      { numRuns: 200 },
    )
  })

  it('merges into itself by doubling', () => {
    const sketch = new FrequentItemsSketch({ maxMapSize: 16 })
    for (let i = 0; i < 200; i++) sketch.update(`k${i % 30}`)
    const before = sketch.getStreamLength()
    sketch.merge(sketch)
    expect(sketch.getStreamLength()).toBe(2 * before)
  })

  it('rejects bad arguments with ERR_INVALID_ARGUMENT', () => {
    const sketch = new FrequentItemsSketch()
    expect(sketch.maxMapSize).toBe(1024)
    for (const bad of [
      () => new FrequentItemsSketch({ maxMapSize: 100 }),
      () => new FrequentItemsSketch({ lgMaxMapSize: 2 }),
    ])
      expect(bad).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    expect(() => sketch.update('a', -1)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    expect(() => sketch.update('a', 1.5)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    expect(() => sketch.update(3 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    expect(() => sketch.getFrequentItems('SOME' as ErrorType)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    sketch.update('a', 0)
    expect(sketch.isEmpty).toBe(true)
    expect(() => sketch.merge(new FrequentLongsSketch() as unknown as FrequentItemsSketch)).toThrow(
      expect.objectContaining({ code: 'ERR_INCOMPATIBLE_SKETCH' }),
    )
  })

  it('does not keep alive the chunks its keys were cut from', () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const sketch = new FrequentItemsSketch({ maxMapSize: 64 })
    gc()
    const before = process.memoryUsage().heapUsed
    for (let r = 0; r < 20; r++) {
      // a 4 MB chunk per round; keep a 40-character key cut from it
      const chunk = `${'x'.repeat(1000)}key ${r} ${'y'.repeat(40)}${'x'.repeat(4_000_000)}`
      sketch.update(chunk.slice(1000, 1040))
    }
    gc()
    const grown = process.memoryUsage().heapUsed - before
    expect(sketch.numActiveItems).toBe(20)
    expect(grown).toBeLessThan(8_000_000)
  })
})

describe('FrequentLongsSketch', () => {
  it('accepts bigints and safe integers as the same 64-bit items', () => {
    const sketch = new FrequentLongsSketch({ maxMapSize: 16 })
    for (const item of [0, -1, 2 ** 53 - 1, -(2 ** 53) + 1, 4294967296, -4294967297]) {
      sketch.update(item, 2)
      sketch.update(BigInt(item), 3)
      expect(sketch.getEstimate(item)).toBe(5)
    }
    sketch.update(-(1n << 63n))
    sketch.update((1n << 63n) - 1n)
    expect(sketch.getEstimate(-(1n << 63n))).toBe(1)
    const items = sketch.getFrequentItems(ErrorType.NO_FALSE_POSITIVES).map((row) => row.item)
    expect(items).toContain(-4294967297n)
    expect(() => sketch.update(1n << 63n)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    expect(() => sketch.update(0.5)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    expect(JSON.parse(JSON.stringify(sketch)).items[0].item).toMatch(/^-?\d+$/)
  })

  it('bounds contain the true counts, through merges and images', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { items, truth } = zipfStream(seed, 10_000, 1000, 1.0)
      const a = new FrequentLongsSketch({ maxMapSize: 32 })
      const b = new FrequentLongsSketch({ maxMapSize: 64 })
      for (const [i, item] of items.entries()) (i % 2 ? a : b).update(Number(item.slice(6)) - 500)
      a.merge(FrequentLongsSketch.fromBytes(b.toBytes()))
      expect(a.getStreamLength()).toBe(items.length)
      for (let k = 0; k < 1000; k++) {
        const count = truth.get(`/path/${k}`) ?? 0
        expect(a.getLowerBound(k - 500)).toBeLessThanOrEqual(count)
        expect(a.getUpperBound(BigInt(k - 500))).toBeGreaterThanOrEqual(count)
      }
    }
  })
})
