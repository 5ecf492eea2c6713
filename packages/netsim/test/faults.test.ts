import { describe, expect, it } from 'vitest'
import { type LinkOptions, Simulation } from '../src/index.js'
import { type PingEvent, pingPong } from './ping-pong.js'

function pair(link: LinkOptions = {}, bytes = 8): Simulation<'ping-now', PingEvent> {
  const sim = new Simulation<'ping-now', PingEvent>({ seed: 11, link })
  sim.add('a', pingPong(['a', 'b'], 10, bytes))
  sim.add('b', pingPong(['a', 'b'], 10, bytes))
  return sim
}

const events = (sim: Simulation<'ping-now', PingEvent>, node: string, type: PingEvent['type']) =>
  sim.history.filter((e) => e.node === node && e.event.type === type)

describe('faults', () => {
  it('delivers everything on a clean network', () => {
    const sim = pair()
    sim.runFor(105)
    expect(sim.counters.sent).toBe(40)
    expect(sim.counters.delivered).toBe(40)
    expect(events(sim, 'a', 'pong')).toHaveLength(10)
  })

  it('drops with loss probability 1 and counts the reason', () => {
    const sim = pair({ loss: 1 })
    sim.runFor(100)
    expect(sim.counters.delivered).toBe(0)
    expect(sim.counters.dropped.loss).toBe(sim.counters.sent)
    expect(sim.trace.some((e) => e.kind === 'drop' && e.detail === 'loss')).toBe(true)
  })

  it('loses about the configured share', () => {
    const sim = pair({ loss: 0.3 })
    sim.runFor(10_000)
    const share = sim.counters.dropped.loss / sim.counters.sent
    expect(share).toBeGreaterThan(0.25)
    expect(share).toBeLessThan(0.35)
  })

  it('never loses or duplicates a reliable send, but a partition still drops it', () => {
    const sim = new Simulation<never, string>({ seed: 3, link: { loss: 1, duplicate: 1 } })
    const sender = (peer: string) => () => ({
      step: (_now: number, input: { type: string }) =>
        input.type === 'start'
          ? [{ type: 'send' as const, to: peer, data: new Uint8Array(4), reliable: true }]
          : [],
    })
    const received: boolean[] = []
    sim.add('b', () => ({
      step: (_now, input) => {
        if (input.type === 'datagram') received.push(input.reliable === true)
        return []
      },
    }))
    sim.add('a', sender('b'))
    sim.runFor(100)
    expect(sim.counters.delivered).toBe(1)
    expect(received).toEqual([true])
    expect(sim.counters.duplicated).toBe(0)
    sim.partition(['a'], ['b'])
    sim.restart('a')
    sim.runFor(100)
    expect(sim.counters.dropped.partition).toBe(1)
  })

  it('duplicates datagrams', () => {
    const sim = pair({ duplicate: 1 })
    sim.setLink('b', 'a', { duplicate: 0 })
    sim.runFor(15)
    // a → b ping duplicated: b answers twice, each pong arrives once
    expect(events(sim, 'b', 'ping')).toHaveLength(2)
    expect(sim.counters.duplicated).toBeGreaterThan(0)
  })

  it('reorders with random delays', () => {
    const sim = pair({ delay: { kind: 'uniform', min: 0, max: 50 } })
    sim.runFor(1000)
    const seqs = events(sim, 'b', 'ping').map((e) => e.event.type === 'ping' && e.event.seq)
    const sorted = [...seqs].sort((x, y) => Number(x) - Number(y))
    expect(seqs).not.toEqual(sorted)
  })

  it('partitions and heals', () => {
    const sim = new Simulation<'ping-now', PingEvent>({ seed: 1 })
    const names = ['a', 'b', 'c', 'd']
    for (const n of names) sim.add(n, pingPong(names))
    sim.partition(['a', 'b'], ['c', 'd'])
    sim.runFor(100)
    const crossed = sim.history.filter(
      (e) => e.event.type === 'ping' && ['a', 'b'].includes(e.node) !== ['a', 'b'].includes(e.event.from),
    )
    expect(crossed).toHaveLength(0)
    expect(sim.counters.dropped.partition).toBeGreaterThan(0)
    sim.heal()
    const at = sim.now
    sim.runFor(30)
    expect(
      sim.history.some(
        (e) => e.time > at && e.node === 'c' && e.event.type === 'ping' && e.event.from === 'a',
      ),
    ).toBe(true)
  })

  it('cuts one direction only (asymmetric partition)', () => {
    const sim = pair()
    sim.cut('a', 'b')
    sim.runFor(100)
    expect(events(sim, 'b', 'ping')).toHaveLength(0) // a's pings never arrive
    expect(events(sim, 'a', 'ping').length).toBeGreaterThan(0) // b's pings do
    expect(events(sim, 'b', 'pong')).toHaveLength(0) // but a's answers do not
    expect(sim.counters.dropped.down).toBeGreaterThan(0)
    sim.heal()
    sim.runFor(20)
    expect(events(sim, 'b', 'ping').length).toBeGreaterThan(0)
  })

  it('applies asymmetric link settings per direction', () => {
    const sim = pair()
    sim.setLink('a', 'b', { delay: { kind: 'constant', ms: 7 } })
    sim.runFor(10)
    sim.runFor(10)
    const slow = sim.history.find((e) => e.node === 'b' && e.event.type === 'ping')
    const fast = sim.history.find((e) => e.node === 'a' && e.event.type === 'ping')
    expect(slow?.time).toBe(17) // a → b: 7 ms
    expect(fast?.time).toBe(11) // b → a: the default 1 ms
  })

  it('queues inputs of a paused node until it resumes', () => {
    const sim = pair()
    sim.runFor(5)
    sim.pause('b', 50)
    sim.runFor(49)
    expect(events(sim, 'b', 'ping')).toHaveLength(0)
    expect(sim.node('b').paused).toBe(true)
    sim.runFor(1)
    expect(sim.node('b').paused).toBe(false)
    // the queued pings (a pings every 10 ms) are all handled at resume time
    const handled = events(sim, 'b', 'ping')
    expect(handled.length).toBe(5)
    expect(handled.every((e) => e.time === 55)).toBe(true)
    // and b's own timer, which was due while paused, fired late, at resume
    expect(sim.trace.some((e) => e.kind === 'timer' && e.node === 'b' && e.time === 55)).toBe(true)
  })

  it('a timer due during a pause does not fire at resume if the core set it again first', () => {
    const fired: number[] = []
    const sim = new Simulation<never, string>({ seed: 4 })
    sim.add('b', () => ({
      step: (now, input) => {
        if (input.type === 'start') return [{ type: 'setTimer', id: 't', at: now + 100 }]
        // a datagram that arrived before the timer was due moves it later
        if (input.type === 'datagram') return [{ type: 'setTimer', id: 't', at: now + 100 }]
        if (input.type === 'timer') fired.push(now)
        return []
      },
    }))
    sim.add('a', () => ({
      step: (_now, input) =>
        input.type === 'start' ? [{ type: 'send', to: 'b', data: new Uint8Array(1) }] : [],
    }))
    sim.pause('b', 200)
    sim.runFor(1_000)
    expect(fired).toEqual([300])
  })

  it('a second pause replaces the end of the first', () => {
    const sim = pair()
    sim.pause('b', 10)
    sim.runFor(5)
    sim.pause('b', 20)
    sim.runFor(10)
    expect(sim.node('b').paused).toBe(true)
    sim.runFor(10)
    expect(sim.node('b').paused).toBe(false)
  })

  it('bounds what a paused node holds (receive buffer overflow)', () => {
    const sim = new Simulation<'ping-now', PingEvent>({ seed: 2, receiveBuffer: 3 })
    sim.add('a', pingPong(['a', 'b']))
    sim.add('b', pingPong(['a', 'b']))
    sim.pause('b')
    sim.runFor(100)
    expect(sim.counters.dropped.overflow).toBe(6) // 9 pings from a arrive by 100 ms, 3 held
    sim.resume('b')
    expect(events(sim, 'b', 'ping')).toHaveLength(3)
  })

  it('stops a run that never advances time', () => {
    const sim = new Simulation<never, never>({ seed: 1, maxEventsPerRun: 1000 })
    sim.add('spin', () => ({ step: (now) => [{ type: 'setTimer', id: 't', at: now }] }))
    expect(() => sim.runFor(1)).toThrow(/1000 events/)
  })

  it('queues application calls of a paused node and ignores those of a crashed one', () => {
    const sim = pair()
    sim.pause('a')
    sim.call('a', 'ping-now')
    expect(sim.counters.sent).toBe(0)
    sim.resume('a')
    expect(sim.counters.sent).toBe(1)
    sim.crash('a')
    sim.call('a', 'ping-now')
    expect(sim.counters.sent).toBe(1)
  })

  it('crash drops datagrams and timers; restart builds a new incarnation', () => {
    const sim = pair()
    sim.runFor(25)
    sim.crash('b')
    expect(sim.node('b')).toMatchObject({ up: false, incarnation: 1 })
    sim.runFor(100)
    expect(sim.counters.dropped.crashed).toBeGreaterThan(0)
    expect(sim.trace.some((e) => e.kind === 'timer' && e.node === 'b' && e.time > 25)).toBe(false)
    sim.restart('b')
    expect(sim.node('b')).toMatchObject({ up: true, incarnation: 2 })
    sim.runFor(30)
    expect(sim.history.some((e) => e.node === 'b' && e.incarnation === 2 && e.event.type === 'started')).toBe(
      true,
    )
    expect(sim.history.some((e) => e.node === 'b' && e.incarnation === 2 && e.event.type === 'ping')).toBe(
      true,
    )
    // restarting a live node crashes it first
    sim.restart('a')
    expect(sim.node('a').incarnation).toBe(2)
  })

  it('drops what exceeds the bandwidth queue', () => {
    // 1000-byte pings, 10 000 B/s: one datagram per 100 ms fits, at most 2 000 bytes may wait
    const sim = pair({ bandwidth: 10_000, queueBytes: 2_000 }, 1000)
    sim.runFor(1000)
    expect(sim.counters.dropped.queue).toBeGreaterThan(0)
    const delivered = sim.trace.filter((e) => e.kind === 'deliver' && e.node === 'b')
    // b receives a's pings and pongs at most at the link's rate
    expect(delivered.length).toBeLessThanOrEqual(11)
  })

  it('rejects bad settings at once', () => {
    expect(() => new Simulation({ seed: 1, link: { loss: 2 } })).toThrow(/probability/)
    expect(() => new Simulation({ seed: 1, link: { delay: { kind: 'uniform', min: 5, max: 1 } } })).toThrow(
      /delay/,
    )
    expect(() => new Simulation({ seed: 1, link: { delay: { kind: 'constant', ms: -1 } } })).toThrow(/delay/)
    const broken = new Simulation<never, never>({ seed: 1 })
    expect(() =>
      broken.add('x', () => ({ step: () => [{ type: 'setTimer', id: 't', at: Number.NaN }] })),
    ).toThrow(/NaN/)
    const sim = pair()
    expect(() => sim.crash('zz')).toThrow(/no node/)
    expect(() => sim.add('a', pingPong([]))).toThrow(/already exists/)
  })
})
