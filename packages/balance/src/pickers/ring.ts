import { invalidArgument } from '@shoal/core'
import type { Candidates } from '../candidates.js'
import type { Cluster } from '../cluster.js'
import { ketamaHashCount, ketamaPoints } from '../hash/ketama.js'
import { NGINX_CHASH_POINTS_PER_WEIGHT, nginxChashPoints } from '../hash/nginx-hash.js'
import { xxhash32 } from '../hash/xxhash32.js'
import type { Picker } from '../picker.js'
import { balanceFactor, type LoadBound } from './bounded-load.js'
import { idOf, KeyScheme, keyHash, slotsById } from './key-hash.js'
import { SortedPoints } from './sorted-points.js'

/**
 * Where a {@link ring} puts each backend's points and how it hashes keys:
 *
 * - `'fast'` — this package's own: point k of a backend is `xxhash32(id, k)` (the point index as
 *   the seed) for k below `round(weight × pointsPerWeight)`, and keys are hashed with
 *   `xxhash32(key)`. Points are placed in id order, so equal points (a 32-bit collision) go to the
 *   smaller id whatever order the backends were added in.
 * - `'ketama'` — libketama's continuum, as twemproxy's ketama distribution and memcached clients
 *   such as npm's `hashring` build it: a backend gets `floorf(weight / total × 40 × n)` MD5
 *   digests of `"<id>-<k>"` (40 each at equal weights, see `ketamaHashCount`), four
 *   little-endian points per digest; a key's point is the first four bytes of `md5(key)`,
 *   little-endian. Use the server names the other clients use as ids (`"10.0.1.1:11211"`).
 *   The digest counts depend on the total weight and on n: with unequal weights, and at the few
 *   n where libketama's single-precision arithmetic rounds 40 down to 39 (61, 122, 237, …), a
 *   membership change also moves keys between backends that stayed, as in libketama. (`hashring` computes the
 *   count in double precision, which gives 39 at other n, such as 7, 14 and 28.)
 * - `'nginx'` — nginx's `hash $key consistent`: 160 × weight points per backend, each the CRC-32 of
 *   `host ‖ NUL ‖ port ‖ previous point`, the key hashed with CRC-32 (`nginxChashPoints`).
 *   The id must be the server as written in nginx's configuration (`"127.0.0.1:8081"`), and
 *   weights are rounded to whole numbers of at least 1, as nginx's are integers (each unit of
 *   weight costs 160 points of 8 bytes, so keep weights small, as nginx does). nginx keeps a
 *   down peer's points and walks past them to the next point of a live peer; the ring rebuilt
 *   without that backend gives the same answer (unless a point the two shared was collapsed).
 *
 * Every placement looks a key up the same way: the first point at or after the key's hash,
 * wrapping past the largest point to the smallest (libketama's `ketama_get_server`, nginx's
 * `ngx_http_upstream_find_chash_point`). Among equal points the first placed wins, as the stable
 * sort of glibc's `qsort` and `hashring`'s `Array.sort` leave them and nginx collapses them; for
 * `'ketama'` and `'nginx'` that is the backend earlier in candidate order (the cluster's slot
 * order: the order backends were added in while none was removed), matching a server list or an
 * nginx `upstream` block written in that order.
 */
export type RingPlacement = 'fast' | 'ketama' | 'nginx'

/** Options of {@link ring}. */
export interface RingOptions {
  /** How points and keys are hashed (default `'fast'`), see {@link RingPlacement}. */
  readonly placement?: RingPlacement | undefined
  /**
   * Points per unit of weight for the `'fast'` placement (default 160, as libketama and nginx):
   * more points even out the shares (the shares of backends with 160 points each vary by about
   * 8 % of the mean, with 1 000 points by about 3 %) at 8 bytes a point and a slower rebuild. `'ketama'` and `'nginx'` always use
   * their own 160. At most 2^23 points are made in all; past that every count is scaled down.
   */
  readonly pointsPerWeight?: number | undefined
  /**
   * Bounded loads with this balance factor c > 1 (1.25 as HAProxy's `hash-balance-factor 125`):
   * a backend whose in-flight count would exceed its share of c × the mean is passed over and the
   * key walks clockwise to the next point of a backend with room, as HAProxy does. A backend of
   * weight w among candidates of total weight W may hold ⌈c × (in flight + 1) × w / W⌉ requests,
   * at least 1 (Mirrokni, Thorup and Zadimoghaddam, arXiv 1608.01350).
   */
  readonly boundedLoad?: number | undefined
}

const MAX_POINTS = 2 ** 23
const PLACEMENTS: Record<RingPlacement, KeyScheme> = {
  fast: KeyScheme.XxHash,
  ketama: KeyScheme.Ketama,
  nginx: KeyScheme.Nginx,
}

class Ring implements Picker {
  readonly name = 'ring'
  readonly prepared = true
  readonly #scheme: KeyScheme
  readonly #perWeight: number
  readonly #bound: LoadBound | undefined
  readonly #ring = new SortedPoints()
  #totalWeight = 0

  constructor(scheme: KeyScheme, perWeight: number, bound: LoadBound | undefined) {
    this.#scheme = scheme
    this.#perWeight = perWeight
    this.#bound = bound
  }

  prepare(candidates: Candidates, cluster: Cluster<unknown>): void {
    const { slots, length } = candidates
    const weight = cluster.configuredWeight
    let totalWeight = 0
    for (let i = 0; i < length; i++) totalWeight += weight[slots[i] as number] as number
    this.#totalWeight = totalWeight
    const ring = this.#ring
    let count = 0
    if (this.#scheme === KeyScheme.Ketama) {
      const hashes = new Int32Array(length)
      for (let i = 0; i < length; i++) {
        hashes[i] = ketamaHashCount(weight[slots[i] as number] as number, totalWeight, length)
        count += (hashes[i] as number) * 4
      }
      ring.reserve(count)
      let at = 0
      for (let i = 0; i < length; i++) {
        const slot = slots[i] as number
        const n = (hashes[i] as number) * 4
        ketamaPoints(idOf(cluster, slot), n / 4, ring.points, at)
        ring.owners.fill(slot, at, at + n)
        at += n
      }
    } else if (this.#scheme === KeyScheme.Nginx) {
      for (let i = 0; i < length; i++) count += nginxWeight(weight[slots[i] as number] as number)
      count *= NGINX_CHASH_POINTS_PER_WEIGHT
      ring.reserve(count)
      let at = 0
      for (let i = 0; i < length; i++) {
        const slot = slots[i] as number
        const w = nginxWeight(weight[slot] as number)
        const n = w * NGINX_CHASH_POINTS_PER_WEIGHT
        nginxChashPoints(idOf(cluster, slot), w, ring.points, at)
        ring.owners.fill(slot, at, at + n)
        at += n
      }
    } else {
      const order = slotsById(slots, length, cluster)
      const counts = new Int32Array(length)
      let wanted = 0
      for (let i = 0; i < length; i++)
        wanted += Math.max(1, Math.round((weight[order[i] as number] as number) * this.#perWeight))
      const scale = wanted > MAX_POINTS ? MAX_POINTS / wanted : 1
      for (let i = 0; i < length; i++) {
        counts[i] = Math.max(1, Math.round((weight[order[i] as number] as number) * this.#perWeight * scale))
        count += counts[i] as number
      }
      ring.reserve(count)
      const points = ring.points
      const owners = ring.owners
      let at = 0
      for (let i = 0; i < length; i++) {
        const slot = order[i] as number
        const id = idOf(cluster, slot)
        const n = counts[i] as number
        for (let k = 0; k < n; k++) {
          points[at] = xxhash32(id, k)
          owners[at++] = slot
        }
      }
    }
    ring.build(count)
  }

  pick(_candidates: Candidates, cluster: Cluster<unknown>, key: string | number | undefined): number {
    const ring = this.#ring
    let i = ring.successor(keyHash(key, cluster, this.#scheme))
    if (i < 0) return -1
    const owners = ring.owners
    let slot = owners[i] as number
    const bound = this.#bound
    // an idle backend always has room, so the common case skips the load sum
    if (bound === undefined || cluster.inflight[slot] === 0) return slot
    bound.begin(cluster, this.#totalWeight)
    const length = ring.length
    // at most once around the ring: it ends on the first choice again if no point has room
    for (let steps = 0; steps < length && !bound.allows(cluster, slot); steps++) {
      if (++i === length) i = 0
      slot = owners[i] as number
    }
    return slot
  }
}

/** nginx's weights are integers of at least 1. */
function nginxWeight(weight: number): number {
  return Math.max(1, Math.round(weight))
}

/**
 * Consistent hashing on a ring of points (Karger et al. 1997), the scheme of libketama, nginx,
 * HAProxy and Envoy's `RING_HASH`: each backend owns points on a 32-bit circle in proportion to
 * its weight, and a key goes to the owner of the first point at or after the key's hash.
 * Removing a backend moves only the keys on its arcs; adding one moves only the keys it takes
 * over. The `'ketama'` and `'nginx'` placements map keys exactly as libketama (and `hashring`) and
 * nginx do for the same server names; see {@link RingPlacement}.
 *
 * A lookup reads a bucket index over the sorted points (two memory reads at any size); the ring is
 * rebuilt in `prepare` when the candidates or weights change. A number key is taken as the
 * placement's key hash computed already; with no key, a random hash from `cluster.random` is
 * looked up, so backends are drawn at random in proportion to their arcs.
 *
 * @example
 * ```ts
 * const lb = new Balancer([{ id: '10.0.0.1:11211' }, { id: '10.0.0.2:11211' }], {
 *   picker: ring({ placement: 'ketama' }),
 * })
 * lb.pick('user:42') // the server libketama and hashring choose for 'user:42'
 * ```
 */
export function ring(options: RingOptions = {}): Picker {
  const placement = options.placement ?? 'fast'
  const scheme = PLACEMENTS[placement]
  if (scheme === undefined || !Object.hasOwn(PLACEMENTS, placement))
    throw invalidArgument(
      `ring: placement must be 'fast', 'ketama' or 'nginx', got ${JSON.stringify(placement)}`,
    )
  const perWeight = options.pointsPerWeight
  if (perWeight !== undefined) {
    if (!Number.isSafeInteger(perWeight) || perWeight < 1)
      throw invalidArgument(
        `ring: pointsPerWeight must be a positive integer such as 160, got ${String(perWeight)}`,
      )
    if (placement !== 'fast' && perWeight !== NGINX_CHASH_POINTS_PER_WEIGHT)
      throw invalidArgument(
        `ring: the '${placement}' placement always makes 160 points per weight, as ${placement === 'nginx' ? 'nginx' : 'libketama'} does; pointsPerWeight applies to the 'fast' placement only`,
      )
  }
  return new Ring(scheme, perWeight ?? 160, balanceFactor(options.boundedLoad, 'ring'))
}
