/**
 * Benchmark of `@shoal/health`'s own overhead: thousands of targets whose custom check resolves at
 * once, so what is measured is the checker (scheduling, timeouts, abort signals, thresholds,
 * state bookkeeping), not the network. Beside it, in the same run, the naive design a service
 * would write by hand: one `setInterval` per target doing the same HAProxy rise/fall counting,
 * with the same "never two probes in flight" rule, once with a timeout and an AbortSignal per
 * probe (what a check needs to be abortable) and once without (a lower bound that cannot time out
 * a hung check).
 *
 * - saturated: every target is due every millisecond, so the probes per second each design
 *   sustains is its ceiling, and 1 / that is its cost per probe;
 * - steady: every target is due every 500 ms (10,000 probes/s for 5,000 targets), a realistic
 *   load that every contender keeps up with: compare CPU seconds (the `probes/CPU-s` column).
 *
 * Each contender reports the heap the targets keep (after a full GC, checker running) and how
 * many targets ended up, which must be all of them.
 *
 *   npm run bench -- health [--smoke] [--targets N] [--rounds N] [--repeats N] [--only a,b]
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { type Check, HealthChecker } from '@shoal/health'
import {
  type BenchContext,
  type Comparison,
  type Contender,
  formatInt,
  runBenchmark,
  type Tally,
  type Workload,
} from '../src/harness.js'

interface ProbeWorkload extends Workload {
  readonly targets: number
  readonly rounds: number
  readonly interval: number
  readonly timeout: number
}

const RISE = 2
const FALL = 3

/** A full collection (the children run without --expose-gc, so it is switched on here). */
function collect(): void {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
  gc()
}

function heapMiB(): number {
  collect()
  return process.memoryUsage().heapUsed / (1024 * 1024)
}

/**
 * The check every contender runs: resolves at once, and resolves `finished` once the workload's
 * probes have all been made.
 */
function countingCheck(items: number): { check: Check; finished: Promise<void>; count: () => number } {
  let count = 0
  let finish: () => void = () => {}
  const finished = new Promise<void>((resolve) => {
    finish = resolve
  })
  const check: Check = async () => {
    if (++count === items) finish()
  }
  return { check, finished, count: () => count }
}

/** Lets the completions of the last probes record their results. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

function tally(w: ProbeWorkload, probes: number, up: number, heapBefore: number, heapWith: number): Tally {
  return {
    accepted: probes,
    checks: { up },
    untimed: () => ({
      up,
      heapPerTargetBytes: ((heapWith - heapBefore) * 1024 * 1024) / w.targets,
    }),
  }
}

const ours: Contender<ProbeWorkload> = {
  name: 'shoal-health',
  description: 'HealthChecker: one due-time heap and one timer, per-probe AbortController and timeout',
  ours: true,
  async load(w) {
    const heapBefore = heapMiB()
    const { check, finished, count } = countingCheck(w.targets * w.rounds)
    const health = new HealthChecker({
      assume: 'down',
      maxInFlight: w.targets,
      seed: 1,
      defaults: {
        interval: w.interval,
        timeout: w.timeout,
        jitter: 0,
        rise: RISE,
        fall: FALL,
        passive: false,
      },
    })
    for (let i = 0; i < w.targets; i++) health.add(`10.0.${i >> 8}.${i & 255}:80`, { check })
    return async () => {
      // the checker's timers are unref'd (a library never keeps a process alive): the service, here
      // this benchmark, holds the process open
      const keepAlive = setInterval(() => {}, 60_000)
      await health.start()
      await finished
      await settle()
      const heapWith = heapMiB()
      await health.stop()
      clearInterval(keepAlive)
      let up = 0
      for (const target of health.targets()) if (health.stateOf(target) === 'up') up++
      return tally(w, count(), up, heapBefore, heapWith)
    }
  },
}

/** HAProxy's health counter, the same arithmetic as ours, written inline as a hand-rolled checker would. */
class NaiveTarget {
  health = 0
  up = false
  running = false
  record(ok: boolean): void {
    if (ok) {
      if (this.health < RISE + FALL - 1) {
        this.health++
        if (this.health >= RISE) this.health = RISE + FALL - 1
      }
    } else if (this.health > 0) {
      this.health--
      if (this.health < RISE) this.health = 0
    }
    this.up = this.health >= RISE
  }
}

function naive(withTimeout: boolean): Contender<ProbeWorkload> {
  return {
    name: withTimeout ? 'setInterval+abort' : 'setInterval',
    description: withTimeout
      ? 'one setInterval per target; AbortController and setTimeout per probe; skip while running'
      : 'one setInterval per target; no timeout, no signal (cannot abort a hung check); skip while running',
    async load(w) {
      const heapBefore = heapMiB()
      const { check, finished, count } = countingCheck(w.targets * w.rounds)
      const targets = Array.from({ length: w.targets }, (_, i) => ({
        name: `10.0.${i >> 8}.${i & 255}:80`,
        state: new NaiveTarget(),
      }))
      const none = new AbortController().signal
      const probe = (t: { name: string; state: NaiveTarget }): void => {
        const s = t.state
        if (s.running) return
        s.running = true
        if (withTimeout) {
          const controller = new AbortController()
          const timer = setTimeout(() => controller.abort(), w.timeout)
          check(t.name, { signal: controller.signal }).then(
            (ok) => {
              clearTimeout(timer)
              s.running = false
              s.record(ok !== false)
            },
            () => {
              clearTimeout(timer)
              s.running = false
              s.record(false)
            },
          )
        } else {
          check(t.name, { signal: none }).then(
            (ok) => {
              s.running = false
              s.record(ok !== false)
            },
            () => {
              s.running = false
              s.record(false)
            },
          )
        }
      }
      return async () => {
        const timers = targets.map((t) => {
          probe(t) // at once, as the checker does at start
          return setInterval(() => probe(t), w.interval)
        })
        await finished
        await settle()
        const heapWith = heapMiB()
        for (const timer of timers) clearInterval(timer)
        const up = targets.filter((t) => t.state.up).length
        return tally(w, count(), up, heapBefore, heapWith)
      }
    },
  }
}

function workload(
  context: BenchContext,
  interval: number,
  timeout: number,
  rounds: number,
  smokeRounds: number,
): ProbeWorkload {
  const targets = context.smoke ? 200 : Number(context.options.targets ?? 5000)
  const r = context.smoke ? smokeRounds : Number(context.options.rounds ?? rounds)
  if (!Number.isSafeInteger(targets) || targets < 1) throw new Error('--targets must be a positive integer')
  if (!Number.isSafeInteger(r) || r < 1) throw new Error('--rounds must be a positive integer')
  return {
    description: `${formatInt(targets)} targets, interval ${interval} ms, timeout ${timeout} ms, ${formatInt(r)} probes each (check resolves at once), rise ${RISE} fall ${FALL}`,
    items: targets * r,
    bytes: 0,
    unit: 'probes',
    targets,
    rounds: r,
    interval,
    timeout,
  }
}

const columns = [
  { check: 'up', header: 'targets up' },
  { check: 'heapPerTargetBytes', header: 'heap B/target', format: (v: number) => formatInt(v) },
]

function verdict(w: ProbeWorkload, t: Tally): string {
  const up = t.checks?.up ?? 0
  return `${formatInt(t.accepted)} probes · ${up === w.targets ? `all ${formatInt(up)} targets up ✓` : `only ${formatInt(up)} of ${formatInt(w.targets)} up ✗`}`
}

const saturated: Comparison<ProbeWorkload> = {
  id: 'saturated',
  title: 'Saturated: every target due every millisecond',
  perItem: 'probe',
  columns,
  verdict,
  prepare: (context) => workload(context, 1, 1, 40, 5),
  contenders: [ours, naive(true), naive(false)],
}

const steady: Comparison<ProbeWorkload> = {
  id: 'steady',
  title: 'Steady: every target due every 500 ms',
  columns,
  verdict,
  prepare: (context) => workload(context, 500, 250, 6, 2),
  contenders: [ours, naive(true), naive(false)],
}

await runBenchmark({
  package: 'health',
  title: "@shoal/health: the checker's own overhead beside hand-rolled timers",
  usage:
    '  --targets N     targets (default 5,000; --smoke: 200)\n' +
    '  --rounds N      probes per target (default 40 saturated, 6 steady)\n' +
    'The check resolves at once: what is measured is scheduling, timeouts, signals and thresholds.',
  options: {
    targets: { type: 'string' },
    rounds: { type: 'string' },
  },
  comparisons: [saturated, steady],
})
