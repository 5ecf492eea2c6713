import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mix32 } from '../../src/hash/mix.js'
import { xxhash32 } from '../../src/hash/xxhash32.js'
import { multiProbe } from '../../src/pickers/multi-probe.js'
import { clusterOf, expectInvalid, keyHashes, Mapper, maxOverMean, serverIds } from './keyed-helpers.js'

/** The paper's rule, by brute force: the backend whose point follows some probe most closely. */
function reference(ids: readonly string[], hash: number, probes: number): string {
  const points = ids.map((id) => ({ id, point: xxhash32(id) }))
  let best = ''
  let bestDistance = Number.POSITIVE_INFINITY
  let bestProbe = -1
  for (let i = 0; i < probes; i++) {
    const probe = mix32(hash, i)
    for (const { id, point } of points) {
      const distance = (point - probe + 2 ** 32) % 2 ** 32
      // the earlier probe wins a tie; two backends on the same point: the smaller id
      if (distance < bestDistance || (distance === bestDistance && i === bestProbe && id < best)) {
        bestDistance = distance
        best = id
        bestProbe = i
      }
    }
  }
  return best
}

describe('multiProbe', () => {
  it('refuses a probe count outside 1 … 1024', () => {
    for (const probes of [0, -1, 1.5, 1025, Number.NaN])
      expectInvalid(() => multiProbe({ probes }), /probes must be an integer from 1 to 1024/)
  })

  it('sends a key to the backend whose point follows one of its probes most closely', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.domain(), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 30, maxLength: 30 }),
        (ids, probes, hashes) => {
          const mapper = new Mapper(multiProbe({ probes }), clusterOf(ids))
          for (const hash of hashes) expect(mapper.id(hash)).toBe(reference(ids, hash, probes))
        },
      ),
      { numRuns: 40 },
    )
    const mapper = new Mapper(multiProbe(), clusterOf(serverIds(9)))
    for (const key of ['user:42', '', 'ключ']) expect(mapper.id(key)).toBe(mapper.id(xxhash32(key)))
  })

  it('evens out the shares as probes are added', () => {
    const ids = serverIds(100)
    const hashes = keyHashes(100_000, 6)
    const spread = (probes: number) =>
      maxOverMean(new Mapper(multiProbe({ probes }), clusterOf(ids)).counts(hashes), ids, hashes.length)
    // one point per backend and one probe is plain consistent hashing: max/mean of several
    expect(spread(1)).toBeGreaterThan(2.5)
    expect(spread(21)).toBeLessThan(1.25)
  })
})
