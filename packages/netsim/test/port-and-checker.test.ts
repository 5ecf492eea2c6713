import type { DatagramPort } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import { always, byNode, eventually, openPort, Simulation } from '../src/index.js'

describe('SimDatagramPort', () => {
  it('implements DatagramPort on the simulated network, under its faults', async () => {
    const sim = new Simulation({ seed: 5, link: { delay: { kind: 'constant', ms: 2 } } })
    const a: DatagramPort = openPort(sim, 'a')
    const b: DatagramPort = openPort(sim, 'b')
    const got: string[] = []
    b.onDatagram((data, from) => b.send(from, data))
    a.onDatagram((data, from) => got.push(`${from}:${data[0]}@${sim.now}`))
    a.send('b', new Uint8Array([7]))
    sim.runFor(10)
    expect(got).toEqual(['b:7@4'])
    sim.cut('a', 'b')
    a.send('b', new Uint8Array([8]))
    sim.runFor(10)
    expect(got).toHaveLength(1)
    await b.close()
    sim.heal()
    a.send('b', new Uint8Array([9]))
    sim.runFor(10)
    expect(got).toHaveLength(1)
    await a.close()
    expect(() => a.send('b', new Uint8Array(1))).toThrow(/closed/)
  })
})

describe('history checkers', () => {
  const history = [
    { time: 1, node: 'a', incarnation: 1, event: 1 },
    { time: 5, node: 'b', incarnation: 1, event: 2 },
    { time: 9, node: 'a', incarnation: 2, event: -1 },
  ]

  it('always finds the first violation', () => {
    expect(() => always(history.slice(0, 2), (e) => e.event > 0)).not.toThrow()
    expect(() => always(history, (e) => e.event > 0, 'positive')).toThrow(/positive violated at 9 ms by a#2/)
  })

  it('eventually looks inside its window only', () => {
    expect(eventually(history, (e) => e.event === 2, { withinMs: 5 }).node).toBe('b')
    expect(() => eventually(history, (e) => e.event === 2, { withinMs: 4 })).toThrow(/between 0 and 4/)
    expect(() => eventually(history, (e) => e.event === 2, { from: 6, withinMs: 100 })).toThrow()
  })

  it('byNode groups in order', () => {
    expect(
      byNode(history)
        .get('a')
        ?.map((e) => e.time),
    ).toEqual([1, 9])
  })
})
