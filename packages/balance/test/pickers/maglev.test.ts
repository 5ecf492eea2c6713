import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Balancer } from '../../src/balancer.js'
import { Cluster } from '../../src/cluster.js'
import { xxhash32 } from '../../src/hash/xxhash32.js'
import { maglev } from '../../src/pickers/maglev.js'
import { clusterOf, expectInvalid, keyHashes, Mapper, serverIds, shuffled } from './keyed-helpers.js'

/** The whole lookup table, read through number keys 0 … size − 1 (entry = hash mod M). */
function table(mapper: Mapper, size: number): string[] {
  return Array.from({ length: size }, (_, i) => mapper.id(i))
}

function entriesPer(entries: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const id of entries) counts.set(id, (counts.get(id) ?? 0) + 1)
  return counts
}

describe('maglev', () => {
  it('refuses a table size that is not a prime, naming the next prime', () => {
    expectInvalid(() => maglev({ tableSize: 100 }), /next prime is 101/)
    expectInvalid(() => maglev({ tableSize: 65536 }), /next prime is 65537/)
    expectInvalid(() => maglev({ tableSize: 2.5 }), /prime/)
    expectInvalid(() => maglev({ tableSize: -7 }), /prime/)
    expectInvalid(() => maglev({ boundedLoad: 0.9 }), /above 1/)
    expect(maglev({ tableSize: 251 }).name).toBe('maglev')
  })

  it('sizes the table to the smallest prime ≥ 65 537 × 2^k holding 500 entries per backend', () => {
    const hashes = keyHashes(300, 1)
    for (const [n, size] of [
      [10, 65537],
      [131, 65537],
      [132, 131101],
      [1000, 524309],
    ] as const) {
      const mapper = new Mapper(maglev(), clusterOf(serverIds(n)))
      // a key's entry is its hash mod M, so hashes M apart share it
      for (const hash of hashes) {
        const h = hash % (0xffffffff - size)
        expect(mapper.id(h)).toBe(mapper.id(h + size))
      }
      for (const h of [
        0xffffffff,
        0xfffffffe,
        size * Math.floor(0xffffffff / size),
        size * Math.floor(0xffffffff / size) - 1,
      ])
        expect(mapper.id(h)).toBe(mapper.id(h % size))
      const other = size === 65537 ? 131101 : 65537
      expect(
        Array.from(
          hashes,
          (hash) => mapper.id(hash % 0xfff00000) === mapper.id((hash % 0xfff00000) + other),
        ).every(Boolean),
      ).toBe(false)
    }
  })

  it('gives every backend ⌊M/N⌋ or ⌈M/N⌉ entries at equal weights', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.domain(), { minLength: 1, maxLength: 40 }), (ids) => {
        const counts = entriesPer(table(new Mapper(maglev({ tableSize: 4099 }), clusterOf(ids)), 4099))
        expect(counts.size).toBe(ids.length)
        for (const count of counts.values()) {
          expect(count).toBeGreaterThanOrEqual(Math.floor(4099 / ids.length))
          expect(count).toBeLessThanOrEqual(Math.ceil(4099 / ids.length))
        }
      }),
      { numRuns: 30 },
    )
  })

  it('gives entries in proportion to the weights (Envoy turns), within one per backend', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.05, max: 10, noNaN: true }), { minLength: 1, maxLength: 12 }),
        (weights) => {
          const ids = serverIds(weights.length)
          const counts = entriesPer(
            table(new Mapper(maglev({ tableSize: 10007 }), clusterOf(ids, weights)), 10007),
          )
          const total = weights.reduce((sum, w) => sum + w, 0)
          // each backend's turns are within one of its exact share; the last partial round and
          // the others' roundings shift a share by at most one entry per backend
          ids.forEach((id, i) => {
            const exact = (10007 * (weights[i] as number)) / total
            expect(Math.abs((counts.get(id) ?? 0) - exact)).toBeLessThanOrEqual(weights.length + 1e-6)
          })
        },
      ),
      { numRuns: 20 },
    )
  })

  it('builds the same table whatever the insertion order, cluster or seed', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.domain(), { minLength: 1, maxLength: 30 }), fc.integer(), (ids, seed) => {
        const first = table(new Mapper(maglev({ tableSize: 2003 }), clusterOf(ids)), 2003)
        // a churned cluster: other slots, other order
        const churned = new Cluster([{ id: 'gone-1' }, { id: 'gone-2' }], { random: seed })
        for (const id of shuffled(ids, seed)) churned.add({ id })
        churned.remove('gone-1')
        churned.remove('gone-2')
        expect(table(new Mapper(maglev({ tableSize: 2003 }), churned), 2003)).toEqual(first)
      }),
      { numRuns: 30 },
    )
  })

  it('moves under 0.5 % of the keys needlessly when one of 1 000 backends leaves or joins', () => {
    const ids = serverIds(1001)
    const before = table(new Mapper(maglev(), clusterOf(ids.slice(0, 1000))), 524309)
    for (const gone of [ids[0], ids[517]] as string[]) {
      const after = table(
        new Mapper(maglev(), clusterOf(ids.slice(0, 1000).filter((id) => id !== gone))),
        524309,
      )
      let needless = 0
      for (let i = 0; i < before.length; i++) if (before[i] !== gone && after[i] !== before[i]) needless++
      expect(needless / before.length).toBeLessThan(0.005)
    }
    // joining: 999, 1 000 and 1 001 backends share the table size 524 309
    const joined = table(new Mapper(maglev(), clusterOf(ids)), 524309)
    let needless = 0
    for (let i = 0; i < before.length; i++) if (joined[i] !== before[i] && joined[i] !== ids[1000]) needless++
    expect(needless / before.length).toBeLessThan(0.005)
  })

  it('hashes string keys with xxhash32 and draws a random entry without a key', () => {
    const ids = serverIds(20)
    const mapper = new Mapper(maglev(), clusterOf(ids))
    for (const key of ['user:1', 'a', '', 'ключ', 'session-7f3a9c'])
      expect(mapper.id(key)).toBe(mapper.id(xxhash32(key)))
    const random = Array.from({ length: 300 }, () => mapper.id(undefined))
    expect(new Set(random).size).toBe(20)
    // the draws come from the cluster's seeded source: a fresh cluster with the same seed repeats them
    const again = new Mapper(maglev(), clusterOf(ids))
    expect(Array.from({ length: 300 }, () => again.id(undefined))).toEqual(random)
  })

  it('uses a 32-bit table once the cluster has 65 535 slots or more', () => {
    const many = Array.from({ length: 65_540 }, (_, i) => ({ id: `n${i}` }))
    const cluster = new Cluster(many)
    const keep = new Set(['n3', 'n65537', 'n65539', 'n40000'])
    for (const { id } of many) if (!keep.has(id)) cluster.remove(id)
    const mapper = new Mapper(maglev({ tableSize: 1009 }), cluster)
    const counts = entriesPer(table(mapper, 1009))
    expect([...counts.keys()].sort()).toEqual([...keep].sort())
    // the same table as a small cluster of the same ids builds
    expect(table(mapper, 1009)).toEqual(
      table(new Mapper(maglev({ tableSize: 1009 }), clusterOf([...keep])), 1009),
    )
  })

  it('follows weight and membership changes through a balancer', () => {
    const lb = new Balancer(
      serverIds(4).map((id) => ({ id })),
      { picker: maglev({ tableSize: 1009 }) },
    )
    const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`)
    const share = () => keys.filter((key) => lb.pick(key)?.id === serverIds(4)[0]).length / keys.length
    expect(share()).toBeCloseTo(0.25, 1)
    lb.cluster.reweight(serverIds(4)[0] as string, 7)
    expect(share()).toBeCloseTo(0.7, 1)
    lb.cluster.setState(serverIds(4)[0] as string, 'down')
    expect(share()).toBe(0)
  })
})
