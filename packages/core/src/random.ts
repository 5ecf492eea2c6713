import { invalidArgument } from './errors.js'

/**
 * A seeded pseudo-random source (xoshiro128**): the same seed gives the same sequence on every
 * platform, which is what makes simulations and property tests replayable.
 */
export interface Random {
  /** The seed this source was created from. */
  readonly seed: number
  /** A float in [0, 1). */
  next(): number
  /** An integer in [0, `bound`), `bound` a positive safe integer. */
  int(bound: number): number
  /** A raw unsigned 32-bit value. */
  uint32(): number
  /** A new independent source derived from this one (for a child component). */
  fork(): Random
}

/** splitmix32: spreads one 32-bit seed over the four words of xoshiro's state. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

class Xoshiro128 implements Random {
  readonly seed: number
  #a: number
  #b: number
  #c: number
  #d: number

  constructor(seed: number) {
    this.seed = seed
    const mix = splitmix32(seed)
    this.#a = mix()
    this.#b = mix()
    this.#c = mix()
    this.#d = mix()
  }

  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9) >>> 0
    const t = this.#b << 9
    this.#c ^= this.#a
    this.#d ^= this.#b
    this.#b ^= this.#c
    this.#a ^= this.#d
    this.#c ^= t
    this.#d = rotl(this.#d, 11)
    return result
  }

  next(): number {
    // 53 random bits: 27 from one draw and 26 from another
    return ((this.uint32() >>> 5) * 67108864 + (this.uint32() >>> 6)) / 9007199254740992
  }

  int(bound: number): number {
    if (!Number.isSafeInteger(bound) || bound <= 0)
      throw invalidArgument(`bound must be a positive safe integer, got ${bound}`)
    return Math.floor(this.next() * bound)
  }

  fork(): Random {
    return new Xoshiro128(this.uint32())
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}

/**
 * Creates a seeded {@link Random}.
 *
 * @param seed - any integer; only its low 32 bits are used
 * @example
 * ```ts
 * const random = createRandom(42)
 * random.int(6) // the same roll on every run
 * ```
 */
export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed)) throw invalidArgument(`seed must be an integer, got ${seed}`)
  return new Xoshiro128(seed >>> 0)
}
