import { invalidArgument } from '@shoal/core'
import { md5Digest } from './md5.js'

/**
 * The hashes of libketama (Last.fm's consistent hashing for memcached clients, 2007), so that a
 * ring built from them places keys exactly where libketama does, and where the clients that follow
 * it do given the same server names (the Couchbase SDKs on memcached buckets, SDK RFC 26, hash
 * `"<ip>:<port>-<repetition>"` the same way).
 *
 * What libketama does, read from its `ketama.c`:
 *
 * - **Key point.** `ketama_hashi(key)` is MD5 of the key's bytes (as a C string, so up to its
 *   first NUL), with digest bytes 0–3 read as a little-endian unsigned 32-bit integer:
 *   {@link ketamaKeyHash}.
 * - **Server points.** For server `i` with weight `memory`, `ks = floorf(pct * 40.0 * numservers)`
 *   digests, where `pct = (float)memory / (float)total` in single precision
 *   ({@link ketamaHashCount}: 40 at equal weights, but 39 for some server counts). Digest `k`
 *   (0 ≤ k < ks) is MD5 of `sprintf("%s-%d", addr, k)` with `addr` the server's name as written
 *   in the server list (`"10.0.1.1:11211"`), and each digest gives four points, bytes
 *   `4h … 4h+3` little-endian for h = 0…3: {@link ketamaPoints}. Equal weights usually make 160
 *   points per server.
 * - **Ring.** All points are sorted ascending with `qsort` (not stable: the order of equal points
 *   of different servers is unspecified) and kept, duplicates included.
 * - **Lookup** (`ketama_get_server`). A binary search returns the first point whose value is
 *   ≥ the key's hash (the point `p[i]` with `p[i-1] < h ≤ p[i]`); a hash above the last point
 *   wraps to point 0. Among equal points the search settles on the first of the run.
 */

/** How many MD5 digests libketama takes per server at equal weights (4 points each, 160 in all). */
export const KETAMA_HASHES_PER_SERVER = 40

/** Scratch for one digest, so that the key hash allocates nothing. */
const words = new Uint32Array(4)

/**
 * libketama's hash of a key (`ketama_hashi`): the first four MD5 digest bytes of the key's UTF-8,
 * read little-endian, `(d[3] << 24) | (d[2] << 16) | (d[1] << 8) | d[0]`. No allocation for
 * ASCII keys of up to 55 characters.
 *
 * @param key - the key (libketama stops at a NUL character, this hashes the whole string)
 * @returns the key's point on the ring, an unsigned 32-bit integer
 *
 * @example
 * ```ts
 * ketamaKeyHash('abc') // 0x98500190: md5('abc') starts 90 01 50 98
 * ```
 */
export function ketamaKeyHash(key: string): number {
  md5Digest(key, words, 0)
  return words[0] as number
}

/**
 * libketama's ring points for one server: for k = 0 … `hashes` − 1, the four little-endian words of
 * MD5(`${name}-${k}`), written in that order (digest k's words at `offset + 4k … offset + 4k + 3`).
 * The points are unsorted; the ring builder sorts all servers' points together.
 *
 * @param name - the server as libketama names it, usually `"host:port"` (`"10.0.1.1:11211"`)
 * @param hashes - how many digests (default 40; see {@link ketamaHashCount})
 * @param out - where to write the `4 × hashes` points (default: a new array)
 * @param offset - index in `out` of the first point (default 0)
 * @returns `out`
 * @throws `ERR_INVALID_ARGUMENT` if `hashes` is not a non-negative integer or `out` is too short
 *
 * @example
 * ```ts
 * const points = ketamaPoints('10.0.1.1:11211')  // 160 points: md5('10.0.1.1:11211-0') … '-39'
 * ```
 */
export function ketamaPoints(
  name: string,
  hashes: number = KETAMA_HASHES_PER_SERVER,
  out: Uint32Array = new Uint32Array(Math.max(0, hashes) * 4),
  offset = 0,
): Uint32Array {
  if (!Number.isSafeInteger(hashes) || hashes < 0) {
    throw invalidArgument(`ketama hash count must be a non-negative integer, got ${hashes}`, { hashes })
  }
  if (!(Number.isSafeInteger(offset) && offset >= 0 && offset + hashes * 4 <= out.length)) {
    throw invalidArgument(
      `ketama points need ${hashes * 4} words of room at offset ${offset} of an array of ${out.length}`,
      { hashes, offset, length: out.length },
    )
  }
  for (let k = 0; k < hashes; k++) md5Digest(`${name}-${k}`, out, offset + k * 4)
  return out
}

/**
 * How many digests libketama gives a server (4 points each): `floorf(pct * 40.0 * numservers)`
 * with `pct = (float)weight / (float)totalWeight`, reproduced in single precision, because the
 * rounding matters both ways. With 7 servers of equal weight, 1/7 × 40 × 7 is 39.999… in double
 * precision but 40.000002 in libketama's floats, so each server gets 40 digests, not 39. With 61
 * equal servers it is the floats that fall short: (float)(1/61) × 40 × 61 rounds to 39.999996, and
 * libketama gives every server 39 digests (156 points); so it does for 122, 237, 244, 474, 488 and
 * a few more counts below 1000.
 *
 * @param weight - the server's weight (libketama's `memory` column)
 * @param totalWeight - the sum of all servers' weights
 * @param servers - the number of servers
 * @returns the digest count (40, or for some server counts 39, when all weights are equal)
 * @throws `ERR_INVALID_ARGUMENT` for a negative weight, a total that is not positive, or a server
 *   count that is not a positive integer
 *
 * @example
 * ```ts
 * ketamaHashCount(1, 7, 7)     // 40
 * ketamaHashCount(300, 600, 3) // 60: half the weight of three servers, 240 points
 * ```
 */
export function ketamaHashCount(weight: number, totalWeight: number, servers: number): number {
  if (!(weight >= 0 && totalWeight > 0 && Number.isSafeInteger(servers) && servers > 0)) {
    throw invalidArgument('ketama weights must be non-negative, their total positive, and servers > 0', {
      weight,
      totalWeight,
      servers,
    })
  }
  // float / float is rounded once to float; a double quotient rounded to float is the same value
  const pct = Math.fround(Math.fround(weight) / Math.fround(totalWeight))
  // pct * 40.0 * (float)n is evaluated in double, then floorf() takes it as a float
  return Math.floor(Math.fround(pct * 40 * Math.fround(servers)))
}
