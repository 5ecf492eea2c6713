import { randomInt } from 'node:crypto'
import { createRandom, type HealthSource, invalidArgument, type Random, type TargetState } from '@shoal/core'
import { formatAddress } from './address.js'
import type { ClientSource, EcsInput } from './client.js'
import { compilePools } from './compile.js'
import { evaluatePool } from './evaluate.js'
import type { GeoLookup } from './geo.js'
import { type Answer, type CompiledPool, DOWN, DRAINING, OUTCOME_ANSWER, UP, type Variant } from './pool.js'
import type { PoolsSpec } from './spec.js'
import { type ExplainStep, RunState } from './state.js'
import { upThresholdPasses } from './threshold.js'

/** Options of {@link compileSelector}. */
export interface SelectorOptions {
  /** Where answers' health comes from; without it every answer is up (admin states still apply). */
  readonly health?: HealthSource | undefined
  /** The state of a health target the source has no state for yet (default `up`). */
  readonly unknownHealth?: 'up' | 'down' | undefined
  /** The GeoIP lookup that geofence, geotarget and netfence-by-ASN read. */
  readonly geo?: GeoLookup | undefined
  /** The random source of shuffles and draws (default: seeded from the system's entropy). */
  readonly random?: Random | undefined
  /** The node this selector answers on: its site is what `preferSite` prefers. */
  readonly node?: { readonly id?: string | undefined; readonly site?: string | undefined } | undefined
}

/** One query as the selector needs it. The selector keeps no reference to it. */
export interface SelectionQuery {
  /** The query type: 1 (A) and 28 (AAAA) for address pools; any type for CNAME pools. */
  readonly qtype: number
  /** The query name, for `sticky` by name (case is ignored). */
  readonly qname?: string | undefined
  /** The packet's source address: text (as `dgram` reports it) or 4/16 bytes. */
  readonly resolver: string | Uint8Array
  /** The query's ECS option, when it has one. */
  readonly ecs?: EcsInput | undefined
}

/** A query to explain: a {@link SelectionQuery}, optionally as if another node answered it. */
export interface ExplainQuery extends SelectionQuery {
  readonly node?: { readonly site?: string | undefined } | undefined
}

/** What the responder does with a selection. */
export type SelectionOutcome = 'answer' | 'nodata' | 'refused' | 'servfail'

/**
 * The result of {@link Selector.select}. The selector reuses this object (and its `answers` array)
 * for its next selection: read it, or copy what you keep, before selecting again.
 */
export interface Selection {
  /** `answer` with answers, or NOERROR without them (`nodata`), REFUSED or SERVFAIL. */
  readonly outcome: SelectionOutcome
  /** The answers, in order. Empty unless the outcome is `answer`. */
  readonly answers: readonly Answer[]
  /**
   * The ECS scope prefix length the answer depends on: the longest client prefix any filter read,
   * the private network's length when a private ECS subnet was replaced by the resolver, 0 when
   * the query had no usable ECS or nothing read the client. (RFC 7871 wants 0 on negative answers;
   * the responder applies that.)
   */
  readonly scope: number
  /** The TTL: the asked pool's `max`, or its `min` when something involved is down. */
  readonly ttl: number
  /** A pool on the answering path failed as a whole: the answers are a fallback (fail open). */
  readonly failed: boolean
  /** Something involved is not up, or a fallback fired (the reason for the minimum TTL). */
  readonly degraded: boolean
  /** The leaf pool whose answers these are. */
  readonly pool: string
}

/** What {@link Selector.explain} returns: the selection and how the chain reached it. */
export interface Explanation {
  /** The pool asked. */
  readonly pool: string
  /** The leaf pool that answered (or the pool that decided a negative outcome). */
  readonly answeredBy: string
  readonly outcome: SelectionOutcome
  readonly answers: readonly { readonly id: string; readonly value: string }[]
  readonly scope: number
  readonly ttl: number
  readonly failed: boolean
  readonly degraded: boolean
  /** The address the filters read, how many of its bits were known, and where it came from. */
  readonly client: { readonly address: string; readonly prefix: number; readonly source: ClientSource }
  /** The health epoch the explanation used. */
  readonly epoch: number
  /** Each filter of each pool run, in order, with the candidates it left. */
  readonly steps: readonly ExplainStep[]
}

const OUTCOMES: readonly SelectionOutcome[] = ['answer', 'nodata', 'refused', 'servfail']

class MutableSelection implements Selection {
  outcome: SelectionOutcome = 'answer'
  readonly answers: Answer[] = []
  scope = 0
  ttl = 0
  failed = false
  degraded = false
  pool = ''
}

/**
 * Compiled answer pools and the per-query selection over them. Health changes mark the selector
 * stale; the next selection (or {@link Selector.refresh}) recomputes what each pool's leading
 * filters leave for the new health epoch, so a query runs only the filters that read the query:
 * a trie lookup, a random draw and a copy.
 *
 * @example
 * ```ts
 * const selector = compileSelector({
 *   www: { answers: [{ id: 'a', value: '192.0.2.1' }, { id: 'b', value: '192.0.2.2', weight: 3 }],
 *          chain: ['up', 'weightedShuffle', { filter: 'selectFirstN', n: 1 }] },
 * }, { random: createRandom(7) })
 * const selection = selector.select('www', { qtype: 1, resolver: '198.51.100.7' })
 * selection.answers[0]?.value // '192.0.2.2' three times in four
 * ```
 */
export class Selector implements Disposable {
  readonly #pools: ReadonlyMap<string, CompiledPool>
  readonly #order: readonly CompiledPool[]
  readonly #sites: readonly string[]
  readonly #health: HealthSource | undefined
  readonly #unknown: number
  readonly #geo: GeoLookup | undefined
  readonly #nodeSite: number
  readonly #state: RunState
  readonly #epochState: RunState
  readonly #explainRandom: Random
  readonly #selection = new MutableSelection()
  #unsubscribe: (() => void) | undefined
  #stale = true
  #epoch = 0

  /** Use {@link compileSelector}. */
  constructor(pools: PoolsSpec, options: SelectorOptions = {}) {
    const compiled = compilePools(pools, { hasGeo: options.geo !== undefined, nodeSite: options.node?.site })
    this.#pools = compiled.pools
    this.#order = compiled.order
    this.#sites = compiled.sites
    this.#health = options.health
    if (
      options.unknownHealth !== undefined &&
      options.unknownHealth !== 'up' &&
      options.unknownHealth !== 'down'
    )
      throw invalidArgument(`unknownHealth must be "up" or "down", got ${String(options.unknownHealth)}`)
    this.#unknown = options.unknownHealth === 'down' ? DOWN : UP
    this.#geo = options.geo
    this.#nodeSite = options.node?.site === undefined ? -1 : compiled.sites.indexOf(options.node.site)
    const random = options.random ?? createRandom(randomInt(0x100000000))
    this.#state = new RunState(random)
    this.#state.geoLookup = options.geo
    this.#state.site = this.#nodeSite
    this.#explainRandom = random.fork()
    this.#epochState = new RunState(this.#explainRandom)
    this.#epochState.site = this.#nodeSite
    const targets = compiled.targets
    if (this.#health !== undefined && targets.size > 0) {
      this.#unsubscribe = this.#health.subscribe((change) => {
        if (targets.has(change.target)) this.#stale = true
      })
    }
    this.refresh()
  }

  /** The health epoch: how many times the pools' health-dependent part was computed. */
  get epoch(): number {
    return this.#epoch
  }

  /** The pool names. */
  names(): string[] {
    return [...this.#pools.keys()]
  }

  /** Whether a pool of that name exists. */
  has(pool: string): boolean {
    return this.#pools.has(pool)
  }

  /** The answers of a leaf pool (empty for a composite), as selections return them. */
  answersOf(pool: string): readonly Answer[] {
    return this.#pool(pool).answers
  }

  /**
   * Selects the answers of `pool` for one query. Allocates nothing once warm (a GeoIP lookup may).
   *
   * @returns a {@link Selection} that this selector reuses on its next call
   */
  select(pool: string, query: SelectionQuery): Selection {
    const compiled = this.#pool(pool)
    if (this.#stale) this.refresh()
    const s = this.#state
    s.reset(query.qtype, query.qname ?? '')
    s.client.resolve(query.resolver, query.ecs, compiled.settings.ignoreEcs)
    evaluatePool(compiled, s)
    const out = this.#selection
    const answers = out.answers
    let count = 0
    if (s.outcome === OUTCOME_ANSWER && s.resultPool !== undefined) {
      const from = s.resultPool.answers
      const cand = s.resultCand
      const max = Math.min(s.resultLen, compiled.settings.maxAnswers)
      for (; count < max; count++) answers[count] = from[cand[count] as number] as Answer
    }
    answers.length = count
    out.outcome =
      count === 0 && s.outcome === OUTCOME_ANSWER ? 'nodata' : (OUTCOMES[s.outcome] as SelectionOutcome)
    out.scope = scopeOf(s)
    out.ttl = s.degraded ? compiled.settings.ttlMin : compiled.settings.ttlMax
    out.failed = s.failed
    out.degraded = s.degraded
    out.pool = s.resultPool?.name ?? compiled.name
    return out
  }

  /**
   * Runs a selection with every filter traced: the candidates after each filter of each pool, the
   * scope each filter contributed, and why failover or a fallback happened (the question gdnsd's
   * `gdnsd_geoip_test` answers). It uses its own random source and leaves round-robin counters
   * alone, so explaining does not disturb serving.
   *
   * @example
   * ```ts
   * const why = selector.explain('www', { qtype: 1, resolver: '192.0.2.53', ecs: { family: 1, sourcePrefix: 24, address: Uint8Array.of(203, 0, 113) } })
   * why.steps.map((step) => `${step.pool} ${step.filter}: ${step.candidates.join(' ')}`)
   * ```
   */
  explain(pool: string, query: ExplainQuery): Explanation {
    const compiled = this.#pool(pool)
    if (this.#stale) this.refresh()
    const s = new RunState(this.#explainRandom)
    s.geoLookup = this.#geo
    s.fullRun = true
    s.trace = []
    s.site = query.node?.site === undefined ? this.#nodeSite : this.#sites.indexOf(query.node.site)
    s.reset(query.qtype, query.qname ?? '')
    s.client.resolve(query.resolver, query.ecs, compiled.settings.ignoreEcs)
    evaluatePool(compiled, s)
    const answers: { id: string; value: string }[] = []
    if (s.outcome === OUTCOME_ANSWER && s.resultPool !== undefined) {
      const max = Math.min(s.resultLen, compiled.settings.maxAnswers)
      for (let i = 0; i < max; i++) {
        const answer = s.resultPool.answers[s.resultCand[i] as number] as Answer
        answers.push({ id: answer.id, value: answer.value })
      }
    }
    const client = s.client
    return {
      pool: compiled.name,
      answeredBy: s.resultPool?.name ?? compiled.name,
      outcome:
        answers.length === 0 && s.outcome === OUTCOME_ANSWER
          ? 'nodata'
          : (OUTCOMES[s.outcome] as SelectionOutcome),
      answers,
      scope: scopeOf(s),
      ttl: s.degraded ? compiled.settings.ttlMin : compiled.settings.ttlMax,
      failed: s.failed,
      degraded: s.degraded,
      client: {
        address: formatAddress(client.words, client.family),
        prefix: client.prefix,
        source: client.source,
      },
      epoch: this.#epoch,
      steps: s.trace,
    }
  }

  /**
   * Recomputes every pool's health-dependent part from the health source now (the selector does
   * it by itself before the first selection after a change; call this to take the cost off a query).
   */
  refresh(): void {
    this.#stale = false
    this.#epoch++
    const s = this.#epochState
    for (const pool of this.#order) {
      const leafStates = pool.composite ? undefined : this.#states(pool)
      pool.variants.forEach((v, index) => {
        if (leafStates !== undefined) v.state.set(leafStates)
        else this.#memberStates(pool, v, index)
        this.#computeStatic(pool, v, s)
      })
    }
  }

  /** Stops following the health source. */
  close(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
  }

  [Symbol.dispose](): void {
    this.close()
  }

  #pool(name: string): CompiledPool {
    const pool = this.#pools.get(name)
    if (pool === undefined)
      throw invalidArgument(`no pool named "${name}" (pools: ${[...this.#pools.keys()].join(', ')})`)
    return pool
  }

  /** A candidate's own state: the worst of its health targets, then its admin override. */
  #own(pool: CompiledPool, c: number): number {
    let worst = UP
    for (const target of pool.table.health[c] as readonly string[]) {
      const st = stateCode(this.#health?.stateOf(target), this.#unknown)
      if (st > worst) worst = st
    }
    const admin = pool.table.admin[c] as number
    return Math.max(admin, worst)
  }

  #states(pool: CompiledPool): Uint8Array {
    const states = new Uint8Array(pool.table.ids.length)
    for (let c = 0; c < states.length; c++) states[c] = this.#own(pool, c)
    return states
  }

  /** A member is down when its pool has failed for this family, whatever its own state says. */
  #memberStates(pool: CompiledPool, v: Variant, index: number): void {
    for (let m = 0; m < pool.members.length; m++) {
      const member = (pool.members[m] as CompiledPool).variants[index]
      const own = this.#own(pool, m)
      v.state[m] = member?.failed === true ? DOWN : own
    }
  }

  /** Runs the chain's leading static filters for one variant and stores what they leave. */
  #computeStatic(pool: CompiledPool, v: Variant, s: RunState): void {
    s.reset(v.family === 6 ? 28 : 1, '')
    const cand = pool.cand
    let len = v.base.length
    for (let i = 0; i < len; i++) cand[i] = v.base[i] as number
    let sawUp = false
    for (let i = 0; i < pool.firstDynamic && s.outcome === OUTCOME_ANSWER; i++) {
      const filter = pool.filters[i]
      if (filter === undefined) break
      if (filter.name === 'up') sawUp = true
      len = filter.apply(pool, v, cand, len, s)
    }
    if (s.outcome !== OUTCOME_ANSWER) len = 0
    for (let i = 0; i < len; i++) v.cand[i] = cand[i] as number
    v.len = len
    v.outcome = s.outcome
    v.staticFailed = s.failed
    v.degraded = s.degraded
    v.failed = pool.composite ? this.#compositeFailed(v) : sawUp ? s.failed : !this.#leafPasses(pool, v)
    if (!sawUp && !pool.composite) {
      // the up filter runs per query, but down answers still shorten the TTL
      for (let i = 0; i < v.base.length; i++) if (v.state[v.base[i] as number] !== UP) v.degraded = true
    }
  }

  #compositeFailed(v: Variant): boolean {
    if (v.base.length === 0) return false
    for (let i = 0; i < v.base.length; i++) if (v.state[v.base[i] as number] === UP) return false
    return true
  }

  /** The pool-wide threshold test, for a leaf whose `up` filter comes after per-query filters. */
  #leafPasses(pool: CompiledPool, v: Variant): boolean {
    if (v.base.length === 0) return true
    const { threshold, thresholdByWeight } = pool.settings
    let up = 0
    let nonDown = 0
    let total = 0
    for (let i = 0; i < v.base.length; i++) {
      const c = v.base[i] as number
      const w = thresholdByWeight ? (pool.table.weight[c] as number) : 1
      total += w
      if (v.state[c] !== DOWN) nonDown += w
      if (v.state[c] === UP) up++
    }
    return up > 0 && upThresholdPasses(nonDown, total, threshold)
  }
}

function stateCode(state: TargetState | undefined, unknown: number): number {
  if (state === 'up') return UP
  if (state === 'draining') return DRAINING
  if (state === 'down') return DOWN
  return unknown
}

function scopeOf(s: RunState): number {
  const source = s.client.source
  if (source === 'ecs') return s.scope
  if (source === 'ecs-private' && s.usedClient) return s.client.privateLength
  return 0
}

/**
 * Validates and compiles answer pools into a {@link Selector}. Every problem in the specs throws
 * `ERR_DNS_CONFIG` with the path of the field at fault (`pools.www.chain[2].views[0].nets[1]`) and
 * what to change; nothing is checked again per query.
 *
 * @param pools - the pools by name, as a configuration file holds them
 * @param options - health, GeoIP, randomness and the answering node
 * @example
 * ```ts
 * const selector = compileSelector(
 *   {
 *     eu: { answers: [{ id: 'eu1', value: '192.0.2.10' }, { id: 'eu2', value: '192.0.2.11' }] },
 *     us: { answers: [{ id: 'us1', value: '198.51.100.10' }] },
 *     www: { members: [{ pool: 'eu' }, { pool: 'us' }], chain: ['failover'] },
 *   },
 *   { health, random: createRandom(1) },
 * )
 * selector.select('www', { qtype: 1, resolver: '203.0.113.9' }).answers.map((a) => a.value)
 * ```
 */
export function compileSelector(pools: PoolsSpec, options: SelectorOptions = {}): Selector {
  return new Selector(pools, options)
}
