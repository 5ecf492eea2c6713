import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Rate } from '../src/counters/rate.js'
import { hex, seeded } from './frequency-streams.js'

const BASE = 1_700_000_000_000

/** The Unix load-average recurrence, tick by tick, as the oracle. */
function naive(events: [number, number][], seconds: number) {
  const head = Math.max(...events.map(([t]) => Math.floor(t / 1000)))
  const ticks = new Map<number, number>()
  const perSecond = new Float64Array(seconds)
  for (const [t, count] of events) {
    const second = Math.floor(t / 1000)
    const tick = Math.floor(second / 5)
    ticks.set(tick, (ticks.get(tick) ?? 0) + count)
    if (second > head - seconds) {
      const at = second - (head - seconds + 1)
      perSecond[at] = (perSecond[at] as number) + count
    }
  }
  const first = Math.min(...ticks.keys())
  const averages = [60, 300, 900].map((window) => {
    const decay = Math.exp(-5 / window)
    let average = 0
    for (let tick = first; tick <= Math.floor(head / 5) - 1; tick++)
      average = average * decay + ((ticks.get(tick) ?? 0) / 5) * (1 - decay)
    return average
  })
  return { head, perSecond, averages }
}

const closeTo = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)))

const eventsArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 3_600_000 }), fc.integer({ min: 1, max: 5 })), {
  minLength: 1,
  maxLength: 300,
})

describe('Rate', () => {
  it('keeps per-second counts and Unix-style 1/5/15-minute averages of event time', () => {
    fc.assert(
      fc.property(eventsArb, (offsets) => {
        const events = offsets.map(([t, c]): [number, number] => [BASE + t, c]).sort((a, b) => a[0] - b[0])
        const rate = new Rate()
        for (const [t, count] of events) rate.update(t, count)
        const oracle = naive(events, 900)
        expect(rate.latestSecond).toBe(oracle.head)
        expect(Array.from(rate.perSecond())).toEqual(Array.from(oracle.perSecond))
        const { m1, m5, m15 } = rate.averages()
        closeTo(m1, oracle.averages[0] as number)
        closeTo(m5, oracle.averages[1] as number)
        closeTo(m15, oracle.averages[2] as number)
        expect(rate.total).toBe(events.reduce((sum, [, c]) => sum + c, 0))
        expect(rate.late).toBe(0)
        expect(rate.count(60)).toBe(Array.from(oracle.perSecond.subarray(840)).reduce((a, b) => a + b, 0))
      }),
      { numRuns: 200 },
    )
  })

  it('gives the same result for events shuffled within the history as for sorted ones', () => {
    fc.assert(
      fc.property(eventsArb, fc.integer({ min: 1, max: 2 ** 31 }), (offsets, seed) => {
        const sorted = offsets.map(([t, c]): [number, number] => [BASE + t, c]).sort((a, b) => a[0] - b[0])
        // displace each event by at most 2 minutes, well within the 15-minute history
        const random = seeded(seed)
        const shuffled = sorted
          .map((event, i) => ({ event, key: (sorted[i]?.[0] as number) + random() * 120_000 }))
          .sort((a, b) => a.key - b.key)
          .map(({ event }) => event)
        const a = new Rate()
        for (const [t, c] of sorted) a.update(t, c)
        const b = new Rate()
        for (const [t, c] of shuffled) b.update(t, c)
        expect(Array.from(b.perSecond())).toEqual(Array.from(a.perSecond()))
        expect(b.late).toBe(0)
        const [x, y] = [a.averages(), b.averages()]
        closeTo(y.m1, x.m1)
        closeTo(y.m5, x.m5)
        closeTo(y.m15, x.m15)
      }),
      { numRuns: 200 },
    )
  })

  it('counts events older than the history as late and drops them', () => {
    const rate = new Rate({ seconds: 10 })
    rate.update(BASE + 100_000)
    rate.update(BASE + 91_000)
    rate.update(BASE + 90_999, 4)
    expect(rate.total).toBe(2)
    expect(rate.late).toBe(4)
    expect(rate.count()).toBe(2)
  })

  it('decays while idle when time is moved forward', () => {
    const rate = new Rate()
    for (let s = 0; s < 600; s++) rate.update(BASE + s * 1000, 10)
    expect(rate.averages().m1).toBeGreaterThan(9.9)
    rate.advanceTo(BASE + 600_000 + 15 * 60_000)
    expect(rate.averages().m1).toBeLessThan(1e-5)
    expect(rate.averages().m15).toBeLessThan(4)
    expect(rate.count()).toBe(0)
    expect(rate.total).toBe(6000)
  })

  it('merges: shard-then-merge equals one Rate, in any order', () => {
    fc.assert(
      fc.property(eventsArb, fc.integer({ min: 2, max: 4 }), fc.boolean(), (offsets, shards, reverse) => {
        // each shard (a web node) sees its own events in time order
        const events = offsets.map(([t, c]): [number, number] => [BASE + t, c]).sort((a, b) => a[0] - b[0])
        const whole = new Rate({ seconds: 300 })
        for (const [t, c] of events) whole.update(t, c)
        const parts = Array.from({ length: shards }, () => new Rate({ seconds: 300 }))
        for (const [i, [t, c]] of events.entries()) parts[(i * 7) % shards]?.update(t, c)
        const merged = new Rate({ seconds: 300 })
        for (const part of reverse ? [...parts].reverse() : parts)
          merged.merge(Rate.fromBytes(part.toBytes()))
        expect(merged.late).toBe(0)
        expect(merged.latestSecond).toBe(whole.latestSecond)
        expect(Array.from(merged.perSecond())).toEqual(Array.from(whole.perSecond()))
        expect(merged.total).toBe(whole.total)
        const [x, y] = [whole.averages(), merged.averages()]
        closeTo(y.m1, x.m1)
        closeTo(y.m5, x.m5)
        closeTo(y.m15, x.m15)
      }),
      { numRuns: 200 },
    )
  })

  it('round-trips through its image byte for byte', () => {
    fc.assert(
      fc.property(eventsArb, fc.integer({ min: 1, max: 1000 }), (offsets, seconds) => {
        const rate = new Rate({ seconds })
        for (const [t, c] of offsets) rate.update(BASE + t, c)
        const image = rate.toBytes()
        const copy = Rate.fromBytes(image)
        expect(hex(copy.toBytes())).toBe(hex(image))
        expect(copy.toJSON()).toEqual(rate.toJSON())
      }),
    )
    const empty = new Rate()
    expect(Rate.fromBytes(empty.toBytes()).toJSON()).toEqual(empty.toJSON())
  })

  it('rejects bad arguments and other shapes', () => {
    const rate = new Rate()
    for (const bad of [
      () => new Rate({ seconds: 0 }),
      () => new Rate({ seconds: 100_000 }),
      () => rate.update(Number.NaN),
      () => rate.update(BASE, -1),
      () => rate.count(901),
    ])
      expect(bad).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    expect(() => rate.merge(new Rate({ seconds: 60 }))).toThrow(
      expect.objectContaining({ code: 'ERR_INCOMPATIBLE_SKETCH' }),
    )
  })
})
