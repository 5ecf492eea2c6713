// dig (BIND 9.18) against our server on the interop fixture: every record type over UDP and TCP,
// negative answers, ECS with its scope, EDNS sizes and versions, truncation and dig's automatic
// retry over TCP. What dig prints is what a person checking the server by hand would see.
//
// Needs dig: a missing tool fails the test; SHOAL_SKIP_DNS_TOOLS=1 skips it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DigOptions, type DigReply, digReply, recordSet } from './dig.js'
import { BIG_ADDRESSES, GEO_DATACENTERS, ORIGIN } from './fixture.js'
import { type OurServer, startOurs } from './our-server.js'
import { requireTools, SKIP_DNS_TOOLS, SKIP_NOTE } from './tools.js'

const SOA_DATA = 'ns1.example.com. hostmaster.example.com. 2026112601 7200 1800 1209600 300'
/** The SOA of a negative answer: its TTL is min(SOA TTL 3600, MINIMUM 300) (RFC 2308 §3). */
const NEGATIVE_SOA = [`example.com. IN SOA ${SOA_DATA}`]

let ours: OurServer | undefined

function ask(name: string, type: string, options: DigOptions = {}): Promise<DigReply> {
  if (ours === undefined) throw new Error('our server did not start')
  return digReply(ours.port, name, type, options)
}

/** Records as `name TTL class type data`, sorted: the set a reply holds, TTLs included. */
function withTtl(reply: DigReply, section: 'answer' | 'authority' | 'additional'): string[] {
  return reply[section].map((r) => `${r.name} ${r.ttl} ${r.class} ${r.type} ${r.data}`).sort()
}

/** Each record type the fixture has, the records dig must show, TTLs included. */
const POSITIVE: readonly { name: string; type: string; answer: string[] }[] = [
  { name: ORIGIN, type: 'SOA', answer: [`example.com. 3600 IN SOA ${SOA_DATA}`] },
  {
    name: ORIGIN,
    type: 'NS',
    answer: ['example.com. 3600 IN NS ns1.example.com.', 'example.com. 3600 IN NS ns2.example.com.'],
  },
  {
    name: `www.${ORIGIN}`,
    type: 'A',
    answer: ['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((a) => `www.example.com. 3600 IN A ${a}`),
  },
  { name: `www.${ORIGIN}`, type: 'AAAA', answer: ['www.example.com. 3600 IN AAAA 2001:db8::1'] },
  { name: `alias.${ORIGIN}`, type: 'CNAME', answer: ['alias.example.com. 3600 IN CNAME www.example.com.'] },
  { name: ORIGIN, type: 'MX', answer: ['example.com. 3600 IN MX 10 mail.example.com.'] },
  {
    name: `txt.${ORIGIN}`,
    type: 'TXT',
    answer: ['txt.example.com. 3600 IN TXT "hello world" "second string"'],
  },
  {
    name: `_sip._udp.${ORIGIN}`,
    type: 'SRV',
    answer: ['_sip._udp.example.com. 3600 IN SRV 10 60 5060 sip.example.com.'],
  },
  { name: ORIGIN, type: 'CAA', answer: ['example.com. 3600 IN CAA 0 issue "letsencrypt.org"'] },
  { name: `short.${ORIGIN}`, type: 'A', answer: ['short.example.com. 60 IN A 192.0.2.99'] },
]

describe.skipIf(SKIP_DNS_TOOLS)(`dig against our server${SKIP_NOTE}`, () => {
  beforeAll(async () => {
    requireTools('dig')
    ours = await startOurs()
  })

  afterAll(async () => {
    await ours?.stop()
  })

  for (const transport of ['UDP', 'TCP'] as const) {
    const tcp = transport === 'TCP'

    it(`answers every record type over ${transport}, authoritatively, with the zone's TTLs`, async () => {
      for (const { name, type, answer } of POSITIVE) {
        const reply = await ask(name, type, { tcp })
        expect({
          name,
          type,
          status: reply.status,
          aa: reply.flags.includes('aa'),
          transport: reply.transport,
        }).toEqual({ name, type, status: 'NOERROR', aa: true, transport })
        expect(withTtl(reply, 'answer'), `${name} ${type}`).toEqual(answer)
        expect(reply.authority, `${name} ${type}`).toEqual([])
      }
    })

    it(`tells NXDOMAIN from NODATA over ${transport}, both with the SOA at its negative TTL`, async () => {
      const cases = [
        { name: `nope.${ORIGIN}`, type: 'A', status: 'NXDOMAIN' },
        { name: `deep.er.nope.${ORIGIN}`, type: 'TXT', status: 'NXDOMAIN' },
        { name: `www.${ORIGIN}`, type: 'MX', status: 'NOERROR' },
        // an empty non-terminal (a.b exists) and the name above a wildcard exist: NODATA
        { name: `b.${ORIGIN}`, type: 'A', status: 'NOERROR' },
        { name: `wild.${ORIGIN}`, type: 'A', status: 'NOERROR' },
      ]
      for (const c of cases) {
        const reply = await ask(c.name, c.type, { tcp })
        expect({ ...c, got: reply.status, aa: reply.flags.includes('aa') }).toEqual({
          ...c,
          got: c.status,
          aa: true,
        })
        expect(reply.answer, c.name).toEqual([])
        expect(recordSet(reply.authority), c.name).toEqual(NEGATIVE_SOA)
        expect(reply.authority[0]?.ttl, c.name).toBe(300)
      }
    })
  }

  it('answers a CNAME alone for another type (first CNAME only, no chain), and a wildcard', async () => {
    const alias = await ask(`alias.${ORIGIN}`, 'A')
    expect(withTtl(alias, 'answer')).toEqual(['alias.example.com. 3600 IN CNAME www.example.com.'])
    const wild = await ask(`x.y.wild.${ORIGIN}`, 'A')
    expect(withTtl(wild, 'answer')).toEqual(['x.y.wild.example.com. 3600 IN A 192.0.2.90'])
  })

  it('refers a name below a delegation to its name servers, with glue, without AA', async () => {
    const reply = await ask(`www.sub.${ORIGIN}`, 'A')
    expect(reply.status).toBe('NOERROR')
    expect(reply.flags).not.toContain('aa')
    expect(reply.answer).toEqual([])
    expect(recordSet(reply.authority)).toEqual(['sub.example.com. IN NS ns.sub.example.com.'])
    expect(recordSet(reply.additional)).toEqual(['ns.sub.example.com. IN A 192.0.2.80'])
  })

  it('refuses names outside its zones, without AA, and echoes the question as it was asked', async () => {
    const refused = await ask('www.example.org', 'A')
    expect(refused.status).toBe('REFUSED')
    expect(refused.flags).not.toContain('aa')
    const mixed = await ask('WwW.ExAmPlE.cOm', 'A')
    expect(mixed.question).toEqual(['WwW.ExAmPlE.cOm. IN A'])
    expect(mixed.answer.map((r) => r.name)).toEqual([
      'WwW.ExAmPlE.cOm.',
      'WwW.ExAmPlE.cOm.',
      'WwW.ExAmPlE.cOm.',
    ])
  })

  it('echoes ECS with the scope of the nets map that decided the answer, over UDP and TCP', async () => {
    const vectors = [
      { subnet: '192.0.2.0/24', address: GEO_DATACENTERS.dc3, scope: 24 },
      { subnet: '203.0.113.0/24', address: GEO_DATACENTERS.dc1, scope: 5 },
      { subnet: '198.51.100.0/24', address: GEO_DATACENTERS.dc1, scope: 6 },
      { subnet: '10.0.0.0/7', address: GEO_DATACENTERS.dc2, scope: 8 },
    ]
    for (const tcp of [false, true])
      for (const v of vectors) {
        const reply = await ask(`geo.${ORIGIN}`, 'A', { subnet: v.subnet, tcp })
        const [address, prefix] = v.subnet.split('/')
        expect({
          subnet: v.subnet,
          tcp,
          answer: reply.answer.map((r) => r.data),
          ecs: reply.opt?.ecs,
        }).toEqual({
          subnet: v.subnet,
          tcp,
          answer: [v.address],
          ecs: { address, sourcePrefix: Number(prefix), scopePrefix: v.scope },
        })
      }
  })

  it('answers a private ECS subnet from the resolver address, with the private network as scope', async () => {
    // RFC 7871 §10: 10.1.2.0/24 says nothing about where the client is; the resolver (127.0.0.1) is in no net
    const reply = await ask(`geo.${ORIGIN}`, 'A', { subnet: '10.1.2.0/24' })
    expect(reply.answer.map((r) => r.data)).toEqual([GEO_DATACENTERS.dc1])
    expect(reply.opt?.ecs).toEqual({ address: '10.1.2.0', sourcePrefix: 24, scopePrefix: 8 })
  })

  it('echoes ECS with scope 0 on static data, negative answers and referrals', async () => {
    for (const [name, type] of [
      [`www.${ORIGIN}`, 'A'],
      [`nope.${ORIGIN}`, 'A'],
      [`www.sub.${ORIGIN}`, 'A'],
      [`geo.${ORIGIN}`, 'AAAA'],
    ] as const) {
      const reply = await ask(name, type, { subnet: '203.0.113.0/24' })
      expect({ name, type, ecs: reply.opt?.ecs }).toEqual({
        name,
        type,
        ecs: { address: '203.0.113.0', sourcePrefix: 24, scopePrefix: 0 },
      })
    }
  })

  it('sizes EDNS replies: the OPT advertises 1232, no OPT without EDNS, BADVERS to version 1', async () => {
    const small = await ask(`www.${ORIGIN}`, 'A', { bufsize: 512 })
    expect(small.opt).toMatchObject({ version: 0, udp: 1232 })
    const plain = await ask(`www.${ORIGIN}`, 'A', { edns: false })
    expect(plain.opt).toBeUndefined()
    expect(plain.answer).toHaveLength(3)
    const v1 = await ask(`www.${ORIGIN}`, 'A', { edns: 1 })
    expect({
      status: v1.status,
      aa: v1.flags.includes('aa'),
      answer: v1.answer,
      version: v1.opt?.version,
    }).toEqual({
      status: 'BADVERS',
      aa: false,
      answer: [],
      version: 0,
    })
    const dnssec = await ask(`www.${ORIGIN}`, 'A', { dnssec: true })
    expect(dnssec.status).toBe('NOERROR')
    expect(dnssec.answer).toHaveLength(3)
  })

  it('truncates an RRset too big for UDP whole (TC, OPT kept), and dig gets it all over TCP', async () => {
    for (const bufsize of [512, 1232, 4096]) {
      const truncated = await ask(`big.${ORIGIN}`, 'A', { bufsize, ignoreTruncation: true })
      expect({
        bufsize,
        tc: truncated.truncated,
        answer: truncated.answer.length,
        opt: truncated.opt?.udp,
      }).toEqual({
        bufsize,
        tc: true,
        answer: 0,
        opt: 1232,
      })
    }
    const noEdns = await ask(`big.${ORIGIN}`, 'A', { edns: false, ignoreTruncation: true })
    expect({ tc: noEdns.truncated, opt: noEdns.opt, size: noEdns.size <= 512 }).toEqual({
      tc: true,
      opt: undefined,
      size: true,
    })
    const retried = await ask(`big.${ORIGIN}`, 'A', { bufsize: 512 })
    expect({ retried: retried.retriedOverTcp, transport: retried.transport, tc: retried.truncated }).toEqual({
      retried: true,
      transport: 'TCP',
      tc: false,
    })
    expect(retried.answer.map((r) => r.data).sort()).toEqual([...BIG_ADDRESSES].sort())
  })

  it('tells its TCP idle timeout to a client that asks (RFC 7828)', async () => {
    const reply = await ask(`www.${ORIGIN}`, 'A', { tcp: true, keepalive: true })
    expect(reply.opt?.keepalive).toBeGreaterThan(0)
    const udp = await ask(`www.${ORIGIN}`, 'A', { keepalive: true })
    expect(udp.opt?.keepalive).toBeUndefined()
  })

  it('answers ANY with one synthetic HINFO (RFC 8482), over UDP and TCP', async () => {
    for (const tcp of [false, true]) {
      const reply = await ask(ORIGIN, 'ANY', { tcp })
      expect(withTtl(reply, 'answer')).toEqual(['example.com. 3600 IN HINFO "RFC8482" ""'])
    }
  })
})
