import { invalidArgument } from '@shoal/core'
import { Candidates } from './candidates.js'
import { Cluster } from './cluster.js'
import type { Backend, Endpoint } from './endpoint.js'
import type { Outcome } from './load/outcome.js'
import { isStale } from './load/signal.js'
import type { Picker } from './picker.js'
import type { Stage } from './stage.js'
import { byHealth } from './stages/by-health.js'

/** Options of a {@link Balancer}. */
export interface BalancerOptions<M, R> {
  /** Chooses among the candidates the stages leave. */
  readonly picker: Picker
  /**
   * The candidacy pipeline, run in order before the picker (default `[byHealth()]`: healthy,
   * non-ejected backends, with Envoy's 50 % panic threshold). Pass `[]` for none.
   */
  readonly stages?: readonly Stage<M, R>[] | undefined
}

/** One step of {@link Balancer.explain}: the candidates after a stage. */
export interface ExplainStep {
  /** The stage's name, or `"start"` for the live backends. */
  readonly stage: string
  /** Ids of the candidates after it, in order. */
  readonly candidates: readonly string[]
}

/** What {@link Balancer.explain} reports. */
export interface Explanation {
  /** The candidates before the first stage and after each stage. */
  readonly steps: readonly ExplainStep[]
  /** The id the picker would choose now, `undefined` when none. */
  readonly chosen: string | undefined
}

/** Counters of a {@link Balancer}. */
export interface BalancerStats {
  /** Picks that returned a backend. */
  readonly picks: number
  /** Picks that found no candidate. */
  readonly empty: number
  /** Static candidate sets rebuilt (once per cluster version that was picked from). */
  readonly rebuilds: number
}

const pickers = new WeakSet<Picker>()

/**
 * A candidacy pipeline ending in a picker, over a {@link Cluster}: `pick` chooses a backend,
 * `done` reports how the request went (in-flight count, latency, outlier detection).
 *
 * The leading static stages run once per cluster version and the picker rebuilds its tables then:
 * right after a burst of cluster changes (on the cluster's `change` event), or at the next pick if
 * that comes first. A pick runs only the dynamic stages and the picker, on a reused buffer, and
 * allocates nothing.
 *
 * @typeParam M - endpoint metadata type
 * @typeParam R - the per-request value stages may read
 * @example
 * ```ts
 * const lb = new Balancer([{ id: 'a:80' }, { id: 'b:80' }, { id: 'c:80' }], { picker: p2c() })
 * const backend = lb.pick()
 * if (backend) lb.done(backend, { ok: true, latencyMs: 12 })
 * ```
 */
export class Balancer<M = Readonly<Record<string, string>>, R = unknown> {
  /** The backends and their state. */
  readonly cluster: Cluster<M>
  readonly #picker: Picker
  readonly #static: Stage<M, R>[]
  readonly #dynamic: Stage<M, R>[]
  readonly #readsTime: boolean
  readonly #base = new Candidates()
  readonly #work = new Candidates()
  #version = -1
  #picks = 0
  #empty = 0
  #rebuilds = 0

  /**
   * @param cluster - a cluster, or endpoints to build one from with default options
   * @param options - the picker and the stages before it
   */
  constructor(cluster: Cluster<M> | Iterable<Endpoint<M>>, options: BalancerOptions<M, R>) {
    this.cluster = cluster instanceof Cluster ? cluster : new Cluster(cluster)
    const { picker } = options
    if (typeof picker?.pick !== 'function')
      throw invalidArgument('options.picker must be a picker, e.g. roundRobin()')
    if (pickers.has(picker))
      throw invalidArgument(
        `picker ${picker.name} already belongs to a balancer: create one picker per balancer`,
      )
    pickers.add(picker)
    this.#picker = picker
    const stages = options.stages ?? [byHealth<M, R>()]
    const firstDynamic = stages.findIndex((stage) => stage.kind === 'dynamic')
    this.#static = firstDynamic === -1 ? [...stages] : stages.slice(0, firstDynamic)
    this.#dynamic = firstDynamic === -1 ? [] : stages.slice(firstDynamic)
    if (picker.prepared && this.#dynamic.length > 0)
      throw invalidArgument(
        `picker ${picker.name} builds a table from its candidates, so it cannot follow the dynamic stage ${this.#dynamic[0]?.name}: move that stage after the static ones or drop it`,
      )
    checkStaleness(stages, picker)
    this.#readsTime = picker.readsTime === true || this.#dynamic.some((stage) => stage.readsTime === true)
    // rebuild as soon as a burst of changes is over, so picks rarely have to
    this.cluster.addEventListener('change', () => {
      if (this.cluster.version !== this.#version) this.#rebuild()
    })
    this.#rebuild()
  }

  /**
   * Chooses a backend and counts a request in flight to it; report the end with
   * {@link Balancer.done}.
   *
   * @param key - affinity key for hashing pickers: a string (hashed) or a 32-bit hash
   * @param request - passed to stages that read request attributes
   * @returns the backend, or `undefined` when no candidate is left
   */
  pick(key?: string | number, request?: R): Backend<M> | undefined {
    const slot = this.#choose(key, request)
    if (slot < 0) {
      this.#empty++
      return undefined
    }
    this.#picks++
    const cluster = this.cluster
    cluster.acquire(slot)
    return cluster.candidateAt(slot)
  }

  /**
   * Like {@link Balancer.pick}, but returns the backend `id` when it is still a candidate
   * (sticky sessions: the id comes from a cookie or a session table).
   */
  pickSticky(id: string | undefined, key?: string | number, request?: R): Backend<M> | undefined {
    const backend = id === undefined ? undefined : this.cluster.get(id)
    if (backend !== undefined && this.#isCandidate(backend.slot, request)) {
      this.#picks++
      this.cluster.acquire(backend.slot)
      return backend
    }
    return this.pick(key, request)
  }

  /** Reports the end of a request to a backend `pick` returned: frees its in-flight slot and records the outcome. */
  done(backend: Backend<M>, outcome?: Outcome): void {
    this.cluster.complete(backend.slot, outcome)
  }

  /** The candidates after each stage, and what the picker would choose, without counting a pick. */
  explain(key?: string | number, request?: R): Explanation {
    const cluster = this.cluster
    const names = (candidates: Candidates) =>
      Array.from(
        candidates.slots.subarray(0, candidates.length),
        (slot) => cluster.at(slot)?.id ?? `#${slot}`,
      )
    const work = new Candidates()
    for (const backend of cluster.backends()) work.push(backend.slot)
    const steps: ExplainStep[] = [{ stage: 'start', candidates: names(work) }]
    const now = cluster.clock.now()
    for (const stage of [...this.#static, ...this.#dynamic]) {
      stage.apply(work, cluster, request, now)
      steps.push({ stage: stage.name, candidates: names(work) })
    }
    const slot = this.#choose(key, request)
    return { steps, chosen: slot < 0 ? undefined : cluster.at(slot)?.id }
  }

  /** Pick counters. */
  stats(): BalancerStats {
    return { picks: this.#picks, empty: this.#empty, rebuilds: this.#rebuilds }
  }

  #choose(key: string | number | undefined, request: R | undefined): number {
    const cluster = this.cluster
    if (cluster.version !== this.#version) this.#rebuild()
    const now = this.#readsTime ? cluster.clock.now() : 0
    let candidates = this.#base
    const dynamic = this.#dynamic
    if (dynamic.length > 0) {
      candidates = this.#work
      candidates.copyFrom(this.#base)
      for (let i = 0; i < dynamic.length; i++)
        (dynamic[i] as Stage<M, R>).apply(candidates, cluster, request, now)
    }
    if (candidates.length === 0) return -1
    return this.#picker.pick(candidates, cluster as Cluster<unknown>, key, now)
  }

  #isCandidate(slot: number, request: R | undefined): boolean {
    const cluster = this.cluster
    if (cluster.version !== this.#version) this.#rebuild()
    const work = this.#work
    work.copyFrom(this.#base)
    const now = this.#readsTime ? cluster.clock.now() : 0
    for (const stage of this.#dynamic)
      if (stage.sampling === undefined) stage.apply(work, cluster, request, now)
    for (let i = 0; i < work.length; i++) if (work.slots[i] === slot) return true
    return false
  }

  #rebuild(): void {
    const cluster = this.cluster
    const base = this.#base
    base.length = 0
    for (const backend of cluster.backends()) base.push(backend.slot)
    for (const stage of this.#static) stage.apply(base, cluster, undefined, cluster.clock.now())
    this.#version = cluster.version
    this.#rebuilds++
    this.#picker.prepare(base, cluster as Cluster<unknown>)
  }
}

/** Refuses a minimum over stale load unless a sampler comes first (see {@link isStale}). */
function checkStaleness<M, R>(stages: readonly Stage<M, R>[], picker: Picker): void {
  let shuffled = false
  let sampled = false
  const check = (name: string, signal: Stage<M, R>['orders']) => {
    if (signal && isStale(signal) && !sampled)
      throw invalidArgument(
        `${name} takes the least loaded backend by the stale signal ${signal.name}: every request until the next report would go to the same backend. Sample first (byRandom() then byLogWindow(), or a p2c picker) or correct the snapshot with shared({ predict: true })`,
      )
  }
  for (const stage of stages) {
    check(stage.name, stage.orders)
    if (stage.sampling === 'shuffle') shuffled = true
    else if (stage.sampling === 'sample' || (stage.sampling === 'cut' && shuffled)) sampled = true
  }
  check(picker.name, picker.minimizes)
}
