/**
 * Benchmark of `@shoal/core`'s seeded random source beside the other seeded generator on npm that
 * the toolchain already trusts (pure-rand's xoroshiro128+, behind fast-check) and the unseeded
 * `Math.random`, drawing the same number of 32-bit values in the same run.
 *
 *   npm run bench -- core            (--smoke for a tiny workload)
 */
import { createRandom } from '@shoal/core'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import { type Comparison, type Contender, runBenchmark, type Tally, type Workload } from '../src/harness.js'

interface DrawWorkload extends Workload {
  readonly draws: number
}

/** Counts draws with the top bit set: about half of them for any fair source. */
function tally(draws: number, high: number): Tally {
  return { accepted: draws, checks: { highBitShare: high / draws } }
}

const ours: Contender<DrawWorkload> = {
  name: 'shoal-random',
  description: '@shoal/core createRandom(seed).uint32(): xoshiro128**',
  ours: true,
  async load(workload) {
    return async () => {
      const random = createRandom(1)
      let high = 0
      for (let i = 0; i < workload.draws; i++) high += random.uint32() >>> 31
      return tally(workload.draws, high)
    }
  },
}

const pureRand: Contender<DrawWorkload> = {
  name: 'pure-rand',
  description: 'pure-rand xoroshiro128plus(seed).next() (mutating generator)',
  async load(workload) {
    return async () => {
      const generator = xoroshiro128plus(1)
      let high = 0
      for (let i = 0; i < workload.draws; i++) high += generator.next() >>> 31
      return tally(workload.draws, high)
    }
  },
}

const mathRandom: Contender<DrawWorkload> = {
  name: 'Math.random',
  description: 'Math.random() scaled to 32 bits (not seedable: a baseline only)',
  async load(workload) {
    return async () => {
      let high = 0
      for (let i = 0; i < workload.draws; i++) high += ((Math.random() * 4294967296) >>> 0) >>> 31
      return tally(workload.draws, high)
    }
  },
}

const draws: Comparison<DrawWorkload> = {
  id: 'random',
  title: 'Seeded random: 32-bit draws',
  perItem: 'draw',
  columns: [{ check: 'highBitShare', header: 'top bit set', format: (v) => `${(v * 100).toFixed(2)}%` }],
  prepare(context) {
    const count = context.smoke ? 100_000 : 20_000_000
    return {
      description: `${count.toLocaleString('en')} uint32 draws from seed 1`,
      items: count,
      bytes: 0,
      unit: 'draws',
      draws: count,
    }
  },
  contenders: [ours, pureRand, mathRandom],
}

await runBenchmark({
  package: 'core',
  title: '@shoal/core: seeded randomness beside its peers',
  comparisons: [draws],
})
