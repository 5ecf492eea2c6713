import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Balancer } from '../../src/balancer.js'
import { jumpHash } from '../../src/hash/jump.js'
import { xxhash32 } from '../../src/hash/xxhash32.js'
import { jump } from '../../src/pickers/jump.js'
import { byRandom } from '../../src/stages/by-random.js'
import { clusterOf, keyHashes, Mapper } from './keyed-helpers.js'

const shards = (n: number) => Array.from({ length: n }, (_, i) => `shard-${i}`)

describe('jump', () => {
  it('sends a key to candidate jumpHash(xxhash32(key), N) in slot order', () => {
    const ids = shards(37)
    const mapper = new Mapper(jump(), clusterOf(ids))
    for (const key of ['customer:1234', '', 'ключ', 'a', 'session-7f3a9c'])
      expect(mapper.id(key)).toBe(ids[jumpHash(xxhash32(key), 37)])
    for (const hash of keyHashes(500, 2)) expect(mapper.id(hash)).toBe(ids[jumpHash(hash, 37)])
  })

  it('moves only the keys of the last shard when it leaves, and only keys to a new last shard', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), fc.integer(), (n, seed) => {
        const hashes = keyHashes(2000, seed)
        const ids = shards(n)
        const before = new Mapper(jump(), clusterOf(ids)).ids(hashes)
        const shrunk = new Mapper(jump(), clusterOf(ids.slice(0, n - 1))).ids(hashes)
        // leaving: only the last shard's keys move; growing back is the same step seen the other way
        const moved = before.filter((id, i) => shrunk[i] !== id)
        expect(moved.every((id) => id === ids[n - 1])).toBe(true)
        expect(moved.length).toBe(before.filter((id) => id === ids[n - 1]).length)
      }),
      { numRuns: 30 },
    )
  })

  it('draws a uniformly random shard without a key, reproducibly per seed', () => {
    const mapper = new Mapper(jump(), clusterOf(shards(8), undefined, 5))
    const picks = Array.from({ length: 4000 }, () => mapper.id(undefined))
    const again = new Mapper(jump(), clusterOf(shards(8), undefined, 5))
    expect(Array.from({ length: 4000 }, () => again.id(undefined))).toEqual(picks)
    for (const id of shards(8)) {
      const share = picks.filter((pick) => pick === id).length / picks.length
      expect(share).toBeGreaterThan(0.125 - 0.03)
      expect(share).toBeLessThan(0.125 + 0.03)
    }
  })

  it('refuses to follow a dynamic stage, which would renumber the buckets per pick', () => {
    expect(
      () =>
        new Balancer(
          shards(4).map((id) => ({ id })),
          { picker: jump(), stages: [byRandom()] },
        ),
    ).toThrow(/cannot follow the dynamic stage/)
  })

  it('keeps a down shard in place with no stages, and drops it with byHealth', () => {
    const ids = shards(5)
    const keys = Array.from({ length: 500 }, (_, i) => `k${i}`)
    const bare = new Balancer(
      ids.map((id) => ({ id })),
      { picker: jump(), stages: [] },
    )
    const before = keys.map((key) => bare.pick(key)?.id)
    bare.cluster.setState('shard-2', 'down')
    expect(keys.map((key) => bare.pick(key)?.id)).toEqual(before)
    const healthy = new Balancer(
      ids.map((id) => ({ id })),
      { picker: jump() },
    )
    healthy.cluster.setState('shard-2', 'down')
    expect(keys.every((key) => healthy.pick(key)?.id !== 'shard-2')).toBe(true)
  })
})
