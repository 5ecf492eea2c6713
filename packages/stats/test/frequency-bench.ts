/**
 * A quick measure of ns/update for the frequency and counter blocks (not a test): the median
 * and the minimum of 9 timed runs of 1,000,000 updates after a warm-up run.
 *
 *     npx tsx packages/stats/test/frequency-bench.ts [name filter]
 *
 * String keys are 20–100-character paths cut out of one large string, as a log parser hands
 * them over (fresh slices for every run), drawn Zipf(1) from 50,000 or 500 paths.
 */
import { Counter } from '../src/counters/counter.js'
import { CounterByKey } from '../src/counters/counter-by-key.js'
import { DecayedCounter } from '../src/counters/decayed-counter.js'
import { Rate } from '../src/counters/rate.js'
import { CountMinSketch } from '../src/frequency/count-min-sketch.js'
import { FrequentItemsSketch } from '../src/frequency/frequent-items-sketch.js'
import { FrequentLongsSketch } from '../src/frequency/frequent-longs-sketch.js'
import { KeyHasher } from '../src/hash/key-hasher.js'
import { seeded, zipf } from './frequency-streams.js'

const M = 1_000_000
const random = seeded(12345)
const paths: string[] = []
for (let i = 0; i < 50_000; i++) {
  const length = 20 + Math.floor(random() * 80)
  let path = `/p/${i}/`
  while (path.length < length) path += String.fromCharCode(97 + Math.floor(random() * 26))
  paths.push(path)
}

/**
 * M keys drawn Zipf(1) from the first `universe` paths, as fresh slices of one joined string on
 * every call, so that no run finds V8's string hashes already computed by an earlier one.
 */
function slicedKeys(universe: number): () => string[] {
  const next = zipf(universe, 1, random)
  const chunk = Array.from({ length: M }, () => paths[next()]).join('\n')
  const ends = new Int32Array(M)
  for (let i = 0, at = 0; i < M; i++) {
    const end = chunk.indexOf('\n', at)
    ends[i] = end < 0 ? chunk.length : end
    at = (ends[i] as number) + 1
  }
  return () => {
    const keys: string[] = []
    for (let i = 0, at = 0; i < M; i++) {
      keys.push(chunk.slice(at, ends[i]))
      at = (ends[i] as number) + 1
    }
    return keys
  }
}

const wideKeys = slicedKeys(50_000)
const narrowKeys = slicedKeys(500)
let wide: string[] = []
let narrow: string[] = []
const statuses = Array.from(
  { length: M },
  () => ['200', '304', '404', '500', '301'][Math.floor(random() * 5)] ?? '',
)
const nextRank = zipf(50_000, 1, random)
const ranks = Float64Array.from({ length: M }, () => nextRank())
const times = Float64Array.from(
  { length: M },
  (_, i) => 1_700_000_000_000 + i * 2 + Math.floor(random() * 1000),
)
const key = (keys: string[], i: number): string => keys[i] as string
const at = (values: Float64Array, i: number): number => values[i] as number

const filter = process.argv[2] ?? ''
function bench(name: string, run: () => unknown): void {
  if (!name.includes(filter)) return
  wide = wideKeys()
  narrow = narrowKeys()
  run()
  const runs: number[] = []
  for (let r = 0; r < 9; r++) {
    wide = wideKeys()
    narrow = narrowKeys()
    const start = process.hrtime.bigint()
    run()
    runs.push(Number(process.hrtime.bigint() - start) / M)
  }
  runs.sort((a, b) => a - b)
  const median = (runs[4] as number).toFixed(1)
  const min = (runs[0] as number).toFixed(1)
  process.stdout.write(`${name.padEnd(52)} ${median.padStart(7)} ns/update (min ${min})\n`)
}

bench('Counter.update(value)', () => {
  const counter = new Counter()
  for (let i = 0; i < M; i++) counter.update(at(times, i) % 5000)
})
bench('CounterByKey.update(status)', () => {
  const counter = new CounterByKey()
  for (let i = 0; i < M; i++) counter.update(key(statuses, i))
})
bench('CounterByKey.update(path), 500 paths', () => {
  const counter = new CounterByKey()
  for (let i = 0; i < M; i++) counter.update(key(narrow, i))
})
bench('Rate.update(time)', () => {
  const rate = new Rate()
  for (let i = 0; i < M; i++) rate.update(at(times, i))
})
for (const label of ['500 paths', '50k paths']) {
  const keys = () => (label === '500 paths' ? narrow : wide)
  bench(`DecayedCounter(1024).update(path, time), ${label}`, () => {
    const counter = new DecayedCounter({ capacity: 1024 })
    const list = keys()
    for (let i = 0; i < M; i++) counter.update(key(list, i), at(times, i))
  })
  for (const maxMapSize of [1024, 4096])
    bench(`FrequentItemsSketch(${maxMapSize}).update(path), ${label}`, () => {
      const sketch = new FrequentItemsSketch({ maxMapSize })
      const list = keys()
      for (let i = 0; i < M; i++) sketch.update(key(list, i))
    })
}
for (const maxMapSize of [1024, 4096])
  bench(`FrequentLongsSketch(${maxMapSize}).update(n), 50k values`, () => {
    const sketch = new FrequentLongsSketch({ maxMapSize })
    for (let i = 0; i < M; i++) sketch.update(at(ranks, i))
  })
bench('CountMinSketch(ε 0.001, δ 0.01).update(path)', () => {
  const sketch = new CountMinSketch()
  for (let i = 0; i < M; i++) sketch.update(key(wide, i))
})
const hasher = new KeyHasher()
bench('KeyHasher.hash(path), for comparison', () => {
  let sum = 0
  for (let i = 0; i < M; i++) sum ^= hasher.hash(key(wide, i)).h1Lo
  return sum
})
bench('CountMinSketch.updateHash(hash computed once)', () => {
  const sketch = new CountMinSketch()
  const hash = hasher.hash('seed')
  for (let i = 0; i < M; i++) {
    hash.h1Lo = i
    hash.h2Lo = Math.imul(i, 0x9e3779b1) >>> 0
    sketch.updateHash(hash)
  }
})
bench('exact Map<string, number>, 50k paths (reference)', () => {
  const counts = new Map<string, number>()
  for (let i = 0; i < M; i++) {
    const k = key(wide, i)
    counts.set(k, (counts.get(k) ?? 0) + 1)
  }
})
