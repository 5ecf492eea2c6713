import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { UniqueCount, type WebRecord, WebStats, webStats } from '../src/index.js'

const T0 = Date.UTC(2024, 2, 10, 12, 0, 0)

const sample: WebRecord[] = [
  {
    time: T0,
    status: 200,
    bytes: 100,
    remoteHost: '10.0.0.1',
    target: '/a?x=1',
    userAgent: 'curl/8.5',
    referer: 'https://search.example/q',
    duration: 1000,
  },
  {
    time: T0 + 1000,
    status: 200,
    bytes: 200,
    remoteHost: '10.0.0.1',
    target: '/a',
    userAgent: 'curl/8.5',
    referer: '-',
    duration: 2000,
  },
  {
    time: T0 + 2000,
    status: 404,
    bytes: 0,
    remoteHost: '10.0.0.2',
    target: '/missing/123',
    userAgent: 'Mozilla/5.0 Firefox/121.0',
    duration: 500,
  },
  {
    time: T0 + DAY(1),
    status: 500,
    bytes: 50,
    remoteHost: '10.0.0.1',
    target: '/api/7',
    userAgent: 'curl/8.5',
    virtualHost: 'www.example.com',
    duration: 90_000,
  },
  {
    time: T0 + 3000,
    status: 301,
    bytes: null,
    clientIp: '10.0.0.3',
    remoteHost: 'proxy',
    path: '/old',
    userAgent: null,
  },
]
function DAY(n: number): number {
  return n * 86_400_000
}

describe('webStats', () => {
  it('counts requests, bandwidth, statuses, visitors (GoAccess definition), tops and latency', () => {
    const stats = webStats()
    for (const record of sample) stats.add(record)
    stats.addFailure('bad-time', 'garbage line')
    const report = stats.report()
    expect(report).toMatchObject({
      requests: 5,
      failedLines: 1,
      failedByReason: { 'bad-time': 1 },
      lastFailure: { reason: 'bad-time', sample: 'garbage line' },
      bandwidth: 350,
      statusCodes: { '200': 2, '301': 1, '404': 1, '500': 1 },
      statusClasses: { '1xx': 0, '2xx': 2, '3xx': 1, '4xx': 1, '5xx': 1 },
      // 10.0.0.1|day0|curl, 10.0.0.1|day1|curl, 10.0.0.3|day0|(none); the 404 is not a visit
      uniqueVisitors: { estimate: 3, lowerBound: 3, upperBound: 3, exact: true },
      firstTime: T0,
      lastTime: T0 + DAY(1),
    })
    expect(report.paths).toEqual([
      { key: '/a', count: 2, lowerBound: 2, upperBound: 2 },
      ...['/api/:id', '/missing/:id', '/old'].map((key) => ({ key, count: 1, lowerBound: 1, upperBound: 1 })),
    ])
    expect(report.notFound).toEqual([{ key: '/missing/:id', count: 1, lowerBound: 1, upperBound: 1 }])
    expect(report.clients[0]).toEqual({ key: '10.0.0.1', count: 3, lowerBound: 3, upperBound: 3 })
    expect(report.referringSites).toEqual([{ key: 'search.example', count: 1, lowerBound: 1, upperBound: 1 }])
    expect(report.userAgents.map((r) => [r.key, r.count])).toEqual(
      expect.arrayContaining([
        ['curl', 3],
        ['Firefox', 1],
        ['none', 1],
      ]),
    )
    expect(report.virtualHosts).toEqual([{ key: 'www.example.com', count: 1, lowerBound: 1, upperBound: 1 }])
    expect(report.latency?.count).toBe(4)
    expect(report.latency?.max).toBe(90_000)
    expect(Math.abs((report.latency?.p50 as number) - 1000) / 1000).toBeLessThanOrEqual(0.01 + 1e-9)
    expect(stats.metrics()).toMatchObject({ requests: 5, status5xx: 1, ratio5xx: 0.2, visitors: 3 })
    expect(JSON.parse(JSON.stringify(stats))).toEqual(JSON.parse(JSON.stringify(report)))
  })

  it('counts 4xx visits when asked, and reads an empty aggregate', () => {
    const stats = webStats({ visitors4xx: true })
    for (const record of sample) stats.add(record)
    expect(stats.report().uniqueVisitors.estimate).toBe(4)
    const empty = webStats().report()
    expect(empty).toMatchObject({ requests: 0, latency: null, firstTime: null, lastTime: null, paths: [] })
    expect(webStats().metrics()).toMatchObject({ ratio5xx: null, latencyP99: null })
  })

  const record: fc.Arbitrary<WebRecord> = fc.record({
    time: fc.integer({ min: T0, max: T0 + DAY(3) }),
    status: fc.constantFrom(200, 200, 200, 304, 404, 500, 503),
    bytes: fc.option(fc.nat(100_000)),
    remoteHost: fc.constantFrom('10.0.0.1', '10.0.0.2', '2001:db8::1', 'crawler.example'),
    target: fc.constantFrom('/', '/a', '/b?x=1', '/users/42', '/users/43', '/%C3%A9'),
    userAgent: fc.constantFrom('curl/8.5', 'Mozilla/5.0 Firefox/121.0', 'Googlebot/2.1', '-'),
    referer: fc.constantFrom('-', 'https://a.example/', 'http://b.example/x'),
    duration: fc.option(fc.integer({ min: 1, max: 5_000_000 })),
  })

  it('shard-then-merge gives the same report as one aggregate, in any order', () => {
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 120 }),
        fc.array(fc.nat(3), { maxLength: 120 }),
        (records, shardOf) => {
          const whole = webStats()
          const shards = [webStats(), webStats(), webStats(), webStats()]
          records.forEach((r, i) => {
            whole.add(r)
            shards[shardOf[i] ?? 0]?.add(r)
          })
          const [a, b, c, d] = shards as [WebStats, WebStats, WebStats, WebStats]
          a.merge(b)
          d.merge(c)
          d.merge(a)
          const merged = d.report()
          const expected = whole.report()
          // the latency sketch and the exact parts are exact under merge; top rows too while below capacity
          expect(merged).toEqual(expected)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('serialises to bytes and back without losing anything', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 60 }), (records) => {
        const stats = webStats({ rateSeconds: 60 })
        for (const r of records) stats.add(r)
        stats.addFailure('literal-mismatch', 'x')
        const copy = WebStats.fromBytes(stats.toBytes())
        expect(copy.report()).toEqual(stats.report())
        expect(Array.from(copy.perSecond())).toEqual(Array.from(stats.perSecond()))
      }),
      { numRuns: 60 },
    )
  })

  it('rejects merges across options and any damaged image with ERR_INVALID_SKETCH', () => {
    expect(() => webStats().merge(webStats({ maxMapSize: 64 }))).toThrow(
      expect.objectContaining({ code: 'ERR_INCOMPATIBLE_SKETCH' }),
    )
    const stats = webStats({ rateSeconds: 10 })
    for (const r of sample) stats.add(r)
    const image = stats.toBytes()
    fc.assert(
      fc.property(fc.nat(image.length - 1), fc.nat(255), fc.nat(image.length), (at, value, cut) => {
        const damaged = image.slice(0, Math.max(cut, at + 1))
        damaged[at] = value
        try {
          WebStats.fromBytes(damaged)
        } catch (err) {
          expect((err as { code?: string }).code).toBe('ERR_INVALID_SKETCH')
        }
      }),
      { numRuns: 1500 },
    )
  })
})

describe('UniqueCount', () => {
  it('is exact up to its limit, then estimates, and merges either way', () => {
    const small = new UniqueCount({ exactLimit: 100 })
    for (let i = 0; i < 150; i++) small.add(`k${i % 80}`)
    expect(small.summary()).toEqual({ estimate: 80, lowerBound: 80, upperBound: 80, exact: true })
    const other = new UniqueCount({ exactLimit: 100 })
    for (let i = 70; i < 120; i++) other.add(`k${i}`)
    small.merge(other)
    expect(small.isExact).toBe(false)
    const { estimate, lowerBound, upperBound } = small.summary()
    expect(lowerBound).toBeLessThanOrEqual(120)
    expect(upperBound).toBeGreaterThanOrEqual(120)
    expect(Math.abs(estimate - 120)).toBeLessThan(5)
    expect(UniqueCount.fromBytes(small.toBytes()).summary()).toEqual(small.summary())
    expect(() => new UniqueCount({ exactLimit: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    expect(() => small.merge(new UniqueCount({ exactLimit: 5 }))).toThrow(
      expect.objectContaining({ code: 'ERR_INCOMPATIBLE_SKETCH' }),
    )
  })
})
