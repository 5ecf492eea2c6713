import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Balancer } from '../../src/balancer.js'
import { Candidates } from '../../src/candidates.js'
import { Cluster } from '../../src/cluster.js'
import { roundRobin } from '../../src/pickers/round-robin.js'
import type { Stage } from '../../src/stage.js'

const endpoints = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `b${i}` }))
const picks = (lb: Balancer, count: number) => Array.from({ length: count }, () => lb.pick()?.id)

describe('roundRobin', () => {
  it('gives every candidate exactly one pick per turn, in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer(), (n, seed) => {
        const lb = new Balancer(new Cluster(endpoints(n), { random: seed }), {
          picker: roundRobin(),
          stages: [],
        })
        const seen = picks(lb, 3 * n)
        const start = Number(seen[0]?.slice(1))
        seen.forEach((id, i) => {
          expect(id).toBe(`b${(start + i) % n}`)
        })
      }),
    )
  })

  it('starts at a random candidate, so balancers started together spread their first picks', () => {
    const firsts = new Set<string | undefined>()
    for (let seed = 1; seed <= 40; seed++) {
      const lb = new Balancer(new Cluster(endpoints(8), { random: seed }), {
        picker: roundRobin(),
        stages: [],
      })
      firsts.add(lb.pick()?.id)
    }
    expect(firsts.size).toBeGreaterThanOrEqual(6)
  })

  it('skips backends the stages leave out and follows a changing candidate list', () => {
    const cluster = new Cluster(endpoints(4), { random: 7 })
    const lb = new Balancer(cluster, { picker: roundRobin() })
    cluster.setState('b1', 'down')
    expect(new Set(picks(lb, 30))).toEqual(new Set(['b0', 'b2', 'b3']))
    let odd = false
    const alternate: Stage = {
      name: 'alternate',
      kind: 'dynamic',
      apply(candidates) {
        odd = !odd
        if (odd) candidates.length = 1
      },
    }
    const dynamic = new Balancer(new Cluster(endpoints(3), { random: 7 }), {
      picker: roundRobin(),
      stages: [alternate],
    })
    // every other pick sees one candidate: the cursor wraps instead of reading past the list
    expect(picks(dynamic, 12).every((id) => id !== undefined)).toBe(true)
  })

  it('returns -1 on an empty candidate list, and a balancer over no backends picks nothing', () => {
    const cluster = new Cluster([], { random: 7 })
    const picker = roundRobin()
    picker.prepare(new Candidates(), cluster as Cluster<unknown>)
    expect(picker.pick(new Candidates(), cluster as Cluster<unknown>, undefined, 0)).toBe(-1)
    const lb = new Balancer(new Cluster([], { random: 7 }), { picker: roundRobin(), stages: [] })
    expect(lb.pick()).toBeUndefined()
    expect(lb.stats().empty).toBe(1)
  })
})
