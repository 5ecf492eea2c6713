import { invalidArgument } from '@shoal/core'
import { SlotHealth } from '../cluster.js'
import type { Stage } from '../stage.js'

/** Options of {@link byHealth}. */
export interface ByHealthOptions {
  /**
   * When fewer than this share of backends is healthy, keep them all (down and ejected included)
   * rather than pile everything onto the survivors (Envoy's panic threshold; default 0.5, 0 disables).
   */
  readonly panicThreshold?: number | undefined
}

/**
 * Keeps the backends that are up and not ejected by outlier detection; draining backends never get
 * new requests. Static: computed once per cluster version.
 *
 * @example
 * ```ts
 * const lb = new Balancer(endpoints, { stages: [byHealth({ panicThreshold: 0.3 })], picker: roundRobin() })
 * ```
 */
export function byHealth<M = Readonly<Record<string, string>>, R = unknown>(
  options: ByHealthOptions = {},
): Stage<M, R> {
  const panic = options.panicThreshold ?? 0.5
  if (!(panic >= 0 && panic <= 1)) throw invalidArgument(`panicThreshold must be within 0..1, got ${panic}`)
  return {
    name: 'byHealth',
    kind: 'static',
    apply(candidates, cluster) {
      const before = candidates.length
      const { health, ejected } = cluster
      const slots = candidates.slots
      let usable = 0
      for (let i = 0; i < before; i++) {
        const slot = slots[i] as number
        if (health[slot] === SlotHealth.Up && ejected[slot] === 0) usable++
      }
      const panicking = before > 0 && usable < panic * before
      let kept = 0
      for (let i = 0; i < before; i++) {
        const slot = slots[i] as number
        const keep = panicking
          ? health[slot] !== SlotHealth.Draining
          : health[slot] === SlotHealth.Up && ejected[slot] === 0
        if (keep) slots[kept++] = slot
      }
      candidates.length = kept
    },
  }
}
