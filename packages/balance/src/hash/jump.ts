import { invalidArgument } from '@shoal/core'

/**
 * Jump consistent hash (John Lamping and Eric Veach, "A Fast, Minimal Memory, Consistent Hash
 * Algorithm", 2014): maps a 64-bit key to one of `buckets` buckets with no ring and no memory,
 * moving only 1/n of the keys when the n-th bucket is added. Buckets can only be added or removed
 * at the end, so it suits numbered shards rather than named servers.
 *
 * The key steps through the paper's 64-bit linear congruential generator, `key = key ×
 * 2862933555777941757 + 1 (mod 2^64)`, and the next candidate bucket is
 * `floor((b + 1) × (2^31 / ((key >>> 33) + 1)))`, computed in doubles in that order, exactly as
 * the paper's C++ does. JavaScript has no fast 64-bit integers (a BigInt step costs about a
 * microsecond), so the key is held as two 32-bit halves and the product is assembled from
 * `Math.imul` for the low words and 16-bit limbs for the carry out of the low word.
 */

// 2862933555777941757 = 0x27BB2EE6_87B0B0FD
const M_HI = 0x27bb2ee6
const M_LO_INT = 0x87b0b0fd | 0
const M_LO_1 = 0x87b0
const M_LO_0 = 0xb0fd

/**
 * Jump consistent hash of a 64-bit key given as two 32-bit halves: the same bucket as the
 * paper's `JumpConsistentHash(key, buckets)` and Guava's `Hashing.consistentHash(key, buckets)`.
 *
 * (Guava writes the candidate as `(b + 1) / (((key >>> 33) + 1) / 2^31)`, rounding once where the
 * C++ rounds twice, and adds 1 to `key >>> 33` in 32-bit `int`; both make it disagree with the
 * C++, and with this function, in rare cases: 2 keys in 10^8 random keys with random bucket counts
 * up to 10^6, in a check of both formulas. Guava's published golden values agree.)
 *
 * @param hi - the high 32 bits of the key (signed or unsigned, only the bits matter)
 * @param lo - the low 32 bits of the key
 * @param buckets - the number of buckets, an integer from 1 to 2^31 − 1
 * @returns the bucket, from 0 to `buckets` − 1
 * @throws `ERR_INVALID_ARGUMENT` if `buckets` is not an integer from 1 to 2^31 − 1
 *
 * @example
 * ```ts
 * jumpHash64(0, 1, 100)                    // 55, Guava's consistentHash(1L, 100)
 * jumpHash64(0x1bfb1e03, 0x16f2d5dd, 11)   // 3: key 2016238256797177309
 * ```
 */
export function jumpHash64(hi: number, lo: number, buckets: number): number {
  if ((buckets | 0) !== buckets || buckets < 1) {
    throw invalidArgument(`jump hash needs an integer bucket count from 1 to 2^31 - 1, got ${buckets}`, {
      buckets,
    })
  }
  let h = hi | 0
  let l = lo | 0
  // the paper starts from b = -1, j = 0, and its first round always takes bucket 0
  let b = 0
  for (;;) {
    // high word of the unsigned product l × M_LO, from 16-bit limbs: every partial product and
    // partial sum stays below 2^32, so integer arithmetic is exact (and faster than Math.floor)
    const a0 = l & 0xffff
    const a1 = l >>> 16
    const mid1 = a1 * M_LO_0 + ((a0 * M_LO_0) >>> 16)
    const mid2 = a0 * M_LO_1 + (mid1 & 0xffff)
    const carry = a1 * M_LO_1 + (mid1 >>> 16) + (mid2 >>> 16)
    const nh = (carry + Math.imul(h, M_LO_INT) + Math.imul(l, M_HI)) | 0
    l = (Math.imul(l, M_LO_INT) + 1) | 0
    // the + 1 carries into the high word only when the low word wrapped to 0
    h = l === 0 ? (nh + 1) | 0 : nh
    // the paper's candidate, in doubles as in C++; floor(next) < buckets exactly when
    // next < buckets, and below 2^31 truncation by | 0 is floor
    const next = (b + 1) * (2147483648 / ((h >>> 1) + 1))
    if (next >= buckets) return b
    b = next | 0
  }
}

/**
 * Jump consistent hash of a 32-bit hash, widened to a 64-bit key by zero extension (high half 0,
 * the hash as the unsigned low half): the bucket of Guava's
 * `Hashing.consistentHash(HashCode.fromInt(hash), buckets)`, which pads a 32-bit hash code the
 * same way (and of `consistentHash(hash & 0xFFFFFFFFL, buckets)`, not of the sign-extending
 * `consistentHash((long) hash, buckets)`). The key's first LCG step multiplies by a 62-bit
 * constant, so the empty high half still reaches every bit of the state.
 *
 * @param hash - a well-mixed 32-bit hash of the key (for example `xxhash32`)
 * @param buckets - the number of buckets, an integer from 1 to 2^31 − 1
 * @returns the bucket, from 0 to `buckets` − 1
 * @throws `ERR_INVALID_ARGUMENT` if `buckets` is not an integer from 1 to 2^31 − 1
 *
 * @example
 * ```ts
 * const shard = jumpHash(xxhash32(userId), 16) // 0 … 15; growing to 17 moves 1/17 of the users
 * ```
 */
export function jumpHash(hash: number, buckets: number): number {
  return jumpHash64(0, hash, buckets)
}
