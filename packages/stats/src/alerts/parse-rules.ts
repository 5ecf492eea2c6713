import { invalidArgument } from '@shoal/core'
import { describeValue, tryParseDuration } from '../time/duration.js'
import { type AlertRule, COMPARATORS, type Comparator } from './alert-rule.js'

const ID = /^[A-Za-z0-9._:-]{1,128}$/
const FIELDS = [
  'id',
  'metric',
  'window',
  'comparator',
  'threshold',
  'for',
  'resolveThreshold',
  'cooldown',
  'dedupKey',
  'description',
  'labels',
] as const
const KNOWN: ReadonlySet<string> = new Set(FIELDS)
/** The most rules {@link parseAlertRules} accepts. */
export const MAX_ALERT_RULES = 10_000
const MAX_LABELS = 64

/**
 * Checks one rule read from JSON (an {@link AlertRuleSpec}-shaped value) and returns it with
 * durations in milliseconds and defaults filled in, frozen. Throws `ERR_INVALID_ARGUMENT` with a
 * message naming the rule and the field, e.g.
 * "rule 5xx-burst: window must be a duration like '1m', got 'soon'".
 *
 * @param input - the rule
 * @param position - its 0-based position in a list, used to name a rule whose id is unusable
 */
export function parseAlertRule(input: unknown, position?: number): AlertRule {
  const where = position === undefined ? 'rule' : `rule #${position + 1}`
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw invalidArgument(`${where} must be an object, got ${describeValue(input)}`)
  const spec = input as Record<string, unknown>
  const id = spec.id
  if (typeof id !== 'string' || !ID.test(id))
    throw invalidArgument(
      `${where}: id must be 1 to 128 letters, digits, '.', '_', ':' or '-', got ${describeValue(id)}`,
    )
  const fail = (message: string) => invalidArgument(`rule ${id}: ${message}`, { rule: id })
  for (const key of Object.keys(spec))
    if (!KNOWN.has(key)) throw fail(`unknown field '${key}' (fields: ${FIELDS.join(', ')})`)

  const metric = spec.metric
  if (typeof metric !== 'string' || metric.length === 0 || metric.length > 128)
    throw fail(`metric must be a metric name (a non-empty string), got ${describeValue(metric)}`)

  const duration = (key: 'window' | 'for' | 'cooldown', fallback: number | undefined): number => {
    const value = spec[key]
    if (value === undefined && fallback !== undefined) return fallback
    const ms = tryParseDuration(value)
    if (ms === undefined) throw fail(`${key} must be a duration like '1m', got ${describeValue(value)}`)
    return ms
  }
  const window = duration('window', undefined)
  if (window === 0) throw fail(`window must be longer than zero, got ${describeValue(spec.window)}`)

  const comparator = spec.comparator
  if (typeof comparator !== 'string' || !(COMPARATORS as readonly string[]).includes(comparator))
    throw fail(
      `comparator must be one of ${COMPARATORS.map((c) => `'${c}'`).join(', ')}, got ${describeValue(comparator)}`,
    )
  const cmp = comparator as Comparator

  const threshold = spec.threshold
  if (typeof threshold !== 'number' || !Number.isFinite(threshold))
    throw fail(`threshold must be a finite number, got ${describeValue(threshold)}`)

  const holdFor = duration('for', 0)
  const cooldown = duration('cooldown', 0)

  const resolveThreshold = spec.resolveThreshold ?? threshold
  if (typeof resolveThreshold !== 'number' || !Number.isFinite(resolveThreshold))
    throw fail(`resolveThreshold must be a finite number, got ${describeValue(resolveThreshold)}`)
  const above = cmp === '>' || cmp === '>='
  if (above ? resolveThreshold > threshold : resolveThreshold < threshold)
    throw fail(
      `resolveThreshold must be ${above ? 'at most' : 'at least'} the threshold (${threshold}) for comparator '${cmp}', got ${resolveThreshold}`,
    )

  const dedupKey = spec.dedupKey ?? id
  if (typeof dedupKey !== 'string' || dedupKey.length === 0 || dedupKey.length > 256)
    throw fail(
      `dedupKey must be a non-empty string of at most 256 characters, got ${describeValue(dedupKey)}`,
    )

  const description = spec.description
  if (description !== undefined && (typeof description !== 'string' || description.length > 1024))
    throw fail(`description must be a string of at most 1024 characters, got ${describeValue(description)}`)

  const labels = checkLabels(spec.labels, fail)

  const rule: AlertRule = {
    id,
    metric,
    window,
    comparator: cmp,
    threshold,
    for: holdFor,
    resolveThreshold,
    cooldown,
    dedupKey,
    ...(description === undefined ? {} : { description }),
    ...(labels === undefined ? {} : { labels }),
  }
  return Object.freeze(rule)
}

/**
 * Checks a list of rules: JSON text, an array, or an object with a `rules` array. Returns the
 * checked rules; throws `ERR_INVALID_ARGUMENT` for the first problem found (invalid JSON, a bad
 * rule, two rules with the same id).
 */
export function parseAlertRules(input: unknown): AlertRule[] {
  let value = input
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch (err) {
      throw invalidArgument(
        `alert rules are not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
      )
    }
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'rules' in value)
    value = (value as { rules: unknown }).rules
  if (!Array.isArray(value))
    throw invalidArgument(
      `alert rules must be an array of rules or { "rules": [...] }, got ${describeValue(value)}`,
    )
  if (value.length > MAX_ALERT_RULES)
    throw invalidArgument(`at most ${MAX_ALERT_RULES} alert rules are accepted, got ${value.length}`)
  const seen = new Map<string, number>()
  return value.map((item, i) => {
    const rule = parseAlertRule(item, i)
    const first = seen.get(rule.id)
    if (first !== undefined)
      throw invalidArgument(`rule ${rule.id}: id is used twice (rules #${first + 1} and #${i + 1})`, {
        rule: rule.id,
      })
    seen.set(rule.id, i)
    return rule
  })
}

function checkLabels(
  value: unknown,
  fail: (message: string) => Error,
): Readonly<Record<string, string>> | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw fail(`labels must be an object of string values, got ${describeValue(value)}`)
  const entries = Object.entries(value)
  if (entries.length > MAX_LABELS)
    throw fail(`labels must have at most ${MAX_LABELS} entries, got ${entries.length}`)
  for (const [key, label] of entries)
    if (typeof label !== 'string') throw fail(`label '${key}' must be a string, got ${describeValue(label)}`)
  return Object.freeze(Object.fromEntries(entries) as Record<string, string>)
}
