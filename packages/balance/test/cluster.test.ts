import { type HealthSource, isShoalError, type TargetStateChange } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import { Balancer } from '../src/balancer.js'
import { Cluster } from '../src/cluster.js'
import { first } from '../src/pickers/first.js'
import { endpoints, manualCluster } from './helpers.js'

describe('Cluster', () => {
  it('adds, updates and removes backends, bumping the version each time', () => {
    const cluster = new Cluster(endpoints(2))
    const start = cluster.version
    cluster.add({ id: 'b2', weight: 3 })
    cluster.upsert({ id: 'b0', weight: 2, zone: 'z' })
    expect(cluster.remove('b1')).toBe(true)
    expect(cluster.remove('b1')).toBe(false)
    expect(cluster.version).toBe(start + 3)
    expect([...cluster.backends()].map((backend) => backend.id)).toEqual(['b0', 'b2'])
    expect(cluster.weight[cluster.get('b0')?.slot ?? -1]).toBe(2)
    expect(cluster.get('b0')?.endpoint.zone).toBe('z')
  })

  it('refuses duplicate ids, bad weights and unknown backends with clear errors', () => {
    const cluster = new Cluster(endpoints(1))
    for (const action of [
      () => cluster.add({ id: 'b0' }),
      () => cluster.add({ id: 'x', weight: 0 }),
      () => cluster.add({ id: 'x', weight: Number.NaN }),
      () => cluster.add({ id: '' }),
      () => cluster.setState('nope', 'down'),
      () => cluster.report('b0', { load: Number.POSITIVE_INFINITY }),
    ]) {
      try {
        action()
        expect.unreachable()
      } catch (error) {
        expect(isShoalError(error) && error.code).toBe('ERR_INVALID_ARGUMENT')
      }
    }
  })

  it('reuses a removed slot only after its requests completed', () => {
    const cluster = new Cluster(endpoints(2))
    const lb = new Balancer(cluster, { picker: first(), stages: [] })
    const picked = lb.pick()
    expect(picked?.id).toBe('b0')
    cluster.remove('b0')
    const added = cluster.add({ id: 'b9' })
    expect(added.slot).not.toBe(picked?.slot)
    if (picked) lb.done(picked)
    expect(cluster.add({ id: 'b10' }).slot).toBe(picked?.slot)
    expect(cluster.inflight[picked?.slot ?? -1]).toBe(0)
  })

  it('grows its arrays past the initial capacity and keeps state', () => {
    const cluster = new Cluster(endpoints(3))
    cluster.report('b1', { load: 7, resources: { cpu: 0.5 } })
    for (let i = 3; i < 100; i++) cluster.add({ id: `b${i}` })
    const slot = cluster.get('b1')?.slot ?? -1
    expect(cluster.reportedLoad[slot]).toBe(7)
    expect(cluster.resource('cpu')[slot]).toBe(0.5)
    expect(cluster.size).toBe(100)
  })

  it('peak EWMA jumps to a slower sample at once and decays toward faster ones', () => {
    const { cluster, clock } = manualCluster(endpoints(1), { latencyDecayMs: 1000 })
    const lb = new Balancer(cluster, { picker: first(), stages: [] })
    const backend = lb.pick()
    if (!backend) throw new Error('no backend')
    lb.done(backend, { latencyMs: 500 })
    expect(cluster.latencyOf(backend.slot, clock.now())).toBe(500)
    clock.advance(1000)
    expect(cluster.latencyOf(backend.slot, clock.now())).toBeCloseTo(500 / Math.E, 6)
    lb.pick()
    lb.done(backend, { latencyMs: 10 })
    const after = cluster.latencyOf(backend.slot, clock.now())
    expect(after).toBeLessThan(500 / Math.E)
    expect(after).toBeGreaterThan(10)
  })

  it('follows a health source: initial states and later changes', () => {
    const listeners: ((change: TargetStateChange) => void)[] = []
    const source: HealthSource = {
      stateOf: (target) => (target === 'svc-b1' ? 'down' : 'up'),
      subscribe(listener) {
        listeners.push(listener)
        return () => listeners.splice(listeners.indexOf(listener), 1)
      },
    }
    const cluster = new Cluster(endpoints(3))
    const stop = cluster.follow(source, (id) => `svc-${id}`)
    expect(cluster.stateOf('b1')).toBe('down')
    for (const listener of listeners)
      listener({ target: 'svc-b2', state: 'draining', previous: 'up', reason: 'admin: drain', time: 0 })
    expect(cluster.stateOf('b2')).toBe('draining')
    expect(cluster.reasonOf('b2')).toBe('admin: drain')
    stop()
    expect(listeners).toHaveLength(0)
  })
})
