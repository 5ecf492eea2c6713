import { type CompiledPool, OUTCOME_ANSWER, OUTCOME_FALLBACK, OUTCOME_NODATA, type Variant } from './pool.js'
import type { RunState } from './state.js'

/**
 * Runs one pool for the query in `s` and leaves the result there: `resultPool`, `resultCand` and
 * `resultLen` (the answering leaf and its candidates), or an `outcome` other than an answer.
 * A query starts from the candidates its epoch computed, so only the chain's dynamic filters run.
 */
export function evaluatePool(pool: CompiledPool, s: RunState): void {
  const v = pool.variantFor(s.qtype)
  if (v === undefined || v.base.length === 0) {
    s.outcome = OUTCOME_NODATA
    setResult(pool, s, 0)
    if (s.trace !== undefined) step(pool, s, '-', 0, `no candidates for query type ${s.qtype}`)
    return
  }
  const cand = pool.cand
  let len: number
  let start: number
  if (s.fullRun) {
    len = v.base.length
    for (let i = 0; i < len; i++) cand[i] = v.base[i] as number
    start = 0
    if (s.trace !== undefined) step(pool, s, 'candidates', len, undefined)
  } else {
    len = v.len
    const from = v.cand
    for (let i = 0; i < len; i++) cand[i] = from[i] as number
    if (v.degraded) s.degraded = true
    if (v.staticFailed) s.failed = true
    start = pool.firstDynamic
    if (v.outcome !== OUTCOME_ANSWER) {
      s.outcome = v.outcome
      s.fallbackFrom = pool
      finish(pool, s)
      return
    }
  }
  runFilters(pool, v, start, len, s)
}

/** Runs the filters of `pool` from index `from` on the candidates already in `pool.cand`. */
function runFilters(pool: CompiledPool, v: Variant, from: number, len: number, s: RunState): void {
  const filters = pool.filters
  const cand = pool.cand
  for (let i = from; i < filters.length; i++) {
    const filter = filters[i]
    if (filter === undefined) break
    if (s.trace !== undefined) {
      s.note = undefined
      s.stepScope = -1
    }
    len = filter.apply(pool, v, cand, len, s)
    if (s.trace !== undefined) step(pool, s, `${i}:${filter.name}`, len, s.note)
    if (s.outcome !== OUTCOME_ANSWER) {
      finish(pool, s)
      return
    }
  }
  // a composite's last filter (failover or spillover) has set the result already
  if (pool.composite) return
  const max = pool.settings.maxAnswers
  if (len > max) len = max
  setResult(pool, s, len)
  if (len === 0) s.outcome = OUTCOME_NODATA
}

function finish(pool: CompiledPool, s: RunState): void {
  if (s.outcome === OUTCOME_FALLBACK) {
    const target = (s.fallbackFrom ?? pool).settings.fallback
    s.fallbackFrom = undefined
    if (target !== undefined) {
      s.outcome = OUTCOME_ANSWER
      s.failed = true
      s.degraded = true
      if (s.trace !== undefined) step(pool, s, 'onAllDown', 0, `answering from pool ${target.name}`)
      evaluatePool(target, s)
      return
    }
    s.outcome = OUTCOME_NODATA
  }
  setResult(pool, s, 0)
}

function setResult(pool: CompiledPool, s: RunState, len: number): void {
  s.resultPool = pool
  s.resultCand = pool.cand
  s.resultLen = len
}

function step(pool: CompiledPool, s: RunState, filter: string, len: number, note: string | undefined): void {
  const ids = pool.table.ids
  const candidates: string[] = []
  for (let i = 0; i < len; i++) candidates.push(ids[pool.cand[i] as number] as string)
  const entry: { pool: string; filter: string; candidates: string[]; scope?: number; note?: string } = {
    pool: pool.name,
    filter,
    candidates,
  }
  if (s.stepScope >= 0) entry.scope = s.stepScope
  if (note !== undefined) entry.note = note
  s.trace?.push(entry)
  s.stepScope = -1
}
