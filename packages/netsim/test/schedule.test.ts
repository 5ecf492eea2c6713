import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  applySchedule,
  checkProperty,
  type Fault,
  faultSchedule,
  replayCommand,
  Simulation,
} from '../src/index.js'
import { pingPong } from './ping-pong.js'

const nodes = ['a', 'b', 'c']

describe('fault schedules', () => {
  it('generate sorted schedules that apply without throwing', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        faultSchedule({ nodes, durationMs: 1000, maxFaults: 15 }),
        (seed, schedule) => {
          for (let i = 1; i < schedule.length; i++)
            expect(schedule[i]?.at).toBeGreaterThanOrEqual(schedule[i - 1]?.at ?? 0)
          const sim = new Simulation({ seed })
          for (const n of nodes) sim.add(n, pingPong(nodes))
          applySchedule(sim, schedule)
          sim.runFor(1500)
          expect(sim.counters.sent).toBeGreaterThan(0)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('respect the kinds asked for', () => {
    const schedules = fc.sample(
      faultSchedule({ nodes, durationMs: 100, kinds: ['pause'], maxPauseMs: 5 }),
      50,
    )
    for (const s of schedules) for (const f of s) expect(f).toMatchObject({ type: 'pause' })
  })

  it('shrink a failure to the one fault that causes it', () => {
    // "no node is ever crashed for good": fails whenever a crash is not followed by a restart
    const details = fc.check(
      fc.property(faultSchedule({ nodes, durationMs: 1000, maxFaults: 12 }), (schedule) => {
        const sim = new Simulation({ seed: 1 })
        for (const n of nodes) sim.add(n, pingPong(nodes))
        applySchedule(sim, schedule)
        sim.runFor(1000)
        return nodes.every((n) => sim.node(n).up)
      }),
      { seed: 99, numRuns: 200 },
    )
    expect(details.failed).toBe(true)
    const [schedule] = details.counterexample as [readonly Fault[]]
    expect(schedule).toEqual([{ at: 0, type: 'crash', node: 'a' }])
  })

  it('a failing checked property reports its seed and a replay command', () => {
    let message = ''
    try {
      checkProperty(
        fc.property(faultSchedule({ nodes, durationMs: 100 }), (s) => s.length < 3),
        { file: 'packages/netsim/test/schedule.test.ts', seed: 17 },
      )
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toMatch(/seed 17/)
    expect(message).toMatch(
      /replay: FC_SEED=17 FC_PATH=\S+ npx vitest run --project packages\/netsim packages\/netsim\/test\/schedule.test.ts/,
    )
    expect(replayCommand({ seed: 3, file: 'x.test.ts' })).toBe('FC_SEED=3 npx vitest run x.test.ts')
  })

  it('replays a failure from the seed and path in the message, through FC_SEED and FC_PATH', () => {
    const property = () =>
      fc.property(faultSchedule({ nodes, durationMs: 100, kinds: ['crash'] }), (s) => s.length < 2)
    let first = ''
    try {
      checkProperty(property(), { file: 'schedule.test.ts', seed: 5 })
    } catch (error) {
      first = (error as Error).message
    }
    const [, seed, path] = /FC_SEED=(\S+) FC_PATH=(\S+)/.exec(first) ?? []
    expect(seed).toBe('5')
    const saved = { seed: process.env.FC_SEED, path: process.env.FC_PATH }
    process.env.FC_SEED = seed
    process.env.FC_PATH = path
    let again = ''
    try {
      checkProperty(property(), { file: 'schedule.test.ts' })
    } catch (error) {
      again = (error as Error).message
    } finally {
      // restore what the run was started with (CI pins FC_SEED)
      if (saved.seed === undefined) delete process.env.FC_SEED
      else process.env.FC_SEED = saved.seed
      if (saved.path === undefined) delete process.env.FC_PATH
      else process.env.FC_PATH = saved.path
    }
    const counterexample = (message: string) => /counterexample: (.*)/.exec(message)?.[1]
    expect(counterexample(again)).toBeDefined()
    expect(counterexample(again)).toBe(counterexample(first))
  })

  it('reject impossible options', () => {
    expect(() => faultSchedule({ nodes: [], durationMs: 10 })).toThrow(/node/)
    expect(() => faultSchedule({ nodes, durationMs: 0 })).toThrow(/durationMs/)
  })
})
