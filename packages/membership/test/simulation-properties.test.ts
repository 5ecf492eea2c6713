import { applySchedule, checkProperty, faultSchedule } from '@shoal/netsim'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { assign } from '../src/assign/assign.js'
import { profiles } from '../src/core/config.js'
import { encodeMessages } from '../src/wire/codec.js'
import { createEnvelope } from '../src/wire/envelope.js'
import { memberEvents, runUntil, type SimCluster, simCluster, viewsAgree } from './sim-cluster.js'

const FILE = 'packages/membership/test/simulation-properties.test.ts'
const lan = profiles.lan

/** The completeness bound of the lan profile at n members: every member has probed the dead one
 * (n periods, stretched ×2 by local health), the longest suspicion, then gossip. */
const completenessBound = (n: number) =>
  2 * n * lan.probeIntervalMs + lan.suspicionMult * lan.suspicionMaxMult * lan.probeIntervalMs + 2_000

function converge(c: SimCluster): void {
  const at = runUntil(c, () => viewsAgree(c, c.names, c.names), 15_000)
  if (at === undefined) throw new Error('the cluster did not converge at start')
}

const live = (c: SimCluster) => c.names.filter((n) => c.sim.node(n).up)

describe('membership properties under generated faults (lan profile)', () => {
  it('completeness: a crashed member is declared dead by every live member within the bound', () => {
    checkProperty(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 3, max: 9 }),
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 5_000 }),
        (seed, size, loss, victimIndex, delay) => {
          const c = simCluster({ seed, size, link: { loss, delay: { kind: 'uniform', min: 0.1, max: 3 } } })
          converge(c)
          c.sim.runFor(delay)
          const victim = c.names[victimIndex % size] as string
          const crashAt = c.sim.now
          c.sim.crash(victim)
          const others = live(c)
          const at = runUntil(
            c,
            () => others.every((n) => c.core(n).member(victim)?.state === 'dead'),
            completenessBound(size),
            20,
          )
          expect(at, `${victim} not dead everywhere within ${completenessBound(size)} ms`).toBeDefined()
          const wrong = memberEvents(c.sim).filter(
            (e) => e.event.type === 'dead' && e.event.member.name !== victim,
          )
          expect(wrong).toEqual([])
          return (at as number) - crashAt <= completenessBound(size)
        },
      ),
      { file: FILE, numRuns: 60 },
    )
  })

  it('accuracy: pauses up to 500 ms and 1 % loss never get a member declared dead', () => {
    checkProperty(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 3, max: 8 }),
        fc.double({ min: 0, max: 0.01, noNaN: true }),
        faultSchedule({
          nodes: ['m0', 'm1', 'm2'],
          durationMs: 60_000,
          kinds: ['pause'],
          maxPauseMs: 500,
          maxFaults: 20,
        }),
        (seed, size, loss, schedule) => {
          const c = simCluster({ seed, size, link: { loss, delay: { kind: 'uniform', min: 0.1, max: 3 } } })
          converge(c)
          applySchedule(c.sim, schedule)
          c.sim.runFor(65_000)
          const dead = memberEvents(c.sim).filter((e) => e.event.type === 'dead' || e.event.type === 'left')
          expect(dead).toEqual([])
        },
      ),
      { file: FILE, numRuns: 40 },
    )
  })

  it('accuracy: 10 % loss on every link never gets a member declared dead', () => {
    checkProperty(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 3, max: 8 }), (seed, size) => {
        const c = simCluster({ seed, size })
        converge(c)
        c.sim.setLinks({ loss: 0.1, delay: { kind: 'uniform', min: 0.1, max: 3 } })
        c.sim.runFor(120_000)
        const dead = memberEvents(c.sim).filter((e) => e.event.type === 'dead')
        expect(dead).toEqual([])
      }),
      { file: FILE, numRuns: 25 },
    )
  })

  it('convergence: after a partition heals, every member sees every member alive again', () => {
    checkProperty(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 3, max: 8 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1_000, max: 60_000 }),
        (seed, size, cut, duration) => {
          const c = simCluster({ seed, size })
          converge(c)
          const side = c.names.slice(0, Math.min(cut, size - 1))
          c.sim.partition(
            side,
            c.names.filter((n) => !side.includes(n)),
          )
          c.sim.runFor(duration)
          c.sim.heal()
          const bound = 2 * lan.reconnectIntervalMs + 10_000
          const at = runUntil(c, () => viewsAgree(c, c.names, c.names), bound)
          expect(at, `not converged ${bound} ms after the heal`).toBeDefined()
        },
      ),
      { file: FILE, numRuns: 40 },
    )
  })

  it('convergence after any schedule of crashes, restarts, pauses, partitions and loss', () => {
    const names = Array.from({ length: 6 }, (_, i) => `m${i}`)
    checkProperty(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        faultSchedule({ nodes: names, durationMs: 40_000, maxFaults: 12, maxLoss: 0.2, maxPauseMs: 3_000 }),
        (seed, schedule) => {
          const c = simCluster({ seed, size: names.length })
          converge(c)
          applySchedule(c.sim, schedule)
          c.sim.runFor(40_000)
          c.sim.heal()
          c.sim.setLinks({ loss: 0, delay: { kind: 'uniform', min: 0.1, max: 2 } })
          for (const n of names) if (c.sim.node(n).paused) c.sim.resume(n)
          const up = live(c)
          const bound = completenessBound(names.length) + 2 * lan.reconnectIntervalMs + 10_000
          const at = runUntil(c, () => up.length === 0 || viewsAgree(c, up, up), bound)
          expect(at, `live members ${up.join(',')} did not agree within ${bound} ms`).toBeDefined()
        },
      ),
      { file: FILE, numRuns: 40 },
    )
  })

  it('refutation: accused live members refute at a higher incarnation and end alive everywhere', () => {
    const envelope = createEnvelope({ cluster: 'shoal' })
    checkProperty(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 20_000 }),
            accused: fc.integer({ min: 0, max: 4 }),
            accuser: fc.integer({ min: 1, max: 4 }),
            told: fc.integer({ min: 0, max: 4 }),
            dead: fc.boolean(),
          }),
          { minLength: 1, maxLength: 10 },
        ),
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        (seed, rumours, loss) => {
          const c = simCluster({
            seed,
            size: 5,
            link: { loss, delay: { kind: 'uniform', min: 0.1, max: 3 } },
          })
          converge(c)
          const start = c.sim.now
          const accused = new Set<string>()
          for (const r of rumours) {
            const name = `m${r.accused}`
            c.sim.at(start + r.at, () => {
              // the accusation carries the accused's current incarnation, as a real one would
              const incarnation = c.core(name).member(name)?.incarnation ?? 0
              // never the accused itself: `dead` from oneself is a leave, not an accusation
              const accuser = `m${(r.accused + r.accuser) % 5}`
              const message = { name, incarnation, from: accuser }
              const data = envelope.seal(encodeMessages([{ type: r.dead ? 'dead' : 'suspect', ...message }]))
              c.sim.send(accuser, `m${r.told}`, data)
              accused.add(name)
            })
          }
          c.sim.runFor(30_000)
          expect(memberEvents(c.sim).filter((e) => e.time >= start && e.event.type === 'left')).toEqual([])
          // whoever was suspected or declared dead anywhere has refuted: it is back at a higher incarnation
          const doubted = new Set(
            memberEvents(c.sim)
              .filter((e) => e.time >= start && (e.event.type === 'suspect' || e.event.type === 'dead'))
              .map((e) => e.event.member.name),
          )
          for (const name of accused) if (c.core(name).stats.refutations > 0) doubted.add(name)
          const at = runUntil(
            c,
            () =>
              viewsAgree(c, c.names, c.names) &&
              c.names.every((n) =>
                c
                  .core(n)
                  .members()
                  .every((m) => m.state === 'alive'),
              ),
            20_000,
          )
          expect(at, 'not every member alive everywhere after the rumours').toBeDefined()
          for (const name of doubted) expect(c.core('m0').member(name)?.incarnation).toBeGreaterThan(0)
        },
      ),
      { file: FILE, numRuns: 30 },
    )
  })

  it('metadata converges to each owner’s latest map', () => {
    checkProperty(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 20_000 }),
            node: fc.integer({ min: 0, max: 4 }),
            value: fc.string({ maxLength: 12 }),
          }),
          {
            maxLength: 30,
          },
        ),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        (seed, updates, loss) => {
          const c = simCluster({
            seed,
            size: 5,
            link: { loss, delay: { kind: 'uniform', min: 0.1, max: 3 } },
          })
          converge(c)
          const start = c.sim.now
          for (const u of updates)
            c.sim.at(start + u.at, () => c.sim.call(`m${u.node}`, { type: 'setMeta', meta: { v: u.value } }))
          c.sim.runFor(20_000)
          const agree = () =>
            c.names.every((owner) => {
              const own = JSON.stringify(c.core(owner).member(owner)?.meta)
              return c.names.every((n) => JSON.stringify(c.core(n).member(owner)?.meta) === own)
            })
          const at = runUntil(c, agree, 2 * lan.pushPullIntervalMs)
          expect(at, 'metadata did not converge').toBeDefined()
        },
      ),
      { file: FILE, numRuns: 30 },
    )
  })

  it('assignment: at every membership change, at every member, resources are owned once, balanced, and kept by surviving owners; at the end all members agree', () => {
    const names = Array.from({ length: 6 }, (_, i) => `m${i}`)
    const resources = Array.from({ length: 20 }, (_, i) => `10.0.0.${i + 1}`)
    checkProperty(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        faultSchedule({
          nodes: names,
          durationMs: 30_000,
          maxFaults: 8,
          kinds: ['crash', 'restart', 'partition', 'heal', 'pause'],
          maxPauseMs: 3_000,
        }),
        (seed, schedule) => {
          const c = simCluster({ seed, size: names.length })
          converge(c)
          const start = c.sim.history.length
          const previous = new Map<string, ReadonlyMap<string, string>>()
          const check = (node: string) => {
            const view = c
              .core(node)
              .members()
              .filter((m) => m.state === 'alive' || m.state === 'suspect')
              .map((m) => m.name)
            const before = previous.get(node)
            const result = assign(view, resources, before === undefined ? {} : { previous: before })
            const counts = [...result.byMember.values()].map((r) => r.length)
            expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1)
            for (const r of resources) expect(view).toContain(result.owners.get(r))
            if (before !== undefined) {
              for (const [r, owner] of before) {
                // a resource whose owner is still here moves only to feed a newcomer's quota
                if (view.includes(owner) && result.owners.get(r) !== owner) {
                  expect([...before.values()].includes(result.owners.get(r) as string)).toBe(false)
                }
              }
            }
            previous.set(node, result.owners)
          }
          for (const n of names) check(n)
          applySchedule(c.sim, schedule)
          let seen = start
          for (let t = 0; t < 30_000; t += 100) {
            c.sim.runFor(100)
            for (; seen < c.sim.history.length; seen++) {
              const e = c.sim.history[seen]
              if (e !== undefined && e.event.type !== 'stopped' && c.sim.node(e.node).up) check(e.node)
            }
          }
          c.sim.heal()
          for (const n of names) if (!c.sim.node(n).up) c.sim.restart(n)
          const viewOf = (n: string) =>
            c
              .core(n)
              .members()
              .filter((m) => m.state === 'alive')
              .map((m) => m.name)
          const allAlive = () => names.every((n) => viewOf(n).length === names.length)
          expect(runUntil(c, allAlive, 60_000), 'not all alive everywhere 60 s after the heal').toBeDefined()
          const finals = names.map((n) => JSON.stringify([...assign(viewOf(n), resources).owners]))
          expect(new Set(finals).size).toBe(1)
        },
      ),
      { file: FILE, numRuns: 30 },
    )
  })
})
