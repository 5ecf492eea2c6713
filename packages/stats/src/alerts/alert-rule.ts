import type { Duration } from '../time/duration.js'

/** How a rule compares its metric with the threshold. */
export type Comparator = '>' | '>=' | '<' | '<='

/** Every {@link Comparator}. */
export const COMPARATORS: readonly Comparator[] = Object.freeze(['>', '>=', '<', '<='])

/**
 * An alert rule as written in JSON (durations as milliseconds or text such as `'1m'`). Read and
 * check it with `parseAlertRule` / `parseAlertRules`, which return an {@link AlertRule}.
 *
 * @example
 * ```json
 * { "id": "5xx-burst", "metric": "status5xx", "window": "10s", "comparator": ">=", "threshold": 5,
 *   "for": "20s", "resolveThreshold": 2, "cooldown": "5m", "dedupKey": "http-5xx" }
 * ```
 */
export interface AlertRuleSpec {
  /** Unique id: letters, digits, `.`, `_`, `:` or `-` (at most 128 characters). */
  readonly id: string
  /** Name of the metric, looked up in what the engine's `metrics` function returns. */
  readonly metric: string
  /** The window the metric is computed over (positive). */
  readonly window: Duration
  /** How the metric is compared with `threshold`. */
  readonly comparator: Comparator
  /** The value that makes the condition hold. */
  readonly threshold: number
  /** How long the condition must hold before the rule fires (default 0: at once). */
  readonly for?: Duration | undefined
  /**
   * Hysteresis: a firing rule resolves only once the metric no longer compares true with this
   * value (default: `threshold`). On the safe side of `threshold`: at most it for `>`/`>=`, at
   * least it for `<`/`<=`.
   */
  readonly resolveThreshold?: number | undefined
  /** The least time between two firings with the same `dedupKey` (default 0). */
  readonly cooldown?: Duration | undefined
  /**
   * Rules with the same key fire one at a time and share their cooldown; sinks receive the key
   * to deduplicate notifications (default: the rule's `id`).
   */
  readonly dedupKey?: string | undefined
  /** What the rule is about, for people. */
  readonly description?: string | undefined
  /** Extra key/value labels passed on with every transition. */
  readonly labels?: Readonly<Record<string, string>> | undefined
}

/** A checked rule: durations in milliseconds and every default filled in. */
export interface AlertRule extends AlertRuleSpec {
  /** Window in milliseconds. */
  readonly window: number
  /** Hold time in milliseconds. */
  readonly for: number
  /** Resolve threshold. */
  readonly resolveThreshold: number
  /** Cooldown in milliseconds. */
  readonly cooldown: number
  /** Deduplication key. */
  readonly dedupKey: string
}

/** Whether `value comparator threshold` holds. */
export function compare(value: number, comparator: Comparator, threshold: number): boolean {
  switch (comparator) {
    case '>':
      return value > threshold
    case '>=':
      return value >= threshold
    case '<':
      return value < threshold
    case '<=':
      return value <= threshold
  }
}
