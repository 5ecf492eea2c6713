import { invalidArgument } from '@shoal/core'
import type { Stage } from '../stage.js'

/** Options of {@link byAge}. */
export interface ByAgeOptions {
  /** Drop backends whose last load report is older than this, in milliseconds (mod_backhand's `byAge 6` is 6000). */
  readonly maxAgeMs: number
}

/**
 * mod_backhand's `byAge`: keeps only backends heard from recently (a load report through
 * `cluster.report`), so a silent peer stops receiving work. Backends that never reported are
 * dropped too.
 *
 * @example
 * ```ts
 * const stages = [byAge({ maxAgeMs: 6000 }), byRandom(), byLogWindow(), byLoad({ signal: shared() })]
 * ```
 */
export function byAge<M = Readonly<Record<string, string>>, R = unknown>(options: ByAgeOptions): Stage<M, R> {
  const maxAge = options?.maxAgeMs
  if (!(maxAge >= 0) || !Number.isFinite(maxAge))
    throw invalidArgument(`byAge maxAgeMs must be a non-negative number of milliseconds, got ${maxAge}`)
  return {
    name: 'byAge',
    kind: 'dynamic',
    readsTime: true,
    apply(candidates, cluster, _request, now) {
      const reportedAt = cluster.reportedAt
      const slots = candidates.slots
      let kept = 0
      for (let i = 0; i < candidates.length; i++) {
        const slot = slots[i] as number
        if (now - (reportedAt[slot] as number) <= maxAge) slots[kept++] = slot
      }
      candidates.length = kept
    },
  }
}
