import { crc32 as zlibCrc32 } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { crc32, crc32Bytes, crc32Update, crc32UpdateBytes, crc32UpdateWord } from '../../src/hash/crc32.js'
import { anyText, utf8 } from './arbitraries.js'

describe('crc32', () => {
  it('gives the standard check values', () => {
    expect(crc32('')).toBe(0)
    expect(crc32('123456789')).toBe(0xcbf43926)
    expect(crc32('The quick brown fox jumps over the lazy dog')).toBe(0x414fa339)
    expect(crc32Bytes(utf8('123456789'))).toBe(0xcbf43926)
  })

  it('agrees with zlib on any string, encoding UTF-8 by hand like TextEncoder', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(crc32(text)).toBe(zlibCrc32(utf8(text)))
      }),
      { numRuns: 5000 },
    )
  })

  it('encodes every kind of code point and every lone surrogate as TextEncoder does', () => {
    const samples = ['\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\ud800', '\udfff', '\ud800\udc00']
    samples.push(
      '\udbff\udfff',
      '\udc00\ud800',
      'abc\ud800',
      '\ud800abc',
      'ab\ud83d\ude80cdefgh',
      'héllo wörld',
    )
    for (const text of samples) expect(crc32(text), JSON.stringify(text)).toBe(zlibCrc32(utf8(text)))
  })

  it('agrees with zlib on bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(crc32Bytes(bytes)).toBe(zlibCrc32(bytes))
      }),
    )
  })

  it('runs a register across pieces: init, updates, final XOR', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 20 }),
        fc.string({ maxLength: 20 }),
        fc.uint8Array({ maxLength: 9 }),
        (a, b, tail) => {
          let crc = crc32Update(0xffffffff, a)
          crc = crc32Update(crc, b)
          crc = crc32UpdateBytes(crc, tail)
          const whole = new Uint8Array([...utf8(a + b), ...tail])
          expect((crc ^ 0xffffffff) >>> 0).toBe(zlibCrc32(whole))
          expect(crc).toBeGreaterThanOrEqual(0)
        },
      ),
    )
  })

  it('folds a 32-bit word in as its four little-endian bytes', () => {
    fc.assert(
      fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), (crc, value) => {
        const bytes = new Uint8Array(new Uint32Array([value]).buffer)
        expect(crc32UpdateWord(crc, value)).toBe(crc32UpdateBytes(crc, bytes))
      }),
    )
    expect(crc32UpdateWord(0xffffffff, 0x04030201)).toBe(
      crc32UpdateBytes(0xffffffff, new Uint8Array([1, 2, 3, 4])),
    )
  })
})
