import type { Comparator } from './alert-rule.js'
import type { AlertState } from './alert-state.js'

/** A rule changing state at one evaluation: what sinks, listeners and iterators receive. Plain JSON data. */
export interface AlertTransition {
  /** The rule. */
  readonly ruleId: string
  /** The rule's dedup key (its id unless set). */
  readonly dedupKey: string
  /** The state before. */
  readonly from: AlertState
  /** The state after. */
  readonly to: AlertState
  /** Event time of the evaluation: the end of the pane whose closing triggered it. */
  readonly atMs: number
  /** The metric's value at this evaluation (`null`: no data). */
  readonly value: number | null
  /** The metric's name. */
  readonly metric: string
  /** The rule's window in milliseconds. */
  readonly windowMs: number
  /** The rule's comparator. */
  readonly comparator: Comparator
  /** The fire threshold. */
  readonly threshold: number
  /** The resolve threshold. */
  readonly resolveThreshold: number
  /** When the condition started to hold (pending and firing), or when the rule resolved. */
  readonly sinceMs: number | undefined
  /** Rises by one with each transition of the engine, from 1. */
  readonly sequence: number
  /** The rule's description, if it has one. */
  readonly description?: string | undefined
  /** The rule's labels, if it has any. */
  readonly labels?: Readonly<Record<string, string>> | undefined
}
