import { isShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { KeyHasher } from '../src/hash/key-hasher.js'
import { HllSketch } from '../src/hll/hll-sketch.js'

const TYPES = ['HLL_4', 'HLL_6', 'HLL_8'] as const
type Type = (typeof TYPES)[number]

function sketchOf(keys: Iterable<number | string>, lgK = 12, targetType: Type = 'HLL_4'): HllSketch {
  const sketch = new HllSketch({ lgK, targetType })
  for (const key of keys) sketch.update(key)
  return sketch
}

function range(from: number, to: number): number[] {
  const out: number[] = []
  for (let i = from; i < to; i++) out.push(i)
  return out
}

/** A compact image with the coupons of a SET sorted (a re-read set may list them in another order). */
function canonical(image: Uint8Array): Uint8Array {
  const out = image.slice()
  if (out[0] === 3 && out.length > 12) {
    const coupons = new Uint32Array(out.buffer.slice(12))
    coupons.sort()
    out.set(new Uint8Array(coupons.buffer), 12)
  }
  return out
}

describe('HllSketch basics', () => {
  it('defaults to lgK 12 and HLL_4, empty', () => {
    const sketch = new HllSketch()
    expect(sketch.lgK).toBe(12)
    expect(sketch.targetType).toBe('HLL_4')
    expect(sketch.isEmpty).toBe(true)
    expect(sketch.estimate).toBe(0)
    expect(sketch.lowerBound()).toBe(0)
    expect(sketch.upperBound()).toBe(0)
    expect(sketch.toJSON()).toMatchObject({ kind: 'hll', mode: 'LIST', empty: true, estimate: 0 })
  })

  it('rejects bad options and arguments with ERR_INVALID_ARGUMENT', () => {
    for (const make of [
      () => new HllSketch({ lgK: 3 }),
      () => new HllSketch({ lgK: 22 }),
      () => new HllSketch({ lgK: 12.5 }),
      () => new HllSketch({ targetType: 'HLL_5' as Type }),
      () => new HllSketch().lowerBound(4),
      () => new HllSketch().upperBound(0),
      () => new HllSketch().update(1.5),
      () => new HllSketch().update(2 ** 60),
    ]) {
      let error: unknown
      try {
        make()
      } catch (e) {
        error = e
      }
      expect(isShoalError(error) && error.code === 'ERR_INVALID_ARGUMENT').toBe(true)
    }
  })

  it('ignores empty strings and byte arrays, as DataSketches does', () => {
    const sketch = new HllSketch()
    sketch.update('')
    sketch.update(new Uint8Array(0))
    expect(sketch.isEmpty).toBe(true)
  })

  it('counts exactly while in LIST and SET modes, and moves LIST → SET → HLL', () => {
    const sketch = new HllSketch({ lgK: 12 })
    const seen: string[] = []
    for (let i = 0; i < 1000; i++) {
      sketch.update(`key-${i}`)
      sketch.update(`key-${i}`)
      seen.push(sketch.mode)
      if (sketch.mode !== 'HLL') expect(sketch.estimate / (i + 1)).toBeCloseTo(1, 5)
    }
    expect(seen.indexOf('SET')).toBe(7) // the list holds 7; the 8th coupon fills it
    expect(seen.indexOf('HLL')).toBe(384) // the 385th coupon fills the set past 3/4 of 2^(lgK−3)
    expect(Math.abs(sketch.estimate - 1000) / 1000).toBeLessThan(0.05)
  })

  it('skips the SET mode below lgK 8', () => {
    const sketch = sketchOf(range(0, 8), 7)
    expect(sketch.mode).toBe('HLL')
    expect(sketch.estimate).toBeCloseTo(8, 0)
  })

  it('is the same whether fed keys or their hashes (hash once, feed many)', () => {
    const hasher = new KeyHasher()
    const a = new HllSketch({ targetType: 'HLL_8' })
    const b = new HllSketch({ targetType: 'HLL_4' })
    const c = new HllSketch({ targetType: 'HLL_8' })
    for (let i = 0; i < 20000; i++) {
      const key = `10.0.${i >> 8}.${i & 255}|agent ${i % 7}`
      const hash = hasher.hash(key)
      a.updateHash(hash)
      b.updateHash(hash)
      c.update(key)
    }
    expect(a.estimate).toBe(c.estimate)
    expect(b.estimate).toBe(c.estimate)
    expect(a.toBytes()).toEqual(c.toBytes())
  })

  it('gives the same estimates and bounds for all three target types', () => {
    for (const n of [5, 300, 5000, 200000]) {
      const [a, b, c] = TYPES.map((t) => sketchOf(range(0, n), 11, t)) as [HllSketch, HllSketch, HllSketch]
      expect(b.estimate).toBe(a.estimate)
      expect(c.estimate).toBe(a.estimate)
      expect(c.lowerBound(3)).toBe(a.lowerBound(3))
      expect(c.upperBound(1)).toBe(a.upperBound(1))
      expect(a.copy('HLL_8').toBytes()).toEqual(c.toBytes())
      expect(c.copy('HLL_4').toBytes()).toEqual(a.toBytes())
      expect(a.copy('HLL_6').toBytes()).toEqual(b.toBytes())
    }
  })

  it('keeps exceptions right when HLL_4 registers run far above the minimum', () => {
    // lgK 4: 16 registers, millions of keys: cur-min climbs and some registers sit ≥ 15 above it
    const a = sketchOf(range(0, 3_000_000), 4, 'HLL_4')
    const b = sketchOf(range(0, 3_000_000), 4, 'HLL_8')
    expect(a.estimate).toBe(b.estimate)
    expect(a.copy('HLL_8').toBytes()).toEqual(b.toBytes())
    expect(HllSketch.fromBytes(a.toBytes()).toBytes()).toEqual(a.toBytes())
  })

  it('bounds bracket the estimate and widen with the number of standard deviations', () => {
    for (const n of [3, 100, 3000, 100000]) {
      const sketch = sketchOf(range(0, n), 10)
      const lows = [1, 2, 3].map((sd) => sketch.lowerBound(sd))
      const highs = [1, 2, 3].map((sd) => sketch.upperBound(sd))
      expect(lows[0]).toBeLessThanOrEqual(sketch.estimate)
      expect(highs[0]).toBeGreaterThanOrEqual(sketch.estimate)
      expect(lows[2]).toBeLessThanOrEqual(lows[0] as number)
      expect(highs[2]).toBeGreaterThanOrEqual(highs[0] as number)
    }
  })

  it('resets and copies independently', () => {
    const sketch = sketchOf(range(0, 5000))
    const copy = sketch.copy()
    sketch.reset()
    expect(sketch.isEmpty).toBe(true)
    expect(copy.estimate).toBeGreaterThan(4500)
  })
})

describe('HllSketch accuracy', () => {
  it('stays within 3σ of its RSE over many seeds (HIP, and composite after merges)', () => {
    for (const lgK of [8, 10, 12]) {
      const k = 2 ** lgK
      const hipRse = Math.sqrt(Math.log(2)) / Math.sqrt(k)
      const compositeRse = 1.04 / Math.sqrt(k)
      for (const n of [10 * k, 3 * k]) {
        let squares = 0
        let mergedSquares = 0
        const seeds = 24
        for (let seed = 0; seed < seeds; seed++) {
          const whole = new HllSketch({ lgK, targetType: TYPES[seed % 3] })
          const left = new HllSketch({ lgK, targetType: 'HLL_8' })
          const right = new HllSketch({ lgK, targetType: 'HLL_4' })
          for (let i = 0; i < n; i++) {
            const key = `s${seed}-k${i}`
            whole.update(key)
            ;(i % 3 === 0 ? left : right).update(key)
          }
          left.merge(right)
          const error = whole.estimate / n - 1
          const mergedError = left.estimate / n - 1
          expect(Math.abs(error)).toBeLessThan(3 * hipRse)
          expect(Math.abs(mergedError)).toBeLessThan(3 * compositeRse)
          squares += error * error
          mergedSquares += mergedError * mergedError
        }
        expect(Math.sqrt(squares / seeds)).toBeLessThan(1.5 * hipRse)
        expect(Math.sqrt(mergedSquares / seeds)).toBeLessThan(1.5 * compositeRse)
      }
    }
  })
})

describe('HllSketch merge laws', () => {
  const shard = fc.record({
    keys: fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 1500 }),
    type: fc.constantFrom(...TYPES),
  })

  it('is commutative at the same lgK (any target types): exactly for unions of arrays and of coupons', () => {
    fc.assert(
      fc.property(shard, shard, fc.integer({ min: 4, max: 12 }), (a, b, lgK) => {
        const ab = sketchOf(a.keys, lgK, a.type)
        ab.merge(sketchOf(b.keys, lgK, b.type))
        const ba = sketchOf(b.keys, lgK, b.type)
        ba.merge(sketchOf(a.keys, lgK, a.type))
        expect(ab.mode).toBe(ba.mode)
        expect(ab.isOutOfOrder).toBe(ba.isOutOfOrder)
        if (ab.isOutOfOrder || ab.mode !== 'HLL') expect(ab.estimate).toBeCloseTo(ba.estimate, 9)
        else {
          // coupons replayed into HLL registers in another order: HIP estimates differ within bounds
          expect(ab.estimate).toBeGreaterThanOrEqual(ba.lowerBound(3))
          expect(ab.estimate).toBeLessThanOrEqual(ba.upperBound(3))
        }
      }),
      { numRuns: 150 },
    )
  })

  it('is associative within bounds, and shards merge to one sketch over all keys', () => {
    fc.assert(
      fc.property(shard, shard, shard, fc.integer({ min: 6, max: 12 }), (a, b, c, lgK) => {
        const sa = () => sketchOf(a.keys, lgK, a.type)
        const sb = () => sketchOf(b.keys, lgK, b.type)
        const sc = () => sketchOf(c.keys, lgK, c.type)
        const left = sa()
        left.merge(sb())
        left.merge(sc())
        const bc = sb()
        bc.merge(sc())
        const right = sa()
        right.merge(bc)
        const whole = sketchOf([...a.keys, ...b.keys, ...c.keys], lgK, 'HLL_8')
        for (const merged of [left, right]) {
          expect(merged.estimate).toBeGreaterThanOrEqual(whole.lowerBound(3) - 1e-9)
          expect(merged.estimate).toBeLessThanOrEqual(whole.upperBound(3) + 1e-9)
          // the same registers: a merged HLL array is exactly the composite estimate of the whole
          if (merged.isOutOfOrder) expect(merged.estimate).toBeCloseTo(whole.compositeEstimate, 6)
          if (whole.mode !== 'HLL')
            expect(merged.estimate / Math.max(whole.estimate, 1)).toBeCloseTo(whole.isEmpty ? 0 : 1, 6)
        }
        expect(left.isEmpty).toBe(whole.isEmpty)
      }),
      { numRuns: 150 },
    )
  })

  it('merges different lgK at the smaller one, as DataSketches Union does', () => {
    const big = sketchOf(range(0, 40000), 14)
    const small = sketchOf(range(20000, 60000), 10, 'HLL_6')
    const a = big.copy()
    a.merge(small)
    expect(a.lgK).toBe(10)
    expect(a.targetType).toBe('HLL_4')
    const b = small.copy()
    b.merge(big)
    expect(b.lgK).toBe(10)
    expect(b.targetType).toBe('HLL_6')
    expect(a.estimate).toBeCloseTo(b.estimate, 6)
    const rse = 1.04 / Math.sqrt(1024)
    expect(Math.abs(a.estimate / 60000 - 1)).toBeLessThan(3 * rse)
    // a sketch in coupon mode keeps the larger lgK: coupons carry full 26-bit addresses
    const few = sketchOf(range(0, 50), 14)
    few.merge(sketchOf(range(25, 75), 10))
    expect(few.lgK).toBe(14)
    expect(few.estimate / 75).toBeCloseTo(1, 6)
  })

  it('merging an empty sketch changes nothing; merging into an empty one copies', () => {
    const sketch = sketchOf(range(0, 10000))
    const before = sketch.toBytes()
    sketch.merge(new HllSketch({ lgK: 5 }))
    expect(sketch.toBytes()).toEqual(before)
    const empty = new HllSketch()
    empty.merge(sketch)
    expect(empty.estimate).toBe(sketch.estimate)
  })
})

describe('HllSketch images', () => {
  it('round-trips every mode, lgK and target type (estimate and bytes)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 4, max: 14 }),
        fc.constantFrom(...TYPES),
        fc.boolean(),
        (n, lgK, type, merged) => {
          const sketch = sketchOf(range(0, n), lgK, type)
          if (merged) sketch.merge(sketchOf(range(n, 2 * n), lgK, 'HLL_8'))
          const bytes = sketch.toBytes()
          const back = HllSketch.fromBytes(bytes)
          expect(back.estimate).toBe(sketch.estimate)
          expect(back.lowerBound(2)).toBe(sketch.lowerBound(2))
          expect(back.mode).toBe(sketch.mode)
          expect(back.isOutOfOrder).toBe(sketch.isOutOfOrder)
          expect(canonical(back.toBytes())).toEqual(canonical(bytes))
          if (sketch.mode !== 'SET') expect(back.toBytes()).toEqual(bytes)
          const updatable = sketch.toBytes({ updatable: true })
          expect(HllSketch.fromBytes(updatable).toBytes({ updatable: true })).toEqual(updatable)
          expect(HllSketch.fromBytes(updatable).toBytes()).toEqual(bytes)
          // the reread sketch keeps counting like the original
          back.update('one more key')
          sketch.update('one more key')
          expect(back.estimate).toBe(sketch.estimate)
        },
      ),
      { numRuns: 120 },
    )
  })

  it('writes the documented preamble', () => {
    const bytes = sketchOf(range(0, 100000), 12, 'HLL_8').toBytes()
    expect([...bytes.subarray(0, 4)]).toEqual([10, 1, 7, 12])
    expect(bytes[7]).toBe((2 << 2) | 2)
    expect(bytes.length).toBe(40 + 4096)
    const empty = new HllSketch({ lgK: 9, targetType: 'HLL_6' }).toBytes()
    expect([...empty]).toEqual([2, 1, 7, 9, 3, 8 | 4, 0, 1 << 2])
  })

  it('serializes to JSON', () => {
    const json = JSON.parse(JSON.stringify(sketchOf(range(0, 50))))
    expect(json).toMatchObject({ kind: 'hll', lgK: 12, targetType: 'HLL_4', mode: 'SET', empty: false })
    expect(json.estimate / 50).toBeCloseTo(1, 6)
  })
})
