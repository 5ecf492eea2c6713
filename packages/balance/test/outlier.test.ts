import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Balancer } from '../src/balancer.js'
import { first } from '../src/pickers/first.js'
import { byHealth } from '../src/stages/by-health.js'
import { endpoints, manualCluster } from './helpers.js'

describe('outlier ejection', () => {
  it('ejects after consecutive failures, for base × times ejected, then restores', () => {
    const { cluster, clock } = manualCluster(endpoints(10), {
      outlier: { consecutiveFailures: 3, baseEjectionMs: 1000, maxEjectionPercent: 50 },
    })
    const events: string[] = []
    cluster.addEventListener('eject', (event) =>
      events.push(`eject ${event.detail.id} ${event.detail.reason}`),
    )
    cluster.addEventListener('restore', (event) => events.push(`restore ${event.detail.id}`))
    const lb = new Balancer(cluster, { picker: first(), stages: [byHealth({ panicThreshold: 0 })] })
    const fail = () => {
      const backend = lb.pick()
      if (backend) lb.done(backend, { ok: false })
      return backend?.id
    }
    expect([fail(), fail(), fail()]).toEqual(['b0', 'b0', 'b0'])
    expect(cluster.ejected[0]).toBe(1)
    expect(fail()).toBe('b1')
    clock.advance(999)
    expect(cluster.ejected[0]).toBe(1)
    clock.advance(1)
    expect(cluster.ejected[0]).toBe(0)
    // the second ejection lasts twice as long
    fail()
    fail()
    fail()
    expect(cluster.ejected[0]).toBe(1)
    clock.advance(1999)
    expect(cluster.ejected[0]).toBe(1)
    clock.advance(1)
    expect(cluster.ejected[0]).toBe(0)
    expect(events.filter((line) => line.startsWith('eject b0'))).toHaveLength(2)
    expect(events).toContain('restore b0')
  })

  it('a success resets the consecutive count', () => {
    const { cluster } = manualCluster(endpoints(10), {
      outlier: { consecutiveFailures: 2, maxEjectionPercent: 100 },
    })
    const lb = new Balancer(cluster, { picker: first(), stages: [] })
    for (const ok of [false, true, false, true, false]) {
      const backend = lb.pick()
      if (backend) lb.done(backend, { ok })
    }
    expect(cluster.ejected[0]).toBe(0)
  })

  it('never ejects more than its limit, counting the ejection being decided', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.integer({ min: 0, max: 5000 })), { maxLength: 400 }),
        (count, maxEjectionPercent, outcomes) => {
          const { cluster, clock } = manualCluster(endpoints(count), {
            outlier: { consecutiveFailures: 2, maxEjectionPercent, baseEjectionMs: 3000 },
          })
          for (const [target, ok, wait] of outcomes) {
            const slot = target % count
            cluster.acquire(slot)
            cluster.complete(slot, { ok })
            let ejected = 0
            for (let i = 0; i < count; i++) ejected += cluster.ejected[i] as number
            expect((ejected / count) * 100).toBeLessThanOrEqual(maxEjectionPercent)
            clock.advance(wait % 700)
          }
        },
      ),
      { numRuns: 60 },
    )
  })

  it('with three backends and 10 %, ejects none unless alwaysEjectOne (envoyproxy/envoy#27066)', () => {
    for (const alwaysEjectOne of [false, true]) {
      const { cluster } = manualCluster(endpoints(3), { outlier: { consecutiveFailures: 1, alwaysEjectOne } })
      for (const slot of [0, 1, 2]) {
        cluster.acquire(slot)
        cluster.complete(slot, { ok: false })
      }
      const ejected = [0, 1, 2].filter((slot) => cluster.ejected[slot] === 1).length
      expect(ejected).toBe(alwaysEjectOne ? 1 : 0)
    }
  })

  it('ejects by success rate and by failure percentage at the end of an interval', () => {
    const run = (options: Parameters<typeof manualCluster>[1]) => {
      const { cluster, clock } = manualCluster(endpoints(6), options)
      // b5 fails 40 % of its requests, the others 1 %
      for (let round = 0; round < 200; round++) {
        for (let slot = 0; slot < 6; slot++) {
          cluster.acquire(slot)
          const ok = slot === 5 ? round % 5 >= 2 : round !== 7
          cluster.complete(slot, { ok })
        }
        clock.advance(60)
      }
      return [0, 1, 2, 3, 4, 5].map((slot) => cluster.ejected[slot])
    }
    expect(run({ outlier: { consecutiveFailures: 0, successRate: {}, maxEjectionPercent: 50 } })).toEqual([
      0, 0, 0, 0, 0, 1,
    ])
    expect(
      run({
        outlier: { consecutiveFailures: 0, failurePercentage: { threshold: 30 }, maxEjectionPercent: 50 },
      }),
    ).toEqual([0, 0, 0, 0, 0, 1])
    expect(
      run({
        outlier: { consecutiveFailures: 0, failurePercentage: { threshold: 50 }, maxEjectionPercent: 50 },
      }),
    ).toEqual([0, 0, 0, 0, 0, 0])
  })
})
