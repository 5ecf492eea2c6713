import type { Clock, TimerHandle } from '@shoal/core'
import type { Simulation } from './simulation.js'

/**
 * A `Clock` (the `@shoal/core` contract) on a simulation's virtual time: `now()` reads
 * `sim.now` and timers are events of the simulation's agenda, so adapter code written against
 * `Clock` and `DatagramPort` runs in simulation, deterministically, beside sans-IO cores.
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: 1 })
 * const clock = simulationClock(sim)
 * let fired = -1
 * clock.setTimeout(() => { fired = clock.now() }, 25)
 * sim.runFor(100)
 * fired // 25
 * ```
 */
export function simulationClock<A, E>(sim: Simulation<A, E>): Clock {
  const live = new Set<number>()
  let next = 0
  return {
    now: () => sim.now,
    setTimeout(callback, ms) {
      const id = next++
      live.add(id)
      sim.at(sim.now + Math.max(0, ms), () => {
        if (live.delete(id)) callback()
      })
      return id as unknown as TimerHandle
    },
    clearTimeout(handle) {
      live.delete(handle as unknown as number)
    },
  }
}
