import type { Picker } from '../picker.js'

/** Options of {@link first}. */
export interface FirstOptions {
  /** Skip candidates with this many requests in flight or more (HAProxy's `balance first` with `maxconn`). */
  readonly maxInflight?: number | undefined
}

/**
 * Takes the head of the candidate list: mod_backhand's rule that the first candidate left by the
 * pipeline wins (after `byLoad` or `byCost`), or, with `maxInflight`, HAProxy's `first`, which fills
 * backends in order so spare ones can be powered off.
 *
 * @example
 * ```ts
 * const lb = new Balancer(endpoints, { stages: [byHealth(), byRandom(), byLogWindow(), byLoad()], picker: first() })
 * ```
 */
export function first(options: FirstOptions = {}): Picker {
  const limit = options.maxInflight ?? Number.POSITIVE_INFINITY
  return {
    name: 'first',
    prepared: false,
    prepare() {},
    pick(candidates, cluster) {
      const { slots, length } = candidates
      for (let i = 0; i < length; i++) {
        const slot = slots[i] as number
        if ((cluster.inflight[slot] as number) < limit) return slot
      }
      return -1
    },
  }
}
