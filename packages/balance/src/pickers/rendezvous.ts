import { invalidArgument } from '@shoal/core'
import type { Candidates } from '../candidates.js'
import type { Cluster } from '../cluster.js'
import { fmix32 } from '../hash/mix.js'
import { xxhash32Int } from '../hash/xxhash32.js'
import type { Picker } from '../picker.js'
import { balanceFactor, type LoadBound } from './bounded-load.js'
import { KeyScheme, keyHash } from './key-hash.js'

/** Options of {@link rendezvous}. */
export interface RendezvousOptions {
  /**
   * Bounded loads with this balance factor c > 1 (1.25 lets a backend take 25 % more than its
   * share of the mean): the highest-scoring backend whose in-flight count stays within
   * ⌈c × (in flight + 1) × w / W⌉ (at least 1) is chosen, so an overloaded backend's keys spill to
   * each key's next choice.
   */
  readonly boundedLoad?: number | undefined
}

/** A {@link rendezvous} picker, which also ranks the candidates for replica placement. */
export interface RendezvousPicker extends Picker {
  /**
   * The `k` highest-scoring candidates for `key`, best first: the backends to hold a key's `k`
   * replicas, or to retry in order. The first is the one `pick` chooses (without a bounded load).
   * Removing a backend only shifts the keys' lists up where it stood. Bounded loads do not apply.
   * Any candidate list of live backends works, and the picker catches up with cluster changes
   * itself; it allocates nothing once its scratch has grown to `k`.
   *
   * @param candidates - the backends to rank, such as every live one
   * @param cluster - the cluster they belong to
   * @param key - as for `pick`: a string, a hash computed already, or `undefined` for a random one
   * @param k - how many to rank, a non-negative integer
   * @param out - receives the slots, best first; at most `out.length` are written
   * @returns how many slots were written: the least of `k`, the candidates and `out.length`
   *
   * @example
   * ```ts
   * const picker = rendezvous()
   * const lb = new Balancer([{ id: 'a:80' }, { id: 'b:80' }, { id: 'c:80' }], { picker })
   * const all = new Candidates()
   * for (const backend of lb.cluster.backends()) all.push(backend.slot)
   * const replicas = new Int32Array(2)
   * const count = picker.topK(all, lb.cluster, 'object-9', 2, replicas) // 2 slots, best first
   * ```
   */
  topK(
    candidates: Candidates,
    cluster: Cluster<unknown>,
    key: string | number | undefined,
    k: number,
    out: Int32Array,
  ): number
}

const TWO_32 = 4294967296

/**
 * The two 32-bit hashes that identify a backend to the rendezvous score: with two, backends whose
 * ids collide in one 32-bit hash still score independently.
 */
function seedA(id: string): number {
  return xxhash32Int(id, 0)
}
function seedB(id: string): number {
  return xxhash32Int(id, 1)
}

/**
 * A backend's unweighted score for a key, a uniform 32-bit value: larger wins. MurmurHash3's
 * finalizer is a bijection, so two backends draw the same value for a key only when
 * `(hash ^ a) + b` coincides; {@link beats} orders such ties.
 */
function draw(hash: number, a: number, b: number): number {
  return fmix32(((hash ^ a) + b) | 0)
}

/** The weighted score −w / ln(u), u = (x + ½) / 2^32 in (0, 1): larger wins, in proportion to w. */
function weighted(x: number, weight: number): number {
  return -weight / Math.log((x + 0.5) / TWO_32)
}

class Rendezvous implements RendezvousPicker {
  readonly name = 'rendezvous'
  // keeps the id hashes of every live slot, so any candidate list works, dynamic stages included
  readonly prepared = false
  readonly #bound: LoadBound | undefined
  // seeds[2 × slot] and seeds[2 × slot + 1]: the backend's two id hashes
  #seeds = new Int32Array(0)
  #uniform = true
  // the cluster and version the seeds belong to
  #cluster: Cluster<unknown> | undefined
  #version = -1
  #topScores = new Float64Array(0)

  constructor(bound: LoadBound | undefined) {
    this.#bound = bound
  }

  prepare(_candidates: Candidates, cluster: Cluster<unknown>): void {
    if (this.#seeds.length < cluster.slotCount * 2) this.#seeds = new Int32Array(cluster.slotCount * 2)
    const seeds = this.#seeds
    let uniform = true
    let first = -1
    for (const backend of cluster.backends()) {
      seeds[2 * backend.slot] = seedA(backend.id)
      seeds[2 * backend.slot + 1] = seedB(backend.id)
      const w = cluster.configuredWeight[backend.slot] as number
      if (first < 0) first = w
      else if (w !== first) uniform = false
    }
    this.#uniform = uniform
    this.#cluster = cluster
    this.#version = cluster.version
  }

  pick(candidates: Candidates, cluster: Cluster<unknown>, key: string | number | undefined): number {
    const { slots, length } = candidates
    if (length === 0) return -1
    const hash = keyHash(key, cluster, KeyScheme.XxHash)
    const best = this.#best(slots, length, cluster, hash, undefined)
    const bound = this.#bound
    // an idle backend always has room, so the common case skips the load sum
    if (bound === undefined || cluster.inflight[best] === 0) return best
    let totalWeight = 0
    for (let i = 0; i < length; i++) totalWeight += cluster.weight[slots[i] as number] as number
    bound.begin(cluster, totalWeight)
    return bound.allows(cluster, best) ? best : this.#best(slots, length, cluster, hash, bound)
  }

  topK(
    candidates: Candidates,
    cluster: Cluster<unknown>,
    key: string | number | undefined,
    k: number,
    out: Int32Array,
  ): number {
    if (!Number.isSafeInteger(k) || k < 0)
      throw invalidArgument(`rendezvous topK: k must be a non-negative integer, got ${String(k)}`)
    const { slots, length } = candidates
    const count = Math.min(k, length, out.length)
    if (count === 0) return 0
    // called outside a balancer's pick, so the seeds may predate a change
    if (this.#cluster !== cluster || this.#version !== cluster.version) this.prepare(candidates, cluster)
    if (this.#topScores.length < count) this.#topScores = new Float64Array(count)
    const scores = this.#topScores
    const seeds = this.#seeds
    const hash = keyHash(key, cluster, KeyScheme.XxHash)
    let filled = 0
    for (let i = 0; i < length; i++) {
      const slot = slots[i] as number
      const score = this.#score(hash, slot, cluster)
      // insertion into the sorted top list, which is short
      let at = filled
      while (at > 0 && beats(score, slot, scores[at - 1] as number, out[at - 1] as number, seeds)) at--
      if (at >= count) continue
      for (let j = Math.min(filled, count - 1); j > at; j--) {
        scores[j] = scores[j - 1] as number
        out[j] = out[j - 1] as number
      }
      scores[at] = score
      out[at] = slot
      if (filled < count) filled++
    }
    return filled
  }

  #score(hash: number, slot: number, cluster: Cluster<unknown>): number {
    const seeds = this.#seeds
    const x = draw(hash, seeds[2 * slot] as number, seeds[2 * slot + 1] as number)
    return this.#uniform ? x : weighted(x, cluster.configuredWeight[slot] as number)
  }

  // The highest score among the candidates (that `bound` allows, when given).
  #best(
    slots: Int32Array,
    length: number,
    cluster: Cluster<unknown>,
    hash: number,
    bound: LoadBound | undefined,
  ): number {
    const seeds = this.#seeds
    const weights = cluster.configuredWeight
    const uniform = this.#uniform
    let best = -1
    // every score is ≥ 0, so the first candidate always replaces this
    let bestScore = -1
    for (let i = 0; i < length; i++) {
      const slot = slots[i] as number
      if (bound !== undefined && !bound.allows(cluster, slot)) continue
      const x = draw(hash, seeds[2 * slot] as number, seeds[2 * slot + 1] as number)
      const score = uniform ? x : weighted(x, weights[slot] as number)
      if (score > bestScore || (score === bestScore && beats(score, slot, bestScore, best, seeds))) {
        best = slot
        bestScore = score
      }
    }
    return best
  }
}

/**
 * Whether score `s` of `slot` ranks above score `t` of `other`. Equal scores are ordered by the
 * backends' id hashes, so the ranking does not depend on the candidates' order.
 */
function beats(s: number, slot: number, t: number, other: number, seeds: Int32Array): boolean {
  if (s !== t) return s > t
  const a = seeds[2 * slot] as number
  const b = seeds[2 * other] as number
  return a !== b ? a > b : (seeds[2 * slot + 1] as number) > (seeds[2 * other + 1] as number)
}

/**
 * Rendezvous or highest-random-weight hashing (Thaler and Ravishankar, 1996): every candidate
 * scores the key, and the highest score wins. Weighted as −w / ln(u) (u a uniform draw in (0, 1)
 * from the key's hash mixed with two hashes of the backend's id), so each backend wins in
 * proportion to its weight; with equal weights the draw itself is compared. Removing a backend
 * moves only its keys, adding one moves only the keys it wins, changing a weight moves keys only
 * to or from that backend, and shares sit at the sampling noise floor.
 *
 * A pick is O(N), a mix per candidate (and a logarithm when weights differ): fine up to a hundred
 * or so backends, slower than {@link maglev} beyond. It needs no table, so it works after dynamic
 * stages too (it keeps the id hashes of every live backend). The returned picker also ranks:
 * {@link RendezvousPicker.topK} gives a key's k best backends, for replicas. Keys are hashed with
 * `xxhash32`; a number key is taken as that hash computed already; with no key, a random hash from
 * `cluster.random` is used.
 *
 * @example
 * ```ts
 * const picker = rendezvous()
 * const lb = new Balancer([{ id: 'a:80' }, { id: 'b:80' }, { id: 'c:80' }], { picker })
 * lb.pick('object-9')
 * ```
 */
export function rendezvous(options: RendezvousOptions = {}): RendezvousPicker {
  return new Rendezvous(balanceFactor(options.boundedLoad, 'rendezvous'))
}

/**
 * The rendezvous ranking of `ids` for `key` with equal weights, best first: the same order in
 * which {@link rendezvous} and its `topK` rank backends with these ids, for code that has ids but
 * no cluster (placing a key's replicas on named nodes, say). Allocates; for the hot path use the
 * picker.
 *
 * @param ids - distinct backend ids
 * @param key - the key, or its `xxhash32` computed already
 * @param k - how many to return (default all)
 * @returns up to `k` ids, highest score first
 *
 * @example
 * ```ts
 * const [primary, replica] = rendezvousRank(['node-a', 'node-b', 'node-c'], 'object-9', 2)
 * ```
 */
export function rendezvousRank(
  ids: readonly string[],
  key: string | number,
  k: number = ids.length,
): string[] {
  if (!Number.isSafeInteger(k) || k < 0)
    throw invalidArgument(`rendezvousRank: k must be a non-negative integer, got ${String(k)}`)
  const hash = typeof key === 'number' ? key >>> 0 : xxhash32Int(key, 0) >>> 0
  const ranked = ids.map((id) => {
    const a = seedA(id)
    const b = seedB(id)
    return { id, a, b, x: draw(hash, a, b) }
  })
  ranked.sort((p, q) => q.x - p.x || q.a - p.a || q.b - p.b)
  return ranked.slice(0, k).map((entry) => entry.id)
}
