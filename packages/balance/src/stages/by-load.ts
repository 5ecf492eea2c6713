import { invalidArgument } from '@shoal/core'
import type { Cluster } from '../cluster.js'
import { inflight, type LoadSignal } from '../load/signal.js'
import type { Stage } from '../stage.js'
import { costBuffer, orderByCost } from './order-by-cost.js'

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
  return {
    name: 'byLoad',
    kind: 'dynamic',
    orders: signal,
    readsTime: signal.readsTime,
    apply(candidates, cluster, _request, now) {
      const selfSlot = self ? (cluster.get(self.id)?.slot ?? -1) : -1
      const selfFactor = self ? 1 / (1 + self.bias) : 1
      const { slots, length } = candidates
      const costs = costBuffer(length)
      for (let i = 0; i < length; i++) {
        const slot = slots[i] as number
        const cost = signal.cost(cluster as Cluster<unknown>, slot, now) / (cluster.weight[slot] as number)
        costs[i] = slot === selfSlot ? cost * selfFactor : cost
      }
      orderByCost(candidates, costs)
    },
  }
}
