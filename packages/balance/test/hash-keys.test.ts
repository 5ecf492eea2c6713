import { IncomingMessage } from 'node:http'
import { BlockList, Socket } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  clientIpKey,
  cookieKey,
  type HttpRequestLike,
  headerKey,
  pathKey,
  queryKey,
} from '../src/hash-keys.js'

const request = (init: {
  headers?: Record<string, string | string[]>
  url?: string
  remoteAddress?: string
}): HttpRequestLike => ({
  headers: init.headers ?? {},
  url: init.url,
  socket: { remoteAddress: init.remoteAddress },
})

describe('the key helpers', () => {
  it("take node:http's IncomingMessage as it is", () => {
    const req = new IncomingMessage(new Socket())
    req.url = '/a/b?user=ada'
    req.headers = { cookie: 'sid=42', 'x-tenant': 'acme' }
    expect([pathKey(req), queryKey(req, 'user'), cookieKey(req, 'sid'), headerKey(req, 'X-Tenant')]).toEqual([
      '/a/b',
      'ada',
      '42',
      'acme',
    ])
    // an unconnected socket has no peer address
    expect(clientIpKey(req)).toBeUndefined()
  })
})

describe('clientIpKey', () => {
  it('keys by the whole peer address by default', () => {
    expect(clientIpKey(request({ remoteAddress: '203.0.113.9' }))).toBe('203.0.113.9')
    expect(clientIpKey(request({ remoteAddress: '2001:DB8::1' }))).toBe('2001:db8:0:0:0:0:0:1')
    expect(clientIpKey(request({ remoteAddress: '2001:db8:0::0:1' }))).toBe('2001:db8:0:0:0:0:0:1')
    expect(clientIpKey(request({ remoteAddress: '::ffff:203.0.113.9' }))).toBe('203.0.113.9')
    expect(clientIpKey(request({ remoteAddress: '0:0:0:0:0:ffff:cb00:7109' }))).toBe('203.0.113.9')
    expect(clientIpKey(request({ remoteAddress: 'unknown' }))).toBeUndefined()
    expect(clientIpKey(request({}))).toBeUndefined()
  })

  it('keys by network with a prefix (nginx ip_hash: the first three octets)', () => {
    expect(clientIpKey(request({ remoteAddress: '203.0.113.9' }), { prefix: 24 })).toBe('203.0.113.0/24')
    expect(clientIpKey(request({ remoteAddress: '::ffff:203.0.113.9' }), { prefix: 24 })).toBe(
      '203.0.113.0/24',
    )
    expect(clientIpKey(request({ remoteAddress: '203.0.113.9' }), { prefix: 0 })).toBe('0.0.0.0/0')
    expect(clientIpKey(request({ remoteAddress: '2001:db8:aa:bb::1' }), { prefix6: 48 })).toBe(
      '2001:db8:aa:0:0:0:0:0/48',
    )
    expect(clientIpKey(request({ remoteAddress: 'fe80::1%eth0' }), { prefix6: 64 })).toBe(
      'fe80:0:0:0:0:0:0:0/64',
    )
    expect(clientIpKey(request({ remoteAddress: 'not-an-ip' }), { prefix: 24 })).toBeUndefined()
    expect(clientIpKey(request({ remoteAddress: '1:2:3' }), { prefix6: 64 })).toBeUndefined()
  })

  it('puts two addresses under one key exactly when they share the prefix', () => {
    const inSubnet = (key: string, family: 'ipv4' | 'ipv6') => {
      // the whole address is its own key
      const [network, length = family === 'ipv4' ? 32 : 128] = key.split('/')
      const blocks = new BlockList()
      blocks.addSubnet(network as string, Number(length), family)
      return (address: string) => blocks.check(address, family)
    }
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV4(), fc.integer({ min: 0, max: 32 }), (a, b, prefix) => {
        const key = clientIpKey(request({ remoteAddress: a }), { prefix }) as string
        const contains = inSubnet(key, 'ipv4')
        expect(contains(a)).toBe(true)
        expect(clientIpKey(request({ remoteAddress: b }), { prefix }) === key).toBe(contains(b))
      }),
    )
    const mapped = new BlockList()
    mapped.addSubnet('::ffff:0:0', 96, 'ipv6')
    const ipV6 = fc.ipV6().filter((address) => !mapped.check(address, 'ipv6'))
    fc.assert(
      fc.property(ipV6, ipV6, fc.integer({ min: 0, max: 128 }), (a, b, prefix6) => {
        const key = clientIpKey(request({ remoteAddress: a }), { prefix6 }) as string
        const contains = inSubnet(key, 'ipv6')
        expect(contains(a)).toBe(true)
        expect(clientIpKey(request({ remoteAddress: b }), { prefix6 }) === key).toBe(contains(b))
      }),
    )
  })

  it('trusts the first X-Forwarded-For address only when told to', () => {
    const req = request({
      headers: { 'x-forwarded-for': ' 198.51.100.7:5100 , 10.0.0.1' },
      remoteAddress: '10.0.0.2',
    })
    expect(clientIpKey(req)).toBe('10.0.0.2')
    expect(clientIpKey(req, { trustForwarded: true })).toBe('198.51.100.7')
    expect(
      clientIpKey(request({ headers: { 'x-forwarded-for': '[2001:db8::7]:443' } }), { trustForwarded: true }),
    ).toBe('2001:db8:0:0:0:0:0:7')
    expect(
      clientIpKey(request({ headers: { 'x-forwarded-for': '' }, remoteAddress: '10.0.0.2' }), {
        trustForwarded: true,
      }),
    ).toBe('10.0.0.2')
  })

  it('rejects prefixes that are not bit counts', () => {
    const req = request({ remoteAddress: '10.0.0.1' })
    expect(() => clientIpKey(req, { prefix: 33 })).toThrow(
      /prefix must be an integer number of bits from 0 to 32/,
    )
    expect(() => clientIpKey(req, { prefix6: 12.5 })).toThrow(/prefix6/)
  })
})

describe('headerKey', () => {
  it('returns the first value of a header, in any case, and undefined when absent or empty', () => {
    const req = request({ headers: { 'x-tenant': 'acme', 'x-multi': ['one', 'two'], 'x-empty': '' } })
    expect(headerKey(req, 'x-tenant')).toBe('acme')
    expect(headerKey(req, 'X-Tenant')).toBe('acme')
    expect(headerKey(req, 'x-multi')).toBe('one')
    expect(headerKey(req, 'x-empty')).toBeUndefined()
    expect(headerKey(req, 'x-missing')).toBeUndefined()
  })
})

describe('cookieKey', () => {
  it('finds a cookie by its exact name', () => {
    const req = request({ headers: { cookie: 'xsid=1; sidx=2;  sid = 3 ; theme="dark"; empty=' } })
    expect(cookieKey(req, 'sid')).toBe('3')
    expect(cookieKey(req, 'xsid')).toBe('1')
    expect(cookieKey(req, 'theme')).toBe('dark')
    expect(cookieKey(req, 'empty')).toBeUndefined()
    expect(cookieKey(req, 'missing')).toBeUndefined()
    expect(cookieKey(request({}), 'sid')).toBeUndefined()
    expect(cookieKey(request({ headers: { cookie: ['a=1', 'sid=9'] } }), 'sid')).toBe('9')
  })

  it('agrees with a plain split-and-trim parser on generated headers', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/)
    fc.assert(
      fc.property(fc.array(fc.tuple(token, token), { minLength: 1, maxLength: 8 }), token, (pairs, name) => {
        const header = pairs.map(([k, v]) => `${k}=${v}`).join('; ')
        const expected = pairs.find(([k]) => k === name)?.[1]
        expect(cookieKey(request({ headers: { cookie: header } }), name)).toBe(expected)
      }),
    )
  })
})

describe('pathKey', () => {
  it.each([
    ['/videos/42/chunk-7.ts?sig=abc', {}, '/videos/42/chunk-7.ts'],
    ['/videos/42/chunk-7.ts?sig=abc', { whole: true }, '/videos/42/chunk-7.ts?sig=abc'],
    ['/videos/42/chunk-7.ts?sig=abc', { depth: 2 }, '/videos/42'],
    ['/videos/42/', { depth: 2 }, '/videos/42'],
    ['/videos', { depth: 2 }, '/videos'],
    ['/a/b?next=/c/d', { depth: 3, whole: true }, '/a/b?next=/c/d'],
    ['/a/b/c?x=1', { depth: 1, whole: true }, '/a'],
    ['/a/b/c', { depth: 0 }, '/'],
    ['/abcdef', { len: 3 }, '/ab'],
    ['http://example.com:8080/a/b?q=1', {}, '/a/b'],
    ['http://example.com', {}, '/'],
  ] as const)('%s with %o keys as %s', (url, options, expected) => {
    expect(pathKey(request({ url }), options)).toBe(expected)
  })

  it('returns the URL itself when nothing is cut, and undefined without one', () => {
    const url = '/plain/path'
    expect(pathKey(request({ url }))).toBe(url)
    expect(pathKey(request({}))).toBeUndefined()
  })

  it('rejects bad depths and lengths', () => {
    expect(() => pathKey(request({ url: '/' }), { depth: -1 })).toThrow(
      /depth must be a non-negative integer/,
    )
    expect(() => pathKey(request({ url: '/' }), { len: 0 })).toThrow(/len must be a positive integer/)
  })
})

describe('queryKey', () => {
  it('returns the raw value of the first occurrence of a parameter', () => {
    const req = request({ url: '/search?xuser=1&user=ada%20l&user=bob&flag&empty=#user=frag' })
    expect(queryKey(req, 'user')).toBe('ada%20l')
    expect(queryKey(req, 'xuser')).toBe('1')
    expect(queryKey(req, 'flag')).toBeUndefined()
    expect(queryKey(req, 'empty')).toBeUndefined()
    expect(queryKey(request({ url: '/search' }), 'user')).toBeUndefined()
    expect(queryKey(request({ url: '/search?a=1#user=x' }), 'user')).toBeUndefined()
  })

  it('agrees with URLSearchParams on encoded parameters', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ minLength: 1 }), fc.string({ minLength: 1 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.nat(5),
        (pairs, which) => {
          const query = new URLSearchParams(pairs).toString()
          const name = (pairs[which % pairs.length] as [string, string])[0]
          const encodedName = new URLSearchParams([[name, '']]).toString().slice(0, -1)
          const raw = queryKey(request({ url: `/p?${query}` }), encodedName)
          expect(raw === undefined ? undefined : new URLSearchParams(`v=${raw}`).get('v')).toBe(
            new URLSearchParams(query).get(name),
          )
        },
      ),
    )
  })
})
