import type { Filter } from '../filter.js'
import { type CompiledPool, DOWN, OUTCOME_ALL, UP, type Variant } from '../pool.js'
import type { RunState } from '../state.js'
import { upThresholdPasses } from '../threshold.js'

/**
 * `up`: keeps candidates that are up. Draining candidates leave the answers but do not count as
 * down for the threshold (an operator draining two of three should not trip a fail-open). When the
 * threshold is not met, or nothing is up, the pool has failed: `onAllDown` decides (fail open
 * keeps every candidate), and the failure is reported to a parent (gdnsd's resource failure).
 */
export class UpFilter implements Filter {
  readonly name = 'up'
  readonly dynamic = false
  readonly #threshold: number
  readonly #byWeight: boolean

  constructor(threshold: number, byWeight: boolean) {
    this.#threshold = threshold
    this.#byWeight = byWeight
  }

  apply(pool: CompiledPool, v: Variant, cand: Int32Array, len: number, s: RunState): number {
    if (len === 0) return 0
    const state = v.state
    const weight = pool.table.weight
    let up = 0
    let nonDown = 0
    let total = 0
    for (let i = 0; i < len; i++) {
      const c = cand[i] as number
      const st = state[c] as number
      const w = this.#byWeight ? (weight[c] as number) : 1
      total += w
      if (st !== DOWN) nonDown += w
      if (st === UP) up++
    }
    if (up < len) s.degraded = true
    if (up > 0 && upThresholdPasses(nonDown, total, this.#threshold)) {
      if (up === len || pool.settings.ignoreHealth) return len
      let kept = 0
      for (let i = 0; i < len; i++) {
        const c = cand[i] as number
        if (state[c] === UP) cand[kept++] = c
      }
      if (s.trace !== undefined) s.note = `${up} of ${len} up`
      return kept
    }
    s.failed = true
    s.degraded = true
    const onAllDown = pool.settings.onAllDown
    if (s.trace !== undefined) {
      const need =
        this.#threshold > 0 ? `threshold ${this.#threshold}${this.#byWeight ? ' by weight' : ''}` : 'none up'
      s.note = `pool failed (${up} of ${len} up, ${need}): onAllDown ${describe(pool)}`
    }
    if (onAllDown === OUTCOME_ALL) return len
    s.outcome = onAllDown
    s.fallbackFrom = pool
    return 0
  }
}

function describe(pool: CompiledPool): string {
  const { onAllDown, fallback } = pool.settings
  if (fallback !== undefined) return `→ pool ${fallback.name}`
  return ['all (fail open)', 'nodata', 'refused', 'servfail'][onAllDown] ?? String(onAllDown)
}

/** `familyMatch`: keeps the answers of the query's family (A → IPv4, AAAA → IPv6). */
export class FamilyMatchFilter implements Filter {
  readonly name = 'familyMatch'
  readonly dynamic = false

  apply(pool: CompiledPool, _v: Variant, cand: Int32Array, len: number, s: RunState): number {
    if (pool.kind === 'cname' || pool.composite) return len
    const want = s.qtype === 28 ? 6 : s.qtype === 1 ? 4 : 0
    const family = pool.table.family
    let kept = 0
    for (let i = 0; i < len; i++) {
      const c = cand[i] as number
      if (family[c] === want) cand[kept++] = c
    }
    return kept
  }
}
