import type { Random } from '@shoal/core'
import { ClientInfo } from './client.js'
import type { GeoLookup, GeoLookupResult } from './geo.js'
import { type CompiledPool, OUTCOME_ANSWER } from './pool.js'

/** One step of an explanation: a filter of a pool and the candidates it left. */
export interface ExplainStep {
  /** The pool the filter belongs to. */
  readonly pool: string
  /** The filter, as `index:name` in the pool's compiled chain (`2:geotarget`). */
  readonly filter: string
  /** Candidate ids left by the filter, in order. */
  readonly candidates: readonly string[]
  /** The prefix length of the client address this filter's decision depended on, if it read it. */
  readonly scope?: number
  /** Why the filter did what it did, when that is not plain (a failover, a threshold, a view). */
  readonly note?: string
}

/**
 * The working state of one selection: the query, the client, what the filters decided so far.
 * One per selector (and one per explanation), reset for each query, so the hot path allocates
 * nothing.
 */
export class RunState {
  readonly client = new ClientInfo()
  qtype = 1
  qname = ''
  random: Random
  /** The site of the node answering (index into the selector's site names), -1 for none. */
  site = -1
  /** The longest prefix of the client address any decision depended on. */
  scope = 0
  /** Whether any decision read the client address. */
  usedClient = false
  /** A pool in the served path failed as a whole (its answers, if any, are a fallback). */
  failed = false
  /** Some candidate in the served path is not up, or a fallback fired: serve the minimum TTL. */
  degraded = false
  outcome = OUTCOME_ANSWER
  /** The pool whose `onAllDown` names another pool, when `outcome` says so. */
  fallbackFrom: CompiledPool | undefined
  /** The leaf pool, candidate buffer and count that answer. */
  resultPool: CompiledPool | undefined
  resultCand: Int32Array = new Int32Array(0)
  resultLen = 0
  /** The query's GeoIP lookup, made once and only when a filter asks. */
  geoLookup: GeoLookup | undefined
  #geoDone = false
  #geo: GeoLookupResult | undefined
  /** When explaining: the steps so far, and what the current filter says about itself. */
  trace: ExplainStep[] | undefined
  note: string | undefined
  stepScope = -1
  /** Run every filter from the pool's base candidates, and leave counters alone (explanations). */
  fullRun = false

  constructor(random: Random) {
    this.random = random
  }

  /** Resets the per-query fields. */
  reset(qtype: number, qname: string): void {
    this.qtype = qtype
    this.qname = qname
    this.scope = 0
    this.usedClient = false
    this.failed = false
    this.degraded = false
    this.outcome = OUTCOME_ANSWER
    this.fallbackFrom = undefined
    this.resultPool = undefined
    this.resultLen = 0
    this.#geoDone = false
    this.#geo = undefined
  }

  /** Records that a decision depended on the first `bits` bits of the client address. */
  contribute(bits: number): void {
    if (bits > 0) this.usedClient = true
    if (bits > this.scope) this.scope = bits
    if (bits > this.stepScope) this.stepScope = bits
  }

  /**
   * The client's GeoIP information, looked up once per query, and its contribution to the scope
   * (the database network's prefix length, or every known bit when the lookup has no answer).
   */
  geo(): GeoLookupResult | undefined {
    if (!this.#geoDone) {
      this.#geoDone = true
      this.#geo = this.geoLookup === undefined ? undefined : this.geoLookup(this.client.text())
    }
    this.contribute(this.#geo === undefined ? this.client.prefix : this.#geo.prefixLength)
    return this.#geo
  }
}
