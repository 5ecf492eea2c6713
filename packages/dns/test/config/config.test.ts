import { describe, expect, it } from 'vitest'
import {
  type DnsConfig,
  formatIssue,
  jsonErrorOffset,
  jsonPathLines,
  parseConfig,
  parseListenAddress,
} from '../../src/config/index.js'

const MINIMAL = { zones: [{ origin: 'Example.COM.', file: 'example.com.zone' }] }

function parse(data: unknown, file = '/etc/dns/shoal.json') {
  return parseConfig(JSON.stringify(data, null, 2), { file })
}

function configOf(data: unknown): DnsConfig {
  const result = parse(data)
  if (!result.ok) throw new Error(result.issues.map(formatIssue).join('\n'))
  return result.config
}

function bytesOf(value: Uint8Array | undefined): Buffer {
  if (value === undefined) throw new Error('no bytes')
  return Buffer.from(value)
}

function issues(data: unknown): string[] {
  const result = parse(data)
  return result.issues.map((i) => `${i.path}: ${i.message}`)
}

describe('parseConfig', () => {
  it('fills defaults, resolves paths against the file and lower-cases names', () => {
    const config = configOf(MINIMAL)
    expect(config.listen).toEqual([
      { address: '127.0.0.1', port: 53, family: 4 },
      { address: '::1', port: 53, family: 6 },
    ])
    expect(config.zones).toEqual([{ origin: 'example.com', file: '/etc/dns/example.com.zone' }])
    expect(config.maxUdpPayload).toBe(1232)
    expect(config.rrl).toMatchObject({ responsesPerSecond: 200, window: 15, slip: 2, logOnly: false })
    expect(config.cookies).toEqual({
      secret: undefined,
      previousSecrets: [],
      maxNoCookieResponse: undefined,
      badCookie: false,
    })
    expect(config.tcp).toEqual({ idleTimeoutMs: 10_000, maxConnections: 256, maxConnectionsPerClient: 16 })
    expect(config.nsid).toBeUndefined()
    expect(config.http).toBeUndefined()
    expect(config.health).toBeUndefined()
  })

  it('reads every setting', () => {
    const c = configOf({
      listen: ['0.0.0.0:5353', '[::]:5353', { address: '192.0.2.1' }],
      node: { id: 'ns1', site: 'ams' },
      zones: MINIMAL.zones,
      pools: { web: { answers: [] } },
      dynamic: [{ name: 'WWW.example.com', type: 'A', pool: 'web' }],
      edns: { maxUdpPayload: 1400 },
      rrl: { responsesPerSecond: 5, slip: 1, logOnly: true, errorsPerSecond: 2 },
      cookies: { secret: '00112233445566778899aabbccddeeff', maxNoCookieResponse: 512, badCookie: true },
      tcp: { idleTimeoutMs: 5000, maxConnections: 10, maxConnectionsPerClient: 2 },
      udp: { recvBufferSize: 4194304 },
      health: { file: '/run/health.txt', pollMs: 200 },
      http: '127.0.0.1:9153',
    })
    expect(c.listen.map((l) => `${l.address}/${l.port}/${l.family}`)).toEqual([
      '0.0.0.0/5353/4',
      '::/5353/6',
      '192.0.2.1/53/4',
    ])
    expect(c.node).toEqual({ id: 'ns1', site: 'ams' })
    expect(new TextDecoder().decode(c.nsid)).toBe('ns1')
    expect(c.dynamic).toEqual([{ name: 'www.example.com', type: 'A', pool: 'web' }])
    expect(c.maxUdpPayload).toBe(1400)
    expect(c.rrl).toMatchObject({ responsesPerSecond: 5, slip: 1, logOnly: true, errorsPerSecond: 2 })
    expect(bytesOf(c.cookies?.secret).toString('hex')).toBe('00112233445566778899aabbccddeeff')
    expect(c.cookies).toMatchObject({ maxNoCookieResponse: 512, badCookie: true })
    expect(c.tcp).toEqual({ idleTimeoutMs: 5000, maxConnections: 10, maxConnectionsPerClient: 2 })
    expect(c.udp).toEqual({ recvBufferSize: 4194304, sendBufferSize: undefined })
    expect(c.health).toEqual({ file: '/run/health.txt', pollMs: 200 })
    expect(c.http).toEqual({ address: '127.0.0.1', port: 9153 })
  })

  it('turns RRL, cookies and NSID off with false', () => {
    const c = configOf({ ...MINIMAL, node: { id: 'x' }, rrl: false, cookies: false, nsid: false })
    expect(c.rrl).toBeUndefined()
    expect(c.cookies).toBeUndefined()
    expect(c.nsid).toBeUndefined()
    expect(bytesOf(configOf({ ...MINIMAL, nsid: { hex: '6e7331' } }).nsid).toString()).toBe('ns1')
  })

  it('names the JSON path, the file and the line of every issue, and what to do', () => {
    const text = `{
  "zones": [
    { "origin": "example.com", "file": "a.zone" },
    { "origin": "bad..name", "file": "" }
  ],
  "listen": ["127.0.0.1:99999"],
  "tcp": { "maxConnections": 0 },
  "cookies": { "secret": "short" },
  "dynamic": [{ "name": "www.other.org", "type": "MX", "pool": "nope" }],
  "colour": "blue"
}`
    const result = parseConfig(text, { file: 'dns.json' })
    expect(result.ok).toBe(false)
    const lines = result.issues.map(formatIssue)
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^dns\.json:4: \$\.zones\[1\]\.origin: must be a domain name/),
        expect.stringMatching(/^dns\.json:4: \$\.zones\[1\]\.file: must name the zone/),
        expect.stringMatching(/^dns\.json:6: \$\.listen\[0\]: the port must be an integer from 0 to 65535/),
        expect.stringMatching(
          /^dns\.json:7: \$\.tcp\.maxConnections: must be an integer from 1 to 65535, got 0/,
        ),
        expect.stringMatching(/^dns\.json:8: \$\.cookies\.secret: must be 32 hex digits/),
        expect.stringMatching(
          /^dns\.json:9: \$\.dynamic\[0\]\.type: must be "A", "AAAA" or "CNAME", got "MX"/,
        ),
        expect.stringMatching(/^dns\.json:9: \$\.dynamic\[0\]\.pool: must name a pool .*"nope" is not one/),
        expect.stringMatching(/^dns\.json:10: \$\.colour: unknown setting "colour"/),
      ]),
    )
  })

  it('reports a JSON syntax error with its line', () => {
    const result = parseConfig('{\n  "zones": [\n  }\n', { file: 'x.json' })
    expect(result.ok).toBe(false)
    expect(result.issues).toHaveLength(1)
    expect(result.issues[0]).toMatchObject({ path: '$', file: 'x.json', line: 3 })
    expect(result.issues[0]?.message).toMatch(/not valid JSON/)
  })

  it('refuses dynamic names outside the zones, twice the same type, and a CNAME beside addresses', () => {
    const pools = { p: {} }
    expect(
      issues({ ...MINIMAL, pools, dynamic: [{ name: 'www.example.org', type: 'A', pool: 'p' }] }),
    ).toEqual([expect.stringMatching(/^\$\.dynamic\[0\]\.name: "www\.example\.org" is in none of the zones/)])
    expect(
      issues({
        ...MINIMAL,
        pools,
        dynamic: [
          { name: 'a.example.com', type: 'A', pool: 'p' },
          { name: 'a.example.com', type: 'A', pool: 'p' },
          { name: 'b.example.com', type: 'A', pool: 'p' },
          { name: 'b.example.com', type: 'CNAME', pool: 'p' },
          { name: 'c.example.com', type: 'A', pool: 'p' },
          { name: 'c.example.com', type: 'AAAA', pool: 'p' },
        ],
      }),
    ).toEqual([
      expect.stringMatching(/^\$\.dynamic\[1\]\.name: "a\.example\.com" A is already dynamic/),
      expect.stringMatching(/^\$\.dynamic\[3\]\.name: "b\.example\.com" has a CNAME and other data/),
    ])
  })

  it('refuses a zone listed twice, no zones, and a per-client cap above the total', () => {
    expect(issues({ zones: [] })).toEqual([expect.stringMatching(/^\$\.zones: must list at least one zone/)])
    expect(
      issues({
        zones: [
          { origin: 'example.com', file: 'a' },
          { origin: 'EXAMPLE.com.', file: 'b' },
        ],
      }),
    ).toEqual([
      expect.stringMatching(
        /^\$\.zones\[1\]\.origin: zone "example\.com" is already listed at \$\.zones\[0\]/,
      ),
    ])
    expect(issues({ ...MINIMAL, tcp: { maxConnections: 4, maxConnectionsPerClient: 5 } })).toEqual([
      '$.tcp.maxConnectionsPerClient: must not exceed maxConnections (4)',
    ])
  })

  it('passes the pools to the selection pipeline’s validator and keeps its paths', () => {
    const result = parseConfig(JSON.stringify({ ...MINIMAL, pools: { web: { answers: 3 } } }, null, 2), {
      file: 'c.json',
      validatePools: (pools) =>
        Object.keys(pools).map((name) => ({ path: `$.pools.${name}.answers`, message: 'must be an array' })),
    })
    expect(result.issues).toEqual([
      { path: '$.pools.web.answers', message: 'must be an array', file: 'c.json', line: 10 },
    ])
  })
})

describe('parseListenAddress', () => {
  it('reads the forms a person writes', () => {
    expect(parseListenAddress('127.0.0.1')).toEqual({ address: '127.0.0.1', port: 53, family: 4 })
    expect(parseListenAddress('::1')).toEqual({ address: '::1', port: 53, family: 6 })
    expect(parseListenAddress('[::1]')).toEqual({ address: '::1', port: 53, family: 6 })
    expect(parseListenAddress('[::1]:0')).toEqual({ address: '::1', port: 0, family: 6 })
    expect(parseListenAddress({ address: '10.0.0.1', port: 5300 })).toEqual({
      address: '10.0.0.1',
      port: 5300,
      family: 4,
    })
    expect(parseListenAddress('localhost:53')).toMatch(/not an IP address/)
    expect(parseListenAddress('1.2.3.4:x')).toMatch(/port/)
    expect(parseListenAddress(53)).toMatch(/address:port/)
  })
})

describe('jsonPathLines', () => {
  it('gives the line of every value', () => {
    const lines = jsonPathLines('{\n "a": [1,\n  {"b c": 2}],\n "d": "x"\n}')
    expect(lines.get('$')).toBe(1)
    expect(lines.get('$.a')).toBe(2)
    expect(lines.get('$.a[0]')).toBe(2)
    expect(lines.get('$.a[1]')).toBe(3)
    expect(lines.get('$.a[1]["b c"]')).toBe(3)
    expect(lines.get('$.d')).toBe(4)
  })
})

describe('jsonErrorOffset', () => {
  it('finds where a text stops being JSON, and agrees with JSON.parse on validity', () => {
    expect(jsonErrorOffset('{"a": [1, 2]}')).toBe(-1)
    expect(jsonErrorOffset('{\n  "zones": [\n  }\n')).toBe(17)
    expect(jsonErrorOffset('{"a": 1,}')).toBe(8)
    expect(jsonErrorOffset('{"a": tru}')).toBe(6)
    expect(jsonErrorOffset('[1 2]')).toBe(3)
    expect(jsonErrorOffset('{"a"')).toBe(4)
    expect(jsonErrorOffset('"\\x"')).toBe(2)
    for (const text of ['', ' ', '01', '-', '1.', '1e', '[', ']', '{"a":1}x', '"\\u12"', 'nul', '[1,]']) {
      expect(jsonErrorOffset(text), text).toBeGreaterThanOrEqual(0)
      expect(() => JSON.parse(text)).toThrow()
    }
  })
})
