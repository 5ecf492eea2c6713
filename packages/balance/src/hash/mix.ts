/**
 * Small integer mixers: MurmurHash3's 32-bit finalizer, to spread integers (indices, ports,
 * counters) over all 32 bits, and a two-word hash to combine a key's hash with a second value
 * (a probe number, a server's hash) into a new, well-spread hash. Both are pure int32 arithmetic
 * and allocate nothing.
 */

const C1 = 0xcc9e2d51 | 0
const C2 = 0x1b873593

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r))
}

/** MurmurHash3's body step for one 4-byte block. */
function block(h: number, k: number): number {
  let m = Math.imul(k, C1)
  m = Math.imul(rotl(m, 15), C2)
  const x = rotl(h ^ m, 13)
  return (Math.imul(x, 5) + 0xe6546b64) | 0
}

/**
 * MurmurHash3's 32-bit finalizer (`fmix32`): a bijection of 32-bit integers in which every input
 * bit affects every output bit, to turn small or patterned integers into well-spread hashes.
 * It maps 0 to 0.
 *
 * @param h - a 32-bit integer (signed or unsigned, only the bits matter)
 * @returns the mixed value, unsigned
 *
 * @example
 * ```ts
 * fmix32(1) // 0x514e28b7; fmix32(2) differs from it in about half of its bits
 * ```
 */
export function fmix32(h: number): number {
  let x = h ^ (h >>> 16)
  x = Math.imul(x, 0x85ebca6b | 0)
  x ^= x >>> 13
  x = Math.imul(x, 0xc2b2ae35 | 0)
  x ^= x >>> 16
  return x >>> 0
}

/**
 * Hash of two 32-bit values: MurmurHash3 x86-32 (seed 0) of their eight bytes, `a` then `b`,
 * each little-endian. Use it to derive further hashes from one key hash: `mix32(h, 1)` and
 * `mix32(h, 2)` as Maglev's offset and skip, `mix32(h, i)` as the i-th probe of multi-probe
 * consistent hashing, `mix32(keyHash, serverHash)` as a rendezvous score. Derived hashes are as
 * good as independent for keys whose 32-bit hashes differ; two keys whose hashes collide get the
 * same derived hashes too, so where a second hash of the key itself is cheap (`xxhash32(key, 1)`
 * beside `xxhash32(key, 0)`), that one is fully independent.
 *
 * @param a - the first 32-bit value
 * @param b - the second 32-bit value
 * @returns the hash, unsigned 32-bit
 *
 * @example
 * ```ts
 * const h = xxhash32(backendName)
 * const offset = mix32(h, 1) % tableSize
 * const skip = (mix32(h, 2) % (tableSize - 1)) + 1
 * ```
 */
export function mix32(a: number, b: number): number {
  // 8 bytes: two body blocks, no tail, then the length and the finalizer
  return fmix32(block(block(0, a | 0), b | 0) ^ 8)
}
