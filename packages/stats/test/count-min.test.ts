import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CountMinSketch } from '../src/frequency/count-min-sketch.js'
import { KeyHasher } from '../src/hash/key-hasher.js'
import { hex, zipfStream } from './frequency-streams.js'

describe('CountMinSketch', () => {
  it('sizes itself from ε and δ as w = ⌈e/ε⌉, d = ⌈ln 1/δ⌉', () => {
    const sketch = new CountMinSketch()
    expect([sketch.width, sketch.depth]).toEqual([2719, 5])
    const small = new CountMinSketch({ epsilon: 0.01, delta: 0.05 })
    expect([small.width, small.depth]).toEqual([272, 3])
    expect(small.epsilon).toBeLessThanOrEqual(0.01)
    expect(small.delta).toBeLessThanOrEqual(0.05)
    expect(new CountMinSketch({ width: 10, depth: 2 }).toJSON()).toMatchObject({
      width: 10,
      depth: 2,
      totalCount: 0,
    })
  })

  it('never underestimates', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.oneof(fc.string(), fc.integer(), fc.bigInt()), fc.integer({ min: 0, max: 50 })),
          {
            maxLength: 300,
          },
        ),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 6 }),
        (updates, width, depth) => {
          const sketch = new CountMinSketch({ width, depth })
          const truth = new Map<string, number>()
          for (const [key, count] of updates) {
            sketch.update(key, count)
            const id = `${typeof key}:${key}`
            truth.set(id, (truth.get(id) ?? 0) + count)
          }
          for (const [key] of updates)
            expect(sketch.estimate(key)).toBeGreaterThanOrEqual(truth.get(`${typeof key}:${key}`) ?? 0)
          expect(sketch.totalCount).toBe(updates.reduce((sum, [, count]) => sum + count, 0))
        },
      ),
    )
  })

  it('stays within εN with probability at least 1 − δ (over many seeds)', () => {
    const epsilon = 0.01
    const delta = 0.05
    let queries = 0
    let misses = 0
    for (let seed = 1; seed <= 200; seed++) {
      const { items, truth } = zipfStream(seed, 5000, 2000, 0.9)
      const sketch = new CountMinSketch({ epsilon, delta, seed: seed * 7919 })
      for (const item of items) sketch.update(item)
      const bound = epsilon * sketch.totalCount
      for (let k = 0; k < 2000; k++) {
        const key = `/path/${k}`
        const error = sketch.estimate(key) - (truth.get(key) ?? 0)
        expect(error).toBeGreaterThanOrEqual(0)
        queries++
        if (error > bound) misses++
      }
    }
    expect(misses / queries).toBeLessThanOrEqual(delta)
  })

  it('accepts the 128-bit hash computed once for other sketches', () => {
    const hasher = new KeyHasher()
    const byKey = new CountMinSketch({ width: 100, depth: 4 })
    const byHash = new CountMinSketch({ width: 100, depth: 4 })
    for (let i = 0; i < 500; i++) {
      byKey.update(`k${i % 37}`, 2)
      byHash.updateHash(hasher.hash(`k${i % 37}`), 2)
    }
    expect(hex(byHash.toBytes())).toBe(hex(byKey.toBytes()))
    expect(byHash.estimate(hasher.hash('k3'))).toBe(byKey.estimate('k3'))
  })

  it('merges exactly: shard-then-merge equals one sketch, in any order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.integer({ min: 0, max: 1000 })), {
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 4 }),
        (updates, shards) => {
          const whole = new CountMinSketch({ width: 50, depth: 3 })
          const parts = Array.from({ length: shards }, () => new CountMinSketch({ width: 50, depth: 3 }))
          updates.forEach(([key, count], i) => {
            whole.update(key, count)
            parts[i % shards]?.update(key, count)
          })
          const forward = new CountMinSketch({ width: 50, depth: 3 })
          for (const part of parts) forward.merge(part)
          const backward = new CountMinSketch({ width: 50, depth: 3 })
          for (const part of [...parts].reverse()) backward.merge(part)
          expect(hex(forward.toBytes())).toBe(hex(whole.toBytes()))
          expect(hex(backward.toBytes())).toBe(hex(whole.toBytes()))
        },
      ),
    )
  })

  it('merges associatively', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.nat(100)), { maxLength: 50 }), {
          minLength: 3,
          maxLength: 3,
        }),
        ([a, b, c]) => {
          const build = (updates: [string, number][]) => {
            const sketch = new CountMinSketch({ width: 31, depth: 4 })
            for (const [key, count] of updates) sketch.update(key, count)
            return sketch
          }
          const left = build(a as [string, number][])
          left.merge(build(b as [string, number][]))
          left.merge(build(c as [string, number][]))
          const inner = build(b as [string, number][])
          inner.merge(build(c as [string, number][]))
          const right = build(a as [string, number][])
          right.merge(inner)
          expect(hex(left.toBytes())).toBe(hex(right.toBytes()))
        },
      ),
    )
  })

  it('round-trips through its image byte for byte', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string(), fc.double({ min: 0, max: 1e6, noNaN: true })), { maxLength: 100 }),
        (updates) => {
          const sketch = new CountMinSketch({ width: 20, depth: 3, seed: 42 })
          for (const [key, count] of updates) sketch.update(key, count)
          const image = sketch.toBytes()
          const copy = CountMinSketch.fromBytes(image)
          expect(hex(copy.toBytes())).toBe(hex(image))
          expect(copy.toJSON()).toEqual(sketch.toJSON())
        },
      ),
    )
  })

  it('refuses to merge other shapes or seeds, and bad arguments', () => {
    const sketch = new CountMinSketch({ width: 10, depth: 2 })
    for (const other of [
      new CountMinSketch({ width: 11, depth: 2 }),
      new CountMinSketch({ width: 10, depth: 3 }),
      new CountMinSketch({ width: 10, depth: 2, seed: 1 }),
    ])
      expect(() => sketch.merge(other)).toThrow(expect.objectContaining({ code: 'ERR_INCOMPATIBLE_SKETCH' }))
    for (const bad of [
      () => new CountMinSketch({ epsilon: 0 }),
      () => new CountMinSketch({ delta: 1 }),
      () => new CountMinSketch({ width: 0 }),
      () => new CountMinSketch({ width: 1 << 20, depth: 100 }),
      () => new CountMinSketch({ epsilon: 0.1, width: 10 }),
      () => sketch.update('a', -1),
      () => sketch.update('a', Number.NaN),
      () => sketch.update(0.5),
    ])
      expect(bad).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
  })
})
