import { invalidArgument } from '@shoal/core'
import type { Stage } from '../stage.js'

/** Options of {@link byZone}. */
export interface ByZoneOptions {
  /** This caller's zone. */
  readonly local: string
  /** Fewer local candidates than this means the zone is failing: use every zone (default 1). */
  readonly minLocal?: number | undefined
  /**
   * Share of all callers that sit in the local zone, in (0, 1]. When given, the stage follows
   * Envoy's zone-aware routing: if the local zone has a smaller share of the backends' weight
   * than of the callers, only that fraction of requests stays local and the rest spills to the
   * other zones, so local backends are not overloaded. Without it, all traffic stays local.
   */
  readonly callerShare?: number | undefined
}

/**
 * Keeps traffic in the caller's zone (an endpoint's `zone`) while the zone has candidates, falling
 * back to every zone when it does not.
 *
 * @example
 * ```ts
 * const lb = new Balancer(cluster, { stages: [byHealth(), byZone({ local: 'eu-1a' })], picker: roundRobin() })
 * ```
 */
export function byZone<M = Readonly<Record<string, string>>, R = unknown>(
  options: ByZoneOptions,
): Stage<M, R> {
  const { local, minLocal = 1, callerShare } = options ?? {}
  if (typeof local !== 'string')
    throw invalidArgument('byZone needs the local zone name: byZone({ local: "eu-1a" })')
  if (!Number.isInteger(minLocal) || minLocal < 1)
    throw invalidArgument(`byZone minLocal must be a positive integer, got ${minLocal}`)
  if (callerShare !== undefined && !(callerShare > 0 && callerShare <= 1))
    throw invalidArgument(`byZone callerShare must be in (0, 1], got ${callerShare}`)
  const isLocal = (endpointZone: string | undefined) => endpointZone === local
  if (callerShare === undefined) {
    return {
      name: 'byZone',
      kind: 'static',
      apply(candidates, cluster) {
        let count = 0
        for (let i = 0; i < candidates.length; i++)
          if (isLocal(cluster.at(candidates.slots[i] as number)?.endpoint.zone)) count++
        if (count >= minLocal) candidates.filter((slot) => isLocal(cluster.at(slot)?.endpoint.zone))
      },
    }
  }
  return {
    name: 'byZone',
    kind: 'dynamic',
    apply(candidates, cluster) {
      let localWeight = 0
      let totalWeight = 0
      let count = 0
      for (let i = 0; i < candidates.length; i++) {
        const slot = candidates.slots[i] as number
        const weight = cluster.weight[slot] as number
        totalWeight += weight
        if (isLocal(cluster.at(slot)?.endpoint.zone)) {
          localWeight += weight
          count++
        }
      }
      if (count < minLocal) return
      const stayLocal = Math.min(1, localWeight / totalWeight / callerShare)
      const keepLocal = stayLocal >= 1 || cluster.random.next() < stayLocal
      if (!keepLocal && count === candidates.length) return
      const slots = candidates.slots
      let kept = 0
      for (let i = 0; i < candidates.length; i++) {
        const slot = slots[i] as number
        if (isLocal(cluster.at(slot)?.endpoint.zone) === keepLocal) slots[kept++] = slot
      }
      candidates.length = kept
    },
  }
}
