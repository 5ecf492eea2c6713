import { invalidArgument } from '@shoal/core'
import type { Candidates } from '../candidates.js'
import type { Cluster } from '../cluster.js'
import { mix32 } from '../hash/mix.js'
import { xxhash32 } from '../hash/xxhash32.js'
import type { Picker } from '../picker.js'
import { balanceFactor, type LoadBound } from './bounded-load.js'
import { idOf, KeyScheme, keyHash, slotsById } from './key-hash.js'

/** Options of {@link maglev}. */
export interface MaglevOptions {
  /**
   * Lookup table size M, a prime. By default the smallest prime ≥ 65 537 × 2^k, for the least k
   * that gives at least 500 entries per candidate: Envoy's 65 537 up to 131 backends, 131 101 up
   * to 262, 262 151 up to 524, 524 309 up to 1 048, and so on. Fewer entries per backend make a
   * membership change move more keys than it must: measured at 1 000 backends, a removal moves
   * 0.6 % of the keys needlessly with 65 537 entries, 0.53 % with 131 101 and 0.38 % with
   * 524 309. Growing in doublings rather than with every N keeps M, and so the table, when a
   * backend comes or goes; a change of M moves almost every key, so fix the size if the backend
   * count hovers around a step. The table costs 2 bytes per entry (4 when the cluster has 65 535
   * slots or more), and a rebuild grows with M. A fixed size below the candidate count cannot
   * give every backend an entry, so the default is used for such a count instead.
   */
  readonly tableSize?: number | undefined
  /**
   * Bounded loads with this balance factor c > 1 (1.25 as Envoy's `hash_balance_factor: 125`): a
   * backend whose in-flight count would exceed its share of c × the mean is passed over, and the
   * table is probed further from the key's entry with a stride derived from the key's hash, so a
   * key always tries the same backends in the same order, each about as often as its weight. A
   * backend of weight w among candidates of total weight W may hold ⌈c × (in flight + 1) × w / W⌉
   * requests, at least 1.
   */
  readonly boundedLoad?: number | undefined
}

const MIN_TABLE = 65_537
const PER_BACKEND = 500
const EMPTY16 = 0xffff

class Maglev implements Picker {
  readonly name = 'maglev'
  readonly prepared = true
  readonly #fixedSize: number
  readonly #bound: LoadBound | undefined
  #table: Uint16Array | Int32Array = new Uint16Array(0)
  #size = 0
  #inverse = 0
  #totalWeight = 0

  constructor(fixedSize: number, bound: LoadBound | undefined) {
    this.#fixedSize = fixedSize
    this.#bound = bound
  }

  prepare(candidates: Candidates, cluster: Cluster<unknown>): void {
    const n = candidates.length
    if (n === 0) {
      this.#size = 0
      return
    }
    const size = this.#fixedSize >= n ? this.#fixedSize : defaultTableSize(n)
    const wide = cluster.slotCount >= EMPTY16
    let table = this.#table
    if (table.length !== size || table instanceof Int32Array !== wide)
      table = wide ? new Int32Array(size) : new Uint16Array(size)
    const empty = wide ? -1 : EMPTY16
    table.fill(empty)
    // in id order, so the table does not depend on the order backends were added in
    const order = slotsById(candidates.slots, n, cluster)
    const position = new Int32Array(n)
    const skip = new Int32Array(n)
    const weight = new Float64Array(n)
    const due = new Float64Array(n)
    let maxWeight = 0
    let totalWeight = 0
    for (let i = 0; i < n; i++) {
      const id = idOf(cluster, order[i] as number)
      // the paper's permutation: offset + j × skip (mod M), skip in [1, M), two independent hashes
      position[i] = xxhash32(id, 0) % size
      skip[i] = size > 1 ? (xxhash32(id, 1) % (size - 1)) + 1 : 1
      const w = cluster.configuredWeight[order[i] as number] as number
      weight[i] = w
      totalWeight += w
      if (w > maxWeight) maxWeight = w
    }
    for (let i = 0; i < n; i++) weight[i] = (weight[i] as number) / maxWeight
    // Envoy's weighted fill: in round r a backend of relative weight w takes a turn when
    // r × w has reached its next due mark, so turns, and entries, follow the weights.
    let filled = 0
    for (let round = 0; filled < size; round++) {
      for (let i = 0; i < n && filled < size; i++) {
        if (round * (weight[i] as number) < (due[i] as number)) continue
        due[i] = (due[i] as number) + 1
        const step = skip[i] as number
        let c = position[i] as number
        while (table[c] !== empty) {
          c += step
          if (c >= size) c -= size
        }
        table[c] = order[i] as number
        c += step
        position[i] = c >= size ? c - size : c
        filled++
      }
    }
    this.#table = table
    this.#size = size
    this.#inverse = 1 / size
    this.#totalWeight = totalWeight
  }

  pick(candidates: Candidates, cluster: Cluster<unknown>, key: string | number | undefined): number {
    const size = this.#size
    if (size === 0) return -1
    const h = keyHash(key, cluster, KeyScheme.XxHash)
    const table = this.#table
    let at = modulo(h, size, this.#inverse)
    let slot = table[at] as number
    const bound = this.#bound
    // an idle backend always has room, so the common case skips the load sum
    if (bound === undefined || cluster.inflight[slot] === 0) return slot
    bound.begin(cluster, this.#totalWeight)
    if (bound.allows(cluster, slot)) return slot
    // M is prime, so any stride in [1, M) visits every entry once before coming back
    const stride = size > 1 ? (mix32(h, 1) % (size - 1)) + 1 : 1
    for (let probes = 1; probes < size; probes++) {
      at += stride
      if (at >= size) at -= size
      slot = table[at] as number
      if (bound.allows(cluster, slot)) return slot
    }
    // only backends without a table entry (a tiny weight) have room: take the first in order
    const { slots, length } = candidates
    for (let i = 0; i < length; i++) if (bound.allows(cluster, slots[i] as number)) return slots[i] as number
    return table[modulo(h, size, this.#inverse)] as number
  }
}

/**
 * `hash mod size` for an unsigned 32-bit hash, by a multiplication with the precomputed inverse:
 * an integer division takes several times as long, and `size` is not a constant the compiler
 * could fold. The product can round across an integer, so the remainder is corrected once.
 */
function modulo(hash: number, size: number, inverse: number): number {
  const h = hash >>> 0
  const r = h - Math.floor(h * inverse) * size
  return r < 0 ? r + size : r >= size ? r - size : r
}

/** The default table size for `n` backends: the smallest prime ≥ 65 537 × 2^k ≥ 500 × n. */
function defaultTableSize(n: number): number {
  let size = MIN_TABLE
  while (size < PER_BACKEND * n) size *= 2
  while (!isPrime(size)) size++
  return size
}

function isPrime(n: number): boolean {
  if (n < 2) return false
  if (n % 2 === 0) return n === 2
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false
  return true
}

/**
 * Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI 2016), as Envoy's `MAGLEV` load balancer: every backend fills entries of a
 * prime-sized lookup table along its own permutation (offset and skip from two hashes of its
 * id), taking turns in proportion to its weight as Envoy does; a key goes to the backend in entry
 * `hash(key) mod M`. A lookup is one table read; shares sit at the sampling noise floor; a
 * membership change moves slightly more keys than a ring does (see
 * {@link MaglevOptions.tableSize}).
 *
 * The table is built in `prepare` from the candidates in id order, so every process with the same
 * ids builds the same table. Keys are hashed with `xxhash32`; a number key is taken as that hash
 * computed already; with no key, a random hash from `cluster.random` is looked up (a random
 * backend, weighted).
 *
 * @example
 * ```ts
 * const lb = new Balancer([{ id: 'a:80' }, { id: 'b:80', weight: 2 }], { picker: maglev() })
 * lb.pick('session-7f3a')
 * ```
 */
export function maglev(options: MaglevOptions = {}): Picker {
  const size = options.tableSize
  if (size !== undefined && (!Number.isSafeInteger(size) || size > 0x7fffffff || !isPrime(size))) {
    let next = Number.isSafeInteger(size) && size > 2 && size < 0x7fffffff ? size : MIN_TABLE
    while (!isPrime(next)) next++
    throw invalidArgument(
      `maglev: tableSize must be a prime below 2^31, got ${String(size)}; the next prime is ${next} (or leave it unset for the default)`,
    )
  }
  return new Maglev(size ?? 0, balanceFactor(options.boundedLoad, 'maglev'))
}
