import type { Candidates } from '../candidates.js'
import type { Cluster } from '../cluster.js'
import { jumpHash } from '../hash/jump.js'
import type { Picker } from '../picker.js'
import { KeyScheme, keyHash } from './key-hash.js'

class Jump implements Picker {
  readonly name = 'jump'
  // No table, but the buckets are the candidates' positions, which a per-pick (dynamic) stage
  // would renumber: declaring the picker prepared makes the balancer refuse such a pipeline.
  readonly prepared = true

  prepare(): void {}

  pick(candidates: Candidates, cluster: Cluster<unknown>, key: string | number | undefined): number {
    const length = candidates.length
    if (length === 0) return -1
    return candidates.slots[jumpHash(keyHash(key, cluster, KeyScheme.XxHash), length)] as number
  }
}

/**
 * Jump consistent hash (Lamping and Veach, 2014, arXiv 1406.2294) over the candidates in their
 * order, the cluster's slot order: bucket b is the b-th candidate. It needs no table and no
 * memory, and spreads keys at the sampling noise floor, but it only knows bucket numbers: adding
 * a backend at the end moves just the keys it takes over, and removing the last one moves just
 * its keys, while removing any other renumbers the buckets after it and moves many keys. It suits
 * numbered shards that grow and shrink at the end (`shard-0` … `shard-15`, added in order); for
 * named servers that come and go in any order use {@link ring}, {@link maglev} or
 * {@link rendezvous}. Weights are ignored. With `stages: []` a backend that is down keeps its
 * bucket (its keys fail rather than move), as shards usually should; after `byHealth()` it drops
 * out and renumbers the buckets behind it.
 *
 * Keys are hashed with `xxhash32` and the 32-bit hash goes to `jumpHash`; a number key is taken
 * as that hash computed already; with no key, a random hash from `cluster.random` is used (a
 * uniformly random candidate).
 *
 * @example
 * ```ts
 * const shards = Array.from({ length: 16 }, (_, i) => ({ id: `shard-${i}` }))
 * const lb = new Balancer(shards, { picker: jump(), stages: [] })
 * lb.pick('customer:1234')
 * ```
 */
export function jump(): Picker {
  return new Jump()
}
