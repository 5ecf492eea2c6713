import * as dnsPacket from 'dns-packet'
import { describe, expect, it } from 'vitest'
import {
  decodeMessage,
  decodeQuery,
  encodeA,
  encodeName,
  encodeSOA,
  encodeSRV,
  encodeTXT,
  nameToWire,
  optSize,
  QUESTION_NAME,
  Rcode,
  ResponseWriter,
  RRType,
  Section,
  udpLimit,
} from '../../src/wire/index.js'
import { hex, toHex } from './helpers.js'

const QUESTION = '03 777777 07 6578616d706c65 03 636f6d 00  0001 0001' // www.example.com A IN
const plain = () => decodeQuery(hex(`1234 0100 0001 0000 0000 0000 ${QUESTION}`))
const withEdns = (options = '', payload = '0200', ttl = '00 00 0000') => {
  const length = hex(options).length.toString(16).padStart(4, '0')
  return decodeQuery(
    hex(`1234 0100 0001 0000 0000 0001 ${QUESTION} 00 0029 ${payload} ${ttl} ${length} ${options}`),
  )
}
const as = (addresses: number) =>
  Array.from({ length: addresses }, (_, i) => encodeA(`192.0.2.${(i % 250) + 1}`))

describe('ResponseWriter: golden replies', () => {
  it('a CNAME and its target: owner 0xC00C, RDATA name and next owner compressed', () => {
    const w = new ResponseWriter()
    w.begin(plain(), 512)
    w.authoritative = true
    expect(
      w.addRRset(Section.ANSWER, QUESTION_NAME, RRType.CNAME, 300, [encodeName('web.example.com')]),
    ).toBe(true)
    expect(
      w.addRRset(Section.ANSWER, nameToWire('web.example.com'), RRType.A, 300, [encodeA('192.0.2.1')]),
    ).toBe(true)
    expect(toHex(w.finish())).toBe(
      toHex(
        hex(`
          1234 8500 0001 0002 0000 0000
          ${QUESTION}
          c00c 0005 0001 0000012c 0006 03 776562 c010   # web + pointer to example.com at 16
          c02d 0001 0001 0000012c 0004 c0000201         # owner: the CNAME's target at 45
        `),
      ),
    )
  })

  it('NXDOMAIN with the SOA: owner and both RDATA names compressed against the question', () => {
    const query = decodeQuery(
      hex('beef 0000 0001 0000 0000 0000  04 6e6f7065 07 6578616d706c65 03 636f6d 00 0001 0001'),
    )
    const w = new ResponseWriter()
    w.begin(query, 512)
    w.authoritative = true
    w.rcode = Rcode.NXDOMAIN
    const soa = encodeSOA({
      mname: 'ns1.example.com',
      rname: 'hostmaster.example.com',
      serial: 2024010101,
      refresh: 7200,
      retry: 3600,
      expire: 1209600,
      minimum: 300,
    })
    expect(w.addRRset(Section.AUTHORITY, nameToWire('example.com'), RRType.SOA, 3600, [soa])).toBe(true)
    const reply = w.finish()
    expect(toHex(reply)).toBe(
      toHex(
        hex(`
          beef 8403 0001 0000 0001 0000
          04 6e6f7065 07 6578616d706c65 03 636f6d 00 0001 0001
          c011 0006 0001 00000e10 0027
            03 6e7331 c011                       # ns1 + example.com
            0a 686f73746d6173746572 c011         # hostmaster + example.com
            78a3f175 00001c20 00000e10 00127500 0000012c
        `),
      ),
    )
    expect(decodeMessage(reply).authorities[0]?.data).toEqual({
      mname: 'ns1.example.com',
      rname: 'hostmaster.example.com',
      serial: 2024010101,
      refresh: 7200,
      retry: 3600,
      expire: 1209600,
      minimum: 300,
    })
  })

  it('truncation keeps the OPT record: an RRset too big for 512 bytes is left out whole', () => {
    const w = new ResponseWriter()
    const query = withEdns()
    w.begin(query, udpLimit(query))
    expect(w.addRRset(Section.ANSWER, QUESTION_NAME, RRType.A, 60, as(40))).toBe(false)
    w.truncated = true
    expect(toHex(w.finish())).toBe(
      toHex(hex(`1234 8300 0001 0000 0000 0001 ${QUESTION} 00 0029 04d0 00 00 0000 0000`)),
    )
  })

  it('BADVERS: extended rcode in the OPT, version 0, DO copied', () => {
    const w = new ResponseWriter()
    const query = withEdns('0008 0007 0001 18 00 c00002', '1000', '00 01 8000')
    expect(query.edns?.version).toBe(1)
    w.begin(query, udpLimit(query))
    w.rcode = Rcode.BADVERS
    expect(toHex(w.finish())).toBe(
      toHex(hex(`1234 8100 0001 0000 0000 0001 ${QUESTION} 00 0029 04d0 01 00 8000 0000`)),
    )
  })

  it('FORMERR to a packet that cannot be decoded: header only, ID, opcode, RD and CD copied', () => {
    const w = new ResponseWriter()
    expect(toHex(w.error(hex(`1234 0110 0002 0000 0000 0000 ${QUESTION} ${QUESTION}`), Rcode.FORMERR))).toBe(
      '123481110000000000000000',
    )
    expect(toHex(w.error(hex('abcd 2100 0001 0000 0000 0000'), Rcode.FORMERR))).toBe(
      'abcda1010000000000000000',
    )
    expect(() => w.error(hex('abcd 8100 0001 0000 0000 0000'), Rcode.FORMERR)).toThrow(/no reply is due/)
    expect(() => w.error(hex('abcd'), Rcode.FORMERR)).toThrow(/no reply is due/)
  })

  it('FORMERR echoes the question and an OPT record (no options, DO copied) as far as they were read', () => {
    const w = new ResponseWriter()
    const packet = hex(`1234 0110 0002 0000 0000 0000 ${QUESTION} ${QUESTION}`)
    expect(toHex(w.error(packet, Rcode.FORMERR, { questionEnd: 33, edns: undefined }))).toBe(
      toHex(hex(`1234 8111 0001 0000 0000 0000 ${QUESTION}`)),
    )
    const edns = { payloadSize: 4096, dnssecOk: true }
    expect(toHex(w.error(packet, Rcode.FORMERR, { questionEnd: 33, edns }, { payloadSize: 1232 }))).toBe(
      toHex(hex(`1234 8111 0001 0000 0000 0001 ${QUESTION} 00 0029 04d0 00 00 8000 0000`)),
    )
    // an OPT without a question (never produced by decodeQuery, but well-formed all the same)
    expect(
      toHex(w.error(packet, Rcode.FORMERR, { questionEnd: 12, edns: { payloadSize: 512, dnssecOk: false } })),
    ).toBe(toHex(hex('1234 8111 0000 0000 0000 0001 00 0029 04d0 00 00 0000 0000')))
    // a question end past the packet is not trusted
    expect(toHex(w.error(packet.subarray(0, 20), Rcode.FORMERR, { questionEnd: 33, edns: undefined }))).toBe(
      '123481110000000000000000',
    )
  })

  it('NOTIMP to another opcode: no question', () => {
    const w = new ResponseWriter()
    w.begin(decodeQuery(hex('1234 2000 0001 0000 0000 0000 00 0006 0001')), 512)
    w.rcode = Rcode.NOTIMP
    expect(toHex(w.finish())).toBe('1234a0040000000000000000')
  })

  it('echoes ECS with its scope, and sends the server cookie, NSID and keepalive asked for', () => {
    const query = withEdns(
      '0008 0007 0001 18 00 c00002  000a 0008 0102030405060708  0003 0000  000b 0000',
      '1000',
    )
    const opt = {
      payloadSize: 1232,
      ecsScope: 16,
      serverCookie: hex('01000000 5f5e1000 a1a2a3a4a5a6a7a8'),
      nsid: new TextEncoder().encode('ns-a'),
      keepalive: 370,
    }
    const w = new ResponseWriter()
    w.begin(query, udpLimit(query), opt)
    const reply = w.finish()
    expect(toHex(reply)).toBe(
      toHex(
        hex(`
          1234 8100 0001 0000 0000 0001 ${QUESTION}
          00 0029 04d0 00 00 0000 0035
            0008 0007 0001 18 10 c00002
            000a 0018 0102030405060708 010000005f5e1000a1a2a3a4a5a6a7a8
            0003 0004 6e732d61
            000b 0002 0172
        `),
      ),
    )
    expect(optSize(query, opt)).toBe(11 + 53)
    const decoded = dnsPacket.decode(Buffer.from(reply))
    const ecs = ((decoded.additionals ?? [])[0] as dnsPacket.OptAnswer).options.find((o) => o.code === 8)
    expect(ecs).toMatchObject({ family: 1, sourcePrefixLength: 24, scopePrefixLength: 16, ip: '192.0.2.0' })
  })

  it('extended rcode BADCOOKIE: 7 in the header, 1 in the OPT', () => {
    const query = withEdns('000a 0008 0102030405060708')
    const w = new ResponseWriter()
    w.begin(query, 1232, { serverCookie: new Uint8Array(16) })
    w.rcode = Rcode.BADCOOKIE
    const m = decodeMessage(w.finish())
    expect(m.rcode).toBe(23)
    expect(m.edns?.extendedRcode).toBe(1)
    expect(m.edns?.cookie?.server).toEqual(new Uint8Array(16))
  })

  it('sends no OPT to a query without EDNS, whatever finish is given', () => {
    const w = new ResponseWriter()
    w.begin(plain(), 512, { nsid: new Uint8Array(4) })
    expect(w.finish({ nsid: new Uint8Array(4) }).length).toBe(33)
  })
})

describe('ResponseWriter: sizes', () => {
  it('keeps room for the OPT record: an RRset that fits only without it is refused', () => {
    const w = new ResponseWriter()
    const query = withEdns()
    w.begin(query, 512)
    // 33 (header and question) + 29 × 16 = 497; + 11 for the OPT = 508
    expect(w.remaining).toBe(512 - 33 - 11)
    expect(w.addRRset(Section.ANSWER, QUESTION_NAME, RRType.A, 60, as(29))).toBe(true)
    expect(w.size).toBe(497)
    expect(w.addRRset(Section.ADDITIONAL, QUESTION_NAME, RRType.A, 60, as(1))).toBe(false)
    expect(w.size).toBe(497)
    const reply = w.finish()
    expect(reply.length).toBe(508)
    const m = decodeMessage(reply)
    expect(m.answers).toHaveLength(29)
    expect(m.edns).toBeDefined()
    expect(m.tc).toBe(false)
  })

  it('without EDNS the whole limit is for records', () => {
    const w = new ResponseWriter()
    w.begin(plain(), 512)
    expect(w.addRRset(Section.ANSWER, QUESTION_NAME, RRType.A, 60, as(29))).toBe(true)
    expect(w.remaining).toBe(512 - 497)
    expect(w.finish().length).toBe(497)
  })

  it('an OPT larger at finish than at begin takes trailing RRsets out whole and sets TC', () => {
    const w = new ResponseWriter()
    const query = withEdns('0003 0000')
    w.begin(query, 512)
    expect(w.addRRset(Section.ANSWER, QUESTION_NAME, RRType.A, 60, as(20))).toBe(true)
    expect(w.addRRset(Section.ADDITIONAL, nameToWire('ns1.example.com'), RRType.A, 60, as(9))).toBe(true)
    const reply = w.finish({ nsid: new Uint8Array(40) })
    expect(reply.length).toBeLessThanOrEqual(512)
    const m = decodeMessage(reply)
    expect(m.tc).toBe(true)
    expect(m.answers).toHaveLength(20)
    expect(m.additionals).toHaveLength(0)
    expect(m.edns?.nsid).toEqual(new Uint8Array(40))
  })

  it('an RRset left out leaves no trace: later names do not point into it', () => {
    const w = new ResponseWriter()
    w.begin(plain(), 512)
    expect(
      w.addRRset(Section.ANSWER, nameToWire('a.very.long.name.example.com'), RRType.TXT, 60, [
        encodeTXT('x'.repeat(255)),
        encodeTXT('y'.repeat(255)),
      ]),
    ).toBe(false)
    expect(w.addRRset(Section.ANSWER, nameToWire('name.example.com'), RRType.A, 60, as(1))).toBe(true)
    const m = decodeMessage(w.finish())
    expect(m.answers.map((rr) => rr.name)).toEqual(['name.example.com'])
  })

  it('names written past 0x3FFF are never pointed at (a large TCP reply)', () => {
    const w = new ResponseWriter()
    w.begin(plain(), 65535)
    const big = Array.from({ length: 80 }, (_, i) => encodeTXT([`${i}`.padEnd(250, '.'), 'z']))
    expect(w.addRRset(Section.ANSWER, QUESTION_NAME, RRType.TXT, 60, big)).toBe(true)
    expect(w.size).toBeGreaterThan(0x4000)
    const far = nameToWire('far.away.example.net')
    expect(w.addRRset(Section.ANSWER, far, RRType.A, 60, as(3))).toBe(true)
    expect(w.addRRset(Section.ADDITIONAL, nameToWire('x.away.example.net'), RRType.CNAME, 60, [far])).toBe(
      true,
    )
    const reply = w.finish()
    const m = decodeMessage(reply)
    expect(m.answers.slice(80).map((rr) => rr.name)).toEqual(Array(3).fill('far.away.example.net'))
    expect(m.additionals[0]?.data).toBe('far.away.example.net')
    const peer = dnsPacket.decode(Buffer.from(reply))
    expect(peer.additionals?.[0]).toMatchObject({ name: 'x.away.example.net', data: 'far.away.example.net' })
  })

  it('at most 256 RRsets', () => {
    const w = new ResponseWriter()
    w.begin(plain(), 65535)
    for (let i = 0; i < 256; i++)
      expect(w.addRRset(Section.ANSWER, QUESTION_NAME, RRType.A, 60, as(1))).toBe(true)
    expect(w.addRRset(Section.ANSWER, QUESTION_NAME, RRType.A, 60, as(1))).toBe(false)
    expect(decodeMessage(w.finish()).answers).toHaveLength(256)
  })
})

describe('ResponseWriter: names in RDATA', () => {
  it('compresses MX, NS and PTR names; never SRV (RFC 2782) or other types', () => {
    const w = new ResponseWriter()
    w.begin(plain(), 1232)
    const mx = Uint8Array.from([0, 10, ...nameToWire('mail.example.com')])
    expect(w.addRRset(Section.ANSWER, QUESTION_NAME, RRType.MX, 60, [mx])).toBe(true)
    const before = w.size
    expect(
      w.addRRset(Section.ANSWER, QUESTION_NAME, RRType.SRV, 60, [encodeSRV(1, 2, 3, 'www.example.com')]),
    ).toBe(true)
    expect(w.size - before).toBe(2 + 10 + 6 + 17)
    expect(
      w.addRRset(Section.AUTHORITY, nameToWire('example.com'), RRType.NS, 60, [
        encodeName('ns.www.example.com'),
      ]),
    ).toBe(true)
    const reply = w.finish()
    const m = decodeMessage(reply)
    expect(m.answers.map((rr) => rr.data)).toEqual([
      { preference: 10, exchange: 'mail.example.com' },
      { priority: 1, weight: 2, port: 3, target: 'www.example.com' },
    ])
    expect(m.authorities[0]?.data).toBe('ns.www.example.com')
    // "mail" + pointer, "ns" + pointer
    expect(m.answers[0]?.rdata).toEqual(mx)
    expect(reply.length).toBe(33 + (2 + 10 + 2 + 5 + 2) + (2 + 10 + 6 + 17) + (2 + 10 + 3 + 2))
  })

  it('copies the RDATA of a compressible type as it is when it does not hold a name', () => {
    const w = new ResponseWriter()
    w.begin(plain(), 512)
    const odd = Uint8Array.from([0xc0, 0x0c])
    expect(w.addRRset(Section.ANSWER, QUESTION_NAME, RRType.CNAME, 60, [odd])).toBe(true)
    const reply = w.finish()
    expect(toHex(reply.subarray(reply.length - 2))).toBe('c00c')
  })
})

describe('ResponseWriter: misuse is refused at once', () => {
  it('sections out of order, bad owners, bad limits, no begin', () => {
    const w = new ResponseWriter()
    expect(() => w.addRRset(Section.ANSWER, QUESTION_NAME, RRType.A, 60, as(1))).toThrow(/before begin/)
    expect(() => w.finish()).toThrow(/before begin/)
    expect(() => w.begin(plain(), 100)).toThrow(/size limit/)
    expect(() => w.begin(plain(), 70000)).toThrow(/size limit/)
    w.begin(plain(), 512)
    expect(w.addRRset(Section.AUTHORITY, QUESTION_NAME, RRType.A, 60, as(1))).toBe(true)
    expect(() => w.addRRset(Section.ANSWER, QUESTION_NAME, RRType.A, 60, as(1))).toThrow(/in order/)
    expect(() => w.addRRset(4, QUESTION_NAME, RRType.A, 60, as(1))).toThrow(/section must be/)
    expect(() => w.addRRset(Section.ADDITIONAL, 5000, RRType.A, 60, as(1))).toThrow(/owner offset/)
    expect(() => w.addRRset(Section.ADDITIONAL, Uint8Array.of(3, 0x61), RRType.A, 60, as(1))).toThrow(
      /owner must be/,
    )
    expect(w.addRRset(Section.ADDITIONAL, QUESTION_NAME, RRType.A, 60, [])).toBe(true)
    expect(() => new ResponseWriter({ bufferSize: 100 })).toThrow(/bufferSize/)
    expect(() => w.finish({ serverCookie: new Uint8Array(4) })).not.toThrow() // no EDNS: no OPT to write
    const query = withEdns()
    w.begin(query, 512)
    expect(() => w.finish({ serverCookie: new Uint8Array(4) })).toThrow(/server cookie/)
  })

  it('the reply is a view of the reused buffer', () => {
    const w = new ResponseWriter({ bufferSize: 4096 })
    w.begin(plain(), 512)
    const first = w.finish()
    w.begin(decodeQuery(hex('4321 0000 0001 0000 0000 0000 00 0002 0001')), 512)
    w.finish()
    expect(toHex(first.subarray(0, 2))).toBe('4321')
  })
})
