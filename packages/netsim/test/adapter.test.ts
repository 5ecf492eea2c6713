import type { Clock, DatagramPort, TimerHandle } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import { type NodeEffect, openPort, type ProtocolCore, Simulation, simulationClock } from '../src/index.js'
import { type PingEvent, pingPong } from './ping-pong.js'

/** A Node-style adapter: drives a sans-IO core through a DatagramPort and a Clock, as production does. */
function drive(
  core: ProtocolCore<'ping-now', PingEvent>,
  port: DatagramPort,
  clock: Clock,
  seen: string[],
): void {
  const timers = new Map<string, TimerHandle>()
  const apply = (effects: readonly NodeEffect<PingEvent>[]) => {
    for (const effect of effects) {
      if (effect.type === 'send') port.send(effect.to, effect.data)
      else if (effect.type === 'setTimer') {
        const old = timers.get(effect.id)
        if (old !== undefined) clock.clearTimeout(old)
        timers.set(
          effect.id,
          clock.setTimeout(() => {
            timers.delete(effect.id)
            apply(core.step(clock.now(), { type: 'timer', id: effect.id }))
          }, effect.at - clock.now()),
        )
      } else if (effect.type === 'cancelTimer') {
        const old = timers.get(effect.id)
        if (old !== undefined) clock.clearTimeout(old)
        timers.delete(effect.id)
      } else seen.push(`${clock.now()} ${port.address} ${JSON.stringify(effect.event)}`)
    }
  }
  port.onDatagram((data, from) => apply(core.step(clock.now(), { type: 'datagram', from, data })))
  apply(core.step(clock.now(), { type: 'start' }))
}

function run(seed: number): string[] {
  const sim = new Simulation({ seed, link: { loss: 0.1, delay: { kind: 'normal', mean: 5, stddev: 2 } } })
  const clock = simulationClock(sim)
  const seen: string[] = []
  const names = ['a', 'b', 'c']
  for (const name of names) {
    const core = pingPong(names)({ name, random: sim.random.fork(), now: 0, incarnation: 1 })
    drive(core, openPort(sim, name), clock, seen)
  }
  sim.runFor(200)
  return seen
}

describe('a Node-style adapter on SimDatagramPort and simulationClock', () => {
  it('runs the core under the simulated network, deterministically', () => {
    const seen = run(4)
    expect(seen.filter((line) => line.includes('"pong"')).length).toBeGreaterThan(50)
    expect(run(4)).toEqual(seen)
    expect(run(5)).not.toEqual(seen)
  })

  it('clock timers can be cleared', () => {
    const sim = new Simulation({ seed: 1 })
    const clock = simulationClock(sim)
    let fired = 0
    const handle = clock.setTimeout(() => fired++, 10)
    clock.setTimeout(() => fired++, 10)
    clock.clearTimeout(handle)
    sim.runFor(20)
    expect(fired).toBe(1)
    expect(clock.now()).toBe(20)
  })
})
