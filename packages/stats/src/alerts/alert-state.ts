import { type AlertRule, compare } from './alert-rule.js'

/**
 * Where a rule stands:
 * - `'inactive'`: the condition does not hold;
 * - `'pending'`: it holds, for less than the rule's `for` (or a cooldown or another rule with the
 *   same dedup key holds it back);
 * - `'firing'`: it held long enough; it stays firing until the metric passes the resolve threshold;
 * - `'resolved'`: it stopped firing at the last evaluation; at the next it becomes inactive, or
 *   pending (or firing) again if the condition holds.
 */
export type AlertState = 'inactive' | 'pending' | 'firing' | 'resolved'

/** What one rule remembers between evaluations. */
export interface RuleMemory {
  /** Its state. */
  state: AlertState
  /** When it entered `pending`/`firing` (the condition's start) or `resolved`. */
  sinceMs: number | undefined
  /** When it last fired. */
  firedAtMs: number | undefined
}

/** What rules sharing a dedup key remember together. */
export interface DedupMemory {
  /** When one of them last fired. */
  lastFiredMs: number | undefined
  /** The id of the one firing now, if any. */
  firing: string | undefined
}

/**
 * One evaluation of `rule` at event time `atMs` with metric `value` (`null`: no data, which never
 * satisfies a condition). Updates `memory` and `group` and returns the new state, or `undefined`
 * when the state did not change. A rule whose condition starts to hold goes to `pending`, or
 * straight to `firing` when its `for` is 0 and neither the cooldown nor another rule of the dedup
 * key holds it back.
 */
export function stepAlert(
  rule: AlertRule,
  memory: RuleMemory,
  group: DedupMemory,
  value: number | null,
  atMs: number,
): AlertState | undefined {
  const holds = value !== null && compare(value, rule.comparator, rule.threshold)
  switch (memory.state) {
    case 'firing': {
      if (value !== null && compare(value, rule.comparator, rule.resolveThreshold)) return undefined
      if (group.firing === rule.id) group.firing = undefined
      memory.state = 'resolved'
      memory.sinceMs = atMs
      return 'resolved'
    }
    case 'pending': {
      if (!holds) {
        memory.state = 'inactive'
        memory.sinceMs = undefined
        return 'inactive'
      }
      return tryFire(rule, memory, group, atMs) ? 'firing' : undefined
    }
    default: {
      if (!holds) {
        if (memory.state === 'inactive') return undefined
        memory.state = 'inactive'
        memory.sinceMs = undefined
        return 'inactive'
      }
      memory.sinceMs = atMs
      if (tryFire(rule, memory, group, atMs)) return 'firing'
      memory.state = 'pending'
      return 'pending'
    }
  }
}

function tryFire(rule: AlertRule, memory: RuleMemory, group: DedupMemory, atMs: number): boolean {
  if (memory.sinceMs === undefined || atMs - memory.sinceMs < rule.for) return false
  if (group.firing !== undefined && group.firing !== rule.id) return false
  if (group.lastFiredMs !== undefined && atMs - group.lastFiredMs < rule.cooldown) return false
  memory.state = 'firing'
  memory.firedAtMs = atMs
  group.firing = rule.id
  group.lastFiredMs = atMs
  return true
}
