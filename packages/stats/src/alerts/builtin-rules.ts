import type { Duration } from '../time/duration.js'
import type { AlertRule, AlertRuleSpec } from './alert-rule.js'
import { parseAlertRule } from './parse-rules.js'

/**
 * The built-in "tell me when 500s happen" rule as JSON data: at least 5 responses with a 5xx
 * status (metric `status5xx`) within 10 s, holding for 20 s, resolving once fewer than 2 remain
 * in the window, at most one firing per 5 minutes.
 */
export const HTTP_5XX_BURST: AlertRuleSpec = Object.freeze({
  id: '5xx-burst',
  metric: 'status5xx',
  window: '10s',
  comparator: '>=',
  threshold: 5,
  for: '20s',
  resolveThreshold: 2,
  cooldown: '5m',
  dedupKey: 'http-5xx',
  description: '5xx responses above the threshold over the window',
})

/** Overrides of {@link http5xxBurstRule}. */
export interface Http5xxBurstOptions {
  /** Rule id (default `'5xx-burst'`). */
  readonly id?: string | undefined
  /** Metric counting 5xx responses in a window (default `'status5xx'`). */
  readonly metric?: string | undefined
  /** Fire at this many 5xx responses or more (default 5). */
  readonly threshold?: number | undefined
  /** Resolve below this many (default 2, or `threshold` if that is lower). */
  readonly resolveThreshold?: number | undefined
  /** The window (default `'10s'`). */
  readonly window?: Duration | undefined
  /** How long the burst must last (default `'20s'`). */
  readonly for?: Duration | undefined
  /** The least time between firings (default `'5m'`). */
  readonly cooldown?: Duration | undefined
  /** Dedup key (default `'http-5xx'`). */
  readonly dedupKey?: string | undefined
}

/**
 * The built-in 5xx rule ({@link HTTP_5XX_BURST}) with `overrides`, checked. Throws
 * `ERR_INVALID_ARGUMENT` for invalid overrides.
 *
 * @example
 * ```ts
 * http5xxBurstRule({ threshold: 1, for: 0 }) // fire on the first 500
 * ```
 */
export function http5xxBurstRule(overrides: Http5xxBurstOptions = {}): AlertRule {
  const threshold = overrides.threshold ?? HTTP_5XX_BURST.threshold
  const spec: Record<string, unknown> = { ...HTTP_5XX_BURST }
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) spec[key] = value
  if (overrides.resolveThreshold === undefined)
    spec.resolveThreshold = Math.min(threshold, HTTP_5XX_BURST.resolveThreshold ?? threshold)
  return parseAlertRule(spec)
}
