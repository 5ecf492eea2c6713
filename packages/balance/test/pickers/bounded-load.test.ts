import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Balancer } from '../../src/balancer.js'
import type { Backend } from '../../src/endpoint.js'
import type { Picker } from '../../src/picker.js'
import { maglev } from '../../src/pickers/maglev.js'
import { rendezvous } from '../../src/pickers/rendezvous.js'
import { ring } from '../../src/pickers/ring.js'
import { serverIds } from './keyed-helpers.js'

/** Each picker with a balance factor, or without a bound when it is undefined. */
const pickers: Record<string, (c: number | undefined) => Picker> = {
  'ring fast': (c) => ring({ boundedLoad: c }),
  'ring ketama': (c) => ring({ placement: 'ketama', boundedLoad: c }),
  'ring nginx': (c) => ring({ placement: 'nginx', boundedLoad: c }),
  maglev: (c) => maglev({ tableSize: 1009, boundedLoad: c }),
  rendezvous: (c) => rendezvous({ boundedLoad: c }),
}

/** ⌈c × T × w / W⌉, at least 1 (the small allowance absorbs floating-point error in an integer share). */
function cap(c: number, total: number, weight: number, totalWeight: number): number {
  return Math.max(1, Math.ceil((c * total * weight) / totalWeight - 1e-9))
}

/** A few hot keys, so that bounds are hit, among some cold ones. */
const keys = fc.array(fc.oneof(fc.constantFrom('hot-1', 'hot-2', 'hot-3'), fc.string({ maxLength: 6 })), {
  minLength: 1,
  maxLength: 250,
})

describe.each(Object.keys(pickers))('bounded loads: %s', (name) => {
  const make = pickers[name] as (c: number | undefined) => Picker

  it('never lets a backend hold more than ⌈c × T × w / W⌉ while picks are held', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 1.01, max: 3, noNaN: true }),
        fc.boolean(),
        keys,
        (n, c, weighted, sequence) => {
          const ids = serverIds(n)
          const weights = ids.map((_, i) => (weighted ? 1 + (i % 4) : 1))
          const totalWeight = weights.reduce((sum, w) => sum + w, 0)
          const lb = new Balancer(
            ids.map((id, i) => ({ id, weight: weights[i] as number })),
            { picker: make(c), stages: [] },
          )
          const slots = ids.map((id) => lb.cluster.get(id)?.slot as number)
          let over = 0
          sequence.forEach((key, total) => {
            if (lb.pick(key) === undefined) over++
            slots.forEach((slot, i) => {
              if (
                (lb.cluster.inflight[slot] as number) > cap(c, total + 1, weights[i] as number, totalWeight)
              )
                over++
            })
          })
          expect(over).toBe(0)
        },
      ),
      { numRuns: 40 },
    )
  })

  it('keeps the chosen backend within its bound as requests complete, deterministically', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 20 }),
        fc.double({ min: 1.05, max: 2, noNaN: true }),
        fc.array(fc.tuple(fc.oneof(fc.constantFrom('hot'), fc.string({ maxLength: 4 })), fc.nat(9)), {
          minLength: 1,
          maxLength: 200,
        }),
        (n, c, steps) => {
          const run = () => {
            const lb = new Balancer(
              serverIds(n).map((id) => ({ id })),
              { picker: make(c), stages: [] },
            )
            const held: Backend[] = []
            const chosen: string[] = []
            for (const [key, completions] of steps) {
              // complete some held requests first (oldest first), then pick
              for (let i = 0; i < completions % 3 && held.length > 0; i++) lb.done(held.shift() as Backend)
              const total = held.length
              const backend = lb.pick(key) as Backend
              expect(lb.cluster.inflight[backend.slot]).toBeLessThanOrEqual(cap(c, total + 1, 1, n))
              held.push(backend)
              chosen.push(backend.id)
            }
            return chosen
          }
          expect(run()).toEqual(run())
        },
      ),
      { numRuns: 25 },
    )
  })

  it('leaves the mapping alone while backends have room', () => {
    const ids = serverIds(16)
    const plain = new Balancer(
      ids.map((id) => ({ id })),
      { picker: make(undefined) },
    )
    const lb = new Balancer(
      ids.map((id) => ({ id })),
      { picker: make(1.25) },
    )
    for (let i = 0; i < 300; i++) {
      const expected = plain.pick(`k${i}`) as Backend
      plain.done(expected)
      const got = lb.pick(`k${i}`) as Backend
      lb.done(got)
      expect(got.id).toBe(expected.id)
    }
  })
})

describe('bounded loads', () => {
  it('matter: without a bound a hot key piles onto one backend', () => {
    const lb = new Balancer(
      serverIds(8).map((id) => ({ id })),
      { picker: ring() },
    )
    for (let i = 0; i < 100; i++) lb.pick('hot')
    expect(Math.max(...lb.cluster.inflight)).toBe(100)
    const capped = new Balancer(
      serverIds(8).map((id) => ({ id })),
      { picker: ring({ boundedLoad: 1.25 }) },
    )
    for (let i = 0; i < 100; i++) capped.pick('hot')
    expect(Math.max(...capped.cluster.inflight)).toBeLessThanOrEqual(Math.ceil((1.25 * 100) / 8))
  })
})
