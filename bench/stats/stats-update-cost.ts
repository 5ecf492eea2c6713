/**
 * Steady-state cost per update of the hashing sketches, on a warm JIT: the benchmark's distinct
 * and heavy-hitter workloads are short enough that start-up shows in them. Medians of 5 runs.
 *
 *   npx tsx --conditions=@shoal/source bench/stats/stats-update-cost.ts
 */
import { FrequentItemsSketch, HllSketch } from '@shoal/stats'

const keys = Array.from(
  { length: 50_000 },
  (_, i) =>
    `${(i * 7919) % 256}.${(i * 31) % 256}.${i % 256}.${i % 97}|Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${i % 120}.0`,
)
const paths = Array.from({ length: 50_000 }, (_, i) => `/docs/section-${i % 97}/page-${i}.html`)
const zipf = Array.from(
  { length: 1_000_000 },
  (_, i) => paths[Math.floor(50_000 ** ((i * 0.6180339887) % 1)) - 1] as string,
)

function median(values: number[]): number {
  return values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
}

function cost(name: string, run: () => number): void {
  const samples: number[] = []
  for (let r = 0; r < 6; r++) {
    const started = performance.now()
    const updates = run()
    if (r > 0) samples.push(((performance.now() - started) * 1e6) / updates)
  }
  console.log(`${name.padEnd(48)} ${median(samples).toFixed(0).padStart(5)} ns/update`)
}

cost('HllSketch.update(IP|UA string), lgK 12', () => {
  const sketch = new HllSketch()
  for (let j = 0; j < 8; j++) for (const key of keys) sketch.update(key)
  return keys.length * 8
})
cost('FrequentItemsSketch.update(path), Zipf, 1024', () => {
  const sketch = new FrequentItemsSketch({ maxMapSize: 1024 })
  for (const path of zipf) sketch.update(path)
  return zipf.length
})
