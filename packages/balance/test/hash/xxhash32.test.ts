import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import xxhash from 'xxhash-wasm'
import { xxhash32, xxhash32Bytes } from '../../src/hash/xxhash32.js'
import { anyText, utf8 } from './arbitraries.js'

const reference = await xxhash()

describe('xxhash32', () => {
  it('gives the reference values of XXH32', () => {
    // xxHash's own sanity values and the python-xxhash documentation's example
    expect(xxhash32('')).toBe(0x02cc5d05)
    expect(xxhash32('a')).toBe(0x550d7456)
    expect(xxhash32('abc')).toBe(0x32d153ff)
    expect(xxhash32('Nobody inspects the spammish repetition')).toBe(0xe2293b2f)
    expect(xxhash32Bytes(new Uint8Array(0))).toBe(0x02cc5d05)
    expect(xxhash32Bytes(utf8('abc'))).toBe(0x32d153ff)
  })

  it('agrees with xxhash-wasm on any string and seed, ASCII or not', () => {
    fc.assert(
      fc.property(anyText, fc.nat(0xffffffff), (text, seed) => {
        const expected = reference.h32Raw(utf8(text), seed)
        expect(xxhash32(text, seed)).toBe(expected)
        expect(reference.h32(text, seed)).toBe(expected)
      }),
      { numRuns: 3000 },
    )
  })

  it('agrees with xxhash-wasm on bytes of every length and any seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(0xffffffff), (bytes, seed) => {
        expect(xxhash32Bytes(bytes, seed)).toBe(reference.h32Raw(bytes, seed))
      }),
      { numRuns: 2000 },
    )
  })

  it('hashes a lone surrogate as U+FFFD, on its own and inside ASCII', () => {
    expect(xxhash32('\ud800')).toBe(xxhash32('\ufffd'))
    expect(xxhash32('abcd\udc00efghijklmnopqrstuvwxyz')).toBe(xxhash32('abcd\ufffdefghijklmnopqrstuvwxyz'))
    expect(xxhash32('x\ud83d')).toBe(xxhash32Bytes(new Uint8Array([0x78, 0xef, 0xbf, 0xbd])))
    // a pair in order is one astral character (4 bytes); reversed, two replacement characters
    expect(xxhash32('\ud83d\ude80')).toBe(xxhash32Bytes(new Uint8Array([0xf0, 0x9f, 0x9a, 0x80])))
    expect(xxhash32('\ude80\ud83d')).toBe(xxhash32('\ufffd\ufffd'))
  })

  it('stays correct while its shared UTF-8 buffer grows', () => {
    // every length crosses the buffer's growth points (256 bytes, then doubling)
    for (let n = 1; n < 700; n += 7) {
      const text = 'é'.repeat(n)
      expect(xxhash32(text, 7)).toBe(reference.h32Raw(utf8(text), 7))
    }
  })

  it('takes the seed modulo 2^32', () => {
    expect(xxhash32('key', -1)).toBe(xxhash32('key', 0xffffffff))
    expect(xxhash32('key', 2 ** 32 + 5)).toBe(xxhash32('key', 5))
    expect(xxhash32Bytes(utf8('key'), -1)).toBe(xxhash32('key', 0xffffffff))
  })
})
