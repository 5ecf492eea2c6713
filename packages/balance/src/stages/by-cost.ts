import { invalidArgument } from '@shoal/core'
import type { Cluster } from '../cluster.js'
import type { LoadSignal } from '../load/signal.js'
import type { Stage } from '../stage.js'
import { costBuffer, orderByCost } from './order-by-cost.js'

/** Options of {@link byCost}. */
export interface ByCostOptions {
  /**
   * The resources to weigh and what one request adds to each, as a share of the resource:
   * `{ cpu: 0.02, memory: 0.005 }`. Utilizations come from `cluster.report(id, { resources })`.
   */
  readonly resources: Readonly<Record<string, number>>
  /** Base of the exponential cost; default `2 × live backends`, so the cost grows steeper with the cluster. */
  readonly base?: number | undefined
  /**
   * Add what this process sent since each report to the reported utilizations (default `true`):
   * without it the snapshot is stale, and the stage is refused unless a sampler comes first.
   */
  readonly predict?: boolean | undefined
}

/**
 * mod_backhand's `byCost`, the opportunity-cost ordering of Amir, Awerbuch, Barak, Borgstrom and
 * Keren (IEEE TPDS 11(7), 2000): each resource's cost is exponential in its utilization,
 * `base^u`, so CPU, memory and connections become one currency, and backends are ordered by the
 * marginal cost of one more request, `Σ_r base^(u_r + δ_r) − base^(u_r)`, cheapest first.
 *
 * @example
 * ```ts
 * cluster.report('a:80', { resources: { cpu: 0.9, memory: 0.2 } })
 * const lb = new Balancer(cluster, { stages: [byCost({ resources: { cpu: 0.02, memory: 0.01 } })], picker: first() })
 * ```
 */
export function byCost<M = Readonly<Record<string, string>>, R = unknown>(
  options: ByCostOptions,
): Stage<M, R> {
  const entries = Object.entries(options?.resources ?? {})
  if (entries.length === 0)
    throw invalidArgument('byCost needs at least one resource, e.g. { resources: { cpu: 0.02 } }')
  for (const [name, delta] of entries)
    if (!(delta > 0 && delta <= 1))
      throw invalidArgument(`byCost: the per-request share of ${name} must be in (0, 1], got ${delta}`)
  const names = entries.map(([name]) => name)
  const deltas = entries.map(([, delta]) => delta)
  const fixedBase = options.base
  if (fixedBase !== undefined && !(fixedBase > 1 && Number.isFinite(fixedBase)))
    throw invalidArgument(`byCost base must be a number above 1, got ${fixedBase}`)
  const predict = options.predict ?? true
  const signal: LoadSignal = {
    name: predict ? 'cost+predicted' : 'cost',
    source: 'shared',
    corrected: predict,
    readsTime: false,
    cost: (cluster, slot) => marginalCost(cluster, slot),
  }
  let utilizations: Float64Array[] = []
  let base = 2
  const marginalCost = (cluster: Cluster<unknown>, slot: number): number => {
    const sent = predict ? (cluster.sentSinceReport[slot] as number) : 0
    let cost = 0
    for (let r = 0; r < deltas.length; r++) {
      const delta = deltas[r] as number
      const used = ((utilizations[r] as Float64Array)[slot] as number) + sent * delta
      cost += base ** used * (base ** delta - 1)
    }
    return cost
  }
  let version = -1
  return {
    name: 'byCost',
    kind: 'dynamic',
    orders: signal,
    apply(candidates, cluster) {
      if (cluster.version !== version) {
        // the arrays are replaced only when the cluster grows, which bumps its version
        utilizations = names.map((name) => cluster.resource(name))
        base = fixedBase ?? Math.max(2, 2 * cluster.size)
        version = cluster.version
      }
      const { slots, length } = candidates
      const costs = costBuffer(length)
      for (let i = 0; i < length; i++)
        costs[i] = marginalCost(cluster as Cluster<unknown>, slots[i] as number)
      orderByCost(candidates, costs)
    },
  }
}
