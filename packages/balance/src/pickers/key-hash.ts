import type { Cluster } from '../cluster.js'
import { ketamaKeyHash } from '../hash/ketama.js'
import { nginxKeyHash } from '../hash/nginx-hash.js'
import { xxhash32Int } from '../hash/xxhash32.js'

/**
 * How a keyed picker hashes a string key: xxHash32 (seed 0) for the pickers' own placements,
 * libketama's MD5 prefix or nginx's CRC-32 for the rings that must agree with those systems.
 *
 * @internal
 */
export const KeyScheme = { XxHash: 0, Ketama: 1, Nginx: 2 } as const

/** One of the {@link KeyScheme} values. @internal */
export type KeyScheme = (typeof KeyScheme)[keyof typeof KeyScheme]

/**
 * The 32-bit hash a keyed picker places a key by, shared so that every keyed picker reads `key`
 * the same way:
 *
 * - a string is hashed with the picker's scheme;
 * - a number is taken as a hash computed already (its low 32 bits, unsigned), so a caller can hash
 *   once and pick from several balancers;
 * - `undefined` draws the hash from `cluster.random`: the pick is then a random candidate with the
 *   shares the picker gives each backend, as HAProxy's `balance random` draws a random key for its
 *   consistent-hash tree (and a bounded load still applies).
 *
 * A `switch` on a small integer instead of a function argument keeps the calls monomorphic.
 *
 * @internal
 */
export function keyHash(
  key: string | number | undefined,
  cluster: Cluster<unknown>,
  scheme: KeyScheme,
): number {
  if (typeof key === 'number') return key >>> 0
  if (key === undefined) return cluster.random.uint32()
  // `>>> 0` here, where the pick inlines it, keeps the value unsigned whatever the hash returns
  switch (scheme) {
    case KeyScheme.Ketama:
      return ketamaKeyHash(key) >>> 0
    case KeyScheme.Nginx:
      return nginxKeyHash(key) >>> 0
    default:
      return xxhash32Int(key, 0) >>> 0
  }
}

/**
 * The live candidates' slots ordered by id, so that a placement built from them does not depend
 * on the order backends were added in (two processes, or one after a restart, build the same
 * table from the same ids). Runs in `prepare`, never in `pick`.
 *
 * @internal
 */
export function slotsById(slots: Int32Array, length: number, cluster: Cluster<unknown>): Int32Array {
  const ids: string[] = new Array(length)
  const order = new Int32Array(length)
  for (let i = 0; i < length; i++) {
    order[i] = i
    ids[i] = idOf(cluster, slots[i] as number)
  }
  order.sort((a, b) => compareIds(ids[a] as string, ids[b] as string))
  for (let i = 0; i < length; i++) order[i] = slots[order[i] as number] as number
  return order
}

/** The id of a live slot (an empty string for a slot that is not live, which pipelines never yield). @internal */
export function idOf(cluster: Cluster<unknown>, slot: number): string {
  return cluster.at(slot)?.id ?? ''
}

/** Code-unit order of two ids, the same in every process and locale. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
