import { evaluatePool } from '../evaluate.js'
import type { Filter } from '../filter.js'
import {
  type CompiledPool,
  OUTCOME_ALL,
  OUTCOME_ANSWER,
  OUTCOME_FALLBACK,
  OUTCOME_NODATA,
  UP,
  type Variant,
} from '../pool.js'
import type { RunState } from '../state.js'

const SERVED = 0
const FAILED = 1
const EMPTY = 2
const TWO_32 = 4294967296

/**
 * `failover` (k = 0) and `spillover(k)`, the last filter of a composite pool: answers with the
 * members in the order the chain left them. Failover takes the first member that is up and answers
 * (gdnsd's metafo). Spillover takes the first member too, but when it has failed, spreads its
 * clients over the next `k` working members by weight instead of piling them onto the next one
 * (gdnsd#126). When no member can answer the composite has failed: its `onAllDown` applies, and
 * `all` answers from the first member whatever its state, as gdnsd does; a parent sees the failure.
 */
export class FailoverFilter implements Filter {
  readonly name: 'failover' | 'spillover'
  readonly dynamic = true
  readonly #k: number

  constructor(k: number) {
    this.#k = k
    this.name = k === 0 ? 'failover' : 'spillover'
  }

  apply(pool: CompiledPool, v: Variant, cand: Int32Array, len: number, s: RunState): number {
    const failedBefore = s.failed
    if (len === 0) {
      s.outcome = OUTCOME_NODATA
      return 0
    }
    const state = v.state
    let anyFailed = false
    let notes: string[] | undefined = s.trace === undefined ? undefined : []
    if (this.#k === 0) {
      for (let i = 0; i < len; i++) {
        const m = cand[i] as number
        if (state[m] !== UP) {
          anyFailed = true
          s.degraded = true
          notes?.push(`${pool.table.ids[m]} down`)
          continue
        }
        const result = tryMember(pool, m, s, failedBefore)
        if (result === SERVED) return served(pool, cand, m, s, notes)
        anyFailed ||= result === FAILED
        notes?.push(`${pool.table.ids[m]} ${result === FAILED ? 'failed' : 'empty'}`)
      }
    } else {
      const first = cand[0] as number
      if (state[first] === UP) {
        const result = tryMember(pool, first, s, failedBefore)
        if (result === SERVED) return served(pool, cand, first, s, notes)
        anyFailed ||= result === FAILED
        notes?.push(`${pool.table.ids[first]} ${result === FAILED ? 'failed' : 'empty'}`)
      } else {
        anyFailed = true
        s.degraded = true
        notes?.push(`${pool.table.ids[first]} down`)
      }
      // the window: positions of the next k members that are up, refilled in order as they fail
      const window = pool.tmp
      const weight = pool.table.weight
      let size = 0
      let next = 1
      const refill = () => {
        while (size < this.#k && next < len) {
          const m = cand[next] as number
          if (state[m] === UP) window[size++] = next
          else {
            anyFailed = true
            notes?.push(`${pool.table.ids[m]} down`)
          }
          next++
        }
      }
      refill()
      if (notes !== undefined && size > 0) {
        const spread = Array.from(window.subarray(0, size), (p) => pool.table.ids[cand[p] as number])
        notes.push(`spilling over ${spread.join(', ')}`)
      }
      while (size > 0) {
        let total = 0
        for (let j = 0; j < size; j++) total += weight[cand[window[j] as number] as number] as number
        let point = ((s.random.uint32() + 0.5) / TWO_32) * total
        let pick = size - 1
        for (let j = 0; j < size; j++) {
          point -= weight[cand[window[j] as number] as number] as number
          if (point < 0) {
            pick = j
            break
          }
        }
        const m = cand[window[pick] as number] as number
        const result = tryMember(pool, m, s, failedBefore)
        if (result === SERVED) return served(pool, cand, m, s, notes)
        anyFailed ||= result === FAILED
        notes?.push(`${pool.table.ids[m]} ${result === FAILED ? 'failed' : 'empty'}`)
        for (let j = pick; j < size - 1; j++) window[j] = window[j + 1] as number
        size--
        refill()
      }
    }
    if (!anyFailed) {
      // every member was up but had nothing for this client
      s.failed = failedBefore
      s.outcome = OUTCOME_NODATA
      if (notes !== undefined) s.note = `${notes.join('; ')}; no member answers`
      return 0
    }
    s.failed = true
    s.degraded = true
    const onAllDown = pool.settings.onAllDown
    if (notes !== undefined) s.note = `${notes.join('; ')}; every member failed`
    notes = undefined
    if (onAllDown !== OUTCOME_ALL) {
      s.outcome = onAllDown === OUTCOME_FALLBACK ? OUTCOME_FALLBACK : onAllDown
      s.fallbackFrom = pool
      return 0
    }
    // fail open: the first member's own answer (its fail-open, or its onAllDown outcome)
    s.outcome = OUTCOME_ANSWER
    evaluatePool(pool.members[cand[0] as number] as CompiledPool, s)
    s.failed = true
    return s.outcome === OUTCOME_ANSWER ? 1 : 0
  }
}

function tryMember(pool: CompiledPool, m: number, s: RunState, failedBefore: boolean): number {
  s.failed = false
  s.outcome = OUTCOME_ANSWER
  s.resultPool = undefined
  s.resultLen = 0
  evaluatePool(pool.members[m] as CompiledPool, s)
  if (s.outcome === OUTCOME_ANSWER && s.resultLen > 0 && !s.failed) {
    s.failed = failedBefore
    return SERVED
  }
  return s.failed ? FAILED : EMPTY
}

/** Puts the answering member first (what an explanation shows) and reports one candidate left. */
function served(
  pool: CompiledPool,
  cand: Int32Array,
  m: number,
  s: RunState,
  notes: string[] | undefined,
): number {
  cand[0] = m
  if (notes !== undefined) {
    notes.push(`answering from ${pool.table.ids[m]}`)
    s.note = notes.join('; ')
  }
  return 1
}
