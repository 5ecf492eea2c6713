import { createRandom } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileSelector, type PoolSpec, type PoolsSpec } from '../../src/select/index.js'
import { CHI2_CRITICAL_1E6, chiSquare, ecs4, FakeHealth } from './helpers.js'

const A = { qtype: 1, resolver: '198.51.100.1' }
const ids = (selection: { answers: readonly { id: string }[] }) => selection.answers.map((a) => a.id)

/** Sites dc1…dcN, each a pool of two answers with health targets `<dc>-<i>`. */
function sites(names: readonly string[], extra: (name: string) => object = () => ({})): PoolsSpec {
  return Object.fromEntries(
    names.map((dc) => [
      dc,
      {
        answers: [1, 2].map((i) => ({
          id: `${dc}-${i}`,
          value: `192.0.2.${names.indexOf(dc) * 10 + i}`,
          health: [`${dc}-${i}`],
        })),
        ...extra(dc),
      },
    ]),
  )
}

function down(health: FakeHealth, ...dcs: string[]): FakeHealth {
  for (const dc of dcs) health.set(`${dc}-1`, 'down').set(`${dc}-2`, 'down')
  return health
}

describe('failover (gdnsd metafo)', () => {
  const pools: PoolsSpec = {
    ...sites(['dc1', 'dc2', 'dc3']),
    www: { members: [{ pool: 'dc1' }, { pool: 'dc2' }, { pool: 'dc3' }], ttl: 100 },
  }

  it('answers from the first member that has not failed', () => {
    const health = new FakeHealth()
    const selector = compileSelector(pools, { health })
    expect(selector.select('www', A)).toMatchObject({ pool: 'dc1', failed: false, degraded: false, ttl: 100 })
    down(health, 'dc1')
    const s = selector.select('www', A)
    expect(s).toMatchObject({ pool: 'dc2', failed: false, degraded: true, ttl: 50 })
    expect(ids(s)).toEqual(['dc2-1', 'dc2-2'])
    // one address of dc2 down does not fail dc2: it answers with the other
    health.set('dc2-1', 'down')
    expect(ids(selector.select('www', A))).toEqual(['dc2-2'])
  })

  it('fails open with the first member when every member has failed, and says so', () => {
    const health = down(new FakeHealth(), 'dc1', 'dc2', 'dc3')
    const s = compileSelector(pools, { health }).select('www', A)
    expect(s).toMatchObject({ pool: 'dc1', failed: true, outcome: 'answer' })
    expect(ids(s)).toEqual(['dc1-1', 'dc1-2'])
  })

  it('propagates total failure to the parent of a parent (gdnsd#48/#49)', () => {
    const nested: PoolsSpec = {
      ...sites(['a', 'b', 'c']),
      inner: { members: [{ pool: 'a' }, { pool: 'b' }] },
      outer: { members: [{ pool: 'inner' }, { pool: 'c' }] },
    }
    const health = new FakeHealth()
    const selector = compileSelector(nested, { health })
    down(health, 'a')
    expect(selector.select('outer', A).pool).toBe('b')
    down(health, 'b')
    expect(selector.select('outer', A)).toMatchObject({ pool: 'c', failed: false })
    down(health, 'c')
    expect(selector.select('outer', A)).toMatchObject({ pool: 'a', failed: true })
  })

  it('propagates a threshold failure, not just all-down (gdnsd up_thresh feeds metafo)', () => {
    const health = new FakeHealth().set('dc1-1', 'down')
    const strict = compileSelector(
      {
        ...sites(['dc1', 'dc2'], () => ({ upThreshold: 1 })),
        www: { members: [{ pool: 'dc1' }, { pool: 'dc2' }] },
      },
      { health },
    )
    expect(strict.select('www', A).pool).toBe('dc2')
  })

  it("applies the composite's onAllDown when every member fails", () => {
    const health = down(new FakeHealth(), 'dc1', 'dc2', 'dc3')
    for (const mode of ['nodata', 'refused', 'servfail'] as const) {
      const s = compileSelector({ ...pools, www: { ...pools.www, onAllDown: mode } }, { health }).select(
        'www',
        A,
      )
      expect(s).toMatchObject({ outcome: mode, failed: true, answers: [] })
    }
    const sorry: PoolsSpec = {
      ...pools,
      sorry: { answers: [{ id: 'sorry', value: '203.0.113.80' }] },
      www: { ...pools.www, onAllDown: { pool: 'sorry' } },
    }
    expect(compileSelector(sorry, { health }).select('www', A)).toMatchObject({ pool: 'sorry', failed: true })
  })

  it('skips a member whose own health or admin state is down', () => {
    const health = new FakeHealth().set('dc1-link', 'down')
    const selector = compileSelector(
      {
        ...sites(['dc1', 'dc2', 'dc3']),
        www: {
          members: [{ pool: 'dc1', health: ['dc1-link'] }, { pool: 'dc2', admin: 'drain' }, { pool: 'dc3' }],
        },
      },
      { health },
    )
    expect(selector.select('www', A).pool).toBe('dc3')
  })

  it('answers AAAA from members that have IPv6, skipping those without', () => {
    const selector = compileSelector({
      v4only: { answers: [{ id: 'a', value: '192.0.2.1' }] },
      dual: {
        answers: [
          { id: 'b', value: '192.0.2.2' },
          { id: 'b6', value: '2001:db8::2' },
        ],
      },
      www: { members: [{ pool: 'v4only' }, { pool: 'dual' }] },
    })
    expect(selector.select('www', A).pool).toBe('v4only')
    const s = selector.select('www', { qtype: 28, resolver: '2001:db8:53::1' })
    expect(s).toMatchObject({ pool: 'dual', failed: false })
    expect(ids(s)).toEqual(['b6'])
  })

  it("follows the answering node's site first (Walrus), then fails over to the others", () => {
    const spec: PoolsSpec = {
      ...sites(['ams', 'iad', 'sin']),
      www: {
        members: [
          { pool: 'ams', site: 'ams' },
          { pool: 'iad', site: 'iad' },
          { pool: 'sin', site: 'sin' },
        ],
        chain: ['preferSite', 'failover'],
      },
    }
    const health = new FakeHealth()
    const inSin = compileSelector(spec, { health, node: { id: 'ns3', site: 'sin' } })
    expect(inSin.select('www', A).pool).toBe('sin')
    down(health, 'sin')
    expect(inSin.select('www', A).pool).toBe('ams')
    expect(compileSelector(spec, { node: { site: 'iad' } }).select('www', A).pool).toBe('iad')
    expect(compileSelector(spec, {}).select('www', A).pool).toBe('ams')
  })

  it('fails over per client when a view orders members (gdnsd geoip nets → datacenter lists)', () => {
    const spec: PoolsSpec = {
      ...sites(['eu', 'us', 'ap']),
      www: {
        members: [{ pool: 'eu' }, { pool: 'us' }, { pool: 'ap' }],
        chain: [
          {
            filter: 'view',
            views: [
              { nets: ['198.51.100.0/24'], answers: ['us', 'eu'] },
              { nets: ['203.0.113.0/24'], answers: ['ap'] },
            ],
            default: ['eu', 'us', 'ap'],
          },
          'failover',
        ],
      },
    }
    const health = new FakeHealth()
    const selector = compileSelector(spec, { health })
    const q = (net: string) => ({ qtype: 1, resolver: '192.0.2.53', ecs: ecs4(net, 24) })
    expect(selector.select('www', q('198.51.100.0')).pool).toBe('us')
    expect(selector.select('www', q('203.0.113.0')).pool).toBe('ap')
    expect(selector.select('www', q('8.8.8.0')).pool).toBe('eu')
    down(health, 'us')
    expect(selector.select('www', q('198.51.100.0')).pool).toBe('eu')
    down(health, 'ap')
    // the view left only ap, which failed: the composite fails open with it
    expect(selector.select('www', q('203.0.113.0'))).toMatchObject({ pool: 'ap', failed: true })
  })
})

describe('spillover (gdnsd#126)', () => {
  const spec: PoolsSpec = {
    ...sites(['dc1', 'dc2', 'dc3', 'dc4', 'dc5'], (dc) => ({
      chain: ['up', { filter: 'selectFirstN', n: 1 }],
      answers: [{ id: dc, value: '192.0.2.1', health: [`${dc}-1`] }],
    })),
    www: {
      members: ['dc1', 'dc2', 'dc3', 'dc4', 'dc5'].map((pool) => ({ pool })),
      chain: [{ filter: 'spillover', k: 3 }],
    },
  }

  it('keeps clients on the first member while it works', () => {
    const selector = compileSelector(spec, { random: createRandom(1) })
    for (let i = 0; i < 50; i++) expect(selector.select('www', A).pool).toBe('dc1')
  })

  it("spreads a failed member's clients over the next k members evenly, instead of all onto the next", () => {
    const health = new FakeHealth().set('dc1-1', 'down')
    const selector = compileSelector(spec, { health, random: createRandom(2) })
    const counts: Record<string, number> = {}
    for (let i = 0; i < 6000; i++) {
      const s = selector.select('www', A)
      expect(s.failed).toBe(false)
      counts[s.pool] = (counts[s.pool] ?? 0) + 1
    }
    expect(Object.keys(counts).sort()).toEqual(['dc2', 'dc3', 'dc4'])
    expect(chiSquare([counts.dc2 ?? 0, counts.dc3 ?? 0, counts.dc4 ?? 0], [1, 1, 1])).toBeLessThan(
      CHI2_CRITICAL_1E6[2] as number,
    )
  })

  it('skips failed members in the window, and weighs the spread by member weight', () => {
    const health = new FakeHealth().set('dc1-1', 'down').set('dc3-1', 'down')
    const weightedSpec: PoolsSpec = {
      ...spec,
      www: {
        ...spec.www,
        members: [
          { pool: 'dc1' },
          { pool: 'dc2', weight: 3 },
          { pool: 'dc3' },
          { pool: 'dc4' },
          { pool: 'dc5' },
        ],
      },
    }
    const selector = compileSelector(weightedSpec, { health, random: createRandom(3) })
    const counts: Record<string, number> = {}
    for (let i = 0; i < 5000; i++) {
      const pool = selector.select('www', A).pool
      counts[pool] = (counts[pool] ?? 0) + 1
    }
    expect(Object.keys(counts).sort()).toEqual(['dc2', 'dc4', 'dc5'])
    expect(chiSquare([counts.dc2 ?? 0, counts.dc4 ?? 0, counts.dc5 ?? 0], [3, 1, 1])).toBeLessThan(
      CHI2_CRITICAL_1E6[2] as number,
    )
  })

  it('fails open with the first member when all fail', () => {
    const health = new FakeHealth()
    for (const dc of ['dc1', 'dc2', 'dc3', 'dc4', 'dc5']) health.set(`${dc}-1`, 'down')
    expect(compileSelector(spec, { health }).select('www', A)).toMatchObject({ pool: 'dc1', failed: true })
  })
})

describe('failover and spillover against an oracle (property)', () => {
  it('answer from the first working member, or the right member of the spill window, or onAllDown', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('all', 'nodata', 'refused', 'servfail'),
        fc.integer({ min: 0, max: 3 }),
        fc.integer(),
        (members, onAllDown, k, seed) => {
          const health = new FakeHealth()
          const pools: Record<string, PoolSpec> = {}
          members.forEach((ups, m) => {
            ups.forEach((up, i) => {
              health.set(`m${m}-${i}`, up ? 'up' : 'down')
            })
            pools[`m${m}`] = {
              answers: ups.map((_, i) => ({
                id: `m${m}-${i}`,
                value: `192.0.2.${i + 1}`,
                health: [`m${m}-${i}`],
              })),
            }
          })
          const composite = {
            members: members.map((_, m) => ({ pool: `m${m}` })),
            onAllDown: onAllDown as 'all',
          }
          pools.www = { ...composite, chain: [k === 0 ? 'failover' : { filter: 'spillover', k }] }
          const s = compileSelector(pools, { health, random: createRandom(seed) }).select('www', A)
          const working = members.map((ups) => ups.some(Boolean))
          const live = working.flatMap((ok, m) => (ok ? [m] : []))
          if (live.length === 0) {
            expect(s.failed).toBe(true)
            if (onAllDown === 'all') expect(s.pool).toBe('m0')
            else expect(s.outcome).toBe(onAllDown)
            return
          }
          expect(s.failed).toBe(false)
          const served = Number(s.pool.slice(1))
          if (k === 0 || working[0]) {
            expect(served).toBe(live[0])
            // the TTL follows what was involved: the members skipped on the way and the one answering
            expect(s.degraded).toBe(members.slice(0, served + 1).some((ups) => ups.includes(false)))
          } else expect(live.filter((m) => m > 0).slice(0, k)).toContain(served)
          expect(s.answers.every((a) => members[served]?.[Number(a.id.split('-')[1])] === true)).toBe(true)
        },
      ),
      { numRuns: 300, seed: 5 },
    )
  })
})
