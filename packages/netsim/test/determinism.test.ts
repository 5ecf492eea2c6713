import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applySchedule, checkProperty, type FaultSchedule, faultSchedule, Simulation } from '../src/index.js'
import { pingPong } from './ping-pong.js'

const nodes = ['a', 'b', 'c', 'd']
const schedule: FaultSchedule = [
  { at: 50, type: 'pause', node: 'b', durationMs: 40 },
  {
    at: 100,
    type: 'partition',
    groups: [
      ['a', 'b'],
      ['c', 'd'],
    ],
  },
  { at: 200, type: 'heal' },
  { at: 250, type: 'crash', node: 'c' },
  { at: 300, type: 'restart', node: 'c' },
  { at: 350, type: 'loss', probability: 0.2 },
]

function run(seed: number, faults: FaultSchedule): Simulation<'ping-now', unknown> {
  const sim = new Simulation<'ping-now', unknown>({
    seed,
    link: { loss: 0.05, duplicate: 0.05, delay: { kind: 'exponential', mean: 3, min: 0.5 } },
  })
  for (const name of nodes) sim.add(name, pingPong(nodes))
  applySchedule(sim, faults)
  sim.runFor(500)
  return sim
}

describe('determinism', () => {
  it('gives the same trace and hash for the same seed and schedule', () => {
    const first = run(7, schedule)
    const second = run(7, schedule)
    expect(first.trace.length).toBeGreaterThan(500)
    expect(second.trace).toEqual(first.trace)
    expect(second.traceHash()).toBe(first.traceHash())
    expect(second.counters).toEqual(first.counters)
  })

  it('gives a different trace for a different seed', () => {
    expect(run(8, schedule).traceHash()).not.toBe(run(7, schedule).traceHash())
  })

  it('hash mode keeps no entries but hashes the same', () => {
    const full = run(3, schedule)
    const sim = new Simulation<'ping-now', unknown>({
      seed: 3,
      trace: 'hash',
      link: { loss: 0.05, duplicate: 0.05, delay: { kind: 'exponential', mean: 3, min: 0.5 } },
    })
    for (const name of nodes) sim.add(name, pingPong(nodes))
    applySchedule(sim, schedule)
    sim.runFor(500)
    expect(sim.trace).toHaveLength(0)
    expect(sim.traceHash()).toBe(full.traceHash())
  })

  it('replays any seed and generated schedule identically (property)', () => {
    checkProperty(
      fc.property(fc.integer(), faultSchedule({ nodes, durationMs: 500 }), (seed, faults) => {
        expect(run(seed, faults).traceHash()).toBe(run(seed, faults).traceHash())
      }),
      { file: 'packages/netsim/test/determinism.test.ts', numRuns: 30 },
    )
  })
})
