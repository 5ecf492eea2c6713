import { invalidArgument } from '@shoal/core'
import type { Endpoint } from '../endpoint.js'
import type { Stage } from '../stage.js'

/** Options of {@link bySubset}. */
export interface BySubsetOptions<M, R> {
  /**
   * Keeps endpoints for which this returns true. With one parameter the stage is static
   * (computed once per cluster version); a second parameter receives the `request` passed to
   * `pick`, and the stage runs per pick.
   */
  readonly match: (endpoint: Endpoint<M>, request: R | undefined) => boolean
  /** When no candidate matches: keep them `all` (Envoy's ANY_ENDPOINT), or `none` (default). */
  readonly fallback?: 'all' | 'none' | undefined
  /** A name for traces (default `"bySubset"`). */
  readonly name?: string | undefined
}

/**
 * Keeps the endpoints whose metadata match (Envoy's subset load balancing, mod_backhand's
 * `byHostname`); also the way to write a custom filter in one line.
 *
 * @example
 * ```ts
 * const canary = bySubset<{ version: string }>({ match: (endpoint) => endpoint.meta?.version === 'v2', fallback: 'all' })
 * ```
 */
export function bySubset<M = Readonly<Record<string, string>>, R = unknown>(
  options: BySubsetOptions<M, R>,
): Stage<M, R> {
  const { match, fallback = 'none', name = 'bySubset' } = options ?? {}
  if (typeof match !== 'function')
    throw invalidArgument('bySubset needs a match function: bySubset({ match: (endpoint) => … })')
  return {
    name,
    kind: match.length >= 2 ? 'dynamic' : 'static',
    apply(candidates, cluster, request) {
      const before = candidates.length
      const slots = candidates.slots
      let kept = 0
      for (let i = 0; i < before; i++) {
        const slot = slots[i] as number
        const backend = cluster.at(slot)
        if (backend && match(backend.endpoint, request)) {
          slots[i] = slots[kept] as number
          slots[kept++] = slot
        }
      }
      if (kept > 0 || fallback === 'none') candidates.length = kept
    },
  }
}
