// Shared by the keyed-picker tests: clusters of named backends, a picker driven directly (no
// in-flight counting), and key sets.

import { createRandom } from '@shoal/core'
import { Candidates } from '../../src/candidates.js'
import { Cluster } from '../../src/cluster.js'
import type { Endpoint } from '../../src/endpoint.js'
import type { Picker } from '../../src/picker.js'

/** Ids that look like servers: `10.1.<i / 250>.<i % 250>:8080`. */
export function serverIds(count: number, prefix = '10.1'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}.${Math.floor(i / 250)}.${i % 250}:8080`)
}

/** A cluster of these ids (weights 1 unless given), with its own random seed. */
export function clusterOf(ids: readonly string[], weights?: readonly number[], seed = 1): Cluster {
  const list: Endpoint[] = ids.map((id, i) => ({ id, weight: weights?.[i] ?? 1 }))
  return new Cluster(list, { random: seed })
}

/** The live backends of `cluster` as candidates, in slot order. */
export function candidatesOf(cluster: Cluster): Candidates {
  const candidates = new Candidates()
  for (const backend of cluster.backends()) candidates.push(backend.slot)
  return candidates
}

/**
 * A picker prepared over all live backends of a cluster, mapping keys to ids without counting
 * picks. Build a new one after changing the cluster.
 */
export class Mapper {
  readonly candidates: Candidates
  readonly #idOf: string[] = []
  constructor(
    readonly picker: Picker,
    readonly cluster: Cluster,
  ) {
    this.candidates = candidatesOf(cluster)
    for (const backend of cluster.backends()) this.#idOf[backend.slot] = backend.id
    picker.prepare(this.candidates, cluster as Cluster<unknown>)
  }

  /** The id `key` maps to. */
  id(key: string | number | undefined): string {
    const slot = this.picker.pick(this.candidates, this.cluster as Cluster<unknown>, key, 0)
    const id = this.#idOf[slot]
    if (id === undefined) throw new Error(`picker ${this.picker.name} returned slot ${slot}`)
    return id
  }

  /** The ids of many keys. */
  ids(keys: ArrayLike<string | number>): string[] {
    return Array.from(keys, (key) => this.id(key))
  }

  /** Keys per id. */
  counts(keys: ArrayLike<string | number>): Map<string, number> {
    const counts = new Map<string, number>()
    for (const id of this.ids(keys)) counts.set(id, (counts.get(id) ?? 0) + 1)
    return counts
  }
}

/** `count` uniform 32-bit key hashes from a seed (pre-hashed keys, as a caller that hashes once passes). */
export function keyHashes(count: number, seed: number): Uint32Array {
  const random = createRandom(seed)
  const out = new Uint32Array(count)
  for (let i = 0; i < count; i++) out[i] = random.uint32()
  return out
}

/** Largest count over the mean count, with every id of `ids` counted (absent ones as 0). */
export function maxOverMean(counts: Map<string, number>, ids: readonly string[], total: number): number {
  let max = 0
  for (const id of ids) max = Math.max(max, counts.get(id) ?? 0)
  return max / (total / ids.length)
}

/** A copy of `items` in a random order drawn from `seed`. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = createRandom(seed)
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1)
    const t = out[i] as T
    out[i] = out[j] as T
    out[j] = t
  }
  return out
}

export { expectInvalid } from '../helpers.js'
