import { ManualClock } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Balancer } from '../../src/balancer.js'
import { Candidates } from '../../src/candidates.js'
import { Cluster } from '../../src/cluster.js'
import { random } from '../../src/pickers/random.js'
import { weightedRandom } from '../../src/pickers/weighted-random.js'
import type { Stage } from '../../src/stage.js'

const weighted = (weights: readonly number[]) => weights.map((weight, i) => ({ id: `b${i}`, weight }))

function shares(lb: Balancer, picks: number, ids: readonly string[]): number[] {
  const counts = new Map<string, number>()
  for (let i = 0; i < picks; i++) {
    const id = lb.pick()?.id as string
    counts.set(id, (counts.get(id) ?? 0) + 1)
  }
  return ids.map((id) => (counts.get(id) ?? 0) / picks)
}

/**
 * Largest deviation of an observed share from `p` that sampling noise explains: 6 standard
 * deviations of a binomial share (a correct picker exceeds it with probability below 1e-8), plus
 * 10 picks for the rare backends whose counts are too small for the normal approximation.
 */
const noise = (p: number, picks: number) => 6 * Math.sqrt((p * (1 - p)) / picks) + 10 / picks

describe('random', () => {
  it('picks uniformly', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `b${i}`)
    const lb = new Balancer(new Cluster(weighted(Array(10).fill(1)), { random: 7 }), {
      picker: random(),
      stages: [],
    })
    for (const share of shares(lb, 200_000, ids))
      expect(Math.abs(share - 0.1)).toBeLessThan(noise(0.1, 200_000))
  })

  it('only picks candidates, and returns -1 on none', () => {
    const cluster = new Cluster(weighted([1, 1, 1, 1]), { random: 7 })
    const lb = new Balancer(cluster, { picker: random() })
    cluster.setState('b2', 'down')
    expect(new Set(shares(lb, 1000, ['b2']))).toEqual(new Set([0]))
    const picker = random()
    expect(picker.pick(new Candidates(), cluster as Cluster<unknown>, undefined, 0)).toBe(-1)
  })
})

describe('weightedRandom', () => {
  it('honours weights within 1 % over a long run', () => {
    // 4 M picks: the lightest share (0.1) has a relative standard deviation of 0.15 %, so 1 % is
    // 6.7 of them; ignoring the weights would put it at 0.25, 150 % off.
    const picks = 4_000_000
    const lb = new Balancer(new Cluster(weighted([1, 2, 3, 4]), { random: 7 }), {
      picker: weightedRandom(),
      stages: [],
    })
    shares(lb, picks, ['b0', 'b1', 'b2', 'b3']).forEach((share, i) => {
      const expected = (i + 1) / 10
      expect(Math.abs(share - expected) / expected).toBeLessThan(0.01)
    })
  })

  it('matches any weights up to sampling noise', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.integer(),
        (weights, seed) => {
          const picks = 100_000
          const total = weights.reduce((a, b) => a + b, 0)
          const lb = new Balancer(new Cluster(weighted(weights), { random: seed }), {
            picker: weightedRandom(),
            stages: [],
          })
          const observed = shares(
            lb,
            picks,
            weights.map((_, i) => `b${i}`),
          )
          observed.forEach((share, i) => {
            const p = (weights[i] as number) / total
            expect(Math.abs(share - p)).toBeLessThan(noise(p, picks))
          })
        },
      ),
      { numRuns: 30 },
    )
  })

  it('applies a weight change once the cluster version moves', () => {
    const lb = new Balancer(new Cluster(weighted([1, 1, 1]), { random: 7 }), {
      picker: weightedRandom(),
      stages: [],
    })
    expect(Math.abs((shares(lb, 100_000, ['b0'])[0] as number) - 1 / 3)).toBeLessThan(noise(1 / 3, 100_000))
    lb.cluster.reweight('b0', 3)
    expect(Math.abs((shares(lb, 100_000, ['b0'])[0] as number) - 0.6)).toBeLessThan(noise(0.6, 100_000))
  })

  it('ramps a new backend up through slow start', () => {
    const clock = new ManualClock()
    const cluster = new Cluster(weighted([1, 1, 1, 1]), { clock, random: 7, slowStart: { windowMs: 10_000 } })
    const lb = new Balancer(cluster, { picker: weightedRandom(), stages: [] })
    cluster.add({ id: 'new' })
    for (const factor of [0.1, 0.25, 0.5, 0.75, 1]) {
      const expected = factor / (4 + factor)
      expect(Math.abs((shares(lb, 20_000, ['new'])[0] as number) - expected)).toBeLessThan(
        noise(expected, 20_000),
      )
      clock.advance(2_500)
    }
  })

  it('refuses a dynamic stage and returns -1 on no candidates', () => {
    const sample: Stage = { name: 'sample', kind: 'dynamic', apply() {} }
    expect(
      () => new Balancer(new Cluster(weighted([1])), { picker: weightedRandom(), stages: [sample] }),
    ).toThrow(/builds a table/)
    const cluster = new Cluster([], { random: 7 }) as Cluster<unknown>
    const picker = weightedRandom()
    picker.prepare(new Candidates(), cluster)
    expect(picker.pick(new Candidates(), cluster, undefined, 0)).toBe(-1)
  })
})
