import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Due, DueQueue } from '../src/due-queue.js'
import { TokenBucket } from '../src/token-bucket.js'

describe('DueQueue', () => {
  it('pops in due order (ties in insertion order) under any mix of pushes, pops and removals', () => {
    type Op = { kind: 'push'; due: number } | { kind: 'pop' } | { kind: 'remove'; pick: number }
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), due: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('pop' as const) }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const queue = new DueQueue<Due>()
        let model: Due[] = []
        let order = 0
        for (const o of ops) {
          if (o.kind === 'push') {
            const item = { due: o.due, order: order++, heapIndex: -1 }
            queue.push(item)
            model.push(item)
          } else if (o.kind === 'pop') {
            model.sort((a, b) => a.due - b.due || a.order - b.order)
            const expected = model.shift()
            expect(queue.pop()).toBe(expected)
            if (expected) expect(expected.heapIndex).toBe(-1)
          } else if (model.length > 0) {
            const victim = model[o.pick % model.length] as Due
            queue.remove(victim)
            queue.remove(victim) // a second removal does nothing
            model = model.filter((item) => item !== victim)
          }
          expect(queue.size).toBe(model.length)
        }
        queue.clear()
        expect(queue.peek()).toBeUndefined()
        for (const item of model) expect(item.heapIndex).toBe(-1)
      }),
    )
  })
})

describe('TokenBucket', () => {
  it('never grants more than burst + rate × elapsed, and grants that much when asked at every chance', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 5000, noNaN: true }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.double({ min: 0, max: 50, noNaN: true }), { maxLength: 200 }),
        (rate, burst, steps) => {
          const bucket = new TokenBucket(rate, burst, 0)
          let now = 0
          let granted = 0
          for (const step of steps) {
            now += step
            while (bucket.take(now)) granted++
            expect(granted).toBeLessThanOrEqual(burst + (now * rate) / 1000 + 1e-6)
            const wait = bucket.wait(now)
            expect(wait).toBeGreaterThan(0)
            expect(bucket.take(now + wait)).toBe(true)
            granted++
            now += wait
          }
        },
      ),
    )
  })

  it('starts full, and says how long until the next token', () => {
    const bucket = new TokenBucket(10, 3, 1000)
    expect([bucket.take(1000), bucket.take(1000), bucket.take(1000), bucket.take(1000)]).toEqual([
      true,
      true,
      true,
      false,
    ])
    expect(bucket.wait(1000)).toBeCloseTo(100)
    expect(bucket.wait(1050)).toBeCloseTo(50)
    expect(bucket.take(1100)).toBe(true)
    expect(bucket.wait(10_000)).toBe(0)
  })
})
