import type { Candidates } from './candidates.js'
import type { Cluster } from './cluster.js'
import type { LoadSignal } from './load/signal.js'

/**
 * One step of a candidacy pipeline (mod_backhand's candidacy function, typed): it filters,
 * reorders or truncates the candidate list in place. The picker at the end of the pipeline then
 * chooses among what is left.
 *
 * @typeParam M - endpoint metadata type
 * @typeParam R - the per-request value passed to `pick` (request attributes, the caller's zone…)
 */
export interface Stage<M = Readonly<Record<string, string>>, R = unknown> {
  /** A short name for traces (`explain`) and errors. */
  readonly name: string
  /**
   * `static` when the result depends only on cluster state (health, zones, metadata): the leading
   * run of static stages is computed once per cluster version, not per pick. `dynamic` stages
   * (sampling, load, time, request attributes) run on every pick.
   */
  readonly kind: 'static' | 'dynamic'
  /**
   * How the stage samples: `shuffle` randomizes the order (byRandom), `cut` keeps a prefix
   * (byLogWindow), `sample` keeps a random subset. A shuffle followed by a cut, or a sample, makes
   * a later minimum over stale load safe; a cut alone does not.
   */
  readonly sampling?: 'shuffle' | 'cut' | 'sample' | undefined
  /** The load signal this stage orders or filters by, if any (checked against staleness). */
  readonly orders?: LoadSignal | undefined
  /** True when `apply` reads `now` (the balancer then reads the clock once per pick). */
  readonly readsTime?: boolean | undefined
  /**
   * Filters or reorders `candidates` in place.
   *
   * @param now - the cluster clock's time when `readsTime` is set, otherwise 0
   */
  apply(candidates: Candidates, cluster: Cluster<M>, request: R | undefined, now: number): void
}
