import { isShoalError } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import { HTTP_5XX_BURST, http5xxBurstRule } from '../src/alerts/builtin-rules.js'
import { parseAlertRule, parseAlertRules } from '../src/alerts/parse-rules.js'

function message(run: () => unknown): string {
  try {
    run()
  } catch (err) {
    expect(isShoalError(err, 'ERR_INVALID_ARGUMENT')).toBe(true)
    return (err as Error).message
  }
  throw new Error('did not throw')
}

const base = { id: '5xx-burst', metric: 'status5xx', window: '1m', comparator: '>', threshold: 10 }

describe('alert rule parsing', () => {
  it('reads durations, fills defaults and freezes the rule', () => {
    const rule = parseAlertRule({ ...base, for: '30s', cooldown: 300_000, labels: { team: 'web' } })
    expect(rule).toEqual({
      id: '5xx-burst',
      metric: 'status5xx',
      window: 60_000,
      comparator: '>',
      threshold: 10,
      for: 30_000,
      resolveThreshold: 10,
      cooldown: 300_000,
      dedupKey: '5xx-burst',
      labels: { team: 'web' },
    })
    expect(Object.isFrozen(rule)).toBe(true)
    // a checked rule is a valid spec: parsing it again changes nothing
    expect(parseAlertRule(rule)).toEqual(rule)
  })

  it('reads lists as JSON text, arrays or { rules }', () => {
    const text = JSON.stringify({
      rules: [base, { ...base, id: 'slow', metric: 'latencyP99', comparator: '>=' }],
    })
    expect(parseAlertRules(text).map((r) => r.id)).toEqual(['5xx-burst', 'slow'])
    expect(parseAlertRules([base])).toHaveLength(1)
  })

  it('gives messages that name the rule and the field', () => {
    expect(message(() => parseAlertRule({ ...base, window: 'soon' }))).toBe(
      "rule 5xx-burst: window must be a duration like '1m', got 'soon'",
    )
    expect(message(() => parseAlertRule({ ...base, window: 0 }))).toBe(
      'rule 5xx-burst: window must be longer than zero, got 0',
    )
    expect(message(() => parseAlertRule({ ...base, for: '-5s' }))).toBe(
      "rule 5xx-burst: for must be a duration like '1m', got '-5s'",
    )
    expect(message(() => parseAlertRule({ ...base, comparator: '=>' }))).toBe(
      "rule 5xx-burst: comparator must be one of '>', '>=', '<', '<=', got '=>'",
    )
    expect(message(() => parseAlertRule({ ...base, threshold: '10' }))).toBe(
      "rule 5xx-burst: threshold must be a finite number, got '10'",
    )
    expect(message(() => parseAlertRule({ ...base, resolveThreshold: 12 }))).toBe(
      "rule 5xx-burst: resolveThreshold must be at most the threshold (10) for comparator '>', got 12",
    )
    expect(message(() => parseAlertRule({ ...base, comparator: '<', resolveThreshold: 8 }))).toBe(
      "rule 5xx-burst: resolveThreshold must be at least the threshold (10) for comparator '<', got 8",
    )
    expect(message(() => parseAlertRule({ ...base, treshold: 3 }))).toMatch(
      /^rule 5xx-burst: unknown field 'treshold' \(fields: id, metric, window, /,
    )
    expect(message(() => parseAlertRule({ ...base, metric: '' }))).toBe(
      "rule 5xx-burst: metric must be a metric name (a non-empty string), got ''",
    )
    expect(message(() => parseAlertRule({ ...base, labels: { team: 7 } }))).toBe(
      "rule 5xx-burst: label 'team' must be a string, got 7",
    )
    expect(message(() => parseAlertRules([base, { ...base, id: 'bad id' }]))).toBe(
      "rule #2: id must be 1 to 128 letters, digits, '.', '_', ':' or '-', got 'bad id'",
    )
    expect(message(() => parseAlertRules([base, 'x']))).toBe("rule #2 must be an object, got 'x'")
    expect(message(() => parseAlertRules([base, base]))).toBe(
      'rule 5xx-burst: id is used twice (rules #1 and #2)',
    )
    expect(message(() => parseAlertRules('[{'))).toMatch(/^alert rules are not valid JSON: /)
    expect(message(() => parseAlertRules({ rule: [] }))).toBe(
      'alert rules must be an array of rules or { "rules": [...] }, got an object',
    )
  })

  it('has the 5xx burst rule built in, as data', () => {
    expect(parseAlertRule(HTTP_5XX_BURST)).toMatchObject({
      id: '5xx-burst',
      metric: 'status5xx',
      window: 10_000,
      comparator: '>=',
      threshold: 5,
      for: 20_000,
      resolveThreshold: 2,
      cooldown: 300_000,
      dedupKey: 'http-5xx',
    })
    expect(JSON.parse(JSON.stringify(HTTP_5XX_BURST))).toEqual(HTTP_5XX_BURST)
    expect(http5xxBurstRule({ threshold: 1, for: 0, window: '1m' })).toMatchObject({
      threshold: 1,
      resolveThreshold: 1,
      for: 0,
      window: 60_000,
    })
    expect(message(() => http5xxBurstRule({ window: 'soon' }))).toBe(
      "rule 5xx-burst: window must be a duration like '1m', got 'soon'",
    )
  })
})
