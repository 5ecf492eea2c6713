import { invalidArgument } from '@shoal/core'
import type { Cluster } from '../cluster.js'
import { inflight, type LoadSignal } from '../load/signal.js'
import type { Stage } from '../stage.js'
import { orderByCost } from './order-by-cost.js'

/** Options of {@link byLoad}. */
export interface ByLoadOptions {
  /** What load means (default {@link inflight}: this process's requests in flight). */
  readonly signal?: LoadSignal | undefined
  /**
   * Favour the backend that received the request, so forwarding only happens when it pays
   * (mod_backhand's `byLoad bias`): its cost is divided by `1 + bias`; sensible biases are 0 to 1.
   */
  readonly self?: { readonly id: string; readonly bias: number } | undefined
}

/**
 * mod_backhand's `byLoad`: orders the candidates by load per unit of weight, least loaded first,
 * for {@link first} to take the head. Over a stale shared signal it is refused unless a sampler
 * ({@link byRandom} then {@link byLogWindow}) comes first, or the signal predicts
 * (`shared({ predict: true })`).
 *
 * @example
 * ```ts
 * const stages = [byAge({ maxAgeMs: 6000 }), byRandom(), byLogWindow(), byLoad({ signal: shared({ predict: false }) })]
 * const lb = new Balancer(cluster, { stages, picker: first() })
 * ```
 */
export function byLoad<M = Readonly<Record<string, string>>, R = unknown>(
  options: ByLoadOptions = {},
): Stage<M, R> {
  const signal = options.signal ?? inflight()
  const self = options.self
  if (self && !(self.bias >= 0 && Number.isFinite(self.bias)))
    throw invalidArgument(`byLoad self.bias must be a non-negative number, got ${self.bias}`)
  let current: Cluster<M>
  let time = 0
  let selfSlot = -1
  const costOf = (slot: number) => {
    const cost = signal.cost(current as Cluster<unknown>, slot, time) / (current.weight[slot] as number)
    return slot === selfSlot && self ? cost / (1 + self.bias) : cost
  }
  return {
    name: 'byLoad',
    kind: 'dynamic',
    orders: signal,
    readsTime: signal.readsTime,
    apply(candidates, cluster, _request, now) {
      current = cluster
      time = now
      selfSlot = self ? (cluster.get(self.id)?.slot ?? -1) : -1
      orderByCost(candidates, costOf)
    },
  }
}
