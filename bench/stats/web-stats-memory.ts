/**
 * Memory of 24 hours of web-statistics history: event-time windows of `webStats()` panes with
 * the default roll-ups (1 s → 1 min → 5 min → 1 h), fed a day of synthetic requests at a steady
 * rate, then the heap is measured after a full collection.
 *
 *   node --expose-gc --conditions=@shoal/source --import tsx bench/stats/web-stats-memory.ts [requests/s]
 */
import { ManualClock } from '@shoal/core'
import { EventTimeWindows, type WebRecord, type WebStats, webStatsFactory } from '@shoal/stats'

const rate = Number(process.argv[2] ?? 20)
const DAY_SECONDS = 86_400

let seed = 1
const random = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff
  return seed / 0x7fffffff
}
/** A heavy-tailed pick in [0, n): small values are much more frequent. */
const pick = (n: number): number => Math.floor(n ** random())
const agents = Array.from(
  { length: 60 },
  (_, i) =>
    `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${100 + i}.0.0.0 Safari/537.36`,
)

const clock = new ManualClock(Date.UTC(2024, 2, 10))
const windows = new EventTimeWindows<WebRecord, WebStats>({ aggregate: webStatsFactory(), clock })
const start = clock.now()
const began = performance.now()
for (let second = 0; second < DAY_SECONDS; second++) {
  const now = start + second * 1000
  for (let k = 0; k < rate; k++) {
    const status = random() < 0.02 ? 500 : random() < 0.05 ? 404 : 200
    windows.add(
      {
        time: now + k,
        status,
        bytes: pick(100_000),
        remoteHost: `10.${pick(250)}.${pick(250)}.${pick(250)}`,
        target: `/page/${pick(50_000)}/x${pick(2_000)}.html?q=${k}`,
        userAgent: agents[pick(60)] as string,
        referer: `https://site${pick(3_000)}.example/`,
        duration: pick(1_000_000),
      },
      now + k,
    )
  }
  clock.advance(1000)
  windows.advance(clock.now())
}
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) console.warn('run node with --expose-gc for a heap figure after a full collection')
gc?.()
const heapMiB = process.memoryUsage().heapUsed / 2 ** 20
const day = windows.window('24h').requests
console.log(
  `${rate} requests/s for 24 h (${(rate * DAY_SECONDS).toLocaleString('en')} requests; ${day.toLocaleString('en')} in the 24 h window): ` +
    `heap ${heapMiB.toFixed(1)} MiB after GC; ${((performance.now() - began) / 1000).toFixed(0)} s`,
)
