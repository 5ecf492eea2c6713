import { describe, expect, it } from 'vitest'
import { ServerCookies } from '../../src/server/cookies.js'
import { parseIpBytes } from '../../src/server/ip-bytes.js'

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'))
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const ip = (text: string): Uint8Array => {
  const out = new Uint8Array(16)
  return out.subarray(0, parseIpBytes(text, out) === 4 ? 4 : 16)
}

/** Checks a whole COOKIE option's data, split as the decoder splits it. */
function check(cookies: ServerCookies, option: Uint8Array | undefined, address: Uint8Array, now: number) {
  if (option === undefined) return cookies.check(undefined, undefined, address, now)
  return cookies.check(
    option.subarray(0, 8),
    option.length > 8 ? option.subarray(8) : undefined,
    address,
    now,
  )
}

const SECRET = bytes('e5e973e5a6b2a43f48e7dc849e37bfcf')

// RFC 9018 Appendix A
describe('ServerCookies (RFC 9018 test vectors)', () => {
  it('A.1: a client cookie alone learns a new server cookie', () => {
    const cookies = new ServerCookies({ secret: SECRET })
    expect(check(cookies, bytes('2464c4abcf10c957'), ip('198.51.100.100'), 1559731985)).toBe('client-only')
    expect(hex(cookies.reply)).toBe('2464c4abcf10c957010000005cf79f111f8130c3eee29480')
  })

  it('A.2: the same client 40 minutes later gets a renewed cookie', () => {
    const cookies = new ServerCookies({ secret: SECRET })
    const query = bytes('2464c4abcf10c957010000005cf79f111f8130c3eee29480')
    expect(check(cookies, query, ip('198.51.100.100'), 1559734385)).toBe('valid')
    expect(hex(cookies.reply)).toBe('2464c4abcf10c957010000005cf7a871d4a564a1442aca77')
  })

  it('A.3: reserved bytes the client sent are part of the hash; the renewal zeroes them', () => {
    const cookies = new ServerCookies({ secret: SECRET })
    const query = bytes('fc93fc62807ddb8601abcdef5cf78f71a314227b6679ebf5')
    // the example's query is older than the hour RFC 9018 §4.3 allows at the reply's time,
    // so it is judged at a time within its lifetime
    expect(cookies.isValid(query, ip('203.0.113.203'), 0x5cf78f71 + 60)).toBe(true)
    expect(cookies.isValid(query, ip('203.0.113.204'), 0x5cf78f71 + 60)).toBe(false)
    expect(check(cookies, query, ip('203.0.113.203'), 1559734700)).toBe('invalid')
    expect(hex(cookies.reply)).toBe('fc93fc62807ddb86010000005cf7a9acf73a7810aca2381e')
  })

  it('A.4: an IPv6 client whose cookie was made with the previous secret', () => {
    const next = bytes('445536bcd2513298075a5d379663c962')
    const old = bytes('dd3bdf9344b678b185a6f5cb60fca715')
    const query = bytes('22681ab97d52c298010000005cf7c57926556bd0934c72f8')
    const address = ip('2001:db8:220:1:59de:d0f4:8769:82b8')
    expect(check(new ServerCookies({ secret: next }), query, address, 1559741961)).toBe('invalid')
    const rolling = new ServerCookies({ secret: next, previousSecrets: [old] })
    expect(check(rolling, query, address, 1559741961)).toBe('valid')
    // 0x5cf7c579 is 1559741817: 144 s old, so it is echoed, not renewed
    expect(hex(rolling.reply)).toBe('22681ab97d52c298010000005cf7c57926556bd0934c72f8')
    check(rolling, bytes('22681ab97d52c298'), address, 1559741961)
    expect(hex(rolling.reply)).toBe('22681ab97d52c298010000005cf7c609a6bb79d16625507a')
  })
})

describe('ServerCookies', () => {
  const cookies = new ServerCookies({ secret: SECRET })
  const client = bytes('0102030405060708')
  const address = ip('192.0.2.1')
  const now = 1_700_000_000

  function issued(at: number): Uint8Array {
    check(cookies, client, address, at)
    return cookies.reply.slice()
  }

  it('exposes the reply’s server cookie as a view of the reply', () => {
    check(cookies, client, address, now)
    expect(hex(cookies.serverCookie)).toBe(hex(cookies.reply.subarray(8)))
  })

  it('says none without an option and malformed for lengths RFC 7873 §5.2.2 refuses', () => {
    expect(check(cookies, undefined, address, now)).toBe('none')
    for (const length of [0, 1, 7, 9, 15, 41, 64])
      expect(check(cookies, new Uint8Array(length), address, now), `length ${length}`).toBe('malformed')
    expect(cookies.check(new Uint8Array(7), undefined, address, now)).toBe('malformed')
    for (const length of [16, 24, 40])
      expect(check(cookies, new Uint8Array(length), address, now), `length ${length}`).toBe('invalid')
  })

  it('keeps a fresh cookie, renews one older than half an hour, refuses one older than an hour', () => {
    const cookie = issued(now)
    expect(check(cookies, cookie, address, now + 1800)).toBe('valid')
    expect(hex(cookies.reply)).toBe(hex(cookie))
    expect(check(cookies, cookie, address, now + 1801)).toBe('valid')
    expect(hex(cookies.reply)).not.toBe(hex(cookie))
    expect(cookies.reply.subarray(12, 16)).toEqual(bytes((now + 1801).toString(16)))
    expect(check(cookies, cookie, address, now + 3600)).toBe('valid')
    expect(check(cookies, cookie, address, now + 3601)).toBe('invalid')
  })

  it('accepts five minutes of clock skew into the future, not more', () => {
    const cookie = issued(now + 300)
    expect(check(cookies, cookie, address, now)).toBe('valid')
    expect(check(cookies, issued(now + 301), address, now)).toBe('invalid')
  })

  it('survives the wrap of the 32-bit timestamp', () => {
    const cookie = issued(0xffffff00)
    expect(check(cookies, cookie, address, 0x1_0000_0100)).toBe('valid')
  })

  it('refuses a cookie with a flipped bit, another version or from another address', () => {
    const cookie = issued(now)
    for (let i = 8; i < 24; i++) {
      const bad = cookie.slice()
      bad[i] = (bad[i] as number) ^ 1
      expect(check(cookies, bad, address, now), `byte ${i}`).toBe('invalid')
    }
    expect(check(cookies, cookie, ip('192.0.2.2'), now)).toBe('invalid')
    expect(check(cookies, cookie, address, now)).toBe('valid')
  })

  it('refuses secrets that are not 16 bytes', () => {
    expect(() => new ServerCookies({ secret: new Uint8Array(8) })).toThrow(/16 bytes/)
    expect(() => new ServerCookies({ secret: SECRET, previousSecrets: [new Uint8Array(3)] })).toThrow(
      /16 bytes/,
    )
  })
})
