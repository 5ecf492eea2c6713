import { invalidArgument } from '@shoal/core'
import type { Candidates } from '../candidates.js'
import type { Cluster } from '../cluster.js'
import { mix32 } from '../hash/mix.js'
import { xxhash32 } from '../hash/xxhash32.js'
import type { Picker } from '../picker.js'
import { idOf, KeyScheme, keyHash, slotsById } from './key-hash.js'
import { SortedPoints } from './sorted-points.js'

/** Options of {@link multiProbe}. */
export interface MultiProbeOptions {
  /**
   * How many times each key is hashed onto the circle (default 21): with k probes the largest
   * share is about 1 + 1/(k − 1) times the mean, so 21 gives about 1.05, at the cost of k
   * successor lookups per pick. An integer from 1 to 1 024.
   */
  readonly probes?: number | undefined
}

class MultiProbe implements Picker {
  readonly name = 'multiProbe'
  readonly prepared = true
  readonly #probes: number
  readonly #circle = new SortedPoints()

  constructor(probes: number) {
    this.#probes = probes
  }

  prepare(candidates: Candidates, cluster: Cluster<unknown>): void {
    const { slots, length } = candidates
    const circle = this.#circle
    circle.reserve(length)
    // id order: of two backends whose points coincide, the smaller id keeps it in every process
    const order = slotsById(slots, length, cluster)
    for (let i = 0; i < length; i++) {
      const slot = order[i] as number
      circle.points[i] = xxhash32(idOf(cluster, slot))
      circle.owners[i] = slot
    }
    circle.build(length)
  }

  pick(_candidates: Candidates, cluster: Cluster<unknown>, key: string | number | undefined): number {
    const circle = this.#circle
    if (circle.length === 0) return -1
    const hash = keyHash(key, cluster, KeyScheme.XxHash)
    const points = circle.points
    let best = 0
    let bestDistance = 4294967296
    for (let i = 0; i < this.#probes; i++) {
      const probe = mix32(hash, i)
      const at = circle.successor(probe)
      // clockwise distance, modulo 2^32
      const distance = ((points[at] as number) - probe) >>> 0
      if (distance < bestDistance) {
        bestDistance = distance
        best = at
      }
    }
    return circle.owners[best] as number
  }
}

/**
 * Multi-probe consistent hashing (Appleton and O'Reilly, 2015, arXiv 1505.00062): each backend
 * has a single point on the circle, `xxhash32(id)`, and each key is hashed `probes` times,
 * probe i being `mix32(hash(key), i)`; the key goes to the backend whose point follows some probe
 * most closely (the smallest clockwise distance; the earlier probe on a tie). Balance close to
 * Maglev's with no virtual nodes and N points of memory, for `probes` lookups per pick.
 *
 * Removing a backend moves only its keys (the other distances cannot shrink) and adding one moves
 * only the keys it wins. Weights are ignored: use {@link ring} or {@link maglev} for weighted
 * shares. Keys are hashed with `xxhash32`; a number key is taken as that hash computed already;
 * with no key, a random hash from `cluster.random` is used.
 *
 * @example
 * ```ts
 * const lb = new Balancer([{ id: 'a:80' }, { id: 'b:80' }, { id: 'c:80' }], { picker: multiProbe() })
 * lb.pick('user:42')
 * ```
 */
export function multiProbe(options: MultiProbeOptions = {}): Picker {
  const probes = options.probes ?? 21
  if (!Number.isSafeInteger(probes) || probes < 1 || probes > 1024)
    throw invalidArgument(
      `multiProbe: probes must be an integer from 1 to 1024, such as 21, got ${String(probes)}`,
    )
  return new MultiProbe(probes)
}
