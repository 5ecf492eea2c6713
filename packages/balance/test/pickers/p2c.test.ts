import { ManualClock } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Balancer } from '../../src/balancer.js'
import { Candidates } from '../../src/candidates.js'
import { Cluster } from '../../src/cluster.js'
import type { Backend } from '../../src/endpoint.js'
import { peakEwma, shared } from '../../src/load/signal.js'
import { type P2cOptions, p2c } from '../../src/pickers/p2c.js'

const endpoints = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `b${i}` }))

/** A balancer over backends `b0…` holding `loads[i]` requests in flight to `b${i}`. */
function loaded(loads: readonly number[], options: P2cOptions = {}, seed = 7): Balancer {
  const cluster = new Cluster(endpoints(loads.length), { random: seed })
  loads.forEach((load, i) => {
    for (let k = 0; k < load; k++) cluster.acquire(i)
  })
  return new Balancer(cluster, { picker: p2c(options), stages: [] })
}

/** Picks `count` times, completing each pick at once so the loads stay as they are. */
function loadsPicked(lb: Balancer, count: number): number[] {
  const loads: number[] = []
  for (let i = 0; i < count; i++) {
    const backend = lb.pick() as Backend
    loads.push((lb.cluster.inflight[backend.slot] as number) - 1)
    lb.done(backend)
  }
  return loads
}

const distinctLoads = (min: number, max: number) =>
  fc
    .uniqueArray(fc.nat(1000), { minLength: min, maxLength: max })
    .chain((loads) => fc.tuple(fc.constant(loads), fc.integer()))

describe('p2c', () => {
  it('with two candidates always picks the less loaded one (the draws are distinct)', () => {
    fc.assert(
      fc.property(distinctLoads(2, 2), ([loads, seed]) => {
        for (const load of loadsPicked(loaded(loads, {}, seed), 50)) expect(load).toBe(Math.min(...loads))
      }),
    )
  })

  it('never picks the more loaded of the two it draws, so never the most loaded backend', () => {
    fc.assert(
      fc.property(distinctLoads(3, 40), ([loads, seed]) => {
        for (const load of loadsPicked(loaded(loads, {}, seed), 200))
          expect(load).toBeLessThan(Math.max(...loads))
      }),
    )
  })

  it('picks the k-th least loaded of N with probability 2 (N − k) / (N (N − 1))', () => {
    // rank 0 (least loaded) wins every pair it is in; with repeated draws the most loaded would
    // still win 1 / N² of the picks
    const picks = 120_000
    const loads = loadsPicked(loaded([0, 1, 2, 3]), picks)
    const expected = [6 / 12, 4 / 12, 2 / 12, 0]
    expected.forEach((p, rank) => {
      const share = loads.filter((load) => load === rank).length / picks
      expect(Math.abs(share - p)).toBeLessThan(0.01)
    })
  })

  it('with d choices never picks one of the d − 1 most loaded backends', () => {
    fc.assert(
      fc.property(distinctLoads(1, 30), fc.integer({ min: 1, max: 8 }), ([loads, seed], choices) => {
        const sorted = [...loads].sort((a, b) => a - b)
        const worstAllowed = sorted[Math.max(0, loads.length - choices)] as number
        const picked = loadsPicked(loaded(loads, { choices }, seed), 100)
        for (const load of picked) expect(load).toBeLessThanOrEqual(worstAllowed)
        if (choices >= loads.length) expect(new Set(picked)).toEqual(new Set([sorted[0]]))
      }),
    )
  })

  it('returns the only candidate however loaded it is', () => {
    expect(loaded([50]).pick()?.id).toBe('b0')
    expect(loaded([50], { choices: 3 }).pick()?.id).toBe('b0')
  })

  it('spreads a cold start over every backend', () => {
    for (const choices of [2, 3]) {
      const counts = new Array(6).fill(0)
      const lb = loaded([0, 0, 0, 0, 0, 0], { choices })
      for (let i = 0; i < 6000; i++) {
        const backend = lb.pick() as Backend
        counts[backend.slot]++
        lb.done(backend)
      }
      // 1000 each expected; the standard deviation is 29
      for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(175)
    }
  })

  it('weighs load by backend weight (Envoy: weight / (active + 1) ^ bias)', () => {
    const cluster = new Cluster(
      [
        { id: 'small', weight: 1 },
        { id: 'big', weight: 4 },
      ],
      { random: 7 },
    )
    const lb = new Balancer(cluster, { picker: p2c(), stages: [] })
    for (let i = 0; i < 500; i++) lb.pick()
    // each pick goes to the lower (load + 1) / weight: loads end near 1 : 4
    expect(cluster.inflight[cluster.get('big')?.slot as number]).toBe(400)
  })

  it("with peak EWMA steers away from a slow backend (Finagle's and Linkerd's P2C peak EWMA)", () => {
    const clock = new ManualClock()
    const lb = new Balancer(new Cluster(endpoints(5), { clock, random: 7 }), {
      picker: p2c({ signal: peakEwma() }),
      stages: [],
    })
    const counts = new Array(5).fill(0)
    for (let i = 0; i < 5000; i++) {
      const backend = lb.pick() as Backend
      counts[backend.slot]++
      lb.done(backend, { ok: true, latencyMs: backend.slot === 0 ? 200 : 10 })
      clock.advance(1)
    }
    // the slow backend loses every draw against a fast one; it wins only its cold start
    expect(counts[0]).toBeLessThan(50)
  })

  it('samples, so it is allowed over a stale signal and claims no minimum', () => {
    expect(p2c().minimizes).toBeUndefined()
    expect(
      () => new Balancer(new Cluster(endpoints(3)), { picker: p2c({ signal: shared({ predict: false }) }) }),
    ).not.toThrow()
    expect(p2c({ signal: peakEwma() }).readsTime).toBe(true)
    expect(p2c().readsTime).toBe(false)
  })

  it('rejects bad options at once and returns -1 on no candidates', () => {
    for (const choices of [0, 1.5, -2, Number.NaN])
      expect(() => p2c({ choices })).toThrow(/choices must be a positive integer/)
    expect(() => p2c({ bias: -0.5 })).toThrow(/p2c bias/)
    const cluster = new Cluster([], { random: 7 }) as Cluster<unknown>
    const picker = p2c()
    picker.prepare(new Candidates(), cluster)
    expect(picker.pick(new Candidates(), cluster, undefined, 0)).toBe(-1)
  })
})
