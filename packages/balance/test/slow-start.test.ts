import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Balancer } from '../src/balancer.js'
import { first } from '../src/pickers/first.js'
import { maglev } from '../src/pickers/maglev.js'
import { SlowStartRamp } from '../src/slow-start.js'
import { endpoints, manualCluster } from './helpers.js'

describe('slow start', () => {
  it('follows Envoy’s formula: monotone, floored, 1 after the window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 100 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (windowMs, aggression, minWeightPercent, a, b) => {
          const ramp = new SlowStartRamp({ windowMs, aggression, minWeightPercent })
          const [early, late] = a < b ? [a, b] : [b, a]
          const f1 = ramp.factor(early * windowMs)
          const f2 = ramp.factor(late * windowMs)
          expect(f1).toBeLessThanOrEqual(f2)
          expect(f1).toBeGreaterThanOrEqual(minWeightPercent / 100)
          const t = Math.max(early * windowMs, 1) / windowMs
          if (early < 1) expect(f1).toBeCloseTo(Math.max(minWeightPercent / 100, t ** (1 / aggression)), 12)
          expect(ramp.factor(windowMs)).toBe(1)
        },
      ),
    )
  })

  it('ramps the weight of an added backend in steps and ends at full weight', () => {
    const { cluster, clock } = manualCluster(
      endpoints(2, () => 10),
      { slowStart: { windowMs: 10_000, aggression: 2 } },
    )
    const added = cluster.add({ id: 'new', weight: 10 })
    const weights: number[] = []
    for (let t = 0; t <= 10; t++) {
      weights.push(cluster.weight[added.slot] as number)
      clock.advance(1000)
    }
    expect(weights[0]).toBe(1) // the 10 % floor
    for (let i = 1; i < weights.length; i++)
      expect(weights[i]).toBeGreaterThanOrEqual(weights[i - 1] as number)
    expect(weights[5]).toBeCloseTo(10 * Math.sqrt(0.5), 6)
    expect(weights.at(-1)).toBe(10)
    // initial backends never ramp
    expect(cluster.weight[cluster.get('b0')?.slot ?? -1]).toBe(10)
  })

  it('ramps a recovered backend when configured for it, and not otherwise', () => {
    for (const on of ['recovered', 'added'] as const) {
      const { cluster } = manualCluster(endpoints(2), { slowStart: { windowMs: 1000, on } })
      cluster.setState('b0', 'down')
      cluster.setState('b0', 'up')
      expect(cluster.weight[0]).toBe(on === 'recovered' ? 0.1 : 1)
      const added = cluster.add({ id: 'x' })
      expect(cluster.weight[added.slot]).toBe(on === 'added' ? 0.1 : 1)
    }
  })

  it('a rebuilt balancer sees each step (the version moves)', () => {
    const { cluster, clock } = manualCluster(endpoints(1), { slowStart: { windowMs: 2000 } })
    const lb = new Balancer(cluster, { picker: first(), stages: [] })
    cluster.add({ id: 'x' })
    lb.pick()
    const rebuilds = lb.stats().rebuilds
    clock.advance(500)
    lb.pick()
    expect(lb.stats().rebuilds).toBeGreaterThan(rebuilds)
  })

  it('leaves keyed placements alone: a key’s home does not move while a backend warms up', () => {
    const { cluster, clock } = manualCluster(endpoints(5), { slowStart: { windowMs: 10_000 } })
    const lb = new Balancer(cluster, { picker: maglev(), stages: [] })
    cluster.add({ id: 'warming' })
    const homes = () => Array.from({ length: 2000 }, (_, i) => lb.pick(`key-${i}`)?.id)
    const start = homes()
    expect(start).toContain('warming')
    clock.advance(5000)
    expect(homes()).toEqual(start)
    clock.advance(5000)
    expect(homes()).toEqual(start)
  })
})
