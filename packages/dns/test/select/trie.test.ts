import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Cidr, PrefixTrie, parseAddress, parseCidr } from '../../src/select/index.js'

const cidr = (text: string) => parseCidr(text) as Cidr
const address = (text: string) => {
  const w = new Uint32Array(4)
  parseAddress(text, w)
  return w
}

describe('PrefixTrie', () => {
  // gdnsd 3.8.1 with nets {10/8 → A, 192.0.2/24 → B} and a default answered /24 ECS queries with
  // these scopes (research §7.5): the largest supernet with the same answer
  it('returns the depth at which the answer became certain: the gdnsd vectors', () => {
    const trie = new PrefixTrie(
      [
        { cidr: cidr('10.0.0.0/8'), payload: 0 },
        { cidr: cidr('192.0.2.0/24'), payload: 1 },
      ],
      32,
      'lpm',
    )
    expect([trie.lookup(address('10.1.2.0')), trie.depth]).toEqual([0, 8])
    expect([trie.lookup(address('203.0.113.0')), trie.depth]).toEqual([-1, 5])
    expect([trie.lookup(address('198.51.100.0')), trie.depth]).toEqual([-1, 6])
    expect([trie.lookup(address('192.0.2.77')), trie.depth]).toEqual([1, 24])
  })

  it('merges sibling networks with the same value into their supernet', () => {
    const trie = new PrefixTrie(
      [
        { cidr: cidr('10.0.0.0/9'), payload: 3 },
        { cidr: cidr('10.128.0.0/9'), payload: 3 },
      ],
      32,
      'lpm',
    )
    expect([trie.lookup(address('10.200.1.1')), trie.depth]).toEqual([3, 8])
    const none = new PrefixTrie([], 32, 'lpm')
    expect([none.lookup(address('198.51.100.1')), none.depth]).toEqual([-1, 0])
  })

  it('unions the payloads of every network holding the address', () => {
    const trie = new PrefixTrie(
      [
        { cidr: cidr('10.0.0.0/8'), payload: 0 },
        { cidr: cidr('10.1.0.0/16'), payload: 1 },
        { cidr: cidr('10.1.0.0/16'), payload: 2 },
      ],
      32,
      'union',
    )
    expect([...(trie.sets[trie.lookup(address('10.1.2.3'))] as Int32Array)]).toEqual([0, 1, 2])
    expect(trie.depth).toBe(16)
    expect([...(trie.sets[trie.lookup(address('10.2.2.3'))] as Int32Array)]).toEqual([0])
    expect([...(trie.sets[trie.lookup(address('11.2.2.3'))] as Int32Array)]).toEqual([])
  })

  // Networks within the top 10 bits, so every address's answer depends on its top 10 bits only and
  // the exact minimal depth can be computed by brute force over the 1024 blocks.
  it('gives the longest match and the smallest depth that fixes it, against brute force', () => {
    const BITS = 10
    const net = fc.record({
      top: fc.nat((1 << BITS) - 1),
      length: fc.integer({ min: 0, max: BITS }),
      payload: fc.nat(3),
    })
    fc.assert(
      fc.property(fc.array(net, { maxLength: 12 }), (nets) => {
        const unique = new Map<string, { top: number; length: number; payload: number }>()
        for (const n of nets) {
          const top = n.length === 0 ? 0 : (n.top >>> (BITS - n.length)) << (BITS - n.length)
          unique.set(`${top}/${n.length}`, { ...n, top })
        }
        const entries = [...unique.values()].map((n) => ({
          cidr: {
            family: 4 as const,
            words: Uint32Array.of((n.top << (32 - BITS)) >>> 0, 0, 0, 0),
            length: n.length,
          },
          payload: n.payload,
        }))
        const trie = new PrefixTrie(entries, 32, 'lpm')
        const lpm = (block: number) => {
          let best = -1
          let bestLength = -1
          for (const n of unique.values()) {
            if (n.length > bestLength && block >>> (BITS - n.length) === n.top >>> (BITS - n.length)) {
              best = n.payload
              bestLength = n.length
            }
          }
          return best
        }
        const values = Array.from({ length: 1 << BITS }, (_, block) => lpm(block))
        for (let block = 0; block < 1 << BITS; block += 7) {
          const got = trie.lookup(Uint32Array.of(((block << (32 - BITS)) | 0x5a5a5) >>> 0, 0, 0, 0))
          expect(got).toBe(values[block])
          let minimal = BITS
          for (let d = 0; d <= BITS; d++) {
            const lo = (block >>> (BITS - d)) << (BITS - d)
            const span = 1 << (BITS - d)
            if (values.slice(lo, lo + span).every((v) => v === values[block])) {
              minimal = d
              break
            }
          }
          expect(trie.depth).toBe(minimal)
        }
      }),
      { numRuns: 150, seed: 11 },
    )
  })
})
