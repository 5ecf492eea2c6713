import type { Family } from './address.js'
import type { Filter } from './filter.js'

/** One answer as the selector serves it: compiled once at load, shared by every selection. */
export interface Answer {
  /** The id from the pool spec. */
  readonly id: string
  /** The address (canonical text) or, for CNAME pools, the target name as configured. */
  readonly value: string
  /** 4 or 6 for addresses, `undefined` for CNAME targets. */
  readonly family: Family | undefined
  /**
   * The RDATA: 4 bytes (A), 16 bytes (AAAA), or the target name in uncompressed wire form (CNAME),
   * so a responder copies it without encoding anything per query.
   */
  readonly rdata: Uint8Array
  /** The leaf pool the answer belongs to. */
  readonly pool: string
  /** The answer's position in its pool (for per-answer counters). */
  readonly index: number
  readonly site: string | undefined
  readonly weight: number
  readonly priority: number
  readonly cost: number
}

/** A candidate's state for the `up` filter, worst last. */
export const UP = 0
export const DRAINING = 1
export const DOWN = 2

/** What a pool (or a filter) decided beyond its candidates. */
export const OUTCOME_ANSWER = 0
/** `onAllDown: 'all'`: keep answering, with every candidate (the code of an answer). */
export const OUTCOME_ALL = 0
export const OUTCOME_NODATA = 1
export const OUTCOME_REFUSED = 2
export const OUTCOME_SERVFAIL = 3
/** Answer from another pool (`onAllDown: { pool }`). */
export const OUTCOME_FALLBACK = 4

/**
 * A pool for one query family (IPv4 or IPv6; a CNAME pool has one), with what the current health
 * epoch makes of it: the candidates left by the chain's leading filters that depend on nothing but
 * health and the family (computed once per epoch, so a query starts from a copy of them).
 */
export class Variant {
  /** 4 or 6 for address pools, 0 for CNAME pools. */
  readonly family: Family | 0
  /** Every candidate of this family, in spec order. */
  readonly base: Int32Array
  /** The leading filters made this epoch's answers a fallback (a fail-open). */
  staticFailed = false
  /** Candidate states (UP, DRAINING, DOWN) for this epoch, by candidate index. */
  state: Uint8Array
  /** The leading filters' result for this epoch. */
  readonly cand: Int32Array
  len = 0
  /** The pool has failed as a whole this epoch (what a parent's failover reads). */
  failed = false
  /** Some candidate is not up (or a threshold fallback fired): serve the minimum TTL. */
  degraded = false
  /** The leading filters' outcome (an `onAllDown` other than `all` fired). */
  outcome = OUTCOME_ANSWER

  constructor(family: Family | 0, base: Int32Array, size: number) {
    this.family = family
    this.base = base
    this.state = new Uint8Array(size)
    this.cand = new Int32Array(Math.max(1, base.length))
  }
}

/** Candidate metadata in arrays indexed by candidate, read by the filters. */
export interface CandidateTable {
  /** Candidate ids (answer ids, or member ids of a composite). */
  readonly ids: readonly string[]
  /** 4 or 6 per answer (0 for CNAME targets and members). */
  readonly family: Uint8Array
  readonly weight: Float64Array
  readonly priority: Float64Array
  readonly cost: Float64Array
  /** Index into the selector's site names, -1 for none. */
  readonly site: Int32Array
  /** Latitude and longitude in radians, NaN where unknown; cos(latitude); bias factor (1 − b/100). */
  readonly latRad: Float64Array
  readonly lonRad: Float64Array
  readonly cosLat: Float64Array
  readonly biasFactor: Float64Array
  readonly continent: readonly (readonly string[] | undefined)[]
  readonly country: readonly (readonly string[] | undefined)[]
  readonly subdivision: readonly (readonly string[] | undefined)[]
  readonly asn: readonly (readonly number[] | undefined)[]
  /** Whether a candidate has prefixes or ASNs (netfence treats the others as unfenced). */
  readonly fenced: Uint8Array
  /** Health targets and admin state per candidate. */
  readonly health: readonly (readonly string[])[]
  readonly admin: Uint8Array
}

/** Settings of a pool that the filters and the selector read. */
export interface PoolSettings {
  readonly ttlMax: number
  readonly ttlMin: number
  /** 0 when unset: fail only when nothing is up. */
  readonly threshold: number
  readonly thresholdByWeight: boolean
  readonly onAllDown: number
  /** For `OUTCOME_FALLBACK`. */
  fallback: CompiledPool | undefined
  readonly maxAnswers: number
  readonly ignoreHealth: boolean
  readonly ignoreEcs: boolean
}

/** A validated, compiled pool. */
export class CompiledPool {
  readonly name: string
  readonly kind: 'address' | 'cname'
  /** The answers of a leaf pool (empty for a composite). */
  readonly answers: readonly Answer[]
  /** The member pools of a composite (empty for a leaf). */
  members: readonly CompiledPool[] = []
  readonly table: CandidateTable
  readonly settings: PoolSettings
  filters: readonly Filter[] = []
  /** Index of the first filter that reads the query (client, randomness, counters). */
  firstDynamic = 0
  /** One variant (CNAME pools) or two (index 0 for A, 1 for AAAA). */
  variants: readonly Variant[] = []
  /** Scratch, one per pool: pools never nest inside themselves, so one query never reuses it twice at once. */
  readonly cand: Int32Array
  readonly tmp: Int32Array
  readonly keys: Float64Array
  readonly keys2: Float64Array
  readonly mark: Uint8Array

  constructor(
    name: string,
    kind: 'address' | 'cname',
    answers: readonly Answer[],
    table: CandidateTable,
    settings: PoolSettings,
  ) {
    this.name = name
    this.kind = kind
    this.answers = answers
    this.table = table
    this.settings = settings
    const size = Math.max(1, table.ids.length)
    this.cand = new Int32Array(size)
    this.tmp = new Int32Array(size)
    this.keys = new Float64Array(size)
    this.keys2 = new Float64Array(size)
    this.mark = new Uint8Array(size)
  }

  /** Whether this pool's candidates are other pools. */
  get composite(): boolean {
    return this.answers.length === 0
  }

  /** The variant a query type reads: A → IPv4, AAAA → IPv6, any type for CNAME pools. */
  variantFor(qtype: number): Variant | undefined {
    if (this.kind === 'cname') return this.variants[0]
    if (qtype === 1) return this.variants[0]
    if (qtype === 28) return this.variants[1]
    return undefined
  }
}
