import { invalidArgument } from '@shoal/core'
import type { Candidates } from '../candidates.js'
import type { Cluster } from '../cluster.js'
import type { Picker } from '../picker.js'
import { type LeastLoadedOptions, LoadScore } from './least-loaded.js'
import { randomIndex } from './random.js'

/** Options of {@link p2c}. */
export interface P2cOptions extends LeastLoadedOptions {
  /** How many distinct candidates to draw and compare (default 2). */
  readonly choices?: number | undefined
}

class PowerOfChoices implements Picker {
  readonly name = 'p2c'
  readonly prepared = false
  readonly readsTime: boolean
  readonly #score: LoadScore
  readonly #choices: number
  // A permutation of candidate positions for partial Fisher–Yates when more than two are drawn.
  #order = new Int32Array(0)
  #orderLength = -1

  constructor(score: LoadScore, choices: number) {
    this.#score = score
    this.#choices = choices
    this.readsTime = score.signal.readsTime
  }

  prepare(candidates: Candidates, cluster: Cluster<unknown>): void {
    this.#score.prepare(candidates, cluster)
  }

  pick(candidates: Candidates, cluster: Cluster<unknown>, _key: unknown, now: number): number {
    const { slots, length } = candidates
    const score = this.#score
    if (length <= this.#choices)
      return length === 1 ? (slots[0] as number) : score.least(candidates, cluster, now)
    const random = cluster.random
    if (this.#choices === 2) {
      // Two distinct positions, each uniform (envoy#20420: independent draws coincide 1/N of the
      // time, and then the pick is no better than random).
      const i = randomIndex(random, length)
      let j = randomIndex(random, length - 1)
      if (j >= i) j++
      const a = slots[i] as number
      const b = slots[j] as number
      return score.of(cluster, b, now) < score.of(cluster, a, now) ? b : a
    }
    return this.#sample(candidates, cluster, now)
  }

  // The draw order of a partial Fisher–Yates shuffle is itself random, so keeping the first of
  // equal scores breaks ties uniformly.
  #sample(candidates: Candidates, cluster: Cluster<unknown>, now: number): number {
    const { slots, length } = candidates
    if (this.#orderLength !== length) {
      if (this.#order.length < length) this.#order = new Int32Array(length)
      for (let i = 0; i < length; i++) this.#order[i] = i
      this.#orderLength = length
    }
    const order = this.#order
    const random = cluster.random
    let best = -1
    let bestScore = Number.POSITIVE_INFINITY
    for (let k = 0; k < this.#choices; k++) {
      const r = k + randomIndex(random, length - k)
      const position = order[r] as number
      order[r] = order[k] as number
      order[k] = position
      const slot = slots[position] as number
      const s = this.#score.of(cluster, slot, now)
      if (s < bestScore || best < 0) {
        best = slot
        bestScore = s
      }
    }
    return best
  }
}

/**
 * The power of d choices: draws `choices` distinct candidates at random and takes the one with
 * the lowest `cost ^ bias / weight` (Envoy's weighted least request, HAProxy's `random(2)`,
 * nginx's `random two least_conn`). With the default in-flight signal it is Envoy's and
 * Finagle's default balancer; with {@link peakEwma} it is Finagle's and Linkerd's P2C peak-EWMA.
 * Sampling keeps it safe over stale shared load, where a full scan herds (Mitzenmacher), and the
 * draws are distinct, so with two candidates the less loaded one always wins.
 *
 * @example
 * ```ts
 * const lb = new Balancer(endpoints, { picker: p2c({ signal: peakEwma() }) })
 * const backend = lb.pick()
 * if (backend) lb.done(backend, { ok: true, latencyMs: 8 })
 * ```
 */
export function p2c(options: P2cOptions = {}): Picker {
  const choices = options.choices ?? 2
  if (!Number.isInteger(choices) || choices < 1 || choices > 0x7fffffff)
    throw invalidArgument(
      `p2c choices must be a positive integer (2 for power of two choices), got ${choices}`,
    )
  return new PowerOfChoices(new LoadScore('p2c', options), choices)
}
