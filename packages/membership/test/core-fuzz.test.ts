/**
 * The core under hostile input: random bytes, mutated datagrams and valid messages with arbitrary
 * contents (names known and unknown, any incarnation, any state, ourselves included) are fed to a
 * running core. It must never throw, never answer what it cannot open, and keep every table
 * bounded: members at `maxMembers`, the gossip queue at one entry per member.
 */
import { createRandom } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MembershipCore } from '../src/core/membership-core.js'
import { encodeMessages } from '../src/wire/codec.js'
import { createEnvelope } from '../src/wire/envelope.js'
import type { Message, Metadata } from '../src/wire/messages.js'

const MAX_MEMBERS = 50
const known = ['self', 'm1', 'm2', 'm3']
const name = fc.oneof(fc.constantFrom(...known), fc.string({ minLength: 1, maxLength: 12 }))
const incarnation = fc.oneof(fc.nat({ max: 3 }), fc.nat({ max: 0xffffffff }))
const meta: fc.Arbitrary<Metadata> = fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 8 }), {
  maxKeys: 3,
})
const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({
    type: fc.constant('ping' as const),
    seq: fc.nat(),
    target: name,
    source: name,
    sourceAddress: name,
  }),
  fc.record({
    type: fc.constant('indirectPing' as const),
    seq: fc.nat(),
    target: name,
    targetAddress: name,
    source: name,
    sourceAddress: name,
    nack: fc.boolean(),
  }),
  fc.record({ type: fc.constant('ack' as const), seq: fc.nat({ max: 50 }) }),
  fc.record({ type: fc.constant('nack' as const), seq: fc.nat({ max: 50 }) }),
  fc.record({ type: fc.constant('alive' as const), name, address: name, incarnation, meta }),
  fc.record({ type: fc.constant('suspect' as const), name, incarnation, from: name }),
  fc.record({ type: fc.constant('dead' as const), name, incarnation, from: name }),
  fc.record({
    type: fc.constant('pushPull' as const),
    join: fc.boolean(),
    reply: fc.boolean(),
    members: fc.array(
      fc.record({
        name,
        address: name,
        incarnation,
        state: fc.constantFrom('alive', 'suspect', 'dead', 'left' as const),
        meta,
      }),
      { maxLength: 20 },
    ),
  }),
)

describe('MembershipCore fuzz', () => {
  it('survives 20,000 hostile datagrams with bounded tables, answering only what it could open', () => {
    const random = createRandom(Number(process.env.FC_SEED ?? 7))
    const envelope = createEnvelope({ cluster: 'shoal' })
    const core = new MembershipCore({
      name: 'self',
      address: 'self',
      random: createRandom(1),
      now: 0,
      config: { maxMembers: MAX_MEMBERS },
    })
    core.step(0, { type: 'start' })
    const bodies = fc.sample(fc.array(message, { minLength: 1, maxLength: 8 }), {
      numRuns: 2_000,
      seed: random.seed,
    })
    let now = 0
    let timers = new Map<string, number>()
    for (let i = 0; i < 20_000; i++) {
      now += random.int(20)
      const kind = random.int(4)
      let data: Uint8Array
      const valid = envelope.seal(encodeMessages(bodies[i % bodies.length] as Message[]))
      if (kind === 0) data = valid
      else if (kind === 1) {
        data = valid.slice()
        for (let f = 0; f < 1 + random.int(4); f++) data[random.int(data.length)] = random.int(256)
      } else if (kind === 2) data = valid.subarray(0, random.int(valid.length))
      else data = Uint8Array.from({ length: random.int(64) }, () => random.int(256))
      const effects = core.step(now, { type: 'datagram', from: 'x', data })
      if (!envelope.open(data).ok) expect(effects.some((e) => e.type === 'send')).toBe(false)
      for (const e of effects) {
        if (e.type === 'setTimer') timers.set(e.id, e.at)
        else if (e.type === 'cancelTimer') timers.delete(e.id)
      }
      // fire due timers, as a driver would
      const due = [...timers].filter(([, at]) => at <= now)
      timers = new Map([...timers].filter(([, at]) => at > now))
      for (const [id] of due) {
        for (const e of core.step(now, { type: 'timer', id })) {
          if (e.type === 'setTimer') timers.set(e.id, e.at)
          else if (e.type === 'cancelTimer') timers.delete(e.id)
        }
      }
      expect(core.members().length).toBeLessThanOrEqual(MAX_MEMBERS)
      expect(core.gossipBacklog).toBeLessThanOrEqual(core.members().length)
    }
    expect(timers.size).toBeLessThan(MAX_MEMBERS + 5_000)
    expect(core.stats.dropped.full).toBeGreaterThan(0)
    expect(
      core.stats.dropped.malformed + core.stats.dropped.magic + core.stats.dropped.short,
    ).toBeGreaterThan(0)
    expect(core.member('self')?.state).toBe('alive')
  })
})
