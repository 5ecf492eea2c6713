import type { Stage } from '../stage.js'

/**
 * mod_backhand's `addSelf`: puts the local server (`id`) back among the candidates when an earlier
 * stage dropped it, so this node can always serve a request itself. It is appended at the end.
 *
 * @example
 * ```ts
 * const stages = [byAge({ maxAgeMs: 6000 }), addSelf('10.0.0.7:80'), byLoad({ signal: shared() })]
 * ```
 */
export function addSelf<M = Readonly<Record<string, string>>, R = unknown>(id: string): Stage<M, R> {
  return {
    name: 'addSelf',
    kind: 'static',
    apply(candidates, cluster) {
      const self = cluster.get(id)
      if (!self) return
      for (let i = 0; i < candidates.length; i++) if (candidates.slots[i] === self.slot) return
      candidates.push(self.slot)
    },
  }
}

/**
 * mod_backhand's `removeSelf`: drops the local server (`id`), for a node that only forwards.
 *
 * @example
 * ```ts
 * const stages = [byHealth(), removeSelf('10.0.0.7:80')]
 * ```
 */
export function removeSelf<M = Readonly<Record<string, string>>, R = unknown>(id: string): Stage<M, R> {
  return {
    name: 'removeSelf',
    kind: 'static',
    apply(candidates, cluster) {
      const self = cluster.get(id)
      if (self) candidates.filter((slot) => slot !== self.slot)
    },
  }
}
