import { type Filter, sortByKeys } from '../filter.js'
import { fmix32, hashName, mixWord } from '../hash.js'
import type { CompiledPool, Variant } from '../pool.js'
import type { RunState } from '../state.js'

const TWO_32 = 4294967296

/** An integer in [0, n) from one 32-bit draw (the bias, n / 2³², is far below any test's reach). */
function below(s: RunState, n: number): number {
  return ((s.random.uint32() * n) / TWO_32) >>> 0
}

/** `shuffle`: uniform random order (Fisher–Yates). */
export class ShuffleFilter implements Filter {
  readonly name = 'shuffle'
  readonly dynamic = true

  apply(_pool: CompiledPool, _v: Variant, cand: Int32Array, len: number, s: RunState): number {
    for (let i = len - 1; i > 0; i--) {
      const j = below(s, i + 1)
      const t = cand[i] as number
      cand[i] = cand[j] as number
      cand[j] = t
    }
    return len
  }
}

/**
 * `weightedShuffle`: random order in which each candidate comes first with probability
 * weight / Σ weights (exponential clocks: the smallest −ln(u) / w leads; Efraimidis–Spirakis).
 * When only the first candidate is kept after it, one draw picks it from the cumulative weights.
 */
export class WeightedShuffleFilter implements Filter {
  readonly name = 'weightedShuffle'
  readonly dynamic = true
  /** How many leading candidates the rest of the chain keeps (1 when `selectFirstN(1)` follows). */
  readonly #keep: number

  constructor(keep: number) {
    this.#keep = keep
  }

  apply(pool: CompiledPool, _v: Variant, cand: Int32Array, len: number, s: RunState): number {
    if (len <= 1) return len
    const weight = pool.table.weight
    if (this.#keep === 1) {
      let total = 0
      for (let i = 0; i < len; i++) total += weight[cand[i] as number] as number
      let point = ((s.random.uint32() + 0.5) / TWO_32) * total
      let chosen = len - 1
      for (let i = 0; i < len; i++) {
        point -= weight[cand[i] as number] as number
        if (point < 0) {
          chosen = i
          break
        }
      }
      const t = cand[0] as number
      cand[0] = cand[chosen] as number
      cand[chosen] = t
      return len
    }
    const keys = pool.keys
    for (let i = 0; i < len; i++) {
      const u = (s.random.uint32() + 0.5) / TWO_32
      keys[i] = -Math.log(u) / (weight[cand[i] as number] as number)
    }
    sortByKeys(pool, cand, keys, len)
    return len
  }
}

/**
 * `roundRobin`: deterministic weighted rotation (Polaris's `wrr`, gdnsd's rotation of address
 * sets). A smooth weighted round robin (nginx's) picks which candidate leads each query, and the
 * list is rotated to start there, so over Σw queries each leads in proportion to its weight,
 * interleaved. The counters live in the filter; explanations read them without advancing.
 */
export class RoundRobinFilter implements Filter {
  readonly name = 'roundRobin'
  readonly dynamic = true
  readonly #current: Float64Array
  readonly #current6: Float64Array

  constructor(size: number) {
    this.#current = new Float64Array(size)
    this.#current6 = new Float64Array(size)
  }

  apply(pool: CompiledPool, v: Variant, cand: Int32Array, len: number, s: RunState): number {
    if (len <= 1) return len
    let current = v.family === 6 ? this.#current6 : this.#current
    if (s.fullRun) {
      pool.keys2.set(current)
      current = pool.keys2
    }
    const weight = pool.table.weight
    let total = 0
    let best = 0
    for (let i = 0; i < len; i++) {
      const c = cand[i] as number
      const w = weight[c] as number
      current[c] = (current[c] as number) + w
      total += w
      if ((current[c] as number) > (current[cand[best] as number] as number)) best = i
    }
    const leader = cand[best] as number
    current[leader] = (current[leader] as number) - total
    if (best === 0) return len
    const tmp = pool.tmp
    for (let i = 0; i < len; i++) tmp[i] = cand[(best + i) % len] as number
    for (let i = 0; i < len; i++) cand[i] = tmp[i] as number
    return len
  }
}

/**
 * `sticky`: the same order for the same client network (or query name), by rendezvous hashing:
 * each candidate scores −w / ln(u) with u drawn from a hash of the key and the candidate's id, and
 * the highest score leads. A candidate leads for a share of keys in proportion to its weight, and
 * changing one candidate's weight (or removing it) moves only keys to or from that candidate.
 */
export class StickyFilter implements Filter {
  readonly name = 'sticky'
  readonly dynamic = true
  readonly #byClient: boolean
  readonly #prefix4: number
  readonly #prefix6: number
  /** Two id hashes per candidate: seeds[2c], seeds[2c + 1]. */
  readonly #seeds: Int32Array
  readonly #uniform: boolean

  constructor(
    ids: readonly string[],
    weights: Float64Array,
    byClient: boolean,
    prefix4: number,
    prefix6: number,
  ) {
    this.#byClient = byClient
    this.#prefix4 = prefix4
    this.#prefix6 = prefix6
    this.#seeds = new Int32Array(ids.length * 2)
    ids.forEach((id, c) => {
      this.#seeds[2 * c] = hashName(id, 0x5eed)
      this.#seeds[2 * c + 1] = hashName(id, 0x0dd5eed)
    })
    this.#uniform = weights.every((w) => w === weights[0])
  }

  apply(pool: CompiledPool, _v: Variant, cand: Int32Array, len: number, s: RunState): number {
    if (len <= 1) return len
    const key = this.#byClient ? this.#clientKey(s) : hashName(s.qname)
    const seeds = this.#seeds
    const weight = pool.table.weight
    const keys = pool.keys
    for (let i = 0; i < len; i++) {
      const c = cand[i] as number
      const x = fmix32(((key ^ (seeds[2 * c] as number)) + (seeds[2 * c + 1] as number)) | 0)
      // sorted ascending, so the best score is stored negated
      keys[i] = this.#uniform ? -x : (weight[c] as number) / Math.log((x + 0.5) / TWO_32)
    }
    sortByKeys(pool, cand, keys, len)
    return len
  }

  #clientKey(s: RunState): number {
    const client = s.client
    const bits = client.family === 4 ? this.#prefix4 : this.#prefix6
    s.contribute(bits)
    const words = client.words
    let h: number = client.family
    for (let k = 0; k < 4; k++) {
      const start = 32 * k
      if (bits <= start) break
      const keep = bits - start
      const mask = keep >= 32 ? 0xffffffff : ~(0xffffffff >>> keep)
      h = mixWord(h, (words[k] as number) & mask)
    }
    return fmix32(h ^ bits)
  }
}
