import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { md5Digest, md5DigestBytes } from '../../src/hash/md5.js'
import { anyText, utf8 } from './arbitraries.js'

/** The digest bytes, in order, of four little-endian words. */
function hex(words: Uint32Array, offset = 0): string {
  return Buffer.from(new Uint32Array(words.subarray(offset, offset + 4)).buffer).toString('hex')
}

const invalid = expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' })

const nodeMd5 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex')

describe('md5Digest', () => {
  it('passes the test suite of RFC 1321', () => {
    const suite: [string, string][] = [
      ['', 'd41d8cd98f00b204e9800998ecf8427e'],
      ['a', '0cc175b9c0f1b6a831c399e269772661'],
      ['abc', '900150983cd24fb0d6963f7d28e17f72'],
      ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
      ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
      ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
      ['1234567890'.repeat(8), '57edf4a22be3c955ac49da2e2107b67a'],
    ]
    for (const [text, digest] of suite) {
      expect(hex(md5Digest(text))).toBe(digest)
      expect(hex(md5DigestBytes(utf8(text)))).toBe(digest)
    }
  })

  it('returns the digest as little-endian words', () => {
    expect(Array.from(md5Digest('abc'))).toEqual([0x98500190, 0xb04fd23c, 0x7d3f96d6, 0x727fe128])
  })

  it('agrees with node:crypto on any string (UTF-8, lone surrogates as U+FFFD)', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(hex(md5Digest(text))).toBe(nodeMd5(Buffer.from(text, 'utf8')))
      }),
      { numRuns: 3000 },
    )
  })

  it('agrees with node:crypto on bytes of every length around the block boundaries', () => {
    for (let n = 0; n <= 200; n++) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 37 + n) & 255)
      expect(hex(md5DigestBytes(bytes))).toBe(nodeMd5(bytes))
      const ascii = 'k'.repeat(n)
      expect(hex(md5Digest(ascii))).toBe(nodeMd5(utf8(ascii)))
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(hex(md5DigestBytes(bytes))).toBe(nodeMd5(bytes))
      }),
    )
  })

  it('stays correct while its shared UTF-8 buffer grows', () => {
    for (let n = 1; n < 700; n += 7) {
      const text = `ü${'x'.repeat(n)}`
      expect(hex(md5Digest(text))).toBe(nodeMd5(utf8(text)))
    }
  })

  it('writes into a given array at an offset, and refuses one without room', () => {
    const out = new Uint32Array(9)
    expect(md5Digest('abc', out, 5)).toBe(out)
    expect(hex(out, 5)).toBe('900150983cd24fb0d6963f7d28e17f72')
    expect(Array.from(out.subarray(0, 5))).toEqual([0, 0, 0, 0, 0])
    for (const offset of [6, -1]) {
      expect(() => md5Digest('abc', out, offset)).toThrow(invalid)
      expect(() => md5DigestBytes(new Uint8Array(3), out, offset)).toThrow(invalid)
    }
  })
})
