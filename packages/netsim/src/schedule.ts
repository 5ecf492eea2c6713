import { invalidArgument } from '@shoal/core'
import fc from 'fast-check'
import type { Simulation } from './simulation.js'

/**
 * One timed fault of a {@link FaultSchedule}. `restart` of a live node crashes it first.
 *
 * @example
 * ```ts
 * const fault: Fault = { at: 500, type: 'pause', node: 'a', durationMs: 200 }
 * ```
 */
export type Fault =
  | { readonly at: number; readonly type: 'crash'; readonly node: string }
  | { readonly at: number; readonly type: 'restart'; readonly node: string }
  | { readonly at: number; readonly type: 'pause'; readonly node: string; readonly durationMs: number }
  | { readonly at: number; readonly type: 'partition'; readonly groups: readonly (readonly string[])[] }
  | { readonly at: number; readonly type: 'heal' }
  | { readonly at: number; readonly type: 'loss'; readonly probability: number }

/**
 * Faults ordered by time.
 *
 * @example
 * ```ts
 * const schedule: FaultSchedule = [{ at: 100, type: 'crash', node: 'a' }, { at: 900, type: 'restart', node: 'a' }]
 * ```
 */
export type FaultSchedule = readonly Fault[]

/**
 * Options of {@link faultSchedule}.
 *
 * @example
 * ```ts
 * const options: FaultScheduleOptions = { nodes: ['a', 'b', 'c'], durationMs: 10_000, maxFaults: 5 }
 * ```
 */
export interface FaultScheduleOptions {
  /** The nodes faults may hit (at least one). */
  readonly nodes: readonly string[]
  /** Faults happen in [0, durationMs). */
  readonly durationMs: number
  /** Most faults in a schedule; default 10. */
  readonly maxFaults?: number
  /** Longest pause; default 1000 ms. */
  readonly maxPauseMs?: number
  /** Highest loss probability a `loss` fault sets; default 0.3. */
  readonly maxLoss?: number
  /** Which kinds of faults to generate; default all. */
  readonly kinds?: readonly Fault['type'][]
}

/**
 * A fast-check arbitrary of fault schedules: timed crashes, restarts, pauses, partitions, heals
 * and loss changes, sorted by time. Schedules shrink towards fewer, earlier, milder faults.
 *
 * @example
 * ```ts
 * import fc from 'fast-check'
 * const [schedule] = fc.sample(faultSchedule({ nodes: ['a', 'b'], durationMs: 1000 }), { numRuns: 1, seed: 1 })
 * ```
 */
export function faultSchedule(options: FaultScheduleOptions): fc.Arbitrary<FaultSchedule> {
  const { nodes, durationMs } = options
  if (nodes.length === 0) throw invalidArgument('faultSchedule needs at least one node')
  if (!(durationMs > 0)) throw invalidArgument(`durationMs must be positive, got ${durationMs}`)
  const kinds = new Set(options.kinds ?? ['crash', 'restart', 'pause', 'partition', 'heal', 'loss'])
  const at = fc.integer({ min: 0, max: Math.max(0, Math.ceil(durationMs) - 1) })
  const node = fc.constantFrom(...nodes)
  const choices: fc.Arbitrary<Fault>[] = []
  if (kinds.has('crash')) choices.push(fc.record({ at, type: fc.constant('crash' as const), node }))
  if (kinds.has('restart')) choices.push(fc.record({ at, type: fc.constant('restart' as const), node }))
  if (kinds.has('pause')) {
    const durationMs = fc.integer({ min: 1, max: options.maxPauseMs ?? 1000 })
    choices.push(fc.record({ at, type: fc.constant('pause' as const), node, durationMs }))
  }
  if (kinds.has('partition') && nodes.length > 1) {
    const side = fc.subarray([...nodes], { minLength: 1, maxLength: nodes.length - 1 })
    choices.push(
      fc.record({ at, side }).map(({ at, side }): Fault => {
        const rest = nodes.filter((n) => !side.includes(n))
        return { at, type: 'partition', groups: [side, rest] }
      }),
    )
  }
  if (kinds.has('heal')) choices.push(fc.record({ at, type: fc.constant('heal' as const) }))
  if (kinds.has('loss')) {
    const probability = fc.double({ min: 0, max: options.maxLoss ?? 0.3, noNaN: true })
    choices.push(fc.record({ at, type: fc.constant('loss' as const), probability }))
  }
  if (choices.length === 0) throw invalidArgument('faultSchedule needs at least one kind of fault')
  return fc
    .array(fc.oneof(...choices), { maxLength: options.maxFaults ?? 10 })
    .map((faults) => [...faults].sort((x, y) => x.at - y.at))
}

/**
 * Schedules every fault of `schedule` on `sim`, at its time counted from `sim.now`.
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: 3 })
 * sim.add('a', () => ({ step: () => [] }))
 * applySchedule(sim, [{ at: 10, type: 'crash', node: 'a' }])
 * sim.runFor(20)
 * sim.node('a').up // false
 * ```
 */
export function applySchedule<A, E>(sim: Simulation<A, E>, schedule: FaultSchedule): void {
  const start = sim.now
  for (const fault of schedule) {
    sim.at(start + fault.at, () => {
      switch (fault.type) {
        case 'crash':
          sim.crash(fault.node)
          break
        case 'restart':
          sim.restart(fault.node)
          break
        case 'pause':
          sim.pause(fault.node, fault.durationMs)
          break
        case 'partition':
          sim.partition(...fault.groups)
          break
        case 'heal':
          sim.heal()
          break
        case 'loss':
          sim.setLinks({ loss: fault.probability })
          break
      }
    })
  }
}
