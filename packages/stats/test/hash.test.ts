import fc from 'fast-check'
import reference from 'murmurhash3js-revisited'
import { describe, expect, it } from 'vitest'
import { hash128, KeyHasher, murmur3x64128 } from '../src/index.js'

const hex = (h: ReturnType<typeof hash128>): string =>
  [h.h1Hi, h.h1Lo, h.h2Hi, h.h2Lo].map((w) => w.toString(16).padStart(8, '0')).join('')

describe('murmur3x64128', () => {
  it('matches the reference implementation on every length and any seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(0xffffffff), (bytes, seed) => {
        expect(hex(murmur3x64128(bytes, 0, bytes.length, seed, hash128()))).toBe(
          reference.x64.hash128(bytes, seed),
        )
      }),
      { numRuns: 2000 },
    )
  })

  it('hashes a slice in place', () => {
    const bytes = new Uint8Array([9, 9, 1, 2, 3, 9])
    expect(hex(murmur3x64128(bytes, 2, 3, 9001, hash128()))).toBe(
      reference.x64.hash128(new Uint8Array([1, 2, 3]), 9001),
    )
  })
})

describe('KeyHasher', () => {
  const hasher = new KeyHasher()
  const copy = (h: ReturnType<typeof hash128>) => ({ ...h })

  it('hashes strings as UTF-8 (ASCII and not)', () => {
    for (const key of ['', 'a', '192.0.2.1|Mozilla/5.0', 'é✓🚀', 'x'.repeat(1000)]) {
      expect(hex(hasher.hash(key))).toBe(
        reference.x64.hash128(new Uint8Array(Buffer.from(key, 'utf8')), 9001),
      )
    }
  })

  it('hashes integers as 8-byte little-endian longs, numbers and bigints alike', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        const bytes = Buffer.alloc(8)
        bytes.writeBigInt64LE(BigInt(n))
        const expected = reference.x64.hash128(new Uint8Array(bytes), 9001)
        expect(hex(hasher.hash(n))).toBe(expected)
        expect(hex(hasher.hash(BigInt(n)))).toBe(expected)
      }),
    )
  })

  it('hashes bytes as they are, and doubles canonically', () => {
    expect(hex(hasher.hash(new Uint8Array([1, 2])))).toBe(reference.x64.hash128(new Uint8Array([1, 2]), 9001))
    expect(copy(hasher.hashDouble(-0))).toEqual(copy(hasher.hashDouble(0)))
    expect(copy(hasher.hashDouble(Number.NaN))).toEqual(copy(hasher.hashDouble(Number.NaN)))
  })

  it('uses its own seed', () => {
    expect(hex(new KeyHasher(1).hash('a'))).toBe(reference.x64.hash128(new Uint8Array([97]), 1))
  })
})
