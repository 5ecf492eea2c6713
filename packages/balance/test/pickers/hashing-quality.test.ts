// The quality properties every keyed picker is held to, in one table: shares at the noise floor
// (or the ring's known spread), minimal disruption, and agreement between independent instances.

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Cluster } from '../../src/cluster.js'
import { ketamaHashCount } from '../../src/hash/ketama.js'
import type { Picker } from '../../src/picker.js'
import { jump } from '../../src/pickers/jump.js'
import { maglev } from '../../src/pickers/maglev.js'
import { multiProbe } from '../../src/pickers/multi-probe.js'
import { rendezvous } from '../../src/pickers/rendezvous.js'
import { ring } from '../../src/pickers/ring.js'
import { clusterOf, keyHashes, Mapper, maxOverMean, serverIds, shuffled } from './keyed-helpers.js'

interface Case {
  readonly make: () => Picker
  /**
   * Largest share over the mean at N = 10, 100 and 1 000 with 100 000 keys. The noise floor of a
   * multinomial max/mean is about 1.02 / 1.08 / 1.3 here; a ring with 160 points per backend adds
   * a spread of its own (about 8 % of the mean per backend), multi-probe a little.
   */
  readonly spread: readonly [number, number, number]
  /** Whether the mapping depends on the candidates' order (then instances agree given the same order). */
  readonly ordered: boolean
  /** Share of keys allowed to move although their backend stayed (0: none may). */
  readonly needless: number
  /** Whether any backend may leave (jump: only the last). */
  readonly anyRemoval: boolean
  /** Backend counts for which the disruption property holds. */
  readonly sizes?: (n: number) => boolean
}

const ringSpread = [1.3, 1.5, 1.8] as const
const floorSpread = [1.1, 1.2, 1.5] as const

const cases: Record<string, Case> = {
  "ring 'fast'": { make: () => ring(), spread: ringSpread, ordered: false, needless: 0, anyRemoval: true },
  "ring 'ketama'": {
    make: () => ring({ placement: 'ketama' }),
    spread: ringSpread,
    ordered: true,
    needless: 0,
    anyRemoval: true,
    // libketama gives every server floorf(40 × n / n) digests: 39, not 40, for some n, and then
    // every server's points change with n
    sizes: (n) => ketamaHashCount(1, n, n) === 40 && ketamaHashCount(1, n - 1, n - 1) === 40,
  },
  "ring 'nginx'": {
    make: () => ring({ placement: 'nginx' }),
    spread: ringSpread,
    ordered: true,
    needless: 0,
    anyRemoval: true,
  },
  maglev: { make: () => maglev(), spread: floorSpread, ordered: false, needless: 0.02, anyRemoval: true },
  jump: { make: () => jump(), spread: floorSpread, ordered: true, needless: 0, anyRemoval: false },
  rendezvous: {
    make: () => rendezvous(),
    spread: floorSpread,
    ordered: false,
    needless: 0,
    anyRemoval: true,
  },
  multiProbe: {
    make: () => multiProbe(),
    spread: [1.15, 1.25, 1.6],
    ordered: false,
    needless: 0,
    anyRemoval: true,
  },
}

describe.each(Object.keys(cases))('hashing quality: %s', (name) => {
  const { make, spread, ordered, needless, anyRemoval, sizes } = cases[name] as Case

  it('spreads keys evenly at N = 10, 100 and 1 000', () => {
    const hashes = keyHashes(100_000, 2024)
    ;[10, 100, 1000].forEach((n, i) => {
      const ids = serverIds(n)
      const ratio = maxOverMean(new Mapper(make(), clusterOf(ids)).counts(hashes), ids, hashes.length)
      expect([n, ratio]).toEqual([n, expect.any(Number)])
      expect(ratio).toBeLessThan(spread[i] as number)
    })
    // string keys through the picker's own hash
    const ids = serverIds(100)
    const keys = Array.from({ length: 50_000 }, (_, i) => `user:${i}:profile`)
    expect(maxOverMean(new Mapper(make(), clusterOf(ids)).counts(keys), ids, keys.length)).toBeLessThan(
      (spread[1] as number) + 0.05,
    )
  })

  it('moves only the keys it must when a backend leaves or joins', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 60 }).filter((n) => sizes?.(n) ?? true),
        fc.nat(),
        fc.integer(),
        (n, at, seed) => {
          const ids = serverIds(n, `10.${seed & 0xff}`)
          const gone = anyRemoval ? (ids[at % n] as string) : (ids[n - 1] as string)
          const rest = ids.filter((id) => id !== gone)
          const hashes = keyHashes(2000, seed)
          const full = new Mapper(make(), clusterOf(ids)).ids(hashes)
          const less = new Mapper(make(), clusterOf(rest)).ids(hashes)
          let moved = 0
          full.forEach((id, i) => {
            // leaving: a key of a surviving backend stays; joining (less → full): keys move only to the newcomer
            if (id !== gone && less[i] !== id) moved++
          })
          if (needless === 0) expect(moved).toBe(0)
          else expect(moved / hashes.length).toBeLessThan(needless)
        },
      ),
      { numRuns: 25 },
    )
  })

  it('maps keys identically in independently built instances', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.domain(), { minLength: 1, maxLength: 40 }),
        fc.integer(),
        fc.array(fc.string({ unit: 'binary' }), { minLength: 100, maxLength: 100 }),
        (ids, seed, keys) => {
          const first = new Mapper(make(), clusterOf(ids, undefined, 1))
          // another process: other seed, other slots (churn), and, where order does not matter, another order
          const other = new Cluster([{ id: 'gone-a' }, { id: 'gone-b' }], { random: seed })
          for (const id of ordered ? ids : shuffled(ids, seed)) other.add({ id })
          other.remove('gone-a')
          other.remove('gone-b')
          const second = new Mapper(make(), other)
          expect(second.ids(keys)).toEqual(first.ids(keys))
          const hashes = keyHashes(100, seed)
          expect(second.ids(hashes)).toEqual(first.ids(hashes))
        },
      ),
      { numRuns: 20 },
    )
  })
})
