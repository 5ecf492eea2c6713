import type { Candidates } from './candidates.js'
import type { Cluster } from './cluster.js'
import type { LoadSignal } from './load/signal.js'

/**
 * The last step of a pipeline: chooses one candidate. A picker instance belongs to one balancer
 * (it may keep a cursor, a schedule or a hash table).
 */
export interface Picker {
  /** A short name for traces and errors. */
  readonly name: string
  /**
   * True when the picker builds a table from the candidates given to {@link Picker.prepare}
   * (hash rings, Maglev, schedules): it then refuses to follow a dynamic stage, whose output
   * changes per pick.
   */
  readonly prepared: boolean
  /**
   * The load signal this picker takes a minimum by over all candidates, if any: a stale one is
   * refused unless the stages sample first. Samplers (power of d choices) leave it unset.
   */
  readonly minimizes?: LoadSignal | undefined
  /** True when `pick` reads `now`. */
  readonly readsTime?: boolean | undefined
  /**
   * Called when the candidates a static pipeline yields, or the cluster's weights, may have
   * changed (once per cluster version): rebuild tables here, never in `pick`.
   */
  prepare(candidates: Candidates, cluster: Cluster<unknown>): void
  /**
   * Chooses a candidate.
   *
   * @param key - an affinity key: a string is hashed by the picker, a number is taken as an
   *   already computed 32-bit hash; unkeyed pickers ignore it
   * @param now - the cluster clock's time when `readsTime` is set, otherwise 0
   * @returns the chosen slot, or -1 when none can be chosen
   */
  pick(
    candidates: Candidates,
    cluster: Cluster<unknown>,
    key: string | number | undefined,
    now: number,
  ): number
}
