import type { Stage } from '../stage.js'

/**
 * mod_backhand's `byLogWindow`: keeps the first ⌈log2 n⌉ candidates (at least one). After
 * {@link byRandom} that is a random sample of ⌈log2 n⌉, a power-of-d-choices with d = log2 n:
 * enough choice to avoid the worst backends, little enough to avoid herding on stale load.
 *
 * @example
 * ```ts
 * const stages = [byRandom(), byLogWindow(), byLoad({ signal: shared() })]
 * ```
 */
export function byLogWindow<M = Readonly<Record<string, string>>, R = unknown>(): Stage<M, R> {
  return {
    name: 'byLogWindow',
    kind: 'dynamic',
    sampling: 'cut',
    apply(candidates) {
      const n = candidates.length
      if (n > 1) candidates.length = Math.ceil(Math.log2(n))
    },
  }
}
