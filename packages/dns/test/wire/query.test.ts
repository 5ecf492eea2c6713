import { describe, expect, it } from 'vitest'
import { decodeMessage, decodeQuery, Opcode, RRType, udpLimit } from '../../src/wire/index.js'
import { decodeError, hex, toHex } from './helpers.js'

// www.example.com, A, IN: the question every vector below asks unless it says otherwise.
const QUESTION = '03 777777 07 6578616d706c65 03 636f6d 00  0001 0001'
const header = (arcount: number, flags = '0100') =>
  `1234 ${flags} 0001 0000 0000 ${arcount.toString(16).padStart(4, '0')}`
const opt = (options: string, ttl = '00 00 0000', payload = '1000') => {
  const rdata = hex(options)
  return `00 0029 ${payload} ${ttl} ${rdata.length.toString(16).padStart(4, '0')} ${options}`
}

describe('decodeQuery: golden queries', () => {
  it('a plain query: header, lower-cased name, question bytes', () => {
    const packet = hex(`${header(0)} ${QUESTION}`)
    const q = decodeQuery(packet)
    expect(q).toMatchObject({
      id: 0x1234,
      flags: 0x0100,
      opcode: Opcode.QUERY,
      rd: true,
      cd: false,
      qname: 'www.example.com',
      qtype: RRType.A,
      qclass: 1,
      questionEnd: 33,
      qnameLength: 17,
      qdcount: 1,
      ancount: 0,
      nscount: 0,
      arcount: 0,
      edns: undefined,
      ecs: undefined,
      cookie: undefined,
      nsid: false,
      keepalive: false,
    })
    expect(q.packet).toBe(packet)
  })

  it('keeps the case on the wire and lower-cases the key (0x20 randomisation)', () => {
    const packet = hex(`1234 0010 0001 0000 0000 0000  03 577757 07 4578414d706c65 03 434f4d 00  001c 0001`)
    const q = decodeQuery(packet)
    expect(q.qname).toBe('www.example.com')
    expect(q.cd).toBe(true)
    expect(q.rd).toBe(false)
    expect(q.qtype).toBe(RRType.AAAA)
    expect(toHex(packet.subarray(12, q.questionEnd))).toBe(
      toHex(hex('03 577757 07 4578414d706c65 03 434f4d 00 001c 0001')),
    )
  })

  it('the root and escaped bytes in the key', () => {
    expect(decodeQuery(hex('0001 0000 0001 0000 0000 0000 00 0002 0001')).qname).toBe('')
    // a label holding a dot, a space and a capital letter: a.b\032C under x
    const q = decodeQuery(hex('0001 0000 0001 0000 0000 0000 05 612e622043 01 78 00 0010 0001'))
    expect(q.qname).toBe('a\\.b\\032c.x')
  })

  it('takes a name of exactly 255 bytes', () => {
    const l63 = `3f ${'61'.repeat(63)}`
    const q = decodeQuery(
      hex(`0001 0000 0001 0000 0000 0000 ${l63} ${l63} ${l63} 3d ${'62'.repeat(61)} 00 0001 0001`),
    )
    expect(q.qnameLength).toBe(255)
    expect(q.qname.length).toBe(64 * 3 + 61)
  })

  it('EDNS: payload size, DO bit, version, options range', () => {
    const q = decodeQuery(hex(`${header(1)} ${QUESTION} ${opt('', '00 00 8000')}`))
    expect(q.edns).toEqual({
      payloadSize: 4096,
      version: 0,
      dnssecOk: true,
      extendedRcode: 0,
      optionsStart: 44,
      optionsEnd: 44,
    })
    expect(q.arcount).toBe(1)
  })

  it('ECS for IPv4: 192.0.2.0/24', () => {
    const packet = hex(`${header(1)} ${QUESTION} ${opt('0008 0007 0001 18 00 c00002')}`)
    const q = decodeQuery(packet)
    expect(q.ecs).toEqual({
      family: 1,
      sourcePrefix: 24,
      scopePrefix: 0,
      address: Uint8Array.from([192, 0, 2, 0]),
      offset: 48,
      length: 7,
    })
  })

  it('ECS for IPv6: 2001:db8:1::/48, and a /0 opt-out', () => {
    const q = decodeQuery(hex(`${header(1)} ${QUESTION} ${opt('0008 000a 0002 30 00 20010db80001')}`))
    expect(q.ecs?.family).toBe(2)
    expect(q.ecs?.sourcePrefix).toBe(48)
    expect(toHex(q.ecs?.address ?? new Uint8Array())).toBe('20010db8000100000000000000000000')
    const zero = decodeQuery(hex(`${header(1)} ${QUESTION} ${opt('0008 0004 0001 00 00')}`))
    expect(zero.ecs).toMatchObject({ family: 1, sourcePrefix: 0, address: new Uint8Array(4) })
  })

  it('ECS with a prefix that ends inside a byte: 198.51.100.128/25', () => {
    const q = decodeQuery(hex(`${header(1)} ${QUESTION} ${opt('0008 0008 0001 19 00 c6336480')}`))
    expect(Array.from(q.ecs?.address ?? [])).toEqual([198, 51, 100, 128])
  })

  it('cookies: client only, client and server (views into the packet)', () => {
    const client = decodeQuery(hex(`${header(1)} ${QUESTION} ${opt('000a 0008 0102030405060708')}`))
    expect(toHex(client.cookie?.client ?? new Uint8Array())).toBe('0102030405060708')
    expect(client.cookie?.server).toBeUndefined()
    const both = decodeQuery(
      hex(`${header(1)} ${QUESTION} ${opt('000a 0018 0102030405060708 1000000000000000a1a2a3a4a5a6a7a8')}`),
    )
    expect(toHex(both.cookie?.server ?? new Uint8Array())).toBe('1000000000000000a1a2a3a4a5a6a7a8')
    expect(both.cookie?.client.buffer).toBe(both.packet.buffer)
  })

  it('NSID, keepalive, padding and unknown options together', () => {
    const q = decodeQuery(
      hex(
        `${header(1)} ${QUESTION} ${opt('0003 0000  000b 0000  000c 0004 00000000  fde9 0002 abcd  0008 0007 0001 18 00 c00002')}`,
      ),
    )
    expect(q.nsid).toBe(true)
    expect(q.keepalive).toBe(true)
    expect(q.ecs?.sourcePrefix).toBe(24)
  })

  it('skips other additional records, compressed names included (a TSIG-like record)', () => {
    // owner: pointer to the question's "example.com" at offset 16
    const q = decodeQuery(
      hex(`${header(2)} ${QUESTION} c010 00fa 00ff 00000000 0002 abcd ${opt('0003 0000')}`),
    )
    expect(q.nsid).toBe(true)
  })

  it('an EDNS version above 0 is returned unread, for a BADVERS reply', () => {
    const q = decodeQuery(
      hex(`${header(1)} ${QUESTION} ${opt('0008 0007 0001 18 00 c00002 000a 0001 00', '00 01 0000')}`),
    )
    expect(q.edns?.version).toBe(1)
    expect(q.ecs).toBeUndefined()
    expect(q.cookie).toBeUndefined()
  })

  it('another opcode: only the header is read, for a NOTIMP reply', () => {
    const notify = decodeQuery(hex('1234 2000 0002 0001 0000 0000 ff ff ff'))
    expect(notify).toMatchObject({ opcode: Opcode.NOTIFY, qname: '', qtype: 0, questionEnd: 12, qdcount: 2 })
    expect(decodeQuery(hex('1234 7800 0000 0000 0000 0000')).opcode).toBe(15)
  })

  it('decodeMessage reads the same queries', () => {
    const m = decodeMessage(
      hex(`${header(1)} ${QUESTION} ${opt('0008 0007 0001 18 00 c00002 0003 0000', '00 00 8000')}`),
    )
    expect(m.questions).toEqual([{ name: 'www.example.com', type: 1, class: 1 }])
    expect(m.edns).toMatchObject({
      payloadSize: 4096,
      dnssecOk: true,
      ecs: { family: 1, sourcePrefix: 24, scopePrefix: 0, address: '192.0.2.0' },
      nsid: new Uint8Array(0),
    })
  })
})

describe('decodeQuery: what gets no reply', () => {
  it.each([
    ['an empty packet', ''],
    ['a short header', '1234 0100 0001 0000 0000 00'],
    ['a response (QR set)', `1234 8100 0001 0000 0000 0000 ${QUESTION}`],
    ['a response with another opcode', '1234 a000 0000 0000 0000 0000'],
  ])('%s', (_, text) => {
    const err = decodeError(() => decodeQuery(hex(text)))
    expect(err.rcode).toBeUndefined()
    expect(err.code).toBe('ERR_DNS_DECODE')
    expect(err.details).toEqual({ rcode: undefined, offset: err.offset })
  })
})

describe('decodeQuery: what gets FORMERR', () => {
  const long63 = `3f ${'61'.repeat(63)}`
  it.each([
    ['QDCOUNT 0', '1234 0100 0000 0000 0000 0000'],
    ['QDCOUNT 2', `1234 0100 0002 0000 0000 0000 ${QUESTION} ${QUESTION}`],
    ['QDCOUNT 65535', `1234 0100 ffff 0000 0000 0000 ${QUESTION}`],
    ['an answer record', `1234 0100 0001 0001 0000 0000 ${QUESTION}`],
    ['an authority record', `1234 0100 0001 0000 0001 0000 ${QUESTION}`],
    ['a self-pointer as the question', '1234 0100 0001 0000 0000 0000 c00c 0001 0001'],
    ['a pointer inside the question', '1234 0100 0001 0000 0000 0000 01 61 c00c 0001 0001'],
    ['a two-pointer loop', '1234 0100 0001 0000 0000 0000 c00e c00c 0001 0001'],
    ['a pointer past the end', '1234 0100 0001 0000 0000 0000 c0ff 0001 0001'],
    ['a 64-octet label', `1234 0100 0001 0000 0000 0000 40 ${'61'.repeat(64)} 00 0001 0001`],
    ['an extended label type', '1234 0100 0001 0000 0000 0000 41 00 0001 0001'],
    ['130 labels', `1234 0100 0001 0000 0000 0000 ${'01 61 '.repeat(130)} 00 0001 0001`],
    [
      'a 256-byte name',
      `1234 0100 0001 0000 0000 0000 ${long63} ${long63} ${long63} 3e ${'61'.repeat(62)} 00 0001 0001`,
    ],
    ['a name running past the end', '1234 0100 0001 0000 0000 0000 03 7777'],
    ['no type and class', '1234 0100 0001 0000 0000 0000 00 0001'],
    ['trailing bytes', `${header(0)} ${QUESTION} 00`],
    ['ARCOUNT beyond the records', `${header(2)} ${QUESTION} ${opt('')}`],
    ['two OPT records', `${header(2)} ${QUESTION} ${opt('')} ${opt('')}`],
    ['an OPT not owned by the root', `${header(1)} ${QUESTION} 01 61 00 0029 1000 00000000 0000`],
    ['an OPT RDLENGTH overrun', `${header(1)} ${QUESTION} 00 0029 1000 00000000 0010 0003 0000`],
    ['an option overrunning the OPT', `${header(1)} ${QUESTION} ${opt('0003 0004 00')}`],
    ['a cut option header', `${header(1)} ${QUESTION} ${opt('00 03 00')}`],
    ['an additional record with a forward pointer', `${header(1)} ${QUESTION} c030 0001 0001 00000000 0000`],
    ['an additional record with a self-pointer', `${header(1)} ${QUESTION} c021 0001 0001 00000000 0000`],
    ['ECS family 3', `${header(1)} ${QUESTION} ${opt('0008 0004 0003 00 00')}`],
    ['ECS source /255', `${header(1)} ${QUESTION} ${opt(`0008 0024 0001 ff 00 ${'ff'.repeat(32)}`)}`],
    ['ECS source /33 for IPv4', `${header(1)} ${QUESTION} ${opt('0008 0009 0001 21 00 c000020180')}`],
    [
      'ECS source /129 for IPv6',
      `${header(1)} ${QUESTION} ${opt(`0008 0015 0002 81 00 ${'20'.repeat(17)}`)}`,
    ],
    [
      'ECS address too long for its prefix',
      `${header(1)} ${QUESTION} ${opt('0008 0008 0001 18 00 c0000200')}`,
    ],
    ['ECS address too short for its prefix', `${header(1)} ${QUESTION} ${opt('0008 0006 0001 18 00 c000')}`],
    ['ECS bits set beyond the prefix', `${header(1)} ${QUESTION} ${opt('0008 0007 0001 17 00 c00003')}`],
    [
      'ECS with a non-zero scope (RFC 7871 §6)',
      `${header(1)} ${QUESTION} ${opt('0008 0007 0001 18 10 c00002')}`,
    ],
    ['ECS shorter than its fixed fields', `${header(1)} ${QUESTION} ${opt('0008 0003 0001 00')}`],
    ['two ECS options', `${header(1)} ${QUESTION} ${opt('0008 0004 0001 00 00 0008 0004 0001 00 00')}`],
    ['a 7-byte cookie', `${header(1)} ${QUESTION} ${opt('000a 0007 01020304050607')}`],
    ['a 9-byte cookie', `${header(1)} ${QUESTION} ${opt('000a 0009 010203040506070809')}`],
    ['a 41-byte cookie', `${header(1)} ${QUESTION} ${opt(`000a 0029 ${'01'.repeat(41)}`)}`],
    [
      'two cookies',
      `${header(1)} ${QUESTION} ${opt('000a 0008 0102030405060708 000a 0008 0102030405060708')}`,
    ],
    ['keepalive with data in a query', `${header(1)} ${QUESTION} ${opt('000b 0002 0064')}`],
  ])('%s', (_, text) => {
    const err = decodeError(() => decodeQuery(hex(text)))
    expect(err.rcode).toBe(1)
    expect(err.offset).toBeGreaterThanOrEqual(0)
    expect(err.message.length).toBeGreaterThan(10)
  })
})

describe('decodeQuery: what a FORMERR says was read, for the reply to echo', () => {
  const read = (text: string) => {
    const err = decodeError(() => decodeQuery(hex(text)))
    expect(err.rcode).toBe(1)
    const edns =
      err.edns === undefined ? undefined : { payloadSize: err.edns.payloadSize, dnssecOk: err.edns.dnssecOk }
    return { questionEnd: err.questionEnd, edns }
  }
  const EDNS_DO = { payloadSize: 0x1000, dnssecOk: true }

  it('nothing when the question could not be read', () => {
    expect(read('1234 0100 0000 0000 0000 0000')).toEqual({ questionEnd: 12, edns: undefined })
    expect(read('1234 0100 0002 0000 0000 0000 03 7777')).toEqual({ questionEnd: 12, edns: undefined })
    expect(read('1234 0100 0001 0000 0000 0000 c00c 0001 0001')).toEqual({ questionEnd: 12, edns: undefined })
  })

  it('the first question, and no OPT, when QDCOUNT, ANCOUNT or NSCOUNT is wrong (as gdnsd)', () => {
    for (const counts of ['0002 0000 0000 0001', '0001 0001 0000 0001', '0001 0000 0001 0001'])
      expect(read(`1234 0100 ${counts} ${QUESTION} ${opt('')}`), counts).toEqual({
        questionEnd: 33,
        edns: undefined,
      })
  })

  it('the question and the OPT record when a fault follows the OPT header', () => {
    const ttlDo = '00 00 8000'
    expect(read(`${header(1)} ${QUESTION} ${opt('0008 0007 0001 17 00 c00003', ttlDo)}`)).toEqual({
      questionEnd: 33,
      edns: EDNS_DO,
    })
    expect(read(`${header(1)} ${QUESTION} ${opt('000a 0005 0102030405', ttlDo)}`)).toMatchObject({
      edns: EDNS_DO,
    })
    expect(read(`${header(2)} ${QUESTION} ${opt('', ttlDo)} ${opt('')}`)).toMatchObject({ edns: EDNS_DO })
    expect(read(`${header(1)} ${QUESTION} ${opt('', ttlDo)} 00`)).toMatchObject({ edns: EDNS_DO })
  })

  it('the question but no OPT when the OPT itself is unreadable', () => {
    expect(read(`${header(1)} ${QUESTION} 01 61 00 0029 1000 00000000 0000`)).toEqual({
      questionEnd: 33,
      edns: undefined,
    })
    expect(read(`${header(1)} ${QUESTION} 00 0029 1000 00000000 0010 0003 0000`)).toEqual({
      questionEnd: 33,
      edns: undefined,
    })
  })
})

describe('udpLimit', () => {
  const withPayload = (payload: number) =>
    decodeQuery(
      hex(`${header(1)} ${QUESTION} ${opt('', '00 00 0000', payload.toString(16).padStart(4, '0'))}`),
    )
  it('is 512 without EDNS, else the payload size within [512, max]', () => {
    expect(udpLimit(decodeQuery(hex(`${header(0)} ${QUESTION}`)))).toBe(512)
    expect(udpLimit(withPayload(4096))).toBe(1232)
    expect(udpLimit(withPayload(100))).toBe(512)
    expect(udpLimit(withPayload(1000))).toBe(1000)
    expect(udpLimit(withPayload(4096), 4096)).toBe(4096)
    expect(udpLimit(withPayload(65535), 65535)).toBe(65535)
  })
})
