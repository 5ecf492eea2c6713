/**
 * The rules the core adds to SWIM and Lifeguard against false deaths, each driven input by input
 * on one core: what it must send, and what it must not declare.
 */
import { createRandom, type NodeEffect } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import type { MembershipEvent } from '../src/core/events.js'
import { MembershipCore } from '../src/core/membership-core.js'
import { decodeMessages, encodeMessages } from '../src/wire/codec.js'
import { createEnvelope } from '../src/wire/envelope.js'
import type { Message } from '../src/wire/messages.js'

const envelope = createEnvelope({ cluster: 'shoal' })
const datagram = (from: string, ...messages: Message[]) => ({
  type: 'datagram' as const,
  from,
  data: envelope.seal(encodeMessages(messages)),
})
const alive = (name: string, incarnation = 0): Message => ({
  type: 'alive',
  name,
  address: name,
  incarnation,
  meta: {},
})

/** What a list of effects sends to `to`, decoded (with whether it went over a stream). */
function sent(
  effects: readonly NodeEffect<MembershipEvent>[],
  to: string,
): { messages: Message[]; reliable: boolean }[] {
  const out: { messages: Message[]; reliable: boolean }[] = []
  for (const e of effects) {
    if (e.type !== 'send' || e.to !== to) continue
    const opened = envelope.open(e.data)
    if (opened.ok) out.push({ messages: decodeMessages(opened.body), reliable: e.reliable === true })
  }
  return out
}

const timerAt = (effects: readonly NodeEffect<MembershipEvent>[], id: string): number | undefined => {
  const e = effects.find((x) => x.type === 'setTimer' && x.id === id)
  return e?.type === 'setTimer' ? e.at : undefined
}

/** Core `a` knowing `x` and `y`. */
function started(): MembershipCore {
  const core = new MembershipCore({ name: 'a', address: 'a', random: createRandom(3), now: 0 })
  core.step(0, { type: 'start' })
  core.step(1, datagram('x', alive('x'), alive('y')))
  return core
}

describe('rules against false deaths', () => {
  it('a suspect is probed next, and the probe carries the suspicion (buddy system)', () => {
    const core = started()
    core.step(10, datagram('y', { type: 'suspect', name: 'x', incarnation: 0, from: 'y' }))
    const probe = core.step(20, { type: 'timer', id: 'probe' })
    const toX = sent(probe, 'x').flatMap((d) => d.messages)
    expect(toX).toContainEqual(expect.objectContaining({ type: 'ping', target: 'x' }))
    expect(toX).toContainEqual({ type: 'suspect', name: 'x', incarnation: 0, from: 'a' })
  })

  it('the accuser gets the refutation directly', () => {
    const core = started()
    const effects = core.step(10, datagram('y', { type: 'suspect', name: 'a', incarnation: 0, from: 'y' }))
    expect(core.member('a')?.incarnation).toBe(1)
    expect(sent(effects, 'y').flatMap((d) => d.messages)).toContainEqual(alive('a', 1))
  })

  it('a stale accusation is answered again, without a new incarnation', () => {
    const core = started()
    core.step(10, datagram('y', { type: 'suspect', name: 'a', incarnation: 0, from: 'y' }))
    const again = core.step(20, datagram('x', { type: 'dead', name: 'a', incarnation: 0, from: 'x' }))
    expect(core.member('a')?.incarnation).toBe(1)
    expect(sent(again, 'x').flatMap((d) => d.messages)).toContainEqual(alive('a', 1))
  })

  it('a suspect that probes us is not declared dead when its suspicion runs out', () => {
    const core = started()
    const effects = core.step(10, datagram('y', { type: 'suspect', name: 'x', incarnation: 0, from: 'y' }))
    const deadline = timerAt(effects, 's:x') as number
    core.step(
      deadline - 5,
      datagram('x', { type: 'ping', seq: 9, target: 'a', source: 'x', sourceAddress: 'x' }),
    )
    const expiry = core.step(deadline, { type: 'timer', id: 's:x' })
    expect(core.member('x')?.state).toBe('suspect')
    expect(timerAt(expiry, 's:x')).toBeGreaterThan(deadline)
    // without a sign of life, the next expiry declares it
    const later = timerAt(expiry, 's:x') as number
    core.step(later, { type: 'timer', id: 's:x' })
    expect(core.member('x')?.state).toBe('dead')
  })

  it('a member probed by a stranger answers with a bare ack and exchanges state over a stream', () => {
    const core = started()
    core.step(5, datagram('y', { type: 'suspect', name: 'x', incarnation: 0, from: 'y' })) // news to gossip
    const effects = core.step(
      10,
      datagram('z', { type: 'ping', seq: 4, target: 'a', source: 'z', sourceAddress: 'z' }),
    )
    const toZ = sent(effects, 'z')
    expect(toZ.filter((d) => !d.reliable).map((d) => d.messages)).toEqual([[{ type: 'ack', seq: 4 }]])
    expect(toZ.filter((d) => d.reliable).flatMap((d) => d.messages.map((m) => m.type))).toEqual(['pushPull'])
  })

  it("the event loop's delay stretches this member's own probe timeout (local health)", () => {
    const core = started()
    const healthy = core.step(10, { type: 'timer', id: 'probe' })
    expect((timerAt(healthy, 'probe-timeout') as number) - 10).toBe(core.config.probeTimeoutMs)
    core.step(20, { type: 'app', call: { type: 'loopDelay', delayMs: 250 } })
    expect(core.localHealth).toBeGreaterThan(0)
    core.step(30, { type: 'timer', id: 'probe-end' })
    const stalled = core.step(2_000, { type: 'timer', id: 'probe' })
    expect((timerAt(stalled, 'probe-timeout') as number) - 2_000).toBe(
      core.config.probeTimeoutMs * (core.localHealth + 1),
    )
  })

  it('a push-pull that arrives as a datagram is dropped unanswered', () => {
    const core = started()
    const push: Message = { type: 'pushPull', join: true, reply: false, members: [] }
    expect(core.step(10, datagram('z', push)).filter((e) => e.type === 'send')).toEqual([])
    expect(core.stats.dropped.misdirected).toBe(1)
    const overStream = core.step(11, { ...datagram('z', push), reliable: true })
    expect(sent(overStream, 'z').map((d) => d.reliable)).toEqual([true])
  })
})
