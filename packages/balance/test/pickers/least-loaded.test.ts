import { isShoalError, ManualClock } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Balancer } from '../../src/balancer.js'
import { Candidates } from '../../src/candidates.js'
import { Cluster } from '../../src/cluster.js'
import type { Backend } from '../../src/endpoint.js'
import { inflight, peakEwma, shared } from '../../src/load/signal.js'
import { leastLoaded } from '../../src/pickers/least-loaded.js'

const weighted = (weights: readonly number[]) => weights.map((weight, i) => ({ id: `b${i}`, weight }))

/** Holds `loads[i]` requests in flight to backend `b${i}`. */
function hold(cluster: Cluster, loads: readonly number[]): void {
  loads.forEach((load, i) => {
    const slot = cluster.get(`b${i}`)?.slot as number
    for (let k = 0; k < load; k++) cluster.acquire(slot)
  })
}

describe('leastLoaded', () => {
  it('picks a backend with the fewest requests in flight', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(20), { minLength: 1, maxLength: 50 }), fc.integer(), (loads, seed) => {
        const cluster = new Cluster(weighted(loads.map(() => 1)), { random: seed })
        const lb = new Balancer(cluster, { picker: leastLoaded(), stages: [] })
        hold(cluster, loads)
        const backend = lb.pick() as Backend
        expect(loads[Number(backend.id.slice(1))]).toBe(Math.min(...loads))
      }),
    )
  })

  it('fills backends in proportion to their weights', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 2000 }),
        (weights, picks) => {
          const lb = new Balancer(new Cluster(weighted(weights), { random: 7 }), {
            picker: leastLoaded(),
            stages: [],
          })
          for (let i = 0; i < picks; i++) lb.pick()
          const total = weights.reduce((a, b) => a + b, 0)
          const lightest = Math.min(...weights)
          // greedy on (load + 1) / weight keeps every load / weight within 1 / lightest of the others
          weights.forEach((w, i) => {
            const load = lb.cluster.inflight[lb.cluster.get(`b${i}`)?.slot as number] as number
            expect(Math.abs(load - (picks * w) / total)).toBeLessThanOrEqual(w / lightest + 1e-9)
          })
        },
      ),
    )
  })

  it('breaks ties at random, so a cold start does not pile onto the first backend', () => {
    const lb = new Balancer(new Cluster(weighted([1, 1, 1, 1, 1]), { random: 7 }), {
      picker: leastLoaded(),
      stages: [],
    })
    const counts = new Map<string, number>()
    for (let i = 0; i < 10_000; i++) {
      const backend = lb.pick() as Backend
      counts.set(backend.id, (counts.get(backend.id) ?? 0) + 1)
      lb.done(backend)
    }
    // 2000 each expected; the standard deviation is 40
    for (let i = 0; i < 5; i++) expect(Math.abs((counts.get(`b${i}`) ?? 0) - 2000)).toBeLessThan(240)
  })

  it('weighs load harder with a larger bias', () => {
    const pick = (bias: number) => {
      const cluster = new Cluster(weighted([1, 4]), { random: 7 })
      const lb = new Balancer(cluster, { picker: leastLoaded({ bias }), stages: [] })
      hold(cluster, [1, 3])
      return lb.pick()?.id
    }
    // scores (load + 1) ^ bias / weight: 2 vs 1 at bias 1, 8 vs 16 at bias 3
    expect(pick(1)).toBe('b1')
    expect(pick(3)).toBe('b0')
  })

  it('follows peak EWMA latency when given that signal', () => {
    const clock = new ManualClock()
    const lb = new Balancer(new Cluster(weighted([1, 1, 1]), { clock, random: 7 }), {
      picker: leastLoaded({ signal: peakEwma() }),
      stages: [],
    })
    const slow = lb.cluster.get('b1') as Backend
    lb.cluster.acquire(slow.slot)
    lb.done(slow, { ok: true, latencyMs: 500 })
    for (let i = 0; i < 100; i++) {
      const backend = lb.pick() as Backend
      expect(backend.id).not.toBe('b1')
      lb.done(backend, { ok: true, latencyMs: 10 })
      clock.advance(1)
    }
  })

  it('applies a weight change once the cluster version moves', () => {
    const lb = new Balancer(new Cluster(weighted([1, 1]), { random: 7 }), {
      picker: leastLoaded(),
      stages: [],
    })
    lb.cluster.reweight('b1', 3)
    for (let i = 0; i < 400; i++) lb.pick()
    expect(lb.cluster.inflight[lb.cluster.get('b1')?.slot as number]).toBe(300)
  })

  it('is refused over a stale signal, which would send every request to one backend', () => {
    let error: unknown
    try {
      new Balancer(new Cluster(weighted([1, 1])), {
        picker: leastLoaded({ signal: shared({ predict: false }) }),
      })
    } catch (e) {
      error = e
    }
    expect(isShoalError(error) && error.code).toBe('ERR_INVALID_ARGUMENT')
    expect(
      () => new Balancer(new Cluster(weighted([1])), { picker: leastLoaded({ signal: shared() }) }),
    ).not.toThrow()
  })

  it('declares what it minimises and whether it reads the clock', () => {
    expect(leastLoaded().minimizes).toBe(inflight())
    expect(leastLoaded().readsTime).toBe(false)
    expect(leastLoaded({ signal: peakEwma() }).readsTime).toBe(true)
  })

  it('rejects bad options at once and returns -1 on no candidates', () => {
    expect(() => leastLoaded({ bias: -1 })).toThrow(/bias must be a non-negative/)
    expect(() => leastLoaded({ bias: Number.NaN })).toThrow(/bias/)
    expect(() => leastLoaded({ signal: {} as never })).toThrow(/load signal/)
    const cluster = new Cluster([], { random: 7 }) as Cluster<unknown>
    const picker = leastLoaded()
    picker.prepare(new Candidates(), cluster)
    expect(picker.pick(new Candidates(), cluster, undefined, 0)).toBe(-1)
  })
})
