import { describe, expect, it } from 'vitest'
import { clientPrefixKey, ResponseRateLimiter } from '../../src/server/rrl.js'

const v4 = (a: number, b: number, c: number, d: number): Uint8Array => Uint8Array.of(a, b, c, d)

function run(
  rrl: ResponseRateLimiter,
  n: number,
  at: number,
  prefix = '4:192.0.2.',
  name = 'www/1',
): string[] {
  const actions: string[] = []
  for (let i = 0; i < n; i++) actions.push(rrl.check(prefix, 'positive', name, at))
  return actions
}

describe('ResponseRateLimiter', () => {
  it('sends the rate per second, then drops and slips every second limited response', () => {
    const rrl = new ResponseRateLimiter({ responsesPerSecond: 5 })
    expect(run(rrl, 5, 0)).toEqual(['send', 'send', 'send', 'send', 'send'])
    expect(run(rrl, 6, 0)).toEqual(['drop', 'slip', 'drop', 'slip', 'drop', 'slip'])
    expect(rrl.stats()).toMatchObject({ drops: 3, slips: 3, entries: 1 })
  })

  it('keeps a flood limited for up to the window, then credits back one second at most', () => {
    const rrl = new ResponseRateLimiter({ responsesPerSecond: 10, window: 15, slip: 0 })
    // 1,000 responses in the first second: 990 over, but the debt is capped at 15 s × 10
    run(rrl, 1000, 0)
    // after 10 s, credit is 100 of the 150 owed: still limited
    expect(run(rrl, 1, 10_000)).toEqual(['drop'])
    // after 16 s more the debt is paid and the balance is capped at one second's worth
    expect(run(rrl, 11, 26_000)).toEqual([...Array(10).fill('send'), 'drop'])
  })

  it('accounts by prefix, class and name separately', () => {
    const rrl = new ResponseRateLimiter({ responsesPerSecond: 1, slip: 0 })
    expect(rrl.check('4:192.0.2.', 'positive', 'a/1', 0)).toBe('send')
    expect(rrl.check('4:192.0.2.', 'positive', 'a/1', 0)).toBe('drop')
    expect(rrl.check('4:192.0.2.', 'positive', 'a/28', 0)).toBe('send')
    expect(rrl.check('4:192.0.3.', 'positive', 'a/1', 0)).toBe('send')
    expect(rrl.check('4:192.0.2.', 'nxdomain', 'a/1', 0)).toBe('send')
  })

  it('uses per-class rates', () => {
    const rrl = new ResponseRateLimiter({ responsesPerSecond: 1, errorsPerSecond: 3, slip: 0 })
    expect(Array.from({ length: 4 }, () => rrl.check('p', 'error', '', 0))).toEqual([
      'send',
      'send',
      'send',
      'drop',
    ])
  })

  it('counts but sends everything in log-only mode', () => {
    const rrl = new ResponseRateLimiter({ responsesPerSecond: 2, logOnly: true })
    expect(run(rrl, 6, 0)).toEqual(Array(6).fill('send'))
    expect(rrl.stats()).toMatchObject({ drops: 2, slips: 2 })
  })

  it('slips every response with slip 1 and every third with slip 3', () => {
    const one = new ResponseRateLimiter({ responsesPerSecond: 1, slip: 1 })
    expect(run(one, 3, 0)).toEqual(['send', 'slip', 'slip'])
    const three = new ResponseRateLimiter({ responsesPerSecond: 1, slip: 3 })
    expect(run(three, 7, 0)).toEqual(['send', 'drop', 'drop', 'slip', 'drop', 'drop', 'slip'])
  })

  it('bounds its table, evicting quiet accounts before limited ones', () => {
    const rrl = new ResponseRateLimiter({ responsesPerSecond: 1, slip: 0, maxEntries: 3 })
    run(rrl, 2, 0, 'flood') // limited
    run(rrl, 1, 0, 'b')
    run(rrl, 1, 0, 'c')
    run(rrl, 1, 0, 'd') // evicts 'b' (flood is limited and gets another round)
    expect(rrl.stats()).toMatchObject({ entries: 3, evictions: 1 })
    expect(run(rrl, 1, 0, 'flood')).toEqual(['drop'])
    for (let i = 0; i < 1000; i++) run(rrl, 1, 0, `x${i}`)
    expect(rrl.stats().entries).toBe(3)
  })

  it('refuses bad settings', () => {
    expect(() => new ResponseRateLimiter({ responsesPerSecond: 0 })).toThrow(/responsesPerSecond/)
    expect(() => new ResponseRateLimiter({ responsesPerSecond: 5, slip: 1.5 })).toThrow(/slip/)
    expect(() => new ResponseRateLimiter({ responsesPerSecond: 5, window: -1 })).toThrow(/window/)
    expect(() => new ResponseRateLimiter({ responsesPerSecond: 5, ipv4PrefixLength: 33 })).toThrow(/ipv4/)
  })
})

describe('clientPrefixKey', () => {
  it('groups IPv4 by /24 and IPv6 by /56 by default', () => {
    expect(clientPrefixKey(v4(192, 0, 2, 1), 4)).toBe(clientPrefixKey(v4(192, 0, 2, 200), 4))
    expect(clientPrefixKey(v4(192, 0, 2, 1), 4)).not.toBe(clientPrefixKey(v4(192, 0, 3, 1), 4))
    const a = new Uint8Array(16)
    const b = new Uint8Array(16)
    a[6] = 0x12
    b[6] = 0x12
    b[7] = 0xff
    expect(clientPrefixKey(a, 6)).toBe(clientPrefixKey(b, 6))
    b[6] = 0x13
    expect(clientPrefixKey(a, 6)).not.toBe(clientPrefixKey(b, 6))
  })

  it('masks a prefix length that is not a whole byte', () => {
    expect(clientPrefixKey(v4(10, 1, 0x7f, 1), 4, 20)).toBe(clientPrefixKey(v4(10, 1, 0x70, 9), 4, 20))
    expect(clientPrefixKey(v4(10, 1, 0x7f, 1), 4, 20)).not.toBe(clientPrefixKey(v4(10, 1, 0x80, 9), 4, 20))
  })
})
