import { invalidArgument } from '@shoal/core'
import type { Stage } from '../stage.js'

/** Options of {@link byPriority}. */
export interface ByPriorityOptions {
  /**
   * Envoy's overprovisioning factor (default 1.4): a tier keeps all traffic while
   * `healthy share × factor ≥ 1`, and passes the rest down to the next tier as it degrades.
   * `Infinity` gives HAProxy's backup servers: a lower tier only when no better one has a candidate.
   */
  readonly overprovision?: number | undefined
}

/**
 * Priority tiers (an endpoint's `priority`, 0 preferred): traffic goes to the best tier, and
 * spills to the next ones in proportion to how much of the tier is unavailable, as Envoy does.
 * Put it after {@link byHealth}: a tier's health is its candidates over its live backends.
 *
 * @example
 * ```ts
 * const endpoints = [{ id: 'a:80' }, { id: 'b:80' }, { id: 'spare:80', priority: 1 }]
 * const lb = new Balancer(endpoints, { stages: [byHealth(), byPriority()], picker: roundRobin() })
 * ```
 */
export function byPriority<M = Readonly<Record<string, string>>, R = unknown>(
  options: ByPriorityOptions = {},
): Stage<M, R> {
  const overprovision = options.overprovision ?? 1.4
  if (!(overprovision >= 1))
    throw invalidArgument(`byPriority overprovision must be at least 1, got ${overprovision}`)
  const priorityOf = (endpoint: { readonly priority?: number | undefined } | undefined) =>
    endpoint?.priority ?? 0
  let version = -1
  let candidateCount = -1
  let tiers: number[] = []
  let loads: number[] = []
  return {
    name: 'byPriority',
    kind: 'dynamic',
    apply(candidates, cluster) {
      if (cluster.version !== version || candidates.length !== candidateCount) {
        // tier loads change only with the candidates, not per pick
        const live = new Map<number, number>()
        for (const backend of cluster.backends()) {
          const tier = priorityOf(backend.endpoint)
          live.set(tier, (live.get(tier) ?? 0) + 1)
        }
        const usable = new Map<number, number>()
        for (let i = 0; i < candidates.length; i++) {
          const tier = priorityOf(cluster.at(candidates.slots[i] as number)?.endpoint)
          usable.set(tier, (usable.get(tier) ?? 0) + 1)
        }
        tiers = [...usable.keys()].sort((a, b) => a - b)
        let left = 1
        loads = tiers.map((tier) => {
          const health = Math.min(1, ((usable.get(tier) ?? 0) / (live.get(tier) ?? 1)) * overprovision)
          const load = Math.min(left, health)
          left -= load
          return load
        })
        // when every tier is degraded the shares are normalized, so traffic still lands somewhere
        const assigned = 1 - left
        if (assigned > 0 && assigned < 1) loads = loads.map((load) => load / assigned)
        version = cluster.version
        candidateCount = candidates.length
      }
      if (tiers.length <= 1) return
      let draw = cluster.random.next()
      let chosen = tiers[tiers.length - 1] as number
      for (let i = 0; i < tiers.length; i++) {
        draw -= loads[i] as number
        if (draw < 0) {
          chosen = tiers[i] as number
          break
        }
      }
      const slots = candidates.slots
      let kept = 0
      for (let i = 0; i < candidates.length; i++) {
        const slot = slots[i] as number
        if (priorityOf(cluster.at(slot)?.endpoint) === chosen) slots[kept++] = slot
      }
      candidates.length = kept
    },
  }
}
