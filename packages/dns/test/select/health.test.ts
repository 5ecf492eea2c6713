import { createRandom, type TargetState } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileSelector, type PoolsSpec, upThresholdPasses } from '../../src/select/index.js'
import { FakeHealth } from './helpers.js'

const A = { qtype: 1, resolver: '198.51.100.1' }
const ids = (selection: { answers: readonly { id: string }[] }) => selection.answers.map((a) => a.id)

function three(extra: object = {}): PoolsSpec {
  return {
    www: {
      answers: [
        { id: 'a', value: '192.0.2.1', health: ['a'] },
        { id: 'b', value: '192.0.2.2', health: ['b'] },
        { id: 'c', value: '192.0.2.3', health: ['c'] },
      ],
      ttl: 60,
      ...extra,
    },
  }
}

describe('up: health, thresholds and all-down', () => {
  it('serves only the answers that are up, with the maximum TTL while all are', () => {
    const health = new FakeHealth()
    const selector = compileSelector(three(), { health })
    expect(selector.select('www', A)).toMatchObject({
      outcome: 'answer',
      ttl: 60,
      failed: false,
      degraded: false,
    })
    expect(ids(selector.select('www', A))).toEqual(['a', 'b', 'c'])
    health.set('b', 'down')
    const s = selector.select('www', A)
    expect(ids(s)).toEqual(['a', 'c'])
    expect(s).toMatchObject({ ttl: 30, failed: false, degraded: true })
  })

  it("takes the worst state of an answer's health targets, and admin overrides", () => {
    const health = new FakeHealth()
    const selector = compileSelector(
      {
        www: {
          answers: [
            { id: 'a', value: '192.0.2.1', health: ['a-tcp', 'a-http'] },
            { id: 'b', value: '192.0.2.2', admin: 'drain' },
            { id: 'c', value: '192.0.2.3', admin: 'down' },
            { id: 'd', value: '192.0.2.4' },
          ],
        },
      },
      { health },
    )
    expect(ids(selector.select('www', A))).toEqual(['a', 'd'])
    health.set('a-tcp', 'up').set('a-http', 'draining')
    expect(ids(selector.select('www', A))).toEqual(['d'])
    health.set('a-http', 'up')
    expect(ids(selector.select('www', A))).toEqual(['a', 'd'])
  })

  it('treats targets without a state as configured (up by default, down on request)', () => {
    const health = new FakeHealth()
    expect(ids(compileSelector(three(), { health }).select('www', A))).toEqual(['a', 'b', 'c'])
    const strict = compileSelector(three({ onAllDown: 'servfail' }), { health, unknownHealth: 'down' })
    expect(strict.select('www', A).outcome).toBe('servfail')
    health.set('c', 'up')
    expect(ids(strict.select('www', A))).toEqual(['c'])
  })

  it('fails open by default when nothing is up: every answer, the minimum TTL, failure reported', () => {
    const health = new FakeHealth().set('a', 'down').set('b', 'down').set('c', 'down')
    const s = compileSelector(three(), { health }).select('www', A)
    expect(ids(s)).toEqual(['a', 'b', 'c'])
    expect(s).toMatchObject({ outcome: 'answer', failed: true, degraded: true, ttl: 30 })
  })

  it('answers every all-down mode', () => {
    const health = new FakeHealth().set('a', 'down').set('b', 'down').set('c', 'down')
    for (const [mode, outcome] of [
      ['nodata', 'nodata'],
      ['refused', 'refused'],
      ['servfail', 'servfail'],
    ] as const) {
      const s = compileSelector(three({ onAllDown: mode }), { health }).select('www', A)
      expect(s).toMatchObject({ outcome, failed: true, answers: [] })
    }
    const pools: PoolsSpec = {
      ...three({ onAllDown: { pool: 'sorry' } }),
      sorry: { answers: [{ id: 'sorry', value: '203.0.113.80' }], ttl: 10 },
    }
    const s = compileSelector(pools, { health }).select('www', A)
    expect(s).toMatchObject({ outcome: 'answer', failed: true, pool: 'sorry', ttl: 30 })
    expect(ids(s)).toEqual(['sorry'])
  })

  it("applies gdnsd's up_thresh by count: 0.5 never answers 1 of 3", () => {
    const health = new FakeHealth().set('a', 'down')
    const selector = compileSelector(three({ upThreshold: 0.5 }), { health })
    expect(ids(selector.select('www', A))).toEqual(['b', 'c'])
    health.set('b', 'down')
    const s = selector.select('www', A)
    expect(ids(s)).toEqual(['a', 'b', 'c'])
    expect(s.failed).toBe(true)
  })

  it('applies up_thresh by weight', () => {
    const health = new FakeHealth().set('big', 'down')
    const pools: PoolsSpec = {
      www: {
        answers: [
          { id: 'big', value: '192.0.2.1', weight: 6, health: ['big'] },
          { id: 'small1', value: '192.0.2.2', weight: 2 },
          { id: 'small2', value: '192.0.2.3', weight: 2 },
        ],
        upThreshold: { value: 0.5, by: 'weight' },
      },
    }
    // 4 of 10 weight is up: below ⌈0.5 × 10⌉ = 5, though 2 of 3 answers are
    expect(compileSelector(pools, { health }).select('www', A).failed).toBe(true)
    health.set('big', 'up').set('small1', 'down')
    expect(compileSelector(pools, { health }).select('www', A).failed).toBe(false)
  })

  it('does not count draining answers as down for the threshold', () => {
    const health = new FakeHealth().set('a', 'draining').set('b', 'draining')
    const s = compileSelector(three({ upThreshold: 0.5 }), { health }).select('www', A)
    expect(ids(s)).toEqual(['c'])
    expect(s).toMatchObject({ failed: false, degraded: true })
  })

  it('serves everything with ignoreHealth, yet still reports failure and shortens the TTL', () => {
    const health = new FakeHealth().set('a', 'down')
    const s = compileSelector(three({ ignoreHealth: true }), { health }).select('www', A)
    expect(ids(s)).toEqual(['a', 'b', 'c'])
    expect(s).toMatchObject({ failed: false, degraded: true, ttl: 30 })
    health.set('b', 'down').set('c', 'down')
    expect(compileSelector(three({ ignoreHealth: true }), { health }).select('www', A).failed).toBe(true)
  })

  it('splits families: A answers from IPv4, AAAA from IPv6, each with its own threshold', () => {
    const health = new FakeHealth().set('v4', 'down')
    const selector = compileSelector(
      {
        www: {
          answers: [
            { id: 'v4', value: '192.0.2.1', health: ['v4'] },
            { id: 'v4b', value: '192.0.2.2' },
            { id: 'v6', value: '2001:db8::1' },
          ],
          upThreshold: 1,
        },
      },
      { health },
    )
    expect(selector.select('www', A)).toMatchObject({ failed: true })
    const aaaa = selector.select('www', { qtype: 28, resolver: '2001:db8:53::1' })
    expect(aaaa).toMatchObject({ failed: false, degraded: false })
    expect(ids(aaaa)).toEqual(['v6'])
    expect(selector.select('www', { qtype: 16, resolver: '192.0.2.53' }).outcome).toBe('nodata')
  })

  it('recomputes once per health epoch, not per query, and only for its own targets', () => {
    const health = new FakeHealth()
    const selector = compileSelector(three(), { health })
    const epoch = selector.epoch
    for (let i = 0; i < 100; i++) selector.select('www', A)
    expect(selector.epoch).toBe(epoch)
    const asked = health.queries
    for (let i = 0; i < 100; i++) selector.select('www', A)
    expect(health.queries).toBe(asked)
    health.set('somebody-else', 'down')
    selector.select('www', A)
    expect(selector.epoch).toBe(epoch)
    health.set('a', 'down')
    health.set('b', 'down')
    selector.select('www', A)
    selector.select('www', A)
    expect(selector.epoch).toBe(epoch + 1)
    selector.close()
    expect(health.listeners).toBe(0)
  })

  it('keeps answers within the healthy ones unless it fails open (property)', () => {
    const states = fc.constantFrom<TargetState>('up', 'up', 'down', 'draining')
    fc.assert(
      fc.property(
        fc.array(fc.record({ state: states, weight: fc.integer({ min: 1, max: 9 }), v6: fc.boolean() }), {
          minLength: 1,
          maxLength: 10,
        }),
        fc.option(fc.constantFrom(0.1, 0.3, 0.5, 0.7, 1), { nil: undefined }),
        fc.boolean(),
        fc.constantFrom('all', 'nodata', 'refused', 'servfail'),
        fc.constantFrom<string[]>([], ['shuffle'], ['weightedShuffle'], ['roundRobin'], ['sticky']),
        fc.integer({ min: 1, max: 4 }),
        fc.integer(),
        (answers, threshold, byWeight, onAllDown, distribute, n, seed) => {
          const health = new FakeHealth()
          answers.forEach((a, i) => {
            health.set(`t${i}`, a.state)
          })
          const pools: PoolsSpec = {
            p: {
              answers: answers.map((a, i) => ({
                id: `x${i}`,
                value: a.v6 ? `2001:db8::${i + 1}` : `192.0.2.${i + 1}`,
                weight: a.weight,
                health: [`t${i}`],
              })),
              chain: ['up', ...(distribute as ['shuffle']), { filter: 'selectFirstN', n }],
              ...(threshold === undefined
                ? {}
                : { upThreshold: { value: threshold, by: byWeight ? 'weight' : 'count' } }),
              onAllDown: onAllDown as 'all',
              ttl: { max: 100, min: 7 },
            },
          }
          const selector = compileSelector(pools, { health, random: createRandom(seed) })
          for (const [qtype, v6] of [
            [1, false],
            [28, true],
          ] as const) {
            const family = answers.map((a, i) => ({ ...a, id: `x${i}` })).filter((a) => a.v6 === v6)
            const s = selector.select('p', { qtype, resolver: '198.51.100.1' })
            if (family.length === 0) {
              expect(s.outcome).toBe('nodata')
              continue
            }
            const w = (a: (typeof family)[number]) => (byWeight && threshold !== undefined ? a.weight : 1)
            const nonDown = family.filter((a) => a.state !== 'down').reduce((sum, a) => sum + w(a), 0)
            const total = family.reduce((sum, a) => sum + w(a), 0)
            const up = family.filter((a) => a.state === 'up')
            const passes = up.length > 0 && upThresholdPasses(nonDown, total, threshold ?? 0)
            expect(s.failed).toBe(!passes)
            expect(s.ttl).toBe(up.length === family.length ? 100 : 7)
            expect(s.answers.length).toBeLessThanOrEqual(n)
            const chosen = s.answers.map((a) => a.id)
            expect(new Set(chosen).size).toBe(chosen.length)
            if (passes) {
              const healthy = new Set(up.map((a) => a.id))
              expect(chosen.every((id) => healthy.has(id))).toBe(true)
              expect(chosen.length).toBe(Math.min(n, up.length))
            } else if (onAllDown === 'all') {
              expect(chosen.length).toBe(Math.min(n, family.length))
            } else {
              expect(s.outcome).toBe(onAllDown)
              expect(chosen).toEqual([])
            }
          }
        },
      ),
      { numRuns: 300, seed: 42 },
    )
  })
})
