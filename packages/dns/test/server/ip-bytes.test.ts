import { isIP } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseIpBytes } from '../../src/server/ip-bytes.js'

function read(text: string): string | number {
  const out = new Uint8Array(16)
  const family = parseIpBytes(text, out)
  if (family === 0) return 0
  return Buffer.from(out.subarray(0, family === 4 ? 4 : 16)).toString('hex')
}

describe('parseIpBytes', () => {
  it('reads IPv4, IPv6 and IPv4-mapped IPv6', () => {
    expect(read('192.0.2.1')).toBe('c0000201')
    expect(read('0.0.0.0')).toBe('00000000')
    expect(read('255.255.255.255')).toBe('ffffffff')
    expect(read('::')).toBe('0'.repeat(32))
    expect(read('::1')).toBe(`${'0'.repeat(31)}1`)
    expect(read('2001:db8::')).toBe(`20010db8${'0'.repeat(24)}`)
    expect(read('2001:DB8:0:0:1:2:3:4')).toBe('20010db8000000000001000200030004')
    expect(read('fe80::1%eth0')).toBe(`fe80${'0'.repeat(27)}1`)
    expect(read('::ffff:198.51.100.7')).toBe('c6336407')
    expect(read('64:ff9b::192.0.2.33')).toBe(`0064ff9b${'0'.repeat(16)}c0000221`)
  })

  it('refuses what is not an address', () => {
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1..2.3',
      'a.b.c.d',
      ':',
      ':1',
      '1:',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      '12345::',
      'g::',
      '::1.2.3',
      '1:2:3:4:5:6:7:1.2.3.4',
    ])
      expect(read(bad), bad).toBe(0)
  })

  it('agrees with node:net on which strings are addresses, and reads IPv4 back', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 20 })), (text) => {
        const out = new Uint8Array(16)
        const family = parseIpBytes(text, out)
        if (isIP(text) === 0) expect(family).toBe(0)
        else expect(family).not.toBe(0)
        if (isIP(text) === 4) expect([...out.subarray(0, 4)].join('.')).toBe(text)
      }),
    )
  })
})
