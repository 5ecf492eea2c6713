import { ManualClock } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import { ServerCookies } from '../../src/server/cookies.js'
import type { ClientInfo } from '../../src/server/query-handler.js'
import type { Responder } from '../../src/server/responder.js'
import { ResponseRateLimiter } from '../../src/server/rrl.js'
import { cookieOption, decode, ecsOption, option, query } from './packets.js'
import { responder } from './zone-fixture.js'

const UDP: ClientInfo = { address: '192.0.2.200', port: 40000, transport: 'udp' }
const TCP: ClientInfo = { address: '192.0.2.200', port: 40000, transport: 'tcp' }
const SECRET = Uint8Array.from(Buffer.from('e5e973e5a6b2a43f48e7dc849e37bfcf', 'hex'))

const NOERROR = 0
const FORMERR = 1
const NXDOMAIN = 3
const NOTIMP = 4
const REFUSED = 5
const BADVERS = 16
const BADCOOKIE = 23

describe('Responder: the probe table (research §5, gdnsd column)', () => {
  const r = responder()

  it('gives no reply to a response (QR=1), a short packet or source port 0', () => {
    expect(r.answer(query({ name: 'www.example.com', qr: true }), UDP)).toBeUndefined()
    expect(r.answer(new Uint8Array(11), UDP)).toBeUndefined()
    expect(r.answer(new Uint8Array(0), UDP)).toBeUndefined()
    expect(r.answer(query({ name: 'www.example.com' }), { ...UDP, port: 0 })).toBeUndefined()
    expect(r.counters.values.dropped).toBe(4)
  })

  it('answers QDCOUNT=2 with FORMERR, echoing the first question but no OPT, as gdnsd does', () => {
    const reply = decode(r.answer(query({ name: 'WWW.example.com', qdcount: 2, edns: {} }), UDP))
    expect(reply.rcodeNumber).toBe(FORMERR)
    expect(reply.questions).toEqual([{ name: 'WWW.example.com', type: 'A', class: 'IN' }])
    expect(reply.opt).toBeUndefined()
  })

  it('answers FORMERR with a bare header when the question cannot be read', () => {
    const reply = decode(r.answer(query({ name: 'www.example.com', qdcount: 0, edns: {} }), UDP))
    expect(reply.rcodeNumber).toBe(FORMERR)
    expect(reply.raw).toHaveLength(12)
  })

  it('answers opcode NOTIFY and opcode 15 with NOTIMP, echoing the question and the OPT as gdnsd does', () => {
    for (const opcode of [4, 5, 15]) {
      const reply = decode(r.answer(query({ name: 'WWW.example.com', opcode, edns: {} }), UDP))
      expect(reply.rcodeNumber, `opcode ${opcode}`).toBe(NOTIMP)
      expect(reply.id).toBe(0x1234)
      expect((reply.raw[2] as number) & 0x78).toBe(opcode << 3)
      expect(reply.aa).toBe(false)
      expect(reply.questions).toEqual([{ name: 'WWW.example.com', type: 'A', class: 'IN' }])
      expect(reply.answers).toEqual([])
      expect(reply.opt).toBeDefined()
    }
    // a NOTIFY that is not a well-formed query otherwise still gets NOTIMP, with a bare header
    const odd = decode(r.answer(query({ name: 'www.example.com', opcode: 4, qdcount: 2 }), UDP))
    expect(odd.rcodeNumber).toBe(NOTIMP)
    expect(odd.questions).toEqual([])
  })

  it('answers a name outside every zone with REFUSED and AA clear', () => {
    const reply = decode(r.answer(query({ name: 'www.example.org' }), UDP))
    expect(reply.rcodeNumber).toBe(REFUSED)
    expect(reply.aa).toBe(false)
    expect(reply.questions).toEqual([{ name: 'www.example.org', type: 'A', class: 'IN' }])
  })

  it('answers two OPT records with FORMERR', () => {
    const reply = decode(r.answer(query({ name: 'www.example.com', edns: [{}, {}] }), UDP))
    expect(reply.rcodeNumber).toBe(FORMERR)
    // one OPT back (RFC 6891 §6.1.1), with the question
    expect(reply.questions).toEqual([{ name: 'www.example.com', type: 'A', class: 'IN' }])
    expect(reply.opt).toEqual({ payload: 1232, extendedRcode: 0, options: [] })
    expect(reply.raw[11]).toBe(1)
  })

  it('answers EDNS version 1 with BADVERS and an OPT record of version 0', () => {
    const reply = decode(r.answer(query({ name: 'www.example.com', edns: { version: 1 } }), UDP))
    expect(reply.rcodeNumber).toBe(BADVERS)
    expect(reply.opt).toBeDefined()
    // the OPT record ends: extended rcode (BADVERS is 16 = 1 << 4), version, flags, RDLENGTH
    expect(reply.raw[reply.raw.length - 6]).toBe(1)
    expect(reply.raw[reply.raw.length - 5]).toBe(0)
    expect(reply.answers).toEqual([])
  })

  it('answers a query with an unknown EDNS option with NOERROR and an OPT record', () => {
    const reply = decode(
      r.answer(
        query({ name: 'www.example.com', edns: { options: [{ code: 65001, data: Uint8Array.of(1, 2) }] } }),
        UDP,
      ),
    )
    expect(reply.rcodeNumber).toBe(NOERROR)
    expect(reply.opt).toBeDefined()
    expect(reply.answers).toHaveLength(3)
  })

  it('answers an ECS option with address bits beyond its source prefix with FORMERR', () => {
    const bad = { code: 8, data: Uint8Array.of(0, 1, 20, 0, 198, 51, 100) } // 198.51.100/20: bits set past /20
    const reply = decode(r.answer(query({ name: 'www.example.com', edns: { options: [bad] } }), UDP))
    expect(reply.rcodeNumber).toBe(FORMERR)
    // the question and an OPT without the option that was at fault, as gdnsd does
    expect(reply.questions).toHaveLength(1)
    expect(reply.opt).toEqual({ payload: 1232, extendedRcode: 0, options: [] })
  })

  it('answers an ECS option with a non-zero scope with FORMERR (RFC 7871 §6)', () => {
    const scoped = ecsOption('198.51.100.0', 24, 16)
    const reply = decode(r.answer(query({ name: 'www.example.com', edns: { options: [scoped] } }), UDP))
    expect(reply.rcodeNumber).toBe(FORMERR)
    expect(reply.questions).toHaveLength(1)
    expect(reply.opt?.options).toEqual([])
  })

  it('answers ANY with one synthetic HINFO (RFC 8482)', () => {
    const reply = decode(r.answer(query({ name: 'example.com', type: 255 }), UDP))
    expect(reply.answers).toHaveLength(1)
    expect(reply.answers?.[0]).toMatchObject({ type: 'HINFO', name: 'example.com' })
    expect(reply.answers[0]?.data).toEqual({
      cpu: 'RFC8482',
      os: '',
    })
    expect(reply.raw.length).toBeLessThan(64)
  })
})

describe('Responder: answers', () => {
  const r = responder()

  it('answers an RRset authoritatively, echoing the question byte for byte', () => {
    const reply = decode(r.answer(query({ name: 'WwW.ExAmPlE.cOm', id: 77 }), UDP))
    expect(reply.id).toBe(77)
    expect(reply.aa).toBe(true)
    expect(reply.qr).toBe(true)
    expect(reply.rd).toBe(true)
    expect(reply.questions?.[0]?.name).toBe('WwW.ExAmPlE.cOm')
    expect(reply.answers?.map((a) => [a.name, a.ttl, a.data])).toEqual([
      ['WwW.ExAmPlE.cOm', 3600, '192.0.2.1'],
      ['WwW.ExAmPlE.cOm', 3600, '192.0.2.2'],
      ['WwW.ExAmPlE.cOm', 3600, '192.0.2.3'],
    ])
  })

  it('answers NXDOMAIN and NODATA with the SOA, its TTL the lower of its TTL and MINIMUM', () => {
    for (const [name, type, rcode] of [
      ['nope.example.com', 1, NXDOMAIN],
      ['www.example.com', 16, NOERROR],
      ['b.example.com', 1, NOERROR], // an empty non-terminal (RFC 8020)
    ] as const) {
      const reply = decode(r.answer(query({ name, type }), UDP))
      expect(reply.rcodeNumber, name).toBe(rcode)
      expect(reply.aa).toBe(true)
      expect(reply.answers).toEqual([])
      expect(reply.authorities?.map((a) => [a.type, a.name, a.ttl])).toEqual([['SOA', 'example.com', 300]])
    }
  })

  it('gives only the first CNAME, never the chain', () => {
    for (const [name, target] of [
      ['alias.example.com', 'www.example.com'],
      ['chain.example.com', 'alias.example.com'],
    ] as const) {
      const reply = decode(r.answer(query({ name }), UDP))
      expect(reply.answers?.map((a) => [a.type, a.data])).toEqual([['CNAME', target]])
    }
    const direct = decode(r.answer(query({ name: 'alias.example.com', type: 5 }), UDP))
    expect(direct.answers?.map((a) => a.type)).toEqual(['CNAME'])
  })

  it('answers a wildcard for the query name', () => {
    const reply = decode(r.answer(query({ name: 'Anything.wild.example.com' }), UDP))
    expect(reply.answers?.map((a) => [a.name, a.data])).toEqual([['Anything.wild.example.com', '192.0.2.90']])
  })

  it('refers a delegated name with NS in authority, glue in additional and AA clear', () => {
    for (const name of ['sub.example.com', 'deep.sub.example.com']) {
      const reply = decode(r.answer(query({ name }), UDP))
      expect(reply.rcodeNumber).toBe(NOERROR)
      expect(reply.aa).toBe(false)
      expect(reply.answers).toEqual([])
      expect(reply.authorities?.map((a) => [a.type, a.name, a.data])).toEqual([
        ['NS', 'sub.example.com', 'ns.sub.example.com'],
      ])
      expect(reply.additionals?.map((a) => [a.type, a.name, a.data])).toEqual([
        ['A', 'ns.sub.example.com', '192.0.2.80'],
      ])
    }
  })

  it('adds the in-zone addresses of MX and NS targets to the additional section', () => {
    const mx = decode(r.answer(query({ name: 'example.com', type: 15 }), UDP))
    expect(mx.additionals?.map((a) => [a.name, a.type])).toEqual([
      ['mail.example.com', 'A'],
      ['mail.example.com', 'AAAA'],
    ])
    const ns = decode(r.answer(query({ name: 'example.com', type: 2 }), UDP))
    expect(ns.additionals?.map((a) => a.data)).toEqual(['192.0.2.253', '192.0.2.254'])
  })

  it('refuses a class other than IN and does not implement zone transfers', () => {
    expect(decode(r.answer(query({ name: 'example.com', qclass: 3 }), UDP)).rcodeNumber).toBe(REFUSED)
    expect(decode(r.answer(query({ name: 'example.com', type: 252 }), TCP)).rcodeNumber).toBe(NOTIMP)
  })
})

describe('Responder: EDNS and sizes', () => {
  const r = responder({ nsid: new TextEncoder().encode('ns-test') })

  it('echoes the OPT record with the server’s payload size', () => {
    const reply = decode(r.answer(query({ name: 'www.example.com', edns: { payload: 4096 } }), UDP))
    expect(reply.opt?.payload).toBe(1232)
    const plain = decode(r.answer(query({ name: 'www.example.com' }), UDP))
    expect(plain.opt).toBeUndefined()
  })

  it('truncates a reply over 512 bytes without EDNS, never cutting an RRset', () => {
    const reply = decode(r.answer(query({ name: 'big.example.com' }), UDP))
    expect(reply.tc).toBe(true)
    expect(reply.answers).toEqual([])
    expect(reply.raw.length).toBeLessThanOrEqual(512)
  })

  it('reads client buffer sizes below 512 as 512 and caps large ones at 1232, keeping the OPT when truncating', () => {
    for (const payload of [100, 4096]) {
      const reply = decode(r.answer(query({ name: 'big.example.com', edns: { payload } }), UDP))
      expect(reply.tc).toBe(true)
      expect(reply.answers).toEqual([])
      expect(reply.opt).toBeDefined()
    }
    const fits = decode(r.answer(query({ name: 'www.example.com', edns: { payload: 100 } }), UDP))
    expect(fits.tc).toBe(false)
  })

  it('sends the whole RRset over TCP', () => {
    const reply = decode(r.answer(query({ name: 'big.example.com', edns: {} }), TCP))
    expect(reply.tc).toBe(false)
    expect(reply.answers).toHaveLength(100)
  })

  it('echoes the client subnet with scope 0 for static data and negative answers', () => {
    for (const name of ['www.example.com', 'nope.example.com']) {
      const reply = decode(r.answer(query({ name, edns: { options: [ecsOption('198.51.100.0', 24)] } }), UDP))
      expect(option(reply, 8)).toEqual(Uint8Array.of(0, 1, 24, 0, 198, 51, 100))
    }
  })

  it('sends the NSID only to queries that ask for it', () => {
    const asked = decode(
      r.answer(
        query({ name: 'www.example.com', edns: { options: [{ code: 3, data: new Uint8Array() }] } }),
        UDP,
      ),
    )
    expect(new TextDecoder().decode(option(asked, 3))).toBe('ns-test')
    const silent = decode(r.answer(query({ name: 'www.example.com', edns: {} }), UDP))
    expect(option(silent, 3)).toBeUndefined()
  })

  it('advertises the TCP idle timeout (RFC 7828) over TCP only', () => {
    const keepalive = { code: 11, data: new Uint8Array() }
    const tcp = decode(r.answer(query({ name: 'www.example.com', edns: { options: [keepalive] } }), TCP))
    expect(option(tcp, 11)).toEqual(Uint8Array.of(0, 100))
    const udp = decode(r.answer(query({ name: 'www.example.com', edns: { options: [keepalive] } }), UDP))
    expect(option(udp, 11)).toBeUndefined()
  })

  it('counts queries, EDNS, DO, ECS, rcodes and truncation', () => {
    const c = responder()
    c.answer(
      query({ name: 'www.example.com', edns: { do: true, options: [ecsOption('198.51.100.0', 24)] } }),
      UDP,
    )
    c.answer(query({ name: 'nope.example.com' }), TCP)
    c.answer(query({ name: 'big.example.com' }), UDP)
    c.answer(query({ name: 'x.example.org' }), UDP)
    expect(c.counters.values).toMatchObject({
      udpQueries: 3,
      tcpQueries: 1,
      edns: 1,
      ednsDo: 1,
      ecs: 1,
      noerror: 2,
      nxdomain: 1,
      refused: 1,
      tc: 1,
    })
  })
})

describe('Responder: cookies', () => {
  const client = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)
  const clock = new ManualClock(1_700_000_000_000)

  function withCookie(r: Responder, server?: Uint8Array, transport = UDP) {
    return decode(
      r.answer(
        query({ name: 'www.example.com', edns: { options: [cookieOption(client, server)] } }),
        transport,
      ),
    )
  }

  it('returns a server cookie to a client cookie, accepts it back, and counts each kind', () => {
    const r = responder({ cookies: new ServerCookies({ secret: SECRET }), clock })
    const first = withCookie(r)
    const cookie = option(first, 10)
    expect(cookie?.length).toBe(24)
    expect(cookie?.subarray(0, 8)).toEqual(client)
    const second = withCookie(r, cookie?.subarray(8))
    expect(option(second, 10)).toEqual(cookie)
    withCookie(r, new Uint8Array(16))
    expect(r.counters.values).toMatchObject({ cookieInit: 1, cookieOk: 1, cookieBad: 1, badcookie: 0 })
  })

  it('answers a malformed cookie with FORMERR', () => {
    const r = responder({ cookies: new ServerCookies({ secret: SECRET }), clock })
    const reply = decode(
      r.answer(
        query({ name: 'www.example.com', edns: { options: [{ code: 10, data: new Uint8Array(9) }] } }),
        UDP,
      ),
    )
    expect(reply.rcodeNumber).toBe(FORMERR)
    expect(reply.questions).toHaveLength(1)
    expect(reply.opt?.options).toEqual([])
  })

  it('answers BADCOOKIE with a fresh cookie to an invalid server cookie over UDP when told to, never over TCP', () => {
    const r = responder({ cookies: new ServerCookies({ secret: SECRET }), clock, badCookie: true })
    const bad = withCookie(r, new Uint8Array(16))
    expect(bad.rcodeNumber).toBe(BADCOOKIE)
    expect(bad.answers).toEqual([])
    expect(option(bad, 10)?.length).toBe(24)
    expect(withCookie(r, new Uint8Array(16), TCP).rcodeNumber).toBe(NOERROR)
    // a client cookie alone is a first contact, not a bad cookie
    expect(withCookie(r).rcodeNumber).toBe(NOERROR)
  })

  it('ignores COOKIE options when cookies are off', () => {
    const reply = withCookie(responder())
    expect(option(reply, 10)).toBeUndefined()
    expect(reply.rcodeNumber).toBe(NOERROR)
  })

  it('truncates UDP replies above maxNoCookieResponse unless the query has a valid server cookie', () => {
    const r = responder({ cookies: new ServerCookies({ secret: SECRET }), clock, maxNoCookieResponse: 512 })
    const ask = (server?: Uint8Array) =>
      decode(
        r.answer(
          query({
            name: 'mid.example.com',
            edns: { payload: 4096, options: [cookieOption(client, server)] },
          }),
          UDP,
        ),
      )
    // 40 A records take about 700 bytes: over the cap without a valid cookie, within 1232 with one
    const first = ask()
    expect(first.tc).toBe(true)
    expect(first.raw.length).toBeLessThanOrEqual(512)
    const proven = ask(option(first, 10)?.subarray(8))
    expect(proven.tc).toBe(false)
    expect(proven.answers).toHaveLength(40)
  })
})

describe('Responder: response rate limiting', () => {
  it('drops, then slips a truncated reply, per client /24; TCP and valid cookies are exempt', () => {
    const clock = new ManualClock(1_000_000)
    const cookies = new ServerCookies({ secret: SECRET })
    const r = responder({ rrl: new ResponseRateLimiter({ responsesPerSecond: 2 }), cookies, clock })
    const ask = (client: ClientInfo, options = {}) =>
      r.answer(query({ name: 'www.example.com', ...options }), client)
    expect(ask(UDP)).toBeDefined()
    expect(ask({ ...UDP, address: '192.0.2.9' })).toBeDefined() // the same /24
    expect(ask(UDP)).toBeUndefined()
    const slipped = decode(ask(UDP))
    expect(slipped.tc).toBe(true)
    expect(slipped.answers).toEqual([])
    expect(ask({ ...UDP, address: '198.51.100.1' })).toBeDefined() // another /24
    expect(ask(TCP)).toBeDefined()
    // a valid server cookie proves the address
    const client = Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9)
    const first = decode(
      r.answer(query({ name: 'www.example.com', edns: { options: [cookieOption(client)] } }), TCP),
    )
    const server = option(first, 10)?.subarray(8)
    for (let i = 0; i < 5; i++) {
      const reply = decode(
        r.answer(query({ name: 'www.example.com', edns: { options: [cookieOption(client, server)] } }), UDP),
      )
      expect(reply.tc).toBe(false)
    }
    expect(r.counters.values).toMatchObject({ rrlDrops: 1, rrlSlips: 1 })
    // credit comes back with time
    clock.advance(5000)
    expect(decode(ask(UDP)).tc).toBe(false)
  })

  it('accounts NXDOMAIN per zone, so random names count together', () => {
    const r = responder({
      rrl: new ResponseRateLimiter({ responsesPerSecond: 1, slip: 0 }),
      clock: new ManualClock(),
    })
    expect(r.answer(query({ name: 'a1.example.com' }), UDP)).toBeDefined()
    expect(r.answer(query({ name: 'a2.example.com' }), UDP)).toBeUndefined()
    expect(r.answer(query({ name: 'www.example.com' }), UDP)).toBeDefined()
  })
})
