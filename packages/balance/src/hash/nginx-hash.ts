import { invalidArgument } from '@shoal/core'
import { crc32, crc32Update, crc32UpdateWord } from './crc32.js'

/**
 * The hashes of nginx's `hash $key consistent` upstreams (`ngx_http_upstream_hash_module.c`; the
 * stream module's is the same), so that a ring built from them sends every key to the server
 * nginx would. Read from `ngx_http_upstream_init_chash` and its lookup functions:
 *
 * - **Server name.** Each peer's `server` string is the address as written in the `server`
 *   directive (`"10.0.0.1:8081"`, `"backend.example.com:8080"`, `"unix:/run/app.sock"`, or a
 *   bare `"10.0.0.1"` when no port was written), not the resolved address. A name that resolves
 *   to several addresses makes several peers with the same `server` string.
 * - **Host and port.** A `server` starting with `unix:` (any case) has host = the rest and no
 *   port. Otherwise nginx scans back from the end over decimal digits: reaching a `:` splits host
 *   before it from port after it (the port may be empty); any other character first means host =
 *   the whole string and no port (`"[::1]"`, `"example.com"`).
 * - **Base hash.** `ngx_crc32_update` over the host bytes, one NUL byte (it passes `""` with
 *   length 1), then the port bytes: a running CRC-32 register, neither finalised nor reset.
 * - **Points.** `weight × 160` points per peer. Point j is the base register advanced over the
 *   four bytes of the previous point's final hash in little-endian order (0 for j = 0), then
 *   finalised: `crc32(host ‖ 0x00 ‖ port ‖ le32(prev))`. Big-endian builds store the bytes
 *   explicitly little-endian, so the points are the same everywhere: {@link nginxChashPoints}.
 * - **Ring.** The points of all peers, in peer order, are sorted ascending with `qsort` (not stable by
 *   contract; the merge sort most glibc versions use keeps peer order among equal hashes), then
 *   every run of equal hashes is collapsed to its first point, so a contested hash belongs to one
 *   server only and peers sharing a `server` string share their points.
 * - **Key.** The key hash is `ngx_crc32_long` over the bytes of the evaluated key (for example
 *   `$request_uri`): {@link nginxKeyHash}.
 * - **Lookup.** A binary search finds the first point whose hash is ≥ the key's; if the key's
 *   hash is above every point the index is `number`, and the pick reads point `index % number`,
 *   wrapping to the first point. Among the live, untried peers whose `server` string equals that
 *   point's, smooth weighted round robin chooses one; when there is none it moves to the next
 *   point (index + 1), giving up after as many tries as there are points.
 *
 * The plain `hash $key` (without `consistent`) is the Cache::Memcached scheme instead:
 * {@link nginxHashStep}.
 */

/** Ring points nginx gives each unit of a peer's weight. */
export const NGINX_CHASH_POINTS_PER_WEIGHT = 160

/**
 * nginx's hash of a key for `hash $key consistent`: CRC-32 of the key's UTF-8 bytes
 * (`ngx_crc32_long`). Allocates nothing.
 *
 * @param key - the evaluated key
 * @returns the key's position on the ring, unsigned 32-bit
 *
 * @example
 * ```ts
 * nginxKeyHash('/index.html') // the same as zlib's crc32 of the bytes
 * ```
 */
export function nginxKeyHash(key: string): number {
  return crc32(key)
}

/** Whether `server` starts with `unix:` in any case (`ngx_strncasecmp`, ASCII only). */
function isUnix(server: string): boolean {
  return (
    server.length >= 5 &&
    (server.charCodeAt(0) | 0x20) === 0x75 &&
    (server.charCodeAt(1) | 0x20) === 0x6e &&
    (server.charCodeAt(2) | 0x20) === 0x69 &&
    (server.charCodeAt(3) | 0x20) === 0x78 &&
    server.charCodeAt(4) === 0x3a
  )
}

/** The CRC register after `host ‖ 0x00 ‖ port`, split as nginx splits the server name. */
function baseRegister(server: string): number {
  let host = server
  let port = ''
  if (isUnix(server)) {
    host = server.slice(5)
  } else {
    // digits and ':' are one byte each in UTF-8, so scanning code units matches nginx's byte scan
    for (let at = server.length - 1; at >= 0; at--) {
      const c = server.charCodeAt(at)
      if (c === 0x3a) {
        host = server.slice(0, at)
        port = server.slice(at + 1)
        break
      }
      if (c < 0x30 || c > 0x39) break
    }
  }
  return crc32Update(crc32Update(crc32Update(0xffffffff, host), '\0'), port)
}

/**
 * The ring points nginx derives for one peer of a `hash … consistent` upstream, in the order it
 * generates them (unsorted, duplicates kept): `weight × 160` hashes, each the CRC-32 of
 * `host ‖ 0x00 ‖ port ‖ le32(previous hash)`. See the module comment for how the ring is sorted,
 * deduplicated and searched.
 *
 * @param server - the peer's address as written in the `server` directive (`"10.0.0.1:8081"`)
 * @param weight - the peer's `weight=` (default 1)
 * @param out - where to write the points (default: a new array of `weight × 160`)
 * @param offset - index in `out` of the first point (default 0)
 * @returns `out`
 * @throws `ERR_INVALID_ARGUMENT` if `weight` is not a positive integer or `out` is too short
 *
 * @example
 * ```ts
 * const points = nginxChashPoints('127.0.0.1:8081', 2) // 320 points
 * ```
 */
export function nginxChashPoints(
  server: string,
  weight = 1,
  out: Uint32Array = new Uint32Array(Math.max(0, weight) * NGINX_CHASH_POINTS_PER_WEIGHT),
  offset = 0,
): Uint32Array {
  if (!Number.isSafeInteger(weight) || weight < 1) {
    throw invalidArgument(`nginx peer weight must be a positive integer, got ${weight}`, { weight })
  }
  const count = weight * NGINX_CHASH_POINTS_PER_WEIGHT
  if (!(Number.isSafeInteger(offset) && offset >= 0 && offset + count <= out.length)) {
    throw invalidArgument(
      `nginx points need ${count} words of room at offset ${offset} of an array of ${out.length}`,
      { weight, offset, length: out.length },
    )
  }
  const base = baseRegister(server)
  let prev = 0
  for (let j = 0; j < count; j++) {
    prev = (crc32UpdateWord(base, prev) ^ 0xffffffff) >>> 0
    out[offset + j] = prev
  }
  return out
}

/**
 * One step of nginx's plain `hash $key` (no `consistent`), compatible with Cache::Memcached:
 * `(crc32([rehash] ‖ key) >>> 16) & 0x7fff`, where `rehash` is the try number written in decimal
 * and left out on the first try (0). nginx adds the steps of successive tries into a running sum
 * and picks the peer at `sum % totalWeight`, walking the peers in order and subtracting each
 * one's weight; a peer already tried, down or failed makes it try again, and after 20 tries it
 * falls back to round robin.
 *
 * @param key - the evaluated key
 * @param rehash - the try number, 0 for the first
 * @returns a 15-bit value to add to the running sum
 *
 * @example
 * ```ts
 * let sum = nginxHashStep('/index.html', 0)
 * const first = sum % totalWeight
 * sum += nginxHashStep('/index.html', 1) // if that peer was unavailable
 * ```
 */
export function nginxHashStep(key: string, rehash = 0): number {
  const crc = rehash > 0 ? crc32Update(0xffffffff, String(rehash)) : 0xffffffff
  return ((crc32Update(crc, key) ^ 0xffffffff) >>> 16) & 0x7fff
}
