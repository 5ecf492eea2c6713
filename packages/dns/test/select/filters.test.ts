import { createRandom } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import {
  combineGeoLookups,
  compileSelector,
  mmdbGeoLookup,
  type PoolSpec,
  type PoolsSpec,
} from '../../src/select/index.js'
import { ecs4, FakeHealth } from './helpers.js'
import { writeMmdb } from './mmdb-writer.js'

type Chain = NonNullable<PoolSpec['chain']>

const ids = (selection: { answers: readonly { id: string }[] }) => selection.answers.map((a) => a.id)
const from = (net: string, source = 24) => ({ qtype: 1, resolver: '192.0.2.53', ecs: ecs4(net, source) })

const db = writeMmdb([
  {
    cidr: '198.51.100.0/24',
    record: {
      continent: { code: 'EU' },
      country: { iso_code: 'FR' },
      subdivisions: [{ iso_code: 'IDF' }],
      location: { latitude: 48.86, longitude: 2.35 },
    },
  },
  {
    cidr: '203.0.113.0/24',
    record: {
      continent: { code: 'AS' },
      country: { iso_code: 'JP' },
      location: { latitude: 35.68, longitude: 139.69 },
    },
  },
  {
    cidr: '100.0.0.0/16',
    record: {
      continent: { code: 'NA' },
      country: { iso_code: 'US' },
      location: { latitude: 40.71, longitude: -74.0 },
    },
  },
  { cidr: '101.0.0.0/16', record: { continent: { code: 'NA' }, country: { iso_code: 'US' } } },
])
const asnDb = writeMmdb([{ cidr: '100.0.0.0/15', record: { autonomous_system_number: 64500 } }], 'Test-ASN')
const geo = combineGeoLookups(mmdbGeoLookup(db), mmdbGeoLookup(asnDb))

const sitesPool: PoolsSpec = {
  p: {
    answers: [
      {
        id: 'nyc',
        value: '192.0.2.1',
        site: 'nyc',
        geo: { continent: 'NA', country: 'US', lat: 40.71, lon: -74.0 },
      },
      {
        id: 'par',
        value: '192.0.2.2',
        site: 'par',
        geo: { continent: 'EU', country: ['FR', 'BE'], subdivision: 'FR-IDF', lat: 48.86, lon: 2.35 },
      },
      {
        id: 'tyo',
        value: '192.0.2.3',
        site: 'tyo',
        geo: { continent: 'AS', country: 'JP', lat: 35.68, lon: 139.69 },
      },
      { id: 'any', value: '192.0.2.4' },
    ],
  },
}
const withChain = (chain: Chain, extra: object = {}): PoolsSpec => ({
  p: { ...sitesPool.p, chain, ...extra },
})

describe('geotarget', () => {
  it('sorts by great-circle distance from the client, unknown locations last', () => {
    const selector = compileSelector(withChain(['geotarget']), { geo })
    expect(ids(selector.select('p', from('198.51.100.0')))).toEqual(['par', 'nyc', 'tyo', 'any'])
    expect(ids(selector.select('p', from('203.0.113.0')))).toEqual(['tyo', 'par', 'nyc', 'any'])
    expect(ids(selector.select('p', from('100.0.5.0')))).toEqual(['nyc', 'par', 'tyo', 'any'])
    // no coordinates for this client: the order stays, the scope still says what decided it
    const s = selector.select('p', from('101.0.5.0'))
    expect(ids(s)).toEqual(['nyc', 'par', 'tyo', 'any'])
    expect(s.scope).toBe(16)
  })

  it("applies Route 53's bias: a positive bias pulls farther clients in", () => {
    const biased: PoolsSpec = {
      p: {
        answers: [
          { id: 'nyc', value: '192.0.2.1', geo: { lat: 40.71, lon: -74.0 } },
          { id: 'par', value: '192.0.2.2', geo: { lat: 48.86, lon: 2.35, bias: 80 } },
        ],
        chain: ['geotarget'],
      },
    }
    // New York → Paris ≈ 5,840 km × 0.2 ≈ 1,170 km, nearer than New York itself only for clients
    // more than 1,170 km from New York: a client in New York stays there
    const selector = compileSelector(biased, { geo })
    expect(ids(selector.select('p', from('100.0.5.0')))).toEqual(['nyc', 'par'])
    const tokyo = compileSelector(biased, { geo })
    expect(ids(tokyo.select('p', from('203.0.113.0')))).toEqual(['par', 'nyc'])
  })

  it('sorts by country or continent when asked', () => {
    const byCountry = compileSelector(withChain([{ filter: 'geotarget', mode: 'country' }]), { geo })
    expect(ids(byCountry.select('p', from('203.0.113.0')))).toEqual(['tyo', 'nyc', 'par', 'any'])
    const byContinent = compileSelector(withChain([{ filter: 'geotarget', mode: 'continent' }]), { geo })
    expect(ids(byContinent.select('p', from('198.51.100.0')))).toEqual(['par', 'nyc', 'tyo', 'any'])
  })
})

describe('geofence', () => {
  it('keeps matching and unfenced candidates, or only the matching ones on request', () => {
    const keep = compileSelector(withChain(['geofence']), { geo })
    expect(ids(keep.select('p', from('198.51.100.0')))).toEqual(['par', 'any'])
    const strict = compileSelector(withChain([{ filter: 'geofence', removeUnfencedOnMatch: true }]), { geo })
    expect(ids(strict.select('p', from('198.51.100.0')))).toEqual(['par'])
    expect(ids(strict.select('p', from('8.8.8.0')))).toEqual(['any'])
    // only par names a subdivision: the others are unfenced at that level
    const region = compileSelector(withChain([{ filter: 'geofence', level: 'subdivision' }]), { geo })
    expect(ids(region.select('p', from('198.51.100.0')))).toEqual(['nyc', 'par', 'tyo', 'any'])
    expect(ids(region.select('p', from('203.0.113.0')))).toEqual(['nyc', 'tyo', 'any'])
    const continent = compileSelector(withChain([{ filter: 'geofence', level: 'continent' }]), { geo })
    expect(ids(continent.select('p', from('203.0.113.0')))).toEqual(['tyo', 'any'])
  })
})

describe('netfence', () => {
  const fenced: PoolsSpec = {
    p: {
      answers: [
        { id: 'corp', value: '192.0.2.1', prefixes: ['198.51.100.0/24', '2001:db8:100::/48'] },
        { id: 'isp', value: '192.0.2.2', asn: [64500] },
        { id: 'lab', value: '192.0.2.3', prefixes: ['198.51.100.128/25'] },
        { id: 'public', value: '192.0.2.4' },
      ],
      chain: ['netfence'],
    },
  }

  it('keeps candidates whose prefixes hold the client, with the merged trie depth as scope', () => {
    const selector = compileSelector(fenced, { geo })
    const s = selector.select('p', from('198.51.100.0'))
    expect(ids(s)).toEqual(['corp', 'public'])
    expect(s.scope).toBe(25)
    expect(ids(selector.select('p', from('198.51.100.128', 25)))).toEqual(['corp', 'lab', 'public'])
    expect(ids(selector.select('p', from('203.0.113.0')))).toEqual(['public'])
  })

  it("matches the client's AS from the GeoIP lookup", () => {
    const selector = compileSelector(fenced, { geo })
    expect(ids(selector.select('p', from('100.1.0.0')))).toEqual(['isp', 'public'])
    const strict = compileSelector(
      { p: { ...fenced.p, chain: [{ filter: 'netfence', removeUnfencedOnMatch: true }] } },
      { geo },
    )
    expect(ids(strict.select('p', from('100.1.0.0')))).toEqual(['isp'])
    expect(ids(strict.select('p', from('203.0.113.0')))).toEqual(['public'])
  })

  it('reads IPv6 clients from the IPv6 trie', () => {
    const selector = compileSelector(fenced, { geo })
    const q = {
      qtype: 1,
      resolver: '192.0.2.53',
      ecs: { family: 2, sourcePrefix: 56, address: Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0x12) },
    }
    const s = selector.select('p', q)
    expect(ids(s)).toEqual(['corp', 'public'])
    expect(s.scope).toBe(48)
  })
})

describe('latencyTable', () => {
  it('sorts by the RTT from the client network to each site, unknown last', () => {
    const selector = compileSelector(
      withChain([
        {
          filter: 'latencyTable',
          entries: [
            { nets: ['198.51.100.0/24'], rtt: { par: 12, nyc: 80, tyo: 230 } },
            { nets: ['203.0.113.0/24', '2001:db8::/32'], rtt: { tyo: 5, par: 240 } },
          ],
          default: { nyc: 50 },
        },
      ]),
    )
    expect(ids(selector.select('p', from('198.51.100.0')))).toEqual(['par', 'nyc', 'tyo', 'any'])
    const s = selector.select('p', from('203.0.113.0'))
    expect(ids(s)).toEqual(['tyo', 'par', 'nyc', 'any'])
    expect(s.scope).toBe(24)
    expect(ids(selector.select('p', from('8.8.8.0')))).toEqual(['nyc', 'par', 'tyo', 'any'])
  })
})

describe('priority, cost, preferSite, selectFirstGroup, selectFirstN', () => {
  const tiers: PoolsSpec = {
    p: {
      answers: [
        { id: 'a', value: '192.0.2.1', priority: 1, cost: 5, site: 'x', health: ['a'] },
        { id: 'b', value: '192.0.2.2', priority: 1, cost: 1, site: 'y', health: ['b'] },
        { id: 'c', value: '192.0.2.3', priority: 2, cost: 0, site: 'x' },
        { id: 'd', value: '192.0.2.4', priority: 2, cost: 3, site: 'y' },
      ],
    },
  }
  const chain = (c: Chain): PoolsSpec => ({ p: { ...tiers.p, chain: c } })
  const A = { qtype: 1, resolver: '198.51.100.1' }

  it('priority keeps the best tier, and the next once the best is down', () => {
    const health = new FakeHealth()
    const selector = compileSelector(chain(['up', 'priority']), { health })
    expect(ids(selector.select('p', A))).toEqual(['a', 'b'])
    health.set('a', 'down').set('b', 'down')
    expect(ids(selector.select('p', A))).toEqual(['c', 'd'])
  })

  it('cost sorts lowest first, keeping ties in order', () => {
    expect(ids(compileSelector(chain(['cost'])).select('p', A))).toEqual(['c', 'b', 'd', 'a'])
  })

  it("preferSite puts the node's site (or a fixed one) first", () => {
    expect(ids(compileSelector(chain(['preferSite']), { node: { site: 'y' } }).select('p', A))).toEqual([
      'b',
      'd',
      'a',
      'c',
    ])
    expect(
      ids(
        compileSelector(chain([{ filter: 'preferSite', site: 'x' }]), { node: { site: 'y' } }).select('p', A),
      ),
    ).toEqual(['a', 'c', 'b', 'd'])
  })

  it("selectFirstGroup keeps the first candidate's site, selectFirstN the first n", () => {
    expect(ids(compileSelector(chain(['cost', 'selectFirstGroup'])).select('p', A))).toEqual(['c', 'a'])
    expect(ids(compileSelector(chain([{ filter: 'selectFirstN', n: 3 }])).select('p', A))).toEqual([
      'a',
      'b',
      'c',
    ])
  })

  it('cuts to maxAnswers (default 8)', () => {
    const many: PoolsSpec = {
      p: { answers: Array.from({ length: 12 }, (_, i) => ({ id: `x${i}`, value: `192.0.2.${i + 1}` })) },
    }
    expect(compileSelector(many).select('p', A).answers.length).toBe(8)
    expect(compileSelector({ p: { ...many.p, maxAnswers: 3 } }).select('p', A).answers.length).toBe(3)
  })
})

describe('CNAME pools', () => {
  it('answer with exactly one target, for any query type, with its wire form ready', () => {
    const selector = compileSelector(
      {
        edge: {
          kind: 'cname',
          answers: [
            { id: 'a', value: 'a.cdn.example.net.', weight: 3 },
            { id: 'b', value: 'B.cdn.example.net' },
          ],
          chain: ['weightedShuffle'],
        },
      },
      { random: createRandom(4) },
    )
    const seen = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const s = selector.select('edge', { qtype: i % 2 === 0 ? 1 : 28, resolver: '198.51.100.1' })
      expect(s.answers.length).toBe(1)
      seen.add(s.answers[0]?.value as string)
    }
    expect([...seen].sort()).toEqual(['B.cdn.example.net', 'a.cdn.example.net.'])
    const b = selector.answersOf('edge')[1]
    expect(b?.family).toBeUndefined()
    expect([...(b?.rdata ?? [])]).toEqual([
      1, 66, 3, 99, 100, 110, 7, 101, 120, 97, 109, 112, 108, 101, 3, 110, 101, 116, 0,
    ])
  })

  it('encode address answers as RDATA once', () => {
    const selector = compileSelector({
      p: {
        answers: [
          { id: 'a', value: '192.0.2.1' },
          { id: 'b', value: '2001:DB8::0:1' },
        ],
      },
    })
    const [a, b] = selector.answersOf('p')
    expect([...(a?.rdata ?? [])]).toEqual([192, 0, 2, 1])
    expect(b?.value).toBe('2001:db8::1')
    expect(b?.rdata.length).toBe(16)
  })
})

describe('explain', () => {
  it('traces each filter of each pool with its candidates, scope and reasons', () => {
    const health = new FakeHealth().set('eu-1', 'down').set('eu-2', 'down')
    const selector = compileSelector(
      {
        eu: {
          answers: [
            { id: 'eu-1', value: '192.0.2.1', health: ['eu-1'] },
            { id: 'eu-2', value: '192.0.2.2', health: ['eu-2'] },
          ],
        },
        us: { answers: [{ id: 'us-1', value: '198.51.100.1' }] },
        www: {
          members: [
            { pool: 'eu', geo: { lat: 48.86, lon: 2.35 } },
            { pool: 'us', geo: { lat: 40.71, lon: -74.0 } },
          ],
          chain: ['geotarget', 'failover'],
        },
      },
      { health, geo },
    )
    const why = selector.explain('www', from('198.51.100.0'))
    expect(why).toMatchObject({
      pool: 'www',
      answeredBy: 'us',
      outcome: 'answer',
      answers: [{ id: 'us-1', value: '198.51.100.1' }],
      scope: 24,
      degraded: true,
      failed: false,
      client: { address: '198.51.100.0', prefix: 24, source: 'ecs' },
    })
    const steps = why.steps.map(
      (s) =>
        `${s.pool} ${s.filter} [${s.candidates.join(' ')}]${s.scope === undefined ? '' : ` /${s.scope}`}${s.note === undefined ? '' : ` (${s.note})`}`,
    )
    expect(steps).toEqual([
      'www candidates [eu us]',
      'www 0:geotarget [eu us] /24 (client at 48.86, 2.35)',
      'us candidates [us-1]',
      'us 0:up [us-1]',
      'www 1:failover [us] (eu down; answering from us)',
    ])
  })

  it('explains fallbacks, and can answer as another node', () => {
    const health = new FakeHealth().set('a', 'down')
    const selector = compileSelector(
      {
        p: {
          answers: [
            { id: 'a', value: '192.0.2.1', health: ['a'], site: 'x' },
            { id: 'b', value: '192.0.2.2', site: 'y' },
          ],
          chain: ['preferSite'],
          upThreshold: 1,
          onAllDown: { pool: 'q' },
        },
        q: { answers: [{ id: 'c', value: '192.0.2.3' }] },
        r: {
          answers: [
            { id: 'x1', value: '192.0.2.4', site: 'x' },
            { id: 'y1', value: '192.0.2.5', site: 'y' },
          ],
          chain: ['preferSite'],
        },
      },
      { health, node: { site: 'x' } },
    )
    const why = selector.explain('p', { qtype: 1, resolver: '198.51.100.1' })
    expect(why).toMatchObject({ answeredBy: 'q', failed: true, answers: [{ id: 'c' }] })
    expect(why.steps.find((s) => s.filter === '0:up')?.note).toMatch(
      /pool failed \(1 of 2 up, threshold 1\): onAllDown → pool q/,
    )
    expect(selector.explain('r', { qtype: 1, resolver: '198.51.100.1' }).answers[0]?.id).toBe('x1')
    expect(
      selector.explain('r', { qtype: 1, resolver: '198.51.100.1', node: { site: 'y' } }).answers[0]?.id,
    ).toBe('y1')
  })
})
