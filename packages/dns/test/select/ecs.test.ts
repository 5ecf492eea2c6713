import { describe, expect, it } from 'vitest'
import { compileSelector, mmdbGeoLookup, type PoolsSpec } from '../../src/select/index.js'
import { ecs4 } from './helpers.js'
import { writeMmdb } from './mmdb-writer.js'

// gdnsd's measured configuration (research §7.5): nets {10/8 → A, 192.0.2/24 → B}, a default
const nets: PoolsSpec = {
  geo: {
    answers: [
      { id: 'A', value: '192.0.2.10' },
      { id: 'B', value: '192.0.2.11' },
      { id: 'D', value: '192.0.2.12' },
    ],
    chain: [
      {
        filter: 'view',
        views: [
          { nets: ['10.0.0.0/8'], answers: ['A'] },
          { nets: ['192.0.2.0/24'], answers: ['B'] },
        ],
        default: ['D'],
      },
    ],
  },
  static: { answers: [{ id: 's', value: '192.0.2.99' }], chain: ['up', 'shuffle'] },
  blind: {
    answers: [
      { id: 's', value: '192.0.2.99' },
      { id: 't', value: '192.0.2.98' },
    ],
    chain: [{ filter: 'view', views: [{ nets: ['203.0.113.0/24'], answers: ['t'] }] }],
    ignoreEcs: true,
  },
}

const query = (net: string, source = 24, resolver = '198.18.0.53') => ({
  qtype: 1,
  resolver,
  ecs: ecs4(net, source),
})
const pick = (s: { answers: readonly { id: string }[]; scope: number }) => [s.answers[0]?.id, s.scope]

describe('ECS scope (RFC 7871)', () => {
  const selector = compileSelector(nets)

  it('is the largest supernet with the same answer: the gdnsd vectors /5 and /6', () => {
    expect(pick(selector.select('geo', query('203.0.113.0')))).toEqual(['D', 5])
    expect(pick(selector.select('geo', query('198.51.100.0')))).toEqual(['D', 6])
    expect(pick(selector.select('geo', query('192.0.2.0')))).toEqual(['B', 24])
  })

  it('gives 10.1.2.0/24 scope 8 as gdnsd does, but answers from the resolver: 10/8 is private (RFC 7871 §10)', () => {
    // a resolver inside 10/8 gets gdnsd's answer too
    expect(pick(selector.select('geo', query('10.1.2.0', 24, '10.0.0.53')))).toEqual(['A', 8])
    // a public resolver's own address decides; the scope still covers the whole private network
    expect(pick(selector.select('geo', query('10.1.2.0', 24, '192.0.2.53')))).toEqual(['B', 8])
    expect(pick(selector.select('geo', query('192.168.7.0', 24, '203.0.113.53')))).toEqual(['D', 16])
  })

  it('is 0 for static data, a source prefix of 0, no ECS at all, and pools that ignore ECS', () => {
    expect(selector.select('static', query('203.0.113.0')).scope).toBe(0)
    expect(pick(selector.select('geo', query('0.0.0.0', 0, '192.0.2.53')))).toEqual(['B', 0])
    expect(pick(selector.select('geo', { qtype: 1, resolver: '192.0.2.53' }))).toEqual(['B', 0])
    expect(pick(selector.select('blind', query('203.0.113.0', 24, '192.0.2.53')))).toEqual(['s', 0])
  })

  it('is 0 for a private subnet when nothing read the client', () => {
    expect(selector.select('static', query('10.1.2.0')).scope).toBe(0)
  })

  it('may exceed the source prefix: the answer needs more bits than the resolver sent', () => {
    expect(pick(selector.select('geo', query('192.0.0.0', 16)))).toEqual(['D', 23])
  })

  it('is the maximum over every filter and pool that read the client', () => {
    const db = writeMmdb([
      {
        cidr: '203.0.113.0/25',
        record: { country: { iso_code: 'JP' }, location: { latitude: 35.68, longitude: 139.69 } },
      },
      {
        cidr: '198.51.100.0/22',
        record: { country: { iso_code: 'FR' }, location: { latitude: 48.85, longitude: 2.35 } },
      },
    ])
    const pools: PoolsSpec = {
      p: {
        answers: [
          { id: 'tyo', value: '192.0.2.1', geo: { lat: 35.68, lon: 139.69 } },
          { id: 'par', value: '192.0.2.2', geo: { lat: 48.85, lon: 2.35 } },
        ],
        chain: [
          { filter: 'view', views: [{ nets: ['198.51.100.0/24'], answers: ['par', 'tyo'] }] },
          'geotarget',
          { filter: 'selectFirstN', n: 1 },
        ],
      },
    }
    const geoSelector = compileSelector(pools, { geo: mmdbGeoLookup(db) })
    // the view decides at /24 (no match for 203.0.113/24 already at /2), GeoIP at /25
    expect(pick(geoSelector.select('p', query('203.0.113.0')))).toEqual(['tyo', 25])
    // the view at /24, GeoIP at /22
    expect(pick(geoSelector.select('p', query('198.51.100.0')))).toEqual(['par', 24])
  })
})
