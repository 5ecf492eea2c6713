import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { jumpHash, jumpHash64 } from '../../src/hash/jump.js'

const invalid = expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' })
const MASK = (1n << 64n) - 1n

/** The paper's C++, with BigInt for the 64-bit key and doubles for the candidate, as in C++. */
function reference(key: bigint, buckets: number): number {
  let k = key & MASK
  let b = -1
  let j = 0
  while (j < buckets) {
    b = j
    k = (k * 2862933555777941757n + 1n) & MASK
    j = Math.floor((b + 1) * (2147483648 / (Number(k >> 33n) + 1)))
  }
  return b
}

const hi = (key: bigint): number => Number((key & MASK) >> 32n)
const lo = (key: bigint): number => Number(key & 0xffffffffn)

describe('jumpHash64', () => {
  it("gives Guava's golden values (HashingTest, testConsistentHash_linearCongruentialGeneratorCompatibility)", () => {
    const golden100 = [0, 55, 62, 8, 45, 59, 86, 97, 82, 59, 73, 37, 17, 56, 86, 21, 90, 37, 38, 83]
    golden100.forEach((bucket, key) => {
      expect(jumpHash64(0, key, 100)).toBe(bucket)
    })
    const golden: [bigint, number, number][] = [
      [10863919174838991n, 11, 6],
      [2016238256797177309n, 11, 3],
      [1673758223894951030n, 11, 5],
      [2n, 100001, 80343],
      [2201n, 100001, 22152],
      [2202n, 100001, 15018],
    ]
    for (const [key, buckets, bucket] of golden) {
      expect(jumpHash64(hi(key), lo(key), buckets)).toBe(bucket)
      expect(reference(key, buckets)).toBe(bucket)
    }
  })

  it('agrees with a BigInt transcription of the paper on any 64-bit key', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MASK }),
        fc.integer({ min: 1, max: 0x7fffffff }),
        (key, buckets) => {
          expect(jumpHash64(hi(key), lo(key), buckets)).toBe(reference(key, buckets))
        },
      ),
      { numRuns: 3000 },
    )
    // keys whose low word wraps to 0 after the + 1 carry into the high word
    for (const key of [0n, MASK, 0xffffffffn, 1n << 32n, (1n << 63n) - 1n, 1n << 63n]) {
      for (const buckets of [1, 2, 1000, 0x7fffffff])
        expect(jumpHash64(hi(key), lo(key), buckets)).toBe(reference(key, buckets))
    }
  })

  it('treats the halves as bits, signed or unsigned', () => {
    expect(jumpHash64(-1, -1, 1000)).toBe(jumpHash64(0xffffffff, 0xffffffff, 1000))
    expect(jumpHash64(-1, -1, 1000)).toBe(reference(MASK, 1000))
  })

  it('moves a key only to the new bucket when one is added', () => {
    fc.assert(
      fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.integer({ min: 1, max: 5000 }), (h, l, n) => {
        const before = jumpHash64(h, l, n)
        const after = jumpHash64(h, l, n + 1)
        expect(before).toBeLessThan(n)
        expect(after === before || after === n).toBe(true)
      }),
    )
  })

  it('refuses bucket counts that are not integers from 1 to 2^31 - 1', () => {
    for (const buckets of [0, -1, 1.5, 2 ** 31, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => jumpHash64(0, 1, buckets)).toThrow(invalid)
    }
    expect(jumpHash64(0, 1, 1)).toBe(0)
  })
})

describe('jumpHash', () => {
  it('widens the 32-bit hash by zero extension, like Guava pads a 32-bit HashCode', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }),
        fc.integer({ min: 1, max: 100000 }),
        (h, n) => {
          expect(jumpHash(h, n)).toBe(reference(BigInt(h >>> 0), n))
        },
      ),
    )
  })

  it('spreads keys evenly', () => {
    const counts = new Array<number>(10).fill(0)
    for (let i = 0; i < 20000; i++) {
      const h = Math.imul(i, 0x9e3779b1) ^ (i >>> 3)
      const bucket = jumpHash(h, 10)
      counts[bucket] = (counts[bucket] ?? 0) + 1
    }
    for (const count of counts) expect(Math.abs(count - 2000)).toBeLessThan(200)
  })
})
