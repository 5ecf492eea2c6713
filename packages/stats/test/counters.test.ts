import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Counter } from '../src/counters/counter.js'
import { CounterByKey } from '../src/counters/counter-by-key.js'
import { hex } from './frequency-streams.js'

const shardsOf = <T>(items: T[], shards: number): T[][] =>
  Array.from({ length: shards }, (_, s) => items.filter((_, i) => i % shards === s))

describe('Counter', () => {
  it('counts events and sums their values exactly', () => {
    const counter = new Counter()
    expect(counter.mean).toBeNaN()
    counter.update(100)
    counter.update()
    counter.add(3, 50)
    expect(counter.toJSON()).toEqual({ count: 5, sum: 150 })
    expect(counter.mean).toBe(30)
    expect(() => counter.update(Number.NaN)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    expect(() => counter.add(-1)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
  })

  it('merges exactly, in any order and grouping, and round-trips', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1e9, max: 1e9 })),
        fc.integer({ min: 1, max: 5 }),
        (values, shards) => {
          const whole = new Counter()
          for (const value of values) whole.update(value)
          const parts = shardsOf(values, shards).map((part) => {
            const counter = new Counter()
            for (const value of part) counter.update(value)
            return counter
          })
          const forward = new Counter()
          for (const part of parts) forward.merge(part)
          const backward = new Counter()
          for (const part of [...parts].reverse()) backward.merge(Counter.fromBytes(part.toBytes()))
          expect(forward.toJSON()).toEqual(whole.toJSON())
          expect(backward.toJSON()).toEqual(whole.toJSON())
          expect(hex(Counter.fromBytes(whole.toBytes()).toBytes())).toBe(hex(whole.toBytes()))
        },
      ),
    )
  })
})

describe('CounterByKey', () => {
  it('counts per key exactly and reports the other bucket beyond its cap', () => {
    const counter = new CounterByKey({ maxKeys: 3 })
    for (const key of ['200', '404', '200', '500', '301', '200', '302', '404']) counter.update(key)
    expect(counter.top()).toEqual([
      { key: '200', count: 3 },
      { key: '404', count: 2 },
      { key: '500', count: 1 },
    ])
    expect(counter.other).toBe(2)
    expect(counter.total).toBe(8)
    expect(counter.get('301')).toBe(0)
    expect(counter.toJSON()).toMatchObject({ maxKeys: 3, total: 8, other: 2 })
    expect(new CounterByKey().toJSON().maxKeys).toBeNull()
  })

  it('merges exactly while the keys fit: shard-then-merge equals one counter, in any order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.integer({ min: 0, max: 1000 }))),
        fc.integer({ min: 1, max: 5 }),
        (updates, shards) => {
          const asMap = (counter: CounterByKey) => new Map(counter.top().map((row) => [row.key, row.count]))
          const whole = new CounterByKey()
          for (const [key, count] of updates) whole.update(key, count)
          const parts = shardsOf(updates, shards).map((part) => {
            const counter = new CounterByKey()
            for (const [key, count] of part) counter.update(key, count)
            return counter
          })
          const forward = new CounterByKey()
          for (const part of parts) forward.merge(part)
          const backward = new CounterByKey()
          for (const part of [...parts].reverse()) backward.merge(CounterByKey.fromBytes(part.toBytes()))
          expect(asMap(forward)).toEqual(asMap(whole))
          expect(asMap(backward)).toEqual(asMap(whole))
          expect(forward.total).toBe(whole.total)
          expect(hex(CounterByKey.fromBytes(whole.toBytes()).toBytes())).toBe(hex(whole.toBytes()))
        },
      ),
    )
  })

  it('keeps totals exact beyond the cap, whatever the order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(30), fc.integer({ min: 1, max: 9 })), { maxLength: 200 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 4 }),
        (updates, maxKeys, shards) => {
          const truth = new Map<string, number>()
          for (const [key, count] of updates) truth.set(`k${key}`, (truth.get(`k${key}`) ?? 0) + count)
          const merged = new CounterByKey({ maxKeys })
          for (const part of shardsOf(updates, shards)) {
            const counter = new CounterByKey({ maxKeys })
            for (const [key, count] of part) counter.update(`k${key}`, count)
            merged.merge(counter)
          }
          const rows = merged.top()
          expect(rows.length).toBeLessThanOrEqual(maxKeys)
          for (const row of rows) expect(row.count).toBeLessThanOrEqual(truth.get(row.key) as number)
          const listed = rows.reduce((sum, row) => sum + row.count, 0)
          expect(listed + merged.other).toBe(merged.total)
          expect(merged.total).toBe(updates.reduce((sum, [, count]) => sum + count, 0))
        },
      ),
    )
  })

  it('keeps keys with lone surrogates under their UTF-8 form, so images round-trip', () => {
    const counter = new CounterByKey()
    counter.update('a\ud800')
    counter.update('a\udc00')
    counter.update('a\ufffd')
    expect(counter.size).toBe(1)
    expect(counter.get('a\ud800')).toBe(3)
    const copy = CounterByKey.fromBytes(counter.toBytes())
    expect(copy.top()).toEqual(counter.top())
  })

  it('does not keep alive the chunks its keys were cut from', () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const counter = new CounterByKey()
    gc()
    const before = process.memoryUsage().heapUsed
    for (let r = 0; r < 20; r++) {
      const chunk = `${'x'.repeat(1000)}key ${r} ${'y'.repeat(40)}${'x'.repeat(4_000_000)}`
      counter.update(chunk.slice(1000, 1040))
    }
    gc()
    expect(counter.size).toBe(20)
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(8_000_000)
  })
})
