import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Balancer } from '../../src/balancer.js'
import { Candidates } from '../../src/candidates.js'
import { xxhash32 } from '../../src/hash/xxhash32.js'
import { rendezvous, rendezvousRank } from '../../src/pickers/rendezvous.js'
import { byRandom } from '../../src/stages/by-random.js'
import { clusterOf, expectInvalid, keyHashes, Mapper, serverIds } from './keyed-helpers.js'

const names = fc.uniqueArray(fc.domain(), { minLength: 1, maxLength: 25 })

describe('rendezvous', () => {
  it('picks the first of rendezvousRank, and topK is its prefix', () => {
    fc.assert(
      fc.property(
        names,
        fc.array(fc.string(), { minLength: 10, maxLength: 10 }),
        fc.nat(30),
        (ids, keys, k) => {
          const mapper = new Mapper(rendezvous(), clusterOf(ids))
          const picker = rendezvous()
          const cluster = clusterOf(ids)
          const candidates = new Mapper(picker, cluster).candidates
          const out = new Int32Array(40)
          for (const key of keys) {
            const ranked = rendezvousRank(ids, key)
            expect(ranked).toHaveLength(ids.length)
            expect(mapper.id(key)).toBe(ranked[0])
            const count = picker.topK(candidates, cluster, key, k, out)
            expect(count).toBe(Math.min(k, ids.length))
            expect(Array.from(out.subarray(0, count), (slot) => cluster.at(slot)?.id)).toEqual(
              ranked.slice(0, k),
            )
            expect(rendezvousRank(ids, xxhash32(key), k)).toEqual(ranked.slice(0, k))
          }
        },
      ),
      { numRuns: 40 },
    )
  })

  it('limits topK to the room in `out` and refuses a bad k', () => {
    const ids = serverIds(10)
    const cluster = clusterOf(ids)
    const picker = rendezvous()
    const { candidates } = new Mapper(picker, cluster)
    const out = new Int32Array(3)
    expect(picker.topK(candidates, cluster, 'key', 8, out)).toBe(3)
    expect(Array.from(out, (slot) => cluster.at(slot)?.id)).toEqual(rendezvousRank(ids, 'key', 3))
    expect(picker.topK(candidates, cluster, 'key', 0, out)).toBe(0)
    for (const k of [-1, 1.5, Number.NaN]) {
      expectInvalid(() => picker.topK(candidates, cluster, 'key', k, out), /non-negative integer/)
      expectInvalid(() => rendezvousRank(ids, 'key', k), /non-negative integer/)
    }
  })

  it('catches up with cluster changes in topK called outside a pick', () => {
    const ids = serverIds(6)
    const picker = rendezvous()
    const lb = new Balancer(
      ids.map((id) => ({ id })),
      { picker },
    )
    lb.pick('warm-up')
    lb.cluster.add({ id: 'newcomer:80' })
    lb.cluster.remove(ids[0] as string)
    const all = new Candidates()
    for (const backend of lb.cluster.backends()) all.push(backend.slot)
    const out = new Int32Array(6)
    const rest = [...ids.slice(1), 'newcomer:80']
    for (let i = 0; i < 50; i++) {
      const count = picker.topK(all, lb.cluster, `k${i}`, 6, out)
      expect(Array.from(out.subarray(0, count), (slot) => lb.cluster.at(slot)?.id)).toEqual(
        rendezvousRank(rest, `k${i}`),
      )
    }
  })

  it('ranks any candidate subset consistently: a removal only closes its gap in every list', () => {
    fc.assert(
      fc.property(names, fc.nat(), fc.string(), (ids, at, key) => {
        const gone = ids[at % ids.length] as string
        const rest = ids.filter((id) => id !== gone)
        expect(rendezvousRank(rest, key)).toEqual(rendezvousRank(ids, key).filter((id) => id !== gone))
        // the picker over a subset of the cluster's backends (as after a dynamic stage)
        const cluster = clusterOf(ids)
        const picker = rendezvous()
        picker.prepare(new Mapper(rendezvous(), cluster).candidates, cluster)
        const subset = new Candidates()
        for (const backend of cluster.backends()) if (backend.id !== gone) subset.push(backend.slot)
        const slot = picker.pick(subset, cluster, key, 0)
        expect(slot < 0 ? undefined : cluster.at(slot)?.id).toBe(rendezvousRank(rest, key)[0])
      }),
      { numRuns: 60 },
    )
  })

  it('gives each backend keys in proportion to its weight, and a weight change moves keys only to or from it', () => {
    const ids = serverIds(4)
    const hashes = keyHashes(100_000, 4)
    const weighted = new Mapper(rendezvous(), clusterOf(ids, [1, 2, 3, 4]))
    const counts = weighted.counts(hashes)
    expect(ids.map((id) => (counts.get(id) ?? 0) / hashes.length)).toEqual(
      [0.1, 0.2, 0.3, 0.4].map((share) => expect.closeTo(share, 2)),
    )
    const before = weighted.ids(hashes)
    const after = new Mapper(rendezvous(), clusterOf(ids, [1, 2, 6, 4])).ids(hashes)
    const moved = after.filter((id, i) => id !== before[i])
    expect(moved.length).toBeGreaterThan(0)
    expect(moved.every((id) => id === ids[2])).toBe(true)
  })

  it('chooses the same backend after a shuffling stage, and draws a random one without a key', () => {
    const ids = serverIds(12)
    const lb = new Balancer(
      ids.map((id) => ({ id })),
      { picker: rendezvous(), stages: [byRandom()] },
    )
    for (let i = 0; i < 200; i++) expect(lb.pick(`k${i}`)?.id).toBe(rendezvousRank(ids, `k${i}`)[0])
    const mapper = new Mapper(rendezvous(), clusterOf(ids, undefined, 9))
    const draws = Array.from({ length: 600 }, () => mapper.id(undefined))
    expect(new Set(draws).size).toBe(12)
    const again = new Mapper(rendezvous(), clusterOf(ids, undefined, 9))
    expect(Array.from({ length: 600 }, () => again.id(undefined))).toEqual(draws)
  })
})
