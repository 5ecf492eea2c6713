import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DecayedCounter } from '../src/counters/decayed-counter.js'
import { hex, seeded, zipf } from './frequency-streams.js'

const HALF_LIFE = 60_000
const BASE = 1_700_000_000_000

/** Σ count · 2^(−(at − t) / halfLife) per key. */
function naive(events: [string, number, number][], at: number, halfLife = HALF_LIFE): Map<string, number> {
  const out = new Map<string, number>()
  for (const [key, t, count] of events)
    out.set(key, (out.get(key) ?? 0) + count * 2 ** (-(at - t) / halfLife))
  return out
}

const near = (actual: number, expected: number, tolerance = 1e-9) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(
    tolerance * Math.max(1e-300, Math.abs(expected)) + 1e-300,
  )

const eventsArb = fc.array(
  fc.tuple(
    fc.constantFrom('a', 'b', 'c', 'd', 'e'),
    fc.integer({ min: 0, max: 3_600_000 }),
    fc.integer({ min: 1, max: 9 }),
  ),
  { minLength: 1, maxLength: 200 },
)

/** A Zipf stream of keys over time (some out of order). */
function trending(seed: number, length: number): [string, number, number][] {
  const random = seeded(seed)
  const next = zipf(400, 1.1, random)
  return Array.from({ length }, (_, i): [string, number, number] => {
    // later ranks trend later: shift the rank by time
    const t = BASE + i * 100 + Math.floor(random() * 5000)
    return [`k${(next() + Math.floor(i / 2000)) % 400}`, t, 1]
  })
}

describe('DecayedCounter', () => {
  it('is exact (forward decay) while the keys fit, in any arrival order', () => {
    fc.assert(
      fc.property(eventsArb, fc.integer({ min: 0, max: 600_000 }), (offsets, after) => {
        const events = offsets.map(([k, t, c]): [string, number, number] => [k, BASE + t, c])
        const counter = new DecayedCounter({ halfLifeMs: HALF_LIFE, capacity: 8 })
        for (const [key, t, count] of events) counter.update(key, t, count)
        const at = Math.max(...events.map(([, t]) => t)) + after
        const truth = naive(events, at)
        for (const [key, value] of truth) near(counter.estimate(key, at), value)
        near(
          counter.total(at),
          [...truth.values()].reduce((a, b) => a + b, 0),
        )
        expect(counter.maximumError(at)).toBe(0)
        const largest = [...truth.values()].sort((x, y) => y - x).slice(0, 2)
        for (const [i, row] of counter.top(2, at).entries()) near(row.estimate, largest[i] as number)
      }),
    )
  })

  it('stays exact over a thousand half-lives (the landmark moves forward)', () => {
    const counter = new DecayedCounter({ halfLifeMs: 1000, capacity: 4 })
    const events: [string, number, number][] = []
    for (let s = 0; s < 1000; s++) {
      events.push(['x', BASE + s * 1000, 1], ['y', BASE + s * 1000 + 500, 2])
      counter.update('x', BASE + s * 1000)
      counter.update('y', BASE + s * 1000 + 500, 2)
    }
    const at = BASE + 1_000_000
    const truth = naive(events, at, 1000)
    near(counter.estimate('x', at), truth.get('x') as number)
    near(counter.estimate('y', at), truth.get('y') as number)
    expect(Number.isFinite(counter.total())).toBe(true)
  })

  it('bounds contain the true decayed counts beyond capacity (many seeds)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const events = trending(seed, 20_000)
      const counter = new DecayedCounter({ halfLifeMs: 30_000, capacity: 64 })
      for (const [key, t, count] of events) counter.update(key, t, count)
      const at = Math.max(...events.map(([, t]) => t))
      const truth = naive(events, at, 30_000)
      const error = counter.maximumError(at)
      for (let k = 0; k < 400; k++) {
        const key = `k${k}`
        const value = truth.get(key) ?? 0
        expect(counter.lowerBound(key, at)).toBeLessThanOrEqual(value * (1 + 1e-9) + 1e-12)
        expect(counter.upperBound(key, at)).toBeGreaterThanOrEqual(value * (1 - 1e-9))
        // no false negatives: a key above the maximum error is tracked
        if (value > error * (1 + 1e-9)) expect(counter.lowerBound(key, at)).toBeGreaterThan(0)
      }
      expect(counter.size).toBeLessThanOrEqual(64)
      near(
        counter.total(at),
        [...truth.values()].reduce((a, b) => a + b, 0),
        1e-6,
      )
    }
  })

  it('merges: shard-then-merge equals one counter while the keys fit, in any order', () => {
    fc.assert(
      fc.property(eventsArb, fc.integer({ min: 2, max: 4 }), fc.boolean(), (offsets, shards, reverse) => {
        const events = offsets.map(([k, t, c]): [string, number, number] => [k, BASE + t, c])
        const whole = new DecayedCounter({ halfLifeMs: HALF_LIFE, capacity: 8 })
        for (const [key, t, count] of events) whole.update(key, t, count)
        const parts = Array.from(
          { length: shards },
          () => new DecayedCounter({ halfLifeMs: HALF_LIFE, capacity: 8 }),
        )
        for (const [i, [key, t, count]] of events.entries()) parts[i % shards]?.update(key, t, count)
        const merged = new DecayedCounter({ halfLifeMs: HALF_LIFE, capacity: 8 })
        for (const part of reverse ? [...parts].reverse() : parts)
          merged.merge(DecayedCounter.fromBytes(part.toBytes()))
        const at = BASE + 4_000_000
        expect(merged.latestMs).toBe(whole.latestMs)
        for (const key of ['a', 'b', 'c', 'd', 'e']) near(merged.estimate(key, at), whole.estimate(key, at))
        near(merged.total(at), whole.total(at))
      }),
    )
  })

  it('merges within bounds beyond capacity', () => {
    const events = trending(7, 20_000)
    const parts = [0, 1, 2].map(() => new DecayedCounter({ halfLifeMs: 30_000, capacity: 64 }))
    for (const [i, [key, t, count]] of events.entries()) parts[i % 3]?.update(key, t, count)
    const merged = new DecayedCounter({ halfLifeMs: 30_000, capacity: 64 })
    for (const part of parts) merged.merge(part)
    const at = Math.max(...events.map(([, t]) => t))
    const truth = naive(events, at, 30_000)
    for (let k = 0; k < 400; k++) {
      const value = truth.get(`k${k}`) ?? 0
      expect(merged.lowerBound(`k${k}`, at)).toBeLessThanOrEqual(value * (1 + 1e-9) + 1e-12)
      expect(merged.upperBound(`k${k}`, at)).toBeGreaterThanOrEqual(value * (1 - 1e-9))
    }
  })

  it('round-trips through its image byte for byte', () => {
    fc.assert(
      fc.property(eventsArb, fc.integer({ min: 1, max: 8 }), (offsets, capacity) => {
        const counter = new DecayedCounter({ halfLifeMs: HALF_LIFE, capacity })
        for (const [key, t, count] of offsets) counter.update(key, BASE + t, count)
        const image = counter.toBytes()
        const copy = DecayedCounter.fromBytes(image)
        expect(hex(copy.toBytes())).toBe(hex(image))
        expect(copy.toJSON()).toEqual(counter.toJSON())
      }),
    )
    const empty = new DecayedCounter()
    expect(DecayedCounter.fromBytes(empty.toBytes()).toJSON()).toEqual(empty.toJSON())
  })

  it('rejects bad arguments and other half-lives', () => {
    const counter = new DecayedCounter()
    for (const bad of [
      () => new DecayedCounter({ halfLifeMs: 0 }),
      () => new DecayedCounter({ capacity: 0 }),
      () => counter.update('a', Number.NaN),
      () => counter.update('a', BASE, -1),
    ])
      expect(bad).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    expect(() => counter.merge(new DecayedCounter({ halfLifeMs: 1 }))).toThrow(
      expect.objectContaining({ code: 'ERR_INCOMPATIBLE_SKETCH' }),
    )
  })
})
