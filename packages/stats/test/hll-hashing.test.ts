import { createRequire } from 'node:module'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { KeyHasher } from '../src/hash/key-hasher.js'
import { hash128, murmur3x64128 } from '../src/hash/murmur3.js'

const reference = createRequire(import.meta.url)('murmurhash3js-revisited') as {
  x64: { hash128(bytes: Uint8Array, seed?: number): string }
}

function hex(h: { h1Hi: number; h1Lo: number; h2Hi: number; h2Lo: number }): string {
  return [h.h1Hi, h.h1Lo, h.h2Hi, h.h2Lo].map((w) => w.toString(16).padStart(8, '0')).join('')
}

describe('MurmurHash3 x64-128 (the HLL hash)', () => {
  it('matches the reference implementation for every length and seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 2 ** 31 - 1 }), (bytes, seed) => {
        expect(hex(murmur3x64128(bytes, 0, bytes.length, seed, hash128()))).toBe(
          reference.x64.hash128(bytes, seed),
        )
      }),
      { numRuns: 2000 },
    )
  })

  it('hashes a window of a larger buffer like a copy of it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.nat({ max: 20 }), (bytes, pad) => {
        const big = new Uint8Array(bytes.length + 2 * pad)
        big.set(bytes, pad)
        expect(hex(murmur3x64128(big, pad, bytes.length, 9001, hash128()))).toBe(
          hex(murmur3x64128(bytes, 0, bytes.length, 9001, hash128())),
        )
      }),
    )
  })

  it('hashes strings as their UTF-8 bytes, short or long, ASCII or not', () => {
    const hasher = new KeyHasher()
    const encoder = new TextEncoder()
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'Z', '|', '7', 'é', 'Ж', '🦈', ' '), maxLength: 80 }),
        (text) => {
          const bytes = encoder.encode(text)
          expect(hex(hasher.hashString(text))).toBe(reference.x64.hash128(bytes, 9001))
        },
      ),
      { numRuns: 1000 },
    )
  })
})
