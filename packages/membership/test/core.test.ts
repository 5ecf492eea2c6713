import { createRandom } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import { resolveConfig } from '../src/core/config.js'
import { MembershipCore } from '../src/core/membership-core.js'
import { encodeMessages } from '../src/wire/codec.js'
import { createEnvelope } from '../src/wire/envelope.js'
import { memberEvents, runUntil, simCluster, viewsAgree } from './sim-cluster.js'

describe('MembershipCore in simulation', () => {
  it('five members join through the seeds and agree', () => {
    const c = simCluster({ seed: 1, size: 5 })
    const at = runUntil(c, () => viewsAgree(c, c.names, c.names), 10_000)
    expect(at).toBeDefined()
    expect(at as number).toBeLessThan(3_000)
    // every member saw every other join, once
    for (const name of c.names) {
      const joins = memberEvents(c.sim).filter((e) => e.node === name && e.event.type === 'join')
      expect(new Set(joins.map((e) => e.event.member.name)).size).toBe(5)
    }
  })

  it('declares a crashed member dead at every other member', () => {
    const c = simCluster({ seed: 2, size: 5 })
    runUntil(c, () => viewsAgree(c, c.names, c.names), 10_000)
    c.sim.runFor(2_000)
    const crashAt = c.sim.now
    c.sim.crash('m3')
    const live = c.names.filter((n) => n !== 'm3')
    const at = runUntil(c, () => live.every((n) => c.core(n).member('m3')?.state === 'dead'), 20_000, 10)
    expect(at).toBeDefined()
    expect((at as number) - crashAt).toBeLessThan(6_000)
    const falseDeaths = memberEvents(c.sim).filter(
      (e) => e.event.type === 'dead' && e.event.member.name !== 'm3',
    )
    expect(falseDeaths).toEqual([])
  })

  it('a graceful leave is seen as left, not dead, and the leaver stops', () => {
    const c = simCluster({ seed: 3, size: 4 })
    runUntil(c, () => viewsAgree(c, c.names, c.names), 10_000)
    c.sim.call('m2', { type: 'leave' })
    c.sim.runFor(1_000)
    for (const n of ['m0', 'm1', 'm3']) expect(c.core(n).member('m2')?.state).toBe('left')
    expect(memberEvents(c.sim).some((e) => e.event.type === 'dead')).toBe(false)
    expect(c.sim.history.some((e) => e.node === 'm2' && e.event.type === 'stopped')).toBe(true)
  })

  it('metadata spreads with a new incarnation', () => {
    const c = simCluster({ seed: 4, size: 5 })
    runUntil(c, () => viewsAgree(c, c.names, c.names), 10_000)
    c.sim.call('m4', { type: 'setMeta', meta: { load: '0.5', zone: 'a' } })
    const at = runUntil(c, () => c.names.every((n) => c.core(n).member('m4')?.meta.load === '0.5'), 5_000, 10)
    expect(at).toBeDefined()
    expect(c.core('m0').member('m4')?.incarnation).toBe(1)
  })

  it('a suspected member refutes and nobody declares it dead', () => {
    const c = simCluster({ seed: 5, size: 5 })
    runUntil(c, () => viewsAgree(c, c.names, c.names), 10_000)
    const envelope = createEnvelope({ cluster: 'shoal' })
    const rumour = envelope.seal(
      encodeMessages([{ type: 'suspect', name: 'm2', incarnation: 0, from: 'm1' }]),
    )
    c.sim.send('m1', 'm0', rumour)
    c.sim.runFor(5_000)
    expect(c.core('m2').stats.refutations).toBeGreaterThanOrEqual(1)
    expect(memberEvents(c.sim).filter((e) => e.event.type === 'suspect').length).toBeGreaterThan(0)
    expect(memberEvents(c.sim).filter((e) => e.event.type === 'dead')).toEqual([])
    for (const n of c.names) expect(c.core(n).member('m2')?.state).toBe('alive')
  })

  it('a restarted member rejoins with a higher incarnation', () => {
    const c = simCluster({ seed: 6, size: 4 })
    runUntil(c, () => viewsAgree(c, c.names, c.names), 10_000)
    c.sim.crash('m3')
    runUntil(c, () => c.core('m0').member('m3')?.state === 'dead', 20_000)
    c.sim.restart('m3')
    const at = runUntil(c, () => viewsAgree(c, c.names, c.names), 10_000)
    expect(at).toBeDefined()
    expect(c.core('m0').member('m3')?.incarnation).toBeGreaterThan(0)
  })

  it('a member restarted after it was declared dead is not suspected again on its return', () => {
    // A probe that began before the death must not be held against the new incarnation.
    for (let seed = 1; seed <= 20; seed++) {
      const c = simCluster({ seed, size: 5 })
      runUntil(c, () => viewsAgree(c, c.names, c.names), 10_000)
      c.sim.crash('m3')
      const others = ['m0', 'm1', 'm2', 'm4']
      runUntil(c, () => others.every((n) => c.core(n).member('m3')?.state === 'dead'), 20_000)
      c.sim.runFor(1_000)
      const back = c.sim.now
      c.sim.restart('m3')
      c.sim.runFor(5_000)
      const suspicions = memberEvents(c.sim).filter(
        (e) => e.time >= back && e.event.type === 'suspect' && e.event.member.name === 'm3',
      )
      expect(suspicions, `seed ${seed}`).toEqual([])
      for (const n of others) expect(c.core(n).member('m3')?.state).toBe('alive')
    }
  })

  it('rejoins after a mass restart: every member restarted, seeds included', () => {
    const c = simCluster({ seed: 7, size: 6 })
    runUntil(c, () => viewsAgree(c, c.names, c.names), 10_000)
    for (const n of c.names) c.sim.crash(n)
    c.sim.runFor(5_000)
    for (const n of [...c.names].reverse()) c.sim.restart(n)
    expect(runUntil(c, () => viewsAgree(c, c.names, c.names), 10_000)).toBeDefined()
  })

  it('heals a partition longer than every timeout', () => {
    const c = simCluster({ seed: 8, size: 6 })
    runUntil(c, () => viewsAgree(c, c.names, c.names), 10_000)
    c.sim.partition(['m0', 'm1', 'm2'], ['m3', 'm4', 'm5'])
    c.sim.runFor(120_000)
    expect(c.core('m0').member('m4')?.state).toBe('dead')
    c.sim.heal()
    expect(runUntil(c, () => viewsAgree(c, c.names, c.names), 30_000)).toBeDefined()
  })

  it('drops datagrams from another cluster, counted, without a reply', () => {
    const core = new MembershipCore({ name: 'a', address: 'a', random: createRandom(1), now: 0 })
    core.step(0, { type: 'start' })
    const other = createEnvelope({ cluster: 'other' })
    const ping = other.seal(
      encodeMessages([{ type: 'ping', seq: 1, target: 'a', source: 'x', sourceAddress: 'x' }]),
    )
    const effects = core.step(1, { type: 'datagram', from: 'x', data: ping })
    expect(effects.filter((e) => e.type === 'send')).toEqual([])
    expect(core.stats.dropped.cluster).toBe(1)
    const garbage = core.step(2, {
      type: 'datagram',
      from: 'x',
      data: new Uint8Array([0x53, 1, 5, 115, 104, 111, 97, 108, 9]),
    })
    expect(garbage.filter((e) => e.type === 'send')).toEqual([])
    expect(core.stats.dropped.malformed + core.stats.dropped.cluster).toBe(2)
  })

  it('a suspicion timer that fires late (this process stalled) waits for the input behind it', () => {
    const envelope = createEnvelope({ cluster: 'shoal' })
    const datagram = (...messages: Parameters<typeof encodeMessages>[0]) => ({
      type: 'datagram' as const,
      from: 'x',
      data: envelope.seal(encodeMessages(messages)),
    })
    const run = (refute: boolean) => {
      const core = new MembershipCore({ name: 'a', address: 'a', random: createRandom(1), now: 0 })
      core.step(0, { type: 'start' })
      core.step(1, datagram({ type: 'alive', name: 'x', address: 'x', incarnation: 0, meta: {} }))
      const effects = core.step(2, datagram({ type: 'suspect', name: 'x', incarnation: 0, from: 'y' }))
      const timer = effects.find((e) => e.type === 'setTimer' && e.id === 's:x')
      expect(timer).toBeDefined()
      const deadline = (timer as { at: number }).at
      // the timer runs 5 s late, before the refutation that arrived meanwhile is read
      const late = core.step(deadline + 5_000, { type: 'timer', id: 's:x' })
      expect(late.some((e) => e.type === 'emit')).toBe(false)
      if (refute)
        core.step(
          deadline + 5_001,
          datagram({ type: 'alive', name: 'x', address: 'x', incarnation: 1, meta: {} }),
        )
      const after = core.step(deadline + 5_000 + core.config.probeTimeoutMs, { type: 'timer', id: 's:x' })
      return { state: core.member('x')?.state, emitted: after.filter((e) => e.type === 'emit').length }
    }
    expect(run(true)).toEqual({ state: 'alive', emitted: 0 })
    expect(run(false)).toEqual({ state: 'dead', emitted: 1 })
  })

  it('an accusation at the highest incarnation does not break the core', () => {
    const core = new MembershipCore({ name: 'a', address: 'a', random: createRandom(1), now: 0 })
    core.step(0, { type: 'start' })
    const envelope = createEnvelope({ cluster: 'shoal' })
    const accuse = envelope.seal(
      encodeMessages([{ type: 'dead', name: 'a', incarnation: 0xffffffff, from: 'x' }]),
    )
    expect(() => core.step(1, { type: 'datagram', from: 'x', data: accuse })).not.toThrow()
    expect(core.member('a')).toMatchObject({ state: 'alive', incarnation: 0xffffffff })
    expect(() => core.step(2, { type: 'app', call: { type: 'setMeta', meta: { k: 'v' } } })).not.toThrow()
  })

  it('validates its configuration', () => {
    expect(() => resolveConfig('lan', { probeTimeoutMs: 500 })).toThrow(/shorter than probeIntervalMs/)
    expect(() => resolveConfig('lan', { gossipNodes: 0 })).toThrow(/gossipNodes must be > 0/)
    expect(() => resolveConfig('nope' as 'lan')).toThrow(/unknown profile/)
    expect(() => resolveConfig('lan', { maxMembers: 20_000 })).toThrow(/maxMembers must be at most 10000/)
  })
})
