import { isShoalError } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import { compileSelector, type PoolsSpec } from '../../src/select/index.js'
import { expectConfigError } from './helpers.js'

const geo = () => undefined
const leaf = (extra: object = {}) => ({ answers: [{ id: 'a', value: '192.0.2.1' }], ...extra })
const compile = (pools: unknown, withGeo = false) =>
  compileSelector(pools as PoolsSpec, withGeo ? { geo } : {})

describe('pool validation', () => {
  it('accepts a JSON round trip of a full configuration', () => {
    const pools: PoolsSpec = {
      eu: {
        answers: [
          {
            id: 'eu1',
            value: '192.0.2.10',
            site: 'ams',
            weight: 2,
            geo: { continent: 'EU', lat: 52.37, lon: 4.9 },
          },
          { id: 'eu2', value: '2001:db8::10', site: 'ams', health: ['eu2-http'] },
        ],
        chain: ['up', 'weightedShuffle', { filter: 'selectFirstN', n: 1 }],
        ttl: { max: 60, min: 20 },
        upThreshold: { value: 0.5, by: 'weight' },
      },
      us: { answers: [{ id: 'us1', value: '198.51.100.10', site: 'iad' }], onAllDown: 'servfail' },
      www: {
        members: [
          { pool: 'eu', geo: { lat: 52.37, lon: 4.9 }, site: 'ams' },
          { pool: 'us', geo: { lat: 38.9, lon: -77.0 }, site: 'iad' },
        ],
        chain: ['geotarget', { filter: 'spillover', k: 1 }],
        onAllDown: { pool: 'us' },
      },
      alias: { kind: 'cname', answers: [{ id: 'x', value: 'edge.example.net.' }] },
    }
    const selector = compileSelector(JSON.parse(JSON.stringify(pools)) as PoolsSpec, { geo })
    expect(selector.names()).toEqual(['eu', 'us', 'www', 'alias'])
  })

  it('names the field at fault and says what to do', () => {
    const cases: [unknown, RegExp][] = [
      [[], /^pools: expected an object of pools by name/],
      [{}, /no pools/],
      [{ 'a b': leaf() }, /pools\.a b: a pool name must be non-empty/],
      [{ p: { answers: [] } }, /pools\.p\.answers: expected a non-empty array/],
      [{ p: { ...leaf(), members: [{ pool: 'p' }] } }, /pools\.p: a pool has either "answers".*or "members"/],
      [
        { p: { answers: [{ id: 'a', value: '192.0.2.1', wieght: 2 }] } },
        /pools\.p\.answers\[0\]: unknown field "wieght" \(known: .*weight/,
      ],
      [
        {
          p: {
            answers: [
              { id: 'a', value: '192.0.2.1' },
              { id: 'a', value: '192.0.2.2' },
            ],
          },
        },
        /pools\.p\.answers\[1\]\.id: duplicate id "a"/,
      ],
      [
        { p: { answers: [{ id: 'a', value: 'www.example.com' }] } },
        /pools\.p\.answers\[0\]\.value: "www\.example\.com" is not an IPv4 or IPv6 address \(a pool of names needs "kind": "cname"\)/,
      ],
      [{ p: { answers: [{ id: 'a', value: '::ffff:192.0.2.1' }] } }, /IPv4-mapped/],
      [
        { p: { answers: [{ id: 'a', value: '192.0.2.1', weight: 0 }] } },
        /pools\.p\.answers\[0\]\.weight: must be positive, got 0/,
      ],
      [
        { p: { answers: [{ id: 'a', value: '192.0.2.1', weight: Number.NaN }] } },
        /weight: expected a finite number/,
      ],
      [
        { p: { answers: [{ id: 'a', value: '192.0.2.1', geo: { lat: 10 } }] } },
        /pools\.p\.answers\[0\]\.geo: give both "lat" and "lon"/,
      ],
      [
        { p: { answers: [{ id: 'a', value: '192.0.2.1', geo: { lat: 91, lon: 0 } }] } },
        /geo\.lat: must be -90 to 90/,
      ],
      [
        { p: { answers: [{ id: 'a', value: '192.0.2.1', geo: { bias: 100 } }] } },
        /geo\.bias: must be -99 to 99/,
      ],
      [
        { p: { answers: [{ id: 'a', value: '192.0.2.1', prefixes: ['10.1.0.0/8'] }] } },
        /prefixes\[0\]: "10\.1\.0\.0\/8" has bits set past \/8: did you mean "10\.0\.0\.0\/8"\?/,
      ],
      [
        { p: { answers: [{ id: 'a', value: '192.0.2.1', asn: [0] }] } },
        /asn: expected an array of AS numbers/,
      ],
      [
        { p: { answers: [{ id: 'a', value: '192.0.2.1', admin: 'off' }] } },
        /admin: must be "up", "down" or "drain"/,
      ],
      [{ p: leaf({ ttl: -1 }) }, /pools\.p\.ttl: a TTL is a whole number of seconds/],
      [{ p: leaf({ ttl: { max: 10, min: 20 } }) }, /pools\.p\.ttl\.min: is 20, more than max 10/],
      [{ p: leaf({ upThreshold: 0 }) }, /pools\.p\.upThreshold: an up-threshold is a share in \(0, 1\]/],
      [
        { p: leaf({ upThreshold: { value: 0.5, by: 'bytes' } }) },
        /upThreshold\.by: must be "count" or "weight"/,
      ],
      [
        { p: leaf({ onAllDown: 'drop' }) },
        /pools\.p\.onAllDown: must be "all", "nodata", "refused", "servfail" or \{ "pool": name \}/,
      ],
      [{ p: leaf({ onAllDown: { pool: 'q' } }) }, /pools\.p\.onAllDown\.pool: no pool named "q"/],
      [{ p: leaf({ maxAnswers: 0 }) }, /pools\.p\.maxAnswers: must be a whole number from 1/],
      [
        { p: { kind: 'cname', answers: [{ id: 'a', value: 'x.example.' }], maxAnswers: 2 } },
        /a CNAME pool answers with exactly one target/,
      ],
      [
        { p: { kind: 'cname', answers: [{ id: 'a', value: `${'x'.repeat(64)}.example.` }] } },
        /label longer than 63 bytes/,
      ],
      [{ p: { kind: 'cname', answers: [{ id: 'a', value: 'a..example.' }] } }, /empty label/],
      [{ p: { kind: 'txt', ...leaf() } }, /pools\.p\.kind: must be "address" or "cname"/],
      [{ p: leaf({ chain: ['zap'] }) }, /pools\.p\.chain\[0\]: unknown filter "zap" \(filters: up, /],
      [{ p: leaf({ chain: ['selectFirstN'] }) }, /pools\.p\.chain\[0\]: filter "selectFirstN" needs options/],
      [
        { p: leaf({ chain: [{ filter: 'selectFirstN', n: 0 }] }) },
        /pools\.p\.chain\[0\]\.n: must be a whole number of at least 1/,
      ],
      [{ p: leaf({ chain: [{ filter: 'shuffle', n: 1 }] }) }, /pools\.p\.chain\[0\]: unknown field "n"/],
      [
        { p: leaf({ chain: ['failover'] }) },
        /failover chooses among member pools: it belongs in a pool with "members"/,
      ],
      [
        { p: leaf({ chain: ['geotarget'] }) },
        /pools\.p\.chain\[0\]: geotarget needs a GeoIP lookup: pass the selector a "geo" option/,
      ],
      [
        { p: leaf({ chain: ['preferSite'] }) },
        /preferSite reads "site", but no candidate of this pool has one/,
      ],
      [{ p: leaf({ chain: ['netfence'] }) }, /netfence reads "prefixes" and "asn", but no candidate/],
      [
        { p: leaf({ chain: [{ filter: 'view', views: [{ nets: ['10.0.0.0/8'], answers: ['b'] }] }] }) },
        /chain\[0\]\.views\[0\]\.answers\[0\]: no answer "b" in this pool \(ids: a\)/,
      ],
      [
        {
          p: leaf({
            chain: [
              {
                filter: 'view',
                views: [
                  { nets: ['10.0.0.0/8'], answers: ['a'] },
                  { nets: ['10.0.0.0/8'], answers: ['a'] },
                ],
              },
            ],
          }),
        },
        /views\[1\]\.nets\[0\]: network 10\.0\.0\.0\/8 is listed already at .*views\[0\]\.nets\[0\]/,
      ],
      [
        { p: leaf({ chain: [{ filter: 'sticky', prefix4: 33 }] }) },
        /chain\[0\]\.prefix4: must be a whole number of bits from 1 to 32/,
      ],
      [
        {
          p: {
            answers: [{ id: 'a', value: '192.0.2.1', site: 'x' }],
            chain: [{ filter: 'latencyTable', entries: [{ nets: ['10.0.0.0/8'], rtt: { y: 3 } }] }],
          },
        },
        /rtt\.y: no candidate of this pool has site "y" \(sites: x\)/,
      ],
      [
        { a: { members: [{ pool: 'b' }] }, b: { members: [{ pool: 'a' }] } },
        /pools refer to each other in a cycle: a → b → a/,
      ],
      [{ a: leaf({ onAllDown: { pool: 'b' } }), b: leaf({ onAllDown: { pool: 'a' } }) }, /cycle: a → b → a/],
      [{ a: { members: [{ pool: 'a' }] } }, /cycle: a → a/],
      [
        {
          a: { members: [{ pool: 'x' }, { pool: 'c' }] },
          x: leaf(),
          c: { kind: 'cname', answers: [{ id: 'n', value: 'n.example.' }] },
        },
        /pools\.a\.members: members mix address and CNAME pools \(x: address, c: cname\)/,
      ],
      [
        { a: { members: [{ pool: 'x' }], chain: ['failover', 'shuffle'] }, x: leaf() },
        /failover must be the last filter/,
      ],
      [
        { a: { members: [{ pool: 'x' }], upThreshold: 0.5 }, x: leaf() },
        /upThreshold: applies to leaf pools only/,
      ],
      [
        { a: { members: [{ pool: 'xx' }] }, x: leaf() },
        /pools\.a\.members\[0\]\.pool: no pool named "xx" \(did you mean "x"\?\)/,
      ],
      [
        {
          a: leaf({ onAllDown: { pool: 'c' } }),
          c: { kind: 'cname', answers: [{ id: 'n', value: 'n.example.' }] },
        },
        /onAllDown\.pool: pool "c" is a CNAME pool, but this one is an address pool/,
      ],
    ]
    for (const [pools, message] of cases) expectConfigError(() => compile(pools), message)
  })

  it('puts the path in the error details', () => {
    try {
      compile({ p: { answers: [{ id: 'a', value: 'nope' }] } })
    } catch (error) {
      expect(isShoalError(error, 'ERR_DNS_CONFIG') && error.details.path).toBe('pools.p.answers[0].value')
    }
  })

  it('refuses geo filters whose metadata no candidate has, even with a GeoIP lookup', () => {
    expectConfigError(
      () => compile({ p: leaf({ chain: ['geotarget'] }) }, true),
      /no candidate of this pool has geo\.lat\/lon/,
    )
    expectConfigError(
      () => compile({ p: leaf({ chain: [{ filter: 'geofence', level: 'continent' }] }) }, true),
      /geofence by continent, but no candidate/,
    )
  })

  it('says which pool is missing when selecting', () => {
    const selector = compile({ p: leaf() })
    expect(() => selector.select('q', { qtype: 1, resolver: '192.0.2.1' })).toThrow(
      /no pool named "q" \(pools: p\)/,
    )
  })
})
