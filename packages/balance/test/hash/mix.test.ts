import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fmix32, mix32 } from '../../src/hash/mix.js'

/** MurmurHash3 x86-32 over bytes, written plainly from Austin Appleby's reference. */
function murmur3(bytes: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51
  const c2 = 0x1b873593
  const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r))
  let h = seed | 0
  const blocks = bytes.length >> 2
  for (let i = 0; i < blocks; i++) {
    let k =
      (bytes[4 * i] as number) |
      ((bytes[4 * i + 1] as number) << 8) |
      ((bytes[4 * i + 2] as number) << 16) |
      ((bytes[4 * i + 3] as number) << 24)
    k = Math.imul(rotl(Math.imul(k, c1), 15), c2)
    h = (Math.imul(rotl(h ^ k, 13), 5) + 0xe6546b64) | 0
  }
  const tail = blocks * 4
  if (bytes.length > tail) {
    let k = 0
    for (let i = bytes.length - 1; i >= tail; i--) k = (k << 8) | (bytes[i] as number)
    h ^= Math.imul(rotl(Math.imul(k, c1), 15), c2)
  }
  h ^= bytes.length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

const bytes = (...values: number[]) => new Uint8Array(values)
const text = (s: string) => new TextEncoder().encode(s)

describe('the MurmurHash3 reference of these tests', () => {
  it('gives the published test vectors', () => {
    expect(murmur3(bytes(), 0)).toBe(0)
    expect(murmur3(bytes(), 1)).toBe(0x514e28b7)
    expect(murmur3(bytes(), 0xffffffff)).toBe(0x81f16f39)
    expect(murmur3(bytes(0xff, 0xff, 0xff, 0xff), 0)).toBe(0x76293b50)
    expect(murmur3(bytes(0x21, 0x43, 0x65, 0x87), 0)).toBe(0xf55b516b)
    expect(murmur3(bytes(0x21, 0x43, 0x65, 0x87), 0x5082edee)).toBe(0x2362f9de)
    expect(murmur3(bytes(0x21, 0x43, 0x65), 0)).toBe(0x7e4a8634)
    expect(murmur3(bytes(0x21, 0x43), 0)).toBe(0xa0f7b07a)
    expect(murmur3(bytes(0x21), 0)).toBe(0x72661cf4)
    expect(murmur3(bytes(0, 0, 0, 0), 0)).toBe(0x2362f9de)
    expect(murmur3(text('aaaa'), 0x9747b28c)).toBe(0x5a97808a)
    expect(murmur3(text('Hello, world!'), 0x9747b28c)).toBe(0x24884cba)
    expect(murmur3(text('The quick brown fox jumps over the lazy dog'), 0x9747b28c)).toBe(0x2fa826cd)
  })
})

describe('fmix32', () => {
  it("is MurmurHash3's finalizer", () => {
    expect(fmix32(0)).toBe(0)
    // murmur3 of no bytes with seed s is fmix32(s)
    fc.assert(
      fc.property(fc.nat(0xffffffff), (seed) => {
        expect(fmix32(seed)).toBe(murmur3(bytes(), seed))
      }),
    )
  })

  it('is a bijection that spreads consecutive integers', () => {
    const seen = new Set<number>()
    for (let i = 0; i < 65536; i++) seen.add(fmix32(i))
    expect(seen.size).toBe(65536)
    let bits = 0
    for (let i = 0; i < 1000; i++) {
      let x = fmix32(i) ^ fmix32(i + 1)
      for (; x !== 0; x &= x - 1) bits++
    }
    // about half of the 32 bits change between neighbours
    expect(bits / 1000).toBeGreaterThan(14)
    expect(bits / 1000).toBeLessThan(18)
  })
})

describe('mix32', () => {
  it('is MurmurHash3 x86-32 of the two words, little-endian, seed 0', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), fc.nat(0xffffffff), (a, b) => {
        const words = new Uint8Array(new Uint32Array([a >>> 0, b]).buffer)
        expect(mix32(a, b)).toBe(murmur3(words, 0))
      }),
    )
  })

  it('derives hashes that differ for each second value', () => {
    const derived = new Set<number>()
    for (let i = 0; i < 1000; i++) derived.add(mix32(0x12345678, i))
    expect(derived.size).toBe(1000)
    expect(mix32(1, 2)).not.toBe(mix32(2, 1))
  })
})
