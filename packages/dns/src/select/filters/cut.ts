import type { Filter } from '../filter.js'
import type { CompiledPool, Variant } from '../pool.js'

/** `selectFirstN(n)`: keeps the first `n` candidates. */
export class SelectFirstNFilter implements Filter {
  readonly name = 'selectFirstN'
  readonly dynamic = false
  readonly n: number

  constructor(n: number) {
    this.n = n
  }

  apply(_pool: CompiledPool, _v: Variant, _cand: Int32Array, len: number): number {
    return Math.min(len, this.n)
  }
}

/**
 * `selectFirstGroup('site')`: keeps the candidates that share the first candidate's site (those
 * without a site form a group of their own), so one answer never mixes clusters.
 */
export class SelectFirstGroupFilter implements Filter {
  readonly name = 'selectFirstGroup'
  readonly dynamic = false

  apply(pool: CompiledPool, _v: Variant, cand: Int32Array, len: number): number {
    if (len <= 1) return len
    const site = pool.table.site
    const group = site[cand[0] as number] as number
    let kept = 0
    for (let i = 0; i < len; i++) {
      const c = cand[i] as number
      if (site[c] === group) cand[kept++] = c
    }
    return kept
  }
}
