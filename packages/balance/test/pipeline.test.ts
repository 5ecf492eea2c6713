import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Balancer } from '../src/balancer.js'
import { Cluster } from '../src/cluster.js'
import { shared } from '../src/load/signal.js'
import type { Picker } from '../src/picker.js'
import { first } from '../src/pickers/first.js'
import { byAge } from '../src/stages/by-age.js'
import { byCost } from '../src/stages/by-cost.js'
import { byHealth } from '../src/stages/by-health.js'
import { byLoad } from '../src/stages/by-load.js'
import { byLogWindow } from '../src/stages/by-log-window.js'
import { byPriority } from '../src/stages/by-priority.js'
import { byRandom } from '../src/stages/by-random.js'
import { bySubset } from '../src/stages/by-subset.js'
import { byZone } from '../src/stages/by-zone.js'
import { addSelf, removeSelf } from '../src/stages/self.js'
import { endpoints, expectInvalid, manualCluster } from './helpers.js'

const ids = (lb: Balancer, key?: string) => lb.explain(key).steps.at(-1)?.candidates

describe('the stale-minimum rule', () => {
  it('refuses ordering by a stale shared signal unless a sampler or a prediction comes first', () => {
    const stale = shared({ predict: false })
    expectInvalid(
      () => new Balancer(endpoints(4), { stages: [byLoad({ signal: stale })], picker: first() }),
      /stale/,
    )
    expectInvalid(
      () =>
        new Balancer(endpoints(4), { stages: [byLogWindow(), byLoad({ signal: stale })], picker: first() }),
      /Sample first/,
    )
    expectInvalid(
      () =>
        new Balancer(endpoints(4), {
          stages: [byCost({ resources: { cpu: 0.1 }, predict: false })],
          picker: first(),
        }),
      /stale/,
    )
    expect(
      () =>
        new Balancer(endpoints(4), {
          stages: [byRandom(), byLogWindow(), byLoad({ signal: stale })],
          picker: first(),
        }),
    ).not.toThrow()
    expect(
      () => new Balancer(endpoints(4), { stages: [byLoad({ signal: shared() })], picker: first() }),
    ).not.toThrow()
    expect(
      () => new Balancer(endpoints(4), { stages: [byCost({ resources: { cpu: 0.1 } })], picker: first() }),
    ).not.toThrow()
  })

  it('refuses a table-building picker after a dynamic stage, and a picker shared by two balancers', () => {
    const table: Picker = { name: 'table', prepared: true, prepare() {}, pick: () => -1 }
    expectInvalid(
      () => new Balancer(endpoints(3), { stages: [byRandom()], picker: table }),
      /cannot follow the dynamic stage byRandom/,
    )
    const picker = first()
    new Balancer(endpoints(3), { picker })
    expectInvalid(() => new Balancer(endpoints(3), { picker }), /already belongs/)
  })
})

describe('stages', () => {
  it('byHealth drops down, draining and ejected backends, and panics below the threshold', () => {
    const cluster = new Cluster(endpoints(4))
    const lb = new Balancer(cluster, { picker: first() })
    cluster.setState('b0', 'down')
    cluster.setState('b1', 'draining')
    expect(ids(lb)).toEqual(['b2', 'b3'])
    cluster.setState('b2', 'down')
    // 1 of 4 usable is below 50 %: everything but the draining one
    expect(ids(lb)).toEqual(['b0', 'b2', 'b3'])
    expect(lb.pick()?.id).toBe('b0')
  })

  it('byAge keeps backends heard from within the window', () => {
    const { cluster, clock } = manualCluster(endpoints(3))
    const lb = new Balancer(cluster, { stages: [byAge({ maxAgeMs: 6000 })], picker: first() })
    cluster.report('b1', { load: 1 })
    clock.advance(2000)
    cluster.report('b2', { load: 1 })
    expect(ids(lb)).toEqual(['b1', 'b2'])
    clock.advance(4500)
    expect(ids(lb)).toEqual(['b2'])
    expect(lb.pick()?.id).toBe('b2')
  })

  it('byRandom + byLogWindow samples ⌈log2 n⌉ distinct candidates, uniformly', () => {
    const { cluster } = manualCluster(endpoints(20))
    const lb = new Balancer(cluster, { stages: [byRandom(), byLogWindow()], picker: first() })
    const counts = new Map<string, number>()
    for (let i = 0; i < 5000; i++) {
      const sample = ids(lb) ?? []
      expect(sample).toHaveLength(5)
      expect(new Set(sample).size).toBe(5)
      const head = sample[0] as string
      counts.set(head, (counts.get(head) ?? 0) + 1)
    }
    for (const count of counts.values()) expect(Math.abs(count - 250)).toBeLessThan(80)
  })

  it('byLoad orders by load per weight, with a self bias', () => {
    const { cluster } = manualCluster(endpoints(3, (i) => (i === 2 ? 4 : 1)))
    cluster.report('b0', { load: 3 })
    cluster.report('b1', { load: 1 })
    cluster.report('b2', { load: 9 }) // 10 / 4 = 2.5 per unit of weight
    const plain = new Balancer(cluster, { stages: [byLoad({ signal: shared() })], picker: first() })
    expect(ids(plain)).toEqual(['b1', 'b2', 'b0'])
    const biased = new Balancer(cluster, {
      stages: [byLoad({ signal: shared(), self: { id: 'b0', bias: 0.8 } })],
      picker: first(),
    })
    expect(ids(biased)).toEqual(['b1', 'b0', 'b2'])
    // the prediction counts what this process sent since the report
    expect(Array.from({ length: 4 }, () => plain.pick()?.id)).toEqual(['b1', 'b2', 'b2', 'b1'])
  })

  it('byCost prefers the backend where one more request costs least, across resources', () => {
    const { cluster } = manualCluster(endpoints(3))
    cluster.report('b0', { resources: { cpu: 0.9, memory: 0.1 } })
    cluster.report('b1', { resources: { cpu: 0.2, memory: 0.95 } })
    cluster.report('b2', { resources: { cpu: 0.5, memory: 0.5 } })
    const lb = new Balancer(cluster, {
      stages: [byCost({ resources: { cpu: 0.05, memory: 0.05 } })],
      picker: first(),
    })
    expect(ids(lb)?.[0]).toBe('b2')
    // sending to b2 raises its predicted utilization until another backend is cheaper
    const chosen = Array.from({ length: 30 }, () => lb.pick()?.id)
    expect(new Set(chosen).size).toBeGreaterThan(1)
  })

  it('byZone stays local while the zone has candidates, and spills by caller share', () => {
    const list = endpoints(4).map((endpoint, i) => ({ ...endpoint, zone: i < 1 ? 'a' : 'b' }))
    const { cluster } = manualCluster(list)
    const local = new Balancer(cluster, { stages: [byHealth(), byZone({ local: 'a' })], picker: first() })
    expect(ids(local)).toEqual(['b0'])
    cluster.setState('b0', 'down')
    expect(ids(local)).toEqual(['b1', 'b2', 'b3'])
    cluster.setState('b0', 'up')
    // a quarter of the capacity, half of the callers: half the requests stay local
    const shared = new Balancer(cluster, {
      stages: [byZone({ local: 'a', callerShare: 0.5 })],
      picker: first(),
    })
    let localPicks = 0
    for (let i = 0; i < 10_000; i++) {
      const backend = shared.pick()
      if (backend?.endpoint.zone === 'a') localPicks++
      if (backend) shared.done(backend)
    }
    expect(Math.abs(localPicks - 5000)).toBeLessThan(300)
  })

  it('byPriority keeps tier 0 while healthy enough and spills in proportion as it degrades', () => {
    const list = endpoints(10).map((endpoint, i) => ({ ...endpoint, priority: i < 5 ? 0 : 1 }))
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), (down) => {
        const { cluster } = manualCluster(list)
        for (let i = 0; i < down; i++) cluster.setState(`b${i}`, 'down')
        const lb = new Balancer(cluster, {
          stages: [byHealth({ panicThreshold: 0 }), byPriority()],
          picker: first(),
        })
        let tierZero = 0
        const picks = 4000
        for (let i = 0; i < picks; i++) {
          const backend = lb.pick()
          if (backend && (backend.endpoint.priority ?? 0) === 0) tierZero++
          if (backend) lb.done(backend)
        }
        const expected = Math.min(1, ((5 - down) / 5) * 1.4)
        expect(Math.abs(tierZero / picks - expected)).toBeLessThan(0.04)
      }),
      { numRuns: 12 },
    )
    const { cluster } = manualCluster(list)
    const backup = new Balancer(cluster, {
      stages: [byHealth({ panicThreshold: 0 }), byPriority({ overprovision: Number.POSITIVE_INFINITY })],
      picker: first(),
    })
    for (let i = 0; i < 4; i++) cluster.setState(`b${i}`, 'down')
    for (let i = 0; i < 100; i++) expect(backup.pick()?.id).toBe('b4')
  })

  it('bySubset filters by metadata, statically or per request, with a fallback', () => {
    const list = endpoints(4).map((endpoint, i) => ({
      ...endpoint,
      meta: { version: i % 2 === 0 ? 'v1' : 'v2' },
    }))
    const lb = new Balancer(list, {
      stages: [bySubset<{ version: string }>({ match: (endpoint) => endpoint.meta?.version === 'v2' })],
      picker: first(),
    })
    expect(ids(lb)).toEqual(['b1', 'b3'])
    const perRequest = new Balancer<{ version: string }, { want: string }>(list, {
      stages: [
        bySubset({ match: (endpoint, request) => endpoint.meta?.version === request?.want, fallback: 'all' }),
      ],
      picker: first(),
    })
    expect(perRequest.pick(undefined, { want: 'v1' })?.id).toBe('b0')
    expect(perRequest.pick(undefined, { want: 'v3' })?.id).toBe('b0')
    expect(perRequest.explain(undefined, { want: 'v2' }).steps.at(-1)?.candidates).toEqual(['b1', 'b3'])
  })

  it('addSelf and removeSelf force the local server in or out', () => {
    const { cluster } = manualCluster(endpoints(3))
    cluster.report('b0', { load: 0 })
    const keep = new Balancer(cluster, {
      stages: [byAge({ maxAgeMs: 1000 }), addSelf('b2')],
      picker: first(),
    })
    expect(ids(keep)).toEqual(['b0', 'b2'])
    const drop = new Balancer(cluster, { stages: [removeSelf('b0')], picker: first() })
    expect(ids(drop)).toEqual(['b1', 'b2'])
  })
})

describe('Balancer', () => {
  it('returns undefined and counts it when nothing is left', () => {
    const lb = new Balancer(endpoints(2), { stages: [bySubset({ match: () => false })], picker: first() })
    expect(lb.pick()).toBeUndefined()
    expect(lb.stats()).toMatchObject({ picks: 0, empty: 1 })
  })

  it('pickSticky returns the sticky backend while it is a candidate', () => {
    const cluster = new Cluster(endpoints(3))
    const lb = new Balancer(cluster, { picker: first() })
    expect(lb.pickSticky('b2')?.id).toBe('b2')
    expect(cluster.inflight[cluster.get('b2')?.slot ?? -1]).toBe(1)
    cluster.setState('b2', 'down')
    expect(lb.pickSticky('b2')?.id).toBe('b0')
    expect(lb.pickSticky('gone')?.id).toBe('b0')
    expect(lb.pickSticky(undefined)?.id).toBe('b0')
  })

  it('explain shows each stage and the choice without counting a pick', () => {
    const cluster = new Cluster(endpoints(3))
    cluster.setState('b0', 'down')
    const lb = new Balancer(cluster, { picker: first() })
    expect(lb.explain()).toEqual({
      steps: [
        { stage: 'start', candidates: ['b0', 'b1', 'b2'] },
        { stage: 'byHealth', candidates: ['b1', 'b2'] },
      ],
      chosen: 'b1',
    })
    expect(lb.stats().picks).toBe(0)
    expect(cluster.inflight[1]).toBe(0)
  })

  it('rebuilds after a burst of changes without waiting for a pick', () => {
    const { cluster, clock } = manualCluster(endpoints(3))
    const lb = new Balancer(cluster, { picker: first() })
    const before = lb.stats().rebuilds
    for (let i = 0; i < 10; i++) cluster.add({ id: `x${i}` })
    cluster.setState('b0', 'down')
    clock.advance(0)
    expect(lb.stats().rebuilds).toBe(before + 1)
    lb.pick()
    expect(lb.stats().rebuilds).toBe(before + 1)
  })

  it('rebuilds its static candidates once per cluster version', () => {
    const cluster = new Cluster(endpoints(3))
    const lb = new Balancer(cluster, { picker: first() })
    for (let i = 0; i < 100; i++) {
      const backend = lb.pick()
      if (backend) lb.done(backend, { ok: true, latencyMs: 1 })
    }
    expect(lb.stats().rebuilds).toBe(1)
    cluster.add({ id: 'x' })
    lb.pick()
    expect(lb.stats().rebuilds).toBe(2)
  })
})
