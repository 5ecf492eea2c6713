import { isIP } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Cidr, formatAddress, parseAddress, parseCidr } from '../../src/select/index.js'

const words = () => new Uint32Array(4)

describe('parseAddress', () => {
  it('reads IPv4 and IPv6 text', () => {
    const w = words()
    expect(parseAddress('192.0.2.1', w)).toBe(4)
    expect(w[0]).toBe(0xc0000201)
    expect(parseAddress('2001:db8::1', w)).toBe(6)
    expect([...w]).toEqual([0x20010db8, 0, 0, 1])
    expect(parseAddress('::', w)).toBe(6)
    expect([...w]).toEqual([0, 0, 0, 0])
    expect(parseAddress('1::', w)).toBe(6)
    expect([...w]).toEqual([0x00010000, 0, 0, 0])
    expect(parseAddress('fe80::1%eth0', w)).toBe(6)
    expect(parseAddress('64:ff9b::192.0.2.33', w)).toBe(6)
    expect([...w]).toEqual([0x0064ff9b, 0, 0, 0xc0000221])
  })

  it('returns an IPv4-mapped address as IPv4 (what a dual-stack socket reports)', () => {
    const w = words()
    expect(parseAddress('::ffff:192.0.2.9', w)).toBe(4)
    expect(w[0]).toBe(0xc0000209)
    expect(parseAddress('::ffff:c000:209', w)).toBe(4)
  })

  it('refuses what node:net refuses', () => {
    const w = words()
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3.4 ',
      'x',
      ':::',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      '1:',
      ':1',
      '12345::',
      '1::2:3:4:5:6:7:8',
    ])
      expect([bad, parseAddress(bad, w)]).toEqual([bad, 0])
  })

  it('agrees with node:net on generated addresses, and formats back to what it read', () => {
    const w = words()
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => {
        const family = parseAddress(text, w)
        expect(family).not.toBe(0)
        expect(isIP(text)).not.toBe(0)
        const again = words()
        const formatted = formatAddress(w, family as 4 | 6)
        expect(parseAddress(formatted, again)).toBe(family)
        expect([...again]).toEqual([...w])
      }),
      { numRuns: 2000, seed: 7 },
    )
  })

  it('formats IPv6 as RFC 5952 does', () => {
    const w = words()
    parseAddress('2001:0db8:0000:0000:0001:0000:0000:0001', w)
    expect(formatAddress(w, 6)).toBe('2001:db8::1:0:0:1')
    parseAddress('2001:db8:0:1:1:1:1:1', w)
    expect(formatAddress(w, 6)).toBe('2001:db8:0:1:1:1:1:1')
  })
})

describe('parseCidr', () => {
  it('reads networks and host addresses', () => {
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ family: 4, length: 8 })
    expect(parseCidr('2001:db8::/32')).toMatchObject({ family: 6, length: 32 })
    expect((parseCidr('192.0.2.7') as Cidr).length).toBe(32)
    expect((parseCidr('::1') as Cidr).length).toBe(128)
  })

  it('says what is wrong with a bad network', () => {
    expect(parseCidr('10.1.0.0/8')).toBe('"10.1.0.0/8" has bits set past /8: did you mean "10.0.0.0/8"?')
    expect(parseCidr('10.0.0.0/33')).toMatch(/prefix length .* 0 to 32/)
    expect(parseCidr('10.0.0.0/08')).toMatch(/prefix length/)
    expect(parseCidr('nope/8')).toMatch(/not an IPv4 or IPv6 network/)
    expect(parseCidr('::ffff:10.0.0.0/104')).toMatch(/IPv4-mapped/)
  })
})
