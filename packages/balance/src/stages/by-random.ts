import type { Stage } from '../stage.js'

/**
 * mod_backhand's `byRandom`: shuffles the candidates (Fisher–Yates with the cluster's random
 * source). Followed by {@link byLogWindow} it draws a random sample.
 *
 * @example
 * ```ts
 * const stages = [byHealth(), byRandom(), byLogWindow(), byLoad({ signal: shared() })]
 * ```
 */
export function byRandom<M = Readonly<Record<string, string>>, R = unknown>(): Stage<M, R> {
  return {
    name: 'byRandom',
    kind: 'dynamic',
    sampling: 'shuffle',
    apply(candidates, cluster) {
      const random = cluster.random
      for (let i = candidates.length - 1; i > 0; i--) candidates.swap(i, random.uint32() % (i + 1))
    },
  }
}
