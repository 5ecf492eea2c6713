import { ManualClock } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Balancer } from '../../src/balancer.js'
import { Candidates } from '../../src/candidates.js'
import { Cluster } from '../../src/cluster.js'
import type { Picker } from '../../src/picker.js'
import { edfWeightedRoundRobin } from '../../src/pickers/edf-weighted-round-robin.js'
import { smoothWeightedRoundRobin } from '../../src/pickers/smooth-weighted-round-robin.js'
import type { Stage } from '../../src/stage.js'

const balancer = (weights: readonly number[], picker: Picker, seed = 7) =>
  new Balancer(new Cluster(weighted(weights), { random: seed }), { picker, stages: [] })
const weighted = (weights: readonly number[]) => weights.map((weight, i) => ({ id: `b${i}`, weight }))
/** One backend of weight n − 1 and n − 1 of weight 1: half the traffic to one backend. */
const heavy = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? n - 1 : 1))

function run(lb: Balancer, count: number): { counts: Map<string, number>; longestRun: Map<string, number> } {
  const counts = new Map<string, number>()
  const longestRun = new Map<string, number>()
  let last: string | undefined
  let streak = 0
  for (let i = 0; i < count; i++) {
    const id = lb.pick()?.id
    if (id === undefined) throw new Error('no pick')
    counts.set(id, (counts.get(id) ?? 0) + 1)
    streak = id === last ? streak + 1 : 1
    last = id
    longestRun.set(id, Math.max(longestRun.get(id) ?? 0, streak))
  }
  return { counts, longestRun }
}

/** Largest relative difference between each backend's share and its weight's share. */
function shareError(weights: readonly number[], counts: Map<string, number>, picks: number): number {
  const total = weights.reduce((a, b) => a + b, 0)
  return Math.max(
    ...weights.map((w, i) => Math.abs((counts.get(`b${i}`) ?? 0) / picks - w / total) / (w / total)),
  )
}

const schedulers = [
  ['smoothWeightedRoundRobin', smoothWeightedRoundRobin],
  ['edfWeightedRoundRobin', edfWeightedRoundRobin],
] as const

describe('smoothWeightedRoundRobin', () => {
  it('interleaves as nginx does: weights 5, 1, 1 give a a b a c a a', () => {
    const lb = balancer([5, 1, 1], smoothWeightedRoundRobin())
    const ids = Array.from({ length: 14 }, () => lb.pick()?.id)
    expect(ids.join(' ')).toBe('b0 b0 b1 b0 b2 b0 b0 b0 b0 b1 b0 b2 b0 b0')
  })

  it('never sends the heavy backend more than 2 in a row, and shares each cycle exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), fc.integer({ min: 1, max: 4 }), (n, cycles) => {
        const weights = heavy(n)
        const cycle = 2 * (n - 1)
        const { counts, longestRun } = run(balancer(weights, smoothWeightedRoundRobin()), cycles * cycle)
        expect(longestRun.get('b0')).toBeLessThanOrEqual(2)
        weights.forEach((w, i) => {
          expect(counts.get(`b${i}`)).toBe(w * cycles)
        })
      }),
    )
  })

  it('gives each backend exactly its weight in every whole cycle, for any integer weights', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 40 }), (weights) => {
        const cycle = weights.reduce((a, b) => a + b, 0)
        const lb = balancer(weights, smoothWeightedRoundRobin())
        for (let k = 0; k < 3; k++) {
          const { counts } = run(lb, cycle)
          weights.forEach((w, i) => {
            expect(counts.get(`b${i}`) ?? 0).toBe(w)
          })
        }
      }),
    )
  })

  it('works behind a dynamic stage that changes the candidates per pick', () => {
    let turn = 0
    const dropLastEveryOther: Stage = {
      name: 'dropLastEveryOther',
      kind: 'dynamic',
      apply(candidates) {
        if (turn++ % 2 === 1) candidates.length--
      },
    }
    const lb = new Balancer(new Cluster(weighted([3, 1, 2]), { random: 7 }), {
      picker: smoothWeightedRoundRobin(),
      stages: [dropLastEveryOther],
    })
    const counts = new Map<string, number>()
    for (let i = 0; i < 6000; i++) {
      const id = lb.pick()?.id as string
      // b2 is left out of every other pick
      if (i % 2 === 1) expect(id).not.toBe('b2')
      counts.set(id, (counts.get(id) ?? 0) + 1)
    }
    expect(counts.get('b0')).toBeGreaterThan(Math.max(counts.get('b1') ?? 0, counts.get('b2') ?? 0))
    expect(counts.get('b1')).toBeGreaterThan(0)
    expect(counts.get('b2')).toBeGreaterThan(0)
  })
})

describe('edfWeightedRoundRobin', () => {
  it('sends the heavy backend at most 8 in a row up to N = 1000, with shares within 1 %', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 1000 }), fc.integer(), (n, seed) => {
        const weights = heavy(n)
        const picks = 200 * 2 * (n - 1)
        const { counts, longestRun } = run(balancer(weights, edfWeightedRoundRobin(), seed), picks)
        expect(longestRun.get('b0')).toBeLessThanOrEqual(8)
        expect(shareError(weights, counts, picks)).toBeLessThan(0.01)
      }),
      { numRuns: 25 },
    )
  })

  it('beats independent random phases (2 / 5 / 6 in a row at N = 10 / 100 / 1000 in the research)', () => {
    for (const n of [10, 100, 1000]) {
      for (let seed = 1; seed <= 5; seed++) {
        const { longestRun } = run(balancer(heavy(n), edfWeightedRoundRobin(), seed), 20 * 2 * (n - 1))
        // golden-ratio phases leave no gap between light backends as wide as 2 / N
        expect(longestRun.get('b0')).toBeLessThanOrEqual(3)
      }
    }
  })

  it('refuses to follow a dynamic stage, since its schedule is built from the candidates', () => {
    const sample: Stage = { name: 'sample', kind: 'dynamic', apply() {} }
    expect(
      () =>
        new Balancer(new Cluster(weighted([1, 2])), { picker: edfWeightedRoundRobin(), stages: [sample] }),
    ).toThrow(/cannot follow the dynamic stage sample/)
  })
})

describe.each(schedulers)('%s', (_name, make) => {
  it('honours any weights within 1 % over long runs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 30 }),
        fc.integer(),
        (weights, seed) => {
          const total = weights.reduce((a, b) => a + b, 0)
          // each backend gets its share up to one pick, so 200 picks of the lightest suffice
          const picks = Math.ceil((200 * total) / Math.min(...weights))
          const { counts } = run(balancer(weights, make(), seed), picks)
          expect(shareError(weights, counts, picks)).toBeLessThan(0.01)
        },
      ),
      { numRuns: 40 },
    )
  })

  it('applies a weight change once the cluster version moves', () => {
    const lb = balancer([1, 1, 1], make())
    expect(run(lb, 3000).counts.get('b0')).toBe(1000)
    lb.cluster.reweight('b0', 3)
    const { counts } = run(lb, 5000)
    expect(counts.get('b0')).toBeGreaterThanOrEqual(2990)
    expect(counts.get('b0')).toBeLessThanOrEqual(3010)
  })

  it('ramps a new backend up through slow start', () => {
    const clock = new ManualClock()
    const cluster = new Cluster(weighted([1, 1, 1, 1]), { clock, random: 7, slowStart: { windowMs: 10_000 } })
    const lb = new Balancer(cluster, { picker: make(), stages: [] })
    cluster.add({ id: 'new' })
    const shares: number[] = []
    for (let step = 0; step <= 5; step++) {
      shares.push((run(lb, 4000).counts.get('new') ?? 0) / 4000)
      clock.advance(2_500)
    }
    // weight factor 0.1 (Envoy's floor), then linear to 1 over the window: share w / (4 + w)
    expect(shares[0]).toBeCloseTo(0.1 / 4.1, 2)
    for (let i = 1; i < shares.length - 1; i++) expect(shares[i]).toBeGreaterThan(shares[i - 1] as number)
    expect(shares.at(-1)).toBeCloseTo(0.2, 2)
  })

  it('returns -1 when there is no candidate', () => {
    const cluster = new Cluster([], { random: 7 }) as Cluster<unknown>
    const picker = make()
    picker.prepare(new Candidates(), cluster)
    expect(picker.pick(new Candidates(), cluster, undefined, 0)).toBe(-1)
    expect(new Balancer(new Cluster([]), { picker: make(), stages: [] }).pick()).toBeUndefined()
  })
})
