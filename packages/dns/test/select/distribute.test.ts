import { createRandom } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileSelector, type PoolSpec, type PoolsSpec } from '../../src/select/index.js'
import { CHI2_CRITICAL_1E6, chiSquare, ecs4, FakeHealth } from './helpers.js'

type Chain = NonNullable<PoolSpec['chain']>

const A = { qtype: 1, resolver: '198.51.100.1' }

function weighted(weights: readonly number[], chain: Chain): PoolsSpec {
  return {
    p: {
      answers: weights.map((weight, i) => ({
        id: `x${i}`,
        value: `192.0.2.${i + 1}`,
        weight,
        health: [`x${i}`],
      })),
      chain,
    },
  }
}

/** Counts answer `x<i>` at index i. */
function bump(counts: number[], id: string | undefined): void {
  const i = Number((id as string).slice(1))
  counts[i] = (counts[i] as number) + 1
}

/** How often each answer comes first over `draws` selections. */
function firsts(pools: PoolsSpec, n: number, draws: number, seed: number, query = A): number[] {
  const selector = compileSelector(pools, { random: createRandom(seed) })
  const counts = new Array(n).fill(0)
  for (let i = 0; i < draws; i++) {
    bump(counts, selector.select('p', query).answers[0]?.id)
  }
  return counts
}

describe('weightedShuffle', () => {
  it('honours weights in the limit: χ² below the p = 10⁻⁶ critical value; ignoring weights would be far above it', () => {
    const weights = [1, 2, 3, 4]
    const counts = firsts(
      weighted(weights, ['weightedShuffle', { filter: 'selectFirstN', n: 1 }]),
      4,
      20_000,
      2024,
    )
    const chi = chiSquare(counts, weights)
    expect(chi).toBeLessThan(CHI2_CRITICAL_1E6[3] as number)
    // a sampler ignoring weights would give 5,000 each: χ² ≈ 6,041 against these shares
    expect(chiSquare([5000, 5000, 5000, 5000], weights)).toBeGreaterThan(
      100 * (CHI2_CRITICAL_1E6[3] as number),
    )
  })

  it('honours weights for any pool, in the full order and the one-draw path alike (property, pinned seed)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 2, maxLength: 6 }),
        fc.boolean(),
        fc.integer(),
        (weights, oneDraw, seed) => {
          const chain: Chain = oneDraw
            ? ['weightedShuffle', { filter: 'selectFirstN', n: 1 }]
            : ['weightedShuffle']
          const counts = firsts(weighted(weights, chain), weights.length, 6000, seed)
          expect(chiSquare(counts, weights)).toBeLessThan(CHI2_CRITICAL_1E6[weights.length - 1] as number)
        },
      ),
      { numRuns: 25, seed: 99 },
    )
  })

  it("redistributes a down answer's share over the rest by weight", () => {
    const pools = weighted([1, 2, 3, 4], ['up', 'weightedShuffle', { filter: 'selectFirstN', n: 1 }])
    const health = new FakeHealth().set('x3', 'down')
    const selector = compileSelector(pools, { health, random: createRandom(5) })
    const counts = [0, 0, 0, 0]
    for (let i = 0; i < 12_000; i++) bump(counts, selector.select('p', A).answers[0]?.id)
    expect(counts[3]).toBe(0)
    expect(chiSquare(counts.slice(0, 3), [1, 2, 3])).toBeLessThan(CHI2_CRITICAL_1E6[2] as number)
  })
})

describe('shuffle', () => {
  it('puts each answer first equally often, and keeps every answer', () => {
    const selector = compileSelector(weighted([5, 1, 1, 1, 1], ['shuffle']), { random: createRandom(3) })
    const counts = [0, 0, 0, 0, 0]
    for (let i = 0; i < 10_000; i++) {
      const s = selector.select('p', A)
      expect(s.answers.length).toBe(5)
      bump(counts, s.answers[0]?.id)
    }
    expect(chiSquare(counts, [1, 1, 1, 1, 1])).toBeLessThan(CHI2_CRITICAL_1E6[4] as number)
  })
})

describe('roundRobin', () => {
  it('rotates equal answers in order, as gdnsd and Polaris do', () => {
    const selector = compileSelector(weighted([1, 1, 1], ['roundRobin']))
    const orders = Array.from({ length: 4 }, () =>
      selector
        .select('p', A)
        .answers.map((a) => a.id)
        .join(''),
    )
    expect(orders).toEqual(['x0x1x2', 'x1x2x0', 'x2x0x1', 'x0x1x2'])
  })

  it("gives each answer exactly its weight's share of leads over a cycle, interleaved, with no randomness", () => {
    const selector = compileSelector(weighted([5, 1, 1], ['roundRobin', { filter: 'selectFirstN', n: 1 }]))
    const leads = Array.from({ length: 7 }, () => selector.select('p', A).answers[0]?.id)
    expect(leads.filter((id) => id === 'x0').length).toBe(5)
    expect(leads.filter((id) => id === 'x1').length).toBe(1)
    // smooth: the heavy answer never leads more than its share in a row
    expect(leads.join(',')).not.toMatch(/(x0,){5}/)
  })

  it('is not advanced by explanations', () => {
    const selector = compileSelector(weighted([1, 1], ['roundRobin']))
    expect(selector.select('p', A).answers[0]?.id).toBe('x0')
    selector.explain('p', A)
    selector.explain('p', A)
    expect(selector.select('p', A).answers[0]?.id).toBe('x1')
  })
})

describe('sticky', () => {
  const clients = Array.from(
    { length: 3000 },
    (_, i) => `${(i % 200) + 20}.${(i * 7) % 250}.${(i * 13) % 250}.0`,
  )

  function leaders(weights: readonly number[], down: readonly number[] = []): string[] {
    const health = new FakeHealth()
    for (const i of down) health.set(`x${i}`, 'down')
    const selector = compileSelector(weighted(weights, ['up', 'sticky']), { health })
    return clients.map(
      (c) =>
        selector.select('p', { qtype: 1, resolver: '192.0.2.53', ecs: ecs4(c, 24) }).answers[0]?.id as string,
    )
  }

  it('gives the same client network the same order, and reports its /24 as the scope', () => {
    const selector = compileSelector(weighted([1, 1, 1], ['sticky']), { random: createRandom(1) })
    const q = { qtype: 1, resolver: '192.0.2.53', ecs: ecs4('203.0.113.0', 24) }
    const first = selector
      .select('p', q)
      .answers.map((a) => a.id)
      .join()
    for (let i = 0; i < 20; i++)
      expect(
        selector
          .select('p', q)
          .answers.map((a) => a.id)
          .join(),
      ).toBe(first)
    expect(selector.select('p', q).scope).toBe(24)
    const byName = compileSelector(weighted([1, 1, 1], [{ filter: 'sticky', by: 'qname' }]))
    const one = byName.select('p', { ...q, qname: 'WWW.example.com' })
    const same = byName.select('p', { ...q, qname: 'www.EXAMPLE.com', ecs: ecs4('198.51.100.0', 24) })
    expect(one.answers.map((a) => a.id)).toEqual(same.answers.map((a) => a.id))
    expect(same.scope).toBe(0)
  })

  it('spreads clients by weight (χ²)', () => {
    const counts = [0, 0, 0]
    for (const id of leaders([1, 2, 3])) bump(counts, id)
    expect(chiSquare(counts, [1, 2, 3])).toBeLessThan(CHI2_CRITICAL_1E6[2] as number)
  })

  it("moves only the changed share when one weight changes, and only a failed answer's clients (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 6 }),
        fc.nat(),
        fc.integer({ min: 1, max: 12 }),
        (weights, pick, newWeight) => {
          const j = pick % weights.length
          const before = leaders(weights)
          const changed = weights.map((w, i) => (i === j ? newWeight : w))
          const after = leaders(changed)
          const moved = before.filter((id, i) => id !== after[i])
          const target = `x${j}`
          for (let i = 0; i < clients.length; i++) {
            if (before[i] === after[i]) continue
            // a heavier answer only gains clients, a lighter one only loses them
            if (newWeight > (weights[j] as number)) expect(after[i]).toBe(target)
            else expect(before[i]).toBe(target)
          }
          // the moved share is the change of j's share, within sampling noise (6 σ of 3000 draws)
          const sum = (ws: readonly number[]) => ws.reduce((a, b) => a + b, 0)
          const delta = Math.abs(newWeight / sum(changed) - (weights[j] as number) / sum(weights))
          expect(Math.abs(moved.length / clients.length - delta)).toBeLessThan(
            6 * Math.sqrt(0.25 / clients.length),
          )
          const failed = leaders(weights, [j])
          for (let i = 0; i < clients.length; i++) {
            if (before[i] !== target) expect(failed[i]).toBe(before[i])
            else expect(failed[i]).not.toBe(target)
          }
        },
      ),
      { numRuns: 20, seed: 8 },
    )
  })
})
