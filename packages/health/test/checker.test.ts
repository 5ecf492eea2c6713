import { type HealthSource, isShoalError, ManualClock, type TargetStateChange } from '@shoal/core'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { HealthChecker, type HealthCheckerOptions } from '../src/health-checker.js'
import { drive, flush, scriptedCheck } from './helpers.js'

const checkers: HealthChecker[] = []

afterEach(async () => {
  for (const checker of checkers.splice(0)) await checker.stop()
})

function make(clock: ManualClock, options: HealthCheckerOptions = {}): HealthChecker {
  const checker = new HealthChecker({ clock, seed: 1, ...options })
  checkers.push(checker)
  return checker
}

function record(checker: HealthChecker): TargetStateChange[] {
  const changes: TargetStateChange[] = []
  checker.subscribe((change) => changes.push(change))
  return changes
}

const EXACT = { interval: 1000, timeout: 500, jitter: 0 } as const

describe('startup', () => {
  it("'first-round': no state until the first result, which sets it directly; ready() waits for every target", async () => {
    const clock = new ManualClock()
    const script = scriptedCheck(clock)
    script.set('b', 'fail')
    script.set('c', { after: 300 })
    const checker = make(clock, { defaults: EXACT })
    const changes = record(checker)
    for (const name of ['a', 'b', 'c']) checker.add(name, { check: script.check })
    checker.add('plain') // no active check: up at once
    expect(checker.stateOf('a')).toBeUndefined()
    expect(checker.stateOf('plain')).toBe('up')
    let ready = false
    void checker.ready().then(() => {
      ready = true
    })
    await checker.start()
    await flush()
    expect(checker.stateOf('a')).toBe('up')
    expect(checker.stateOf('b')).toBe('down')
    expect(checker.stateOf('c')).toBeUndefined()
    expect(ready).toBe(false)
    await drive(clock, 300)
    expect(checker.stateOf('c')).toBe('up')
    expect(ready).toBe(true)
    expect(changes.map((c) => [c.target, c.state, c.previous, c.reason])).toEqual([
      ['plain', 'up', undefined, 'no active check'],
      ['a', 'up', undefined, 'first check passed'],
      ['b', 'down', undefined, 'first check failed: check returned false'],
      ['c', 'up', undefined, 'first check passed'],
    ])
    await expect(checker.ready()).resolves.toBeUndefined()
  })

  it("'up': up at once, and down only after `fall` consecutive failures (HAProxy fully-up)", async () => {
    const clock = new ManualClock()
    const script = scriptedCheck(clock, 'fail')
    const checker = make(clock, { assume: 'up', defaults: { ...EXACT, fall: 3 } })
    checker.add('a', { check: script.check })
    expect(checker.stateOf('a')).toBe('up')
    await checker.ready()
    const changes = record(checker)
    await checker.start()
    await drive(clock, 1900)
    expect(checker.stateOf('a')).toBe('up')
    expect(checker.status('a')?.progress).toEqual([2, 3])
    await drive(clock, 100) // the third probe, at 2000
    expect(checker.stateOf('a')).toBe('down')
    expect(changes).toEqual([
      {
        target: 'a',
        state: 'down',
        previous: 'up',
        reason: '3 consecutive checks failed: check returned false',
        time: 2000,
      },
    ])
  })

  it("'down': down at once, and up only after `rise` consecutive passes", async () => {
    const clock = new ManualClock()
    const script = scriptedCheck(clock)
    const checker = make(clock, { assume: 'down', defaults: { ...EXACT, rise: 2 } })
    checker.add('a', { check: script.check })
    expect(checker.stateOf('a')).toBe('down')
    await checker.start()
    await drive(clock, 900)
    expect(checker.stateOf('a')).toBe('down')
    await drive(clock, 100)
    expect(checker.stateOf('a')).toBe('up')
    expect(checker.status('a')?.reason).toBe('2 consecutive checks passed')
  })
})

describe('thresholds over time', () => {
  it('flaps are damped: a target that fails every other probe stays up with fall 2', async () => {
    const clock = new ManualClock()
    const script = scriptedCheck(clock)
    const checker = make(clock, { defaults: { ...EXACT, rise: 2, fall: 2 } })
    const changes = record(checker)
    checker.add('a', { check: script.check })
    await checker.start()
    await flush()
    for (let i = 0; i < 10; i++) {
      script.set('a', i % 2 === 0 ? 'fail' : 'pass')
      await drive(clock, 1000)
    }
    expect(changes.map((c) => c.state)).toEqual(['up'])
    script.set('a', 'fail')
    await drive(clock, 2000)
    expect(changes.map((c) => c.state)).toEqual(['up', 'down'])
    expect(checker.status('a')?.failed).toBe(7)
  })

  it('applies gdnsd anti-flap when asked: isolated failures add up to down_thresh', async () => {
    const clock = new ManualClock()
    const script = scriptedCheck(clock)
    const checker = make(clock, {
      assume: 'up',
      defaults: { ...EXACT, antiFlap: { upThresh: 3, okThresh: 3, downThresh: 3 } },
    })
    checker.add('a', { check: script.check })
    await checker.start()
    // fail, pass, fail, pass, fail: three failures without three passes in a row
    for (const how of ['fail', 'pass', 'fail', 'pass'] as const) {
      script.set('a', how)
      await drive(clock, 1000)
    }
    expect(checker.stateOf('a')).toBe('up')
    script.set('a', 'fail')
    await drive(clock, 1000)
    expect(checker.stateOf('a')).toBe('down')
    expect(checker.status('a')?.reason).toBe(
      '3 checks failed without 3 passing in a row: check returned false',
    )
    script.set('a', 'pass')
    await drive(clock, 2000)
    expect(checker.stateOf('a')).toBe('down')
    await drive(clock, 1000)
    expect(checker.stateOf('a')).toBe('up')
  })

  it('per-target settings override the defaults', async () => {
    const clock = new ManualClock()
    const script = scriptedCheck(clock)
    const checker = make(clock, { defaults: EXACT })
    checker.add('slow', { check: script.check, interval: 3000 })
    checker.add('fast', { check: script.check })
    await checker.start()
    await drive(clock, 6000)
    expect(script.startsOf('slow')).toEqual([0, 3000, 6000])
    expect(script.startsOf('fast')).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000])
  })
})

describe('timeouts and pile-ups', () => {
  it('a probe past its timeout is aborted with ERR_CHECK_TIMEOUT and counts as failed', async () => {
    const clock = new ManualClock()
    const script = scriptedCheck(clock, 'hang')
    const checker = make(clock, { defaults: EXACT })
    checker.add('a', { check: script.check })
    await checker.start()
    await drive(clock, 450)
    expect(script.probes[0]?.signal.aborted).toBe(false)
    await drive(clock, 50)
    const signal = script.probes[0]?.signal
    expect(signal?.aborted).toBe(true)
    expect(isShoalError(signal?.reason, 'ERR_CHECK_TIMEOUT')).toBe(true)
    expect(checker.stateOf('a')).toBe('down')
    expect(checker.status('a')?.lastProbe).toEqual({
      ok: false,
      time: 500,
      durationMs: 500,
      reason: 'timed out after 500 ms',
    })
    expect(checker.stats.probesTimedOut).toBe(1)
  })

  it('never starts a second probe while one runs: a hung check is skipped, counted and failed', async () => {
    const clock = new ManualClock()
    const script = scriptedCheck(clock)
    const checker = make(clock, { assume: 'up', defaults: { ...EXACT, fall: 3 } })
    script.set('hung', 'ignore')
    checker.add('hung', { check: script.check })
    checker.add('fine', { check: script.check })
    await checker.start()
    const intervals = 20
    await drive(clock, intervals * 1000)
    // one probe started for the hung target in 21 due times, the rest skipped; the other kept its cadence
    expect(script.startsOf('hung')).toEqual([0])
    expect(script.startsOf('fine')).toHaveLength(intervals + 1)
    expect(script.maxPerTarget).toBe(1)
    const status = checker.status('hung')
    expect(status?.probes).toBe(1)
    expect(status?.skipped).toBe(intervals)
    expect(status?.failed).toBe(intervals + 1) // the timeout, then every skip past it
    expect(checker.stateOf('hung')).toBe('down')
    expect(status?.lastProbe?.reason).toMatch(/^previous probe still running \d+ ms after it started$/)
    expect(checker.stats.probesSkipped).toBe(intervals)
    expect(checker.stats.inFlight).toBe(1)
  })
})

describe('bounded load', () => {
  it('honours maxInFlight with many targets, and every target still gets probed', async () => {
    const clock = new ManualClock()
    const script = scriptedCheck(clock, { after: 100 })
    const checker = make(clock, { maxInFlight: 5, defaults: { interval: 5000, timeout: 1000, jitter: 0 } })
    for (let i = 0; i < 50; i++) checker.add(`t${i}`, { check: script.check })
    await checker.start()
    await drive(clock, 1000, 25)
    expect(script.maxInFlight).toBe(5)
    expect(new Set(script.probes.map((p) => p.target)).size).toBe(50)
    expect(checker.stats.concurrencyLimited).toBe(45)
    await checker.ready()
  })

  it('honours the rate limit in every window, across targets and intervals', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 2, max: 10 }),
        async (perSecond, burst, targets, tenths) => {
          const clock = new ManualClock()
          const script = scriptedCheck(clock)
          const checker = new HealthChecker({
            clock,
            seed: 7,
            rateLimit: { perSecond, burst },
            defaults: { interval: tenths * 100, timeout: 100, jitter: 0.2 },
          })
          try {
            for (let i = 0; i < targets; i++) checker.add(`t${i}`, { check: script.check })
            await checker.start()
            await drive(clock, 3000, 20)
            const starts = script.probes.map((p) => p.at)
            for (let i = 0; i < starts.length; i++)
              for (let j = i; j < starts.length; j++) {
                const window = (starts[j] as number) - (starts[i] as number)
                expect(j - i + 1).toBeLessThanOrEqual(burst + (window * perSecond) / 1000 + 1e-6)
              }
            // and it is not idle: with enough demand it reaches the rate
            const demand = (targets * 1000) / (tenths * 100)
            if (demand >= perSecond * 1.5)
              expect(starts.length).toBeGreaterThanOrEqual(Math.floor((perSecond * 3000) / 1000))
          } finally {
            await checker.stop()
          }
        },
      ),
      { numRuns: 30 },
    )
  })

  it('spreads probes with seeded jitter, the same for the same seed', async () => {
    const times = async (seed: number) => {
      const clock = new ManualClock()
      const script = scriptedCheck(clock)
      const checker = make(clock, { seed, defaults: { interval: 1000, timeout: 500, jitter: 0.2 } })
      checker.add('a', { check: script.check })
      await checker.start()
      await drive(clock, 20_000, 1)
      await checker.stop()
      return script.startsOf('a')
    }
    const a = await times(42)
    expect(await times(42)).toEqual(a)
    expect(await times(43)).not.toEqual(a)
    const gaps = a.slice(1).map((t, i) => t - (a[i] as number))
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(800)
      expect(gap).toBeLessThanOrEqual(1200)
    }
    expect(new Set(gaps).size).toBeGreaterThan(5)
  })
})

describe('passive signals', () => {
  it('consecutive failures take a checked target down; it comes back after `rise` passing checks', async () => {
    const clock = new ManualClock()
    const script = scriptedCheck(clock)
    const checker = make(clock, { defaults: { ...EXACT, rise: 2, passive: { failures: 3 } } })
    checker.add('a', { check: script.check })
    await checker.start()
    await drive(clock, 100)
    expect(checker.stateOf('a')).toBe('up')
    checker.observe('a', { ok: false, latencyMs: 10 })
    checker.observe('a', { ok: false })
    checker.observe('a', { ok: true, latencyMs: 20 }) // resets the count
    checker.observe('a', { ok: false })
    checker.observe('a', { ok: false })
    expect(checker.stateOf('a')).toBe('up')
    checker.observe('a', { ok: false })
    expect(checker.stateOf('a')).toBe('down')
    expect(checker.status('a')?.reason).toBe('passive: 3 consecutive failures')
    expect(checker.status('a')?.latencyMs).toBe(12)
    await drive(clock, 900) // the probe at 1000: 1 of 2
    expect(checker.stateOf('a')).toBe('down')
    await drive(clock, 1000)
    expect(checker.stateOf('a')).toBe('up')
    expect(checker.status('a')?.passive).toBeUndefined()
    expect(checker.stats.passiveTrips).toBe(1)
  })

  it('a target without an active check comes back after the back-off', async () => {
    const clock = new ManualClock()
    const checker = make(clock, { defaults: { passive: { failures: 2, backoff: 5000 } } })
    checker.add('a')
    await checker.start()
    checker.observe('a', { ok: false })
    checker.observe('a', { ok: false })
    expect(checker.stateOf('a')).toBe('down')
    clock.advance(4999)
    expect(checker.stateOf('a')).toBe('down')
    clock.advance(1)
    expect(checker.stateOf('a')).toBe('up')
    expect(checker.status('a')?.reason).toBe('no active check')
  })

  it('ignores outcomes when passive is off, and counts outcomes for unknown targets', () => {
    const clock = new ManualClock()
    const checker = make(clock, { defaults: { passive: false } })
    checker.add('a')
    for (let i = 0; i < 20; i++) checker.observe('a', { ok: false })
    checker.observe('nobody', { ok: false })
    expect(checker.stateOf('a')).toBe('up')
    expect(checker.stats.observations).toBe(21)
    expect(checker.stats.unknownObservations).toBe(1)
    expect(() => checker.observe('a', { ok: 'no' } as never)).toThrow(/outcome must be/)
    expect(() => checker.observe('a', { ok: true, latencyMs: -1 })).toThrow(/latencyMs/)
  })
})

describe('administrative and external states', () => {
  it('admin overrides everything, external overrides checks and passive, undefined clears', async () => {
    const clock = new ManualClock()
    const script = scriptedCheck(clock, 'fail')
    const checker = make(clock, { defaults: EXACT })
    const changes = record(checker)
    checker.add('a', { check: script.check })
    await checker.start()
    await flush()
    checker.setExternal('a', 'up', 'orchestrator says so')
    checker.setAdmin('a', 'drain')
    checker.setExternal('a', 'down', 'ignored while admin holds it')
    checker.setAdmin('a', undefined)
    checker.setExternal('a', undefined)
    expect(changes.map((c) => `${c.state} (${c.reason})`)).toEqual([
      'down (first check failed: check returned false)',
      'up (external: orchestrator says so)',
      'draining (admin: drain)',
      'down (external: ignored while admin holds it)',
    ])
    expect(checker.status('a')?.reason).toBe('first check failed: check returned false')
    expect(checker.status('a')?.admin).toBeUndefined()
  })

  it("overrides set a 'first-round' target's state before its first result, which then takes over", async () => {
    const clock = new ManualClock()
    const script = scriptedCheck(clock, { after: 100 })
    const checker = make(clock, { defaults: EXACT })
    checker.add('a', { check: script.check })
    checker.setAdmin('a', 'down')
    expect(checker.stateOf('a')).toBe('down')
    checker.setAdmin('a', undefined)
    expect(checker.status('a')?.reason).toBe('down until the first check result')
    await checker.start()
    await drive(clock, 100)
    expect(checker.stateOf('a')).toBe('up')
    expect(checker.status('a')?.reason).toBe('first check passed')
  })

  it('refuses unknown targets and states with ERR_INVALID_ARGUMENT', () => {
    const checker = make(new ManualClock())
    checker.add('a')
    for (const call of [
      () => checker.setAdmin('nope', 'down'),
      () => checker.setAdmin('a', 'sideways' as never),
      () => checker.setExternal('nope', 'down'),
      () => checker.setExternal('a', 'maybe' as never),
    ]) {
      let error: unknown
      try {
        call()
      } catch (err) {
        error = err
      }
      expect(isShoalError(error, 'ERR_INVALID_ARGUMENT')).toBe(true)
    }
  })
})

describe('the state stream', () => {
  it('is a HealthSource: subscribe and unsubscribe; a throwing listener disturbs no one', async () => {
    const clock = new ManualClock()
    const checker = make(clock)
    const source: HealthSource = checker
    const seen: string[] = []
    source.subscribe(() => {
      throw new Error('listener bug')
    })
    const stop = source.subscribe((c) => seen.push(`${c.target}:${c.state}`))
    const events: string[] = []
    checker.addEventListener('change', (event) => events.push(event.detail.state))
    checker.add('a')
    stop()
    checker.add('b')
    expect(seen).toEqual(['a:up'])
    expect(events).toEqual(['up', 'up'])
    expect(source.stateOf('b')).toBe('up')
    expect(source.stateOf('unknown')).toBeUndefined()
  })

  it('changes() iterates in order, ends at stop, rejects on abort, and drops the oldest past its buffer', async () => {
    const clock = new ManualClock()
    const checker = make(clock)
    checker.add('a')
    await checker.start()
    const all = checker.changes()
    const small = checker.changes({ bufferSize: 2 })
    const controller = new AbortController()
    const aborted = checker.changes({ signal: controller.signal })
    for (const state of ['down', 'drain', 'up'] as const) checker.setAdmin('a', state)
    const pending = aborted.next()
    controller.abort(new Error('enough'))
    await aborted.next().catch(() => undefined)
    await expect(pending).resolves.toMatchObject({ value: { state: 'down' } })
    await checker.stop()
    const states: string[] = []
    for await (const change of all) states.push(change.state)
    expect(states).toEqual(['down', 'draining', 'up'])
    const kept: string[] = []
    for await (const change of small) kept.push(change.state)
    expect(kept).toEqual(['draining', 'up'])
    expect(small.dropped).toBe(1)
  })
})

describe('targets at run time', () => {
  it('probes an added target at once and aborts a removed one; ready() stops waiting for it', async () => {
    const clock = new ManualClock()
    const script = scriptedCheck(clock)
    script.set('stuck', 'hang')
    const checker = make(clock, { defaults: EXACT })
    const removed: string[] = []
    checker.addEventListener('removed', (event) => removed.push(event.detail.target))
    checker.add('stuck', { check: script.check })
    await checker.start()
    await drive(clock, 100)
    const ready = checker.ready()
    checker.add('late', { check: script.check })
    await flush()
    expect(script.startsOf('late')).toEqual([100])
    expect(checker.remove('stuck')).toBe(true)
    expect(checker.remove('stuck')).toBe(false)
    await expect(ready).resolves.toBeUndefined()
    expect(isShoalError(script.probes[0]?.signal.reason, 'ERR_TARGET_REMOVED')).toBe(true)
    expect(checker.stateOf('stuck')).toBeUndefined()
    expect(checker.targets()).toEqual(['late'])
    expect(removed).toEqual(['stuck'])
    await drive(clock, 3000)
    expect(script.startsOf('stuck')).toEqual([0])
  })

  it('refuses a duplicate or empty name and bad per-target options, at once', () => {
    const checker = make(new ManualClock())
    checker.add('a')
    expect(() => checker.add('a')).toThrow(/already added/)
    expect(() => checker.add('')).toThrow(/non-empty string/)
    expect(() => checker.add('b', { check: 'tcp' as never })).toThrow(/check must be a function/)
    expect(() => checker.add('b', { interval: 1000, timeout: 2000 })).toThrow(
      "target 'b': timeout (2000 ms) must not exceed interval (1000 ms), so each probe ends before the next is due",
    )
    expect(() => checker.add('b', { rise: 2, antiFlap: true })).toThrow(/either rise\/fall .* or antiFlap/)
    expect(checker.has('b')).toBe(false)
  })
})

describe('lifecycle', () => {
  it('stop() aborts probes, rejects ready() with ERR_STOPPED, leaves no timer; start() resumes', async () => {
    const clock = new ManualClock()
    const script = scriptedCheck(clock, 'hang')
    const checker = make(clock, { defaults: EXACT })
    checker.add('a', { check: script.check })
    checker.add('b')
    await checker.start()
    await flush()
    const ready = checker.ready()
    await checker.stop()
    await checker.stop()
    await expect(ready).rejects.toMatchObject({ code: 'ERR_STOPPED' })
    expect(isShoalError(script.probes[0]?.signal.reason, 'ERR_STOPPED')).toBe(true)
    expect(clock.pending).toBe(0)
    await flush()
    expect(checker.stats.inFlight).toBe(0)
    expect(checker.status('a')?.failed).toBe(0) // an aborted probe's result is dropped
    script.set('a', 'pass')
    await checker.start()
    await flush()
    expect(checker.stateOf('a')).toBe('up')
    await checker[Symbol.asyncDispose]()
    expect(checker.running).toBe(false)
  })

  it('treats a check that throws synchronously as a failed check', async () => {
    const clock = new ManualClock()
    const checker = make(clock)
    checker.add('a', {
      check: () => {
        throw new Error('no route to anywhere')
      },
    })
    await checker.start()
    await flush()
    expect(checker.stateOf('a')).toBe('down')
    expect(checker.status('a')?.reason).toBe('first check failed: no route to anywhere')
  })

  it('takes targets in its options, as an object or as pairs', () => {
    const fromObject = make(new ManualClock(), { targets: { a: {}, b: { passive: false } } })
    const fromPairs = make(new ManualClock(), { targets: new Map([['c', {}]]) })
    expect(fromObject.targets()).toEqual(['a', 'b'])
    expect(fromPairs.targets()).toEqual(['c'])
  })

  it('refuses bad options at once with messages that say what to do', () => {
    const cases: [HealthCheckerOptions, RegExp][] = [
      [{ assume: 'maybe' as never }, /assume must be 'up', 'down' or 'first-round'/],
      [{ maxInFlight: 0 }, /maxInFlight must be an integer in 1–/],
      [{ rateLimit: 0 }, /perSecond must be a positive number/],
      [{ rateLimit: { perSecond: 5, burst: 0.5 } }, /rateLimit.burst must be an integer/],
      [{ defaults: { interval: 0 } }, /defaults: interval must be an integer in 1–2147483647 milliseconds/],
      [{ defaults: { jitter: 1 } }, /jitter must be a fraction in \[0, 1\)/],
      [{ defaults: { rise: 0 } }, /rise must be an integer in 1–65535/],
      [{ defaults: { antiFlap: { okThresh: 1.5 } } }, /antiFlap.okThresh/],
      [{ defaults: { passive: { backoff: -1 } } }, /passive.backoff/],
      [{ clock: {} as never }, /clock must have now\(\)/],
      [{ seed: 1.5 }, /seed must be an integer/],
      [{ stateFile: '' }, /stateFile must be a path/],
      [{ stateFile: { path: '/x', pollInterval: 0 } }, /stateFile.pollInterval/],
      [{ targets: { '': {} } }, /target must be a non-empty string/],
    ]
    for (const [options, message] of cases) {
      let error: unknown
      try {
        new HealthChecker(options)
      } catch (err) {
        error = err
      }
      expect(isShoalError(error, 'ERR_INVALID_ARGUMENT'), String(message)).toBe(true)
      expect((error as Error).message).toMatch(message)
    }
  })
})
