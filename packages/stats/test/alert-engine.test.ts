import { isShoalError, ManualClock } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import { AlertEngine } from '../src/alerts/alert-engine.js'
import type { AlertRuleSpec } from '../src/alerts/alert-rule.js'
import { callbackSink } from '../src/alerts/alert-sink.js'
import { http5xxBurstRule } from '../src/alerts/builtin-rules.js'
import { EventTimeWindows } from '../src/time/event-time-windows.js'
import { type StatusCounts, statusCounts, statusMetrics } from './time-helpers.js'

/** An engine whose windows answer scripted metric values: `series[name][i]` at `i` seconds. */
function scripted(rules: readonly AlertRuleSpec[], series: Record<string, ReadonlyArray<number | null>>) {
  const engine = new AlertEngine<{ at: number }>({
    rules,
    windows: { window: (_duration, options) => ({ at: options?.endMs ?? 0 }) },
    metrics: ({ at }) =>
      Object.fromEntries(Object.entries(series).map(([name, values]) => [name, values[at / 1_000] ?? null])),
  })
  const log: string[] = []
  engine.addEventListener('transition', ({ detail: t }) =>
    log.push(`${t.atMs / 1_000}s ${t.ruleId} ${t.from}>${t.to}`),
  )
  const run = (seconds: number) => {
    for (let s = 1; s <= seconds; s++) engine.evaluate(s * 1_000)
    return log
  }
  return { engine, run }
}

const rule = (extra: Partial<AlertRuleSpec> = {}): AlertRuleSpec => ({
  id: 'r',
  metric: 'm',
  window: '10s',
  comparator: '>',
  threshold: 10,
  ...extra,
})

describe('alert rules on scripted streams', () => {
  it('goes pending when the condition holds and fires once it held for `for`', () => {
    const { run } = scripted([rule({ for: '3s' })], { m: [null, 20, 20, 20, 20, 20, 0, 0] })
    expect(run(7)).toEqual([
      '1s r inactive>pending',
      '4s r pending>firing',
      '6s r firing>resolved',
      '7s r resolved>inactive',
    ])
  })

  it('starts the hold again when the condition breaks while pending', () => {
    const { run } = scripted([rule({ for: '2s' })], { m: [null, 20, 20, 5, 20, 20, 20] })
    expect(run(6)).toEqual([
      '1s r inactive>pending',
      '3s r pending>inactive',
      '4s r inactive>pending',
      '6s r pending>firing',
    ])
  })

  it('fires at once without `for`', () => {
    const { engine, run } = scripted([rule()], { m: [null, 11] })
    expect(run(1)).toEqual(['1s r inactive>firing'])
    expect(engine.status()[0]).toMatchObject({ state: 'firing', sinceMs: 1_000, firedAtMs: 1_000, value: 11 })
  })

  it('resolves with hysteresis: only once the metric is past the resolve threshold', () => {
    const { run } = scripted([rule({ resolveThreshold: 5 })], { m: [null, 20, 8, 6, 9, 5, 20] })
    expect(run(6)).toEqual(['1s r inactive>firing', '5s r firing>resolved', '6s r resolved>firing'])
  })

  it('respects the cooldown between firings', () => {
    const { run } = scripted([rule({ cooldown: '10s' })], {
      m: [null, 20, 0, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20],
    })
    expect(run(12)).toEqual([
      '1s r inactive>firing',
      '2s r firing>resolved',
      '3s r resolved>pending',
      '11s r pending>firing',
    ])
  })

  it('lets one rule per dedup key fire at a time, sharing the cooldown', () => {
    const rules = [
      rule({ id: 'a', metric: 'x', dedupKey: 'k' }),
      rule({ id: 'b', metric: 'y', dedupKey: 'k', cooldown: '2s' }),
    ]
    const { run } = scripted(rules, { x: [null, 20, 20, 0, 0, 0], y: [null, 20, 20, 20, 20, 20] })
    expect(run(5)).toEqual([
      '1s a inactive>firing',
      '1s b inactive>pending',
      '3s a firing>resolved',
      // b may fire once a resolved and 2 s passed since a fired
      '3s b pending>firing',
      '4s a resolved>inactive',
    ])
  })

  it('treats a missing or null metric as no data, which resolves a firing rule', () => {
    const { run } = scripted([rule()], { m: [null, 20, Number.NaN] })
    expect(run(3)).toEqual(['1s r inactive>firing', '2s r firing>resolved', '3s r resolved>inactive'])
  })

  it('evaluates each event time once, in order', () => {
    const { engine, run } = scripted([rule()], { m: [null, 20, 20] })
    run(2)
    expect(engine.evaluate(2_000)).toEqual([])
    expect(engine.evaluate(1_000)).toEqual([])
    expect(engine.stats.evaluations).toBe(2)
  })

  it('carries the rule in each transition, as plain data', () => {
    const { engine } = scripted([rule({ labels: { team: 'web' }, description: 'too many' })], {
      m: [null, 12],
    })
    const [transition] = engine.evaluate(1_000)
    expect(transition).toEqual({
      ruleId: 'r',
      dedupKey: 'r',
      from: 'inactive',
      to: 'firing',
      atMs: 1_000,
      value: 12,
      metric: 'm',
      windowMs: 10_000,
      comparator: '>',
      threshold: 10,
      resolveThreshold: 10,
      sinceMs: 1_000,
      sequence: 1,
      description: 'too many',
      labels: { team: 'web' },
    })
    expect(JSON.parse(JSON.stringify(transition))).toEqual(transition)
  })
})

describe('AlertEngine', () => {
  it('reports failing metrics and sinks without stopping the evaluation', async () => {
    const errors: string[] = []
    const delivered: string[] = []
    let fail = true
    const engine = new AlertEngine<number>({
      rules: [rule({ for: 0 })],
      windows: { window: () => 0 },
      metrics: () => {
        if (fail) throw new Error('metrics broke')
        return { m: 20 }
      },
      sinks: [
        { deliver: () => Promise.reject(new Error('async sink broke')) },
        {
          deliver: () => {
            throw new Error('sink broke')
          },
        },
        callbackSink((t) => void delivered.push(t.to)),
      ],
      onError: (error, context) => errors.push(`${context.stage}: ${(error as Error).message}`),
    })
    expect(engine.evaluate(1_000)).toEqual([])
    fail = false
    expect(engine.evaluate(2_000).map((t) => t.to)).toEqual(['firing'])
    await Promise.resolve()
    expect(delivered).toEqual(['firing'])
    expect(errors).toEqual(['metrics: metrics broke', 'sink: sink broke', 'sink: async sink broke'])
    expect(engine.stats).toMatchObject({ metricErrors: 1, sinkErrors: 2, transitions: 1 })
  })

  it('filters what a callback sink receives by target state', () => {
    const seen: string[] = []
    const { engine } = scripted([rule({ for: '1s' })], { m: [null, 20, 20, 0, 0] })
    const sink = callbackSink((t) => void seen.push(t.to), { states: ['firing', 'resolved'] })
    engine.addEventListener('transition', ({ detail }) => sink.deliver(detail))
    for (let s = 1; s <= 4; s++) engine.evaluate(s * 1_000)
    expect(seen).toEqual(['firing', 'resolved'])
    expect(() => callbackSink(() => {}, { states: ['on' as 'firing'] })).toThrow("got 'on'")
  })

  it('publishes transitions as an async iterator that ends on close', async () => {
    const { engine } = scripted([rule()], { m: [null, 20, 0] })
    const transitions = engine.transitions()
    engine.evaluate(1_000)
    engine.evaluate(2_000)
    engine.close()
    const seen: string[] = []
    for await (const t of transitions) seen.push(`${t.from}>${t.to}`)
    expect(seen).toEqual(['inactive>firing', 'firing>resolved'])
  })

  it('refuses rules naming metrics the metrics function does not have', () => {
    let caught: unknown
    try {
      new AlertEngine({
        rules: [rule({ id: 'p99', metric: 'latencyP90' })],
        windows: { window: () => 0 },
        metrics: () => ({}),
        knownMetrics: ['requests', 'status5xx', 'latencyP99'],
      })
    } catch (err) {
      caught = err
    }
    expect(isShoalError(caught, 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect((caught as Error).message).toBe(
      "rule p99: metric 'latencyP90' is unknown (known: requests, status5xx, latencyP99)",
    )
  })

  it('runs the built-in 5xx rule over event-time windows, evaluating at pane ends only', () => {
    const windows = new EventTimeWindows<number, StatusCounts>({
      aggregate: statusCounts,
      allowedLateness: 0,
      clock: new ManualClock(),
    })
    let metricCalls = 0
    const engine = new AlertEngine<StatusCounts>({
      rules: [http5xxBurstRule({ window: '5s', for: '3s', cooldown: '1m' })],
      windows,
      metrics: (stats) => {
        metricCalls++
        return statusMetrics(stats)
      },
    })
    engine.attach(windows)
    const log: string[] = []
    engine.addEventListener('transition', ({ detail: t }) =>
      log.push(`${t.atMs / 1_000}s ${t.from}>${t.to} (${t.value})`),
    )
    // 100 requests a second; 2 of them 5xx during seconds 10–19
    for (let s = 0; s < 40; s++)
      for (let i = 0; i < 100; i++) windows.add(s >= 10 && s < 20 && i < 2 ? 503 : 200, s * 1_000 + i * 10)
    // 4 000 events, 40 evaluations: one per closed boundary (0 s, then each pane end 1–39 s)
    expect(engine.stats.evaluations).toBe(40)
    expect(metricCalls).toBe(40)
    expect(log).toEqual([
      '13s inactive>pending (6)', // panes 8–12 s: 6 errors ≥ 5
      '16s pending>firing (10)', // held 3 s
      '25s firing>resolved (0)', // panes 19–23 s still had 2 (not below the resolve threshold 2)
      '26s resolved>inactive (0)',
    ])
  })
})
