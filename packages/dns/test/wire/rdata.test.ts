import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  encodeA,
  encodeAAAA,
  encodeCAA,
  encodeHINFO,
  encodeMX,
  encodeName,
  encodeSOA,
  encodeSRV,
  encodeTXT,
  formatIPv6,
  parseIPv4,
  parseIPv6,
} from '../../src/wire/index.js'
import { hex, toHex } from './helpers.js'

describe('addresses', () => {
  it('encodeA takes dotted quads only', () => {
    expect(encodeA('192.0.2.1')).toEqual(Uint8Array.of(192, 0, 2, 1))
    expect(encodeA('0.0.0.0')).toEqual(new Uint8Array(4))
    for (const bad of [
      '192.0.2',
      '192.0.2.256',
      '192.0.2.01',
      '1.2.3.4.5',
      ' 1.2.3.4',
      '1.2.3.-1',
      'a.b.c.d',
      '',
    ])
      expect(() => encodeA(bad), bad).toThrow(/not an IPv4 address/)
    expect(parseIPv4('10.0.0.1')).toEqual(Uint8Array.of(10, 0, 0, 1))
  })

  it('encodeAAAA takes RFC 4291 text', () => {
    expect(toHex(encodeAAAA('2001:db8::1'))).toBe('20010db8000000000000000000000001')
    expect(toHex(encodeAAAA('::'))).toBe('0'.repeat(32))
    expect(toHex(encodeAAAA('::1'))).toBe(`${'0'.repeat(31)}1`)
    expect(toHex(encodeAAAA('fe80::'))).toBe(`fe80${'0'.repeat(28)}`)
    expect(toHex(encodeAAAA('::ffff:192.0.2.1'))).toBe('00000000000000000000ffffc0000201')
    expect(toHex(encodeAAAA('1:2:3:4:5:6:7:8'))).toBe('00010002000300040005000600070008')
    expect(toHex(encodeAAAA('1:2:3:4:5:6:192.0.2.1'))).toBe('000100020003000400050006c0000201')
    for (const bad of [
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      '12345::',
      ':1::',
      '1::2:',
      'g::',
      '1.2.3.4::',
      '::1.2.3',
      'fe80::1%eth0',
      '1:2:3:4:5:6:7::8',
      '',
    ])
      expect(() => encodeAAAA(bad), bad).toThrow(/not an IPv6 address/)
  })

  it('parseIPv6 and formatIPv6 agree with the WHATWG URL parser', () => {
    const group = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }))
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        const bytes = new Uint8Array(16)
        groups.forEach((g, i) => {
          bytes[2 * i] = g >> 8
          bytes[2 * i + 1] = g & 0xff
        })
        const text = formatIPv6(bytes)
        expect(text).toBe(new URL(`http://[${text}]/`).hostname.slice(1, -1))
        expect(parseIPv6(text)).toEqual(bytes)
        expect(parseIPv6(groups.map((g) => g.toString(16)).join(':'))).toEqual(bytes)
      }),
      { numRuns: 500 },
    )
  })
})

describe('RDATA encoders', () => {
  it('write the RFC 1035 layouts', () => {
    expect(toHex(encodeName('ns1.example.com.'))).toBe(toHex(hex('03 6e7331 07 6578616d706c65 03 636f6d 00')))
    expect(toHex(encodeMX(10, 'mx.example.com'))).toBe(
      toHex(hex('000a 02 6d78 07 6578616d706c65 03 636f6d 00')),
    )
    expect(toHex(encodeSRV(1, 2, 5060, 'sip.x'))).toBe(toHex(hex('0001 0002 13c4 03 736970 01 78 00')))
    expect(toHex(encodeTXT(['v=spf1 -all', '']))).toBe(toHex(hex('0b 763d73706631202d616c6c 00')))
    expect(toHex(encodeTXT('é'))).toBe('02c3a9')
    expect(toHex(encodeTXT([Uint8Array.of(0, 255)]))).toBe('0200ff')
    expect(toHex(encodeCAA(128, 'issue', 'ca.example'))).toBe(
      toHex(hex('80 05 6973737565 63612e6578616d706c65')),
    )
    expect(toHex(encodeHINFO('RFC8482', ''))).toBe(toHex(hex('07 5246433834383200')))
    expect(
      toHex(
        encodeSOA({
          mname: 'a',
          rname: 'b',
          serial: 1,
          refresh: 2,
          retry: 3,
          expire: 4,
          minimum: 4294967295,
        }),
      ),
    ).toBe(toHex(hex('01 61 00 01 62 00 00000001 00000002 00000003 00000004 ffffffff')))
  })

  it('refuse what does not fit the wire', () => {
    expect(() => encodeMX(65536, 'a')).toThrow(/MX preference/)
    expect(() => encodeMX(1.5, 'a')).toThrow(/MX preference/)
    expect(() => encodeSRV(1, 2, -1, 'a')).toThrow(/SRV port/)
    expect(() => encodeTXT([])).toThrow(/at least one/)
    expect(() => encodeTXT('x'.repeat(256))).toThrow(/at most 255/)
    expect(() => encodeCAA(256, 'issue', '')).toThrow(/CAA flags/)
    expect(() => encodeCAA(0, 'is-sue', '')).toThrow(/CAA tag/)
    expect(() =>
      encodeSOA({ mname: 'a', rname: 'b', serial: -1, refresh: 2, retry: 3, expire: 4, minimum: 5 }),
    ).toThrow(/SOA serial/)
    expect(() => encodeName('a..b')).toThrow(/empty label/)
  })
})
