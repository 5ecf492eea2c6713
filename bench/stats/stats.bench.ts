/**
 * Benchmark of `@shoal/stats` beside its peers, each comparison on one seeded workload in the
 * same run, with accuracy columns beside the speed:
 *
 * - Quantiles: 1,000,000 lognormal latencies (µs, median ≈ 8 ms, 1 % slow tail ×20). Ours
 *   DDSketch (α = 1 %) and KLL (k = 200), `@datadog/sketches-js` DDSketch (α = 1 %),
 *   `hdr-histogram-js` (3 significant digits), `tdigest`; relative error at p50/p90/p99/p99.9
 *   against the exact quantiles, the largest rank error, serialized size.
 * - Distinct: 200,000 updates over 50,000 distinct `IP|user agent` strings. Ours HLL (lgK 12 and
 *   14), `bloom-filters` HyperLogLog (m = 4,096 and 16,384; about 0.3 ms per update, so run once),
 *   an exact `Set`; relative error of the estimate.
 * - Heavy hitters: 1,000,000 Zipf(s = 1) updates over 50,000 paths. Ours Frequent Items
 *   (maxMapSize 1,024), `bloom-filters` TopK (k = 10), an exact `Map`; top-10 recall and the
 *   largest relative count error of the reported top 10.
 * - Count-Min: the same stream, ours beside `bloom-filters` CountMinSketch of the same shape;
 *   largest relative error of the estimates of the true top 10.
 * - Counter: 1,000,000 response sizes, ours beside two plain JavaScript numbers.
 * - End to end: `@shoal/logs` + `webStats()` over the generated 2,000,000-line combined log,
 *   beside GoAccess with its default panels (JSON report); lines/s, peak RSS, whether the
 *   request and status-class counts agree, and unique visitors against an exact count.
 *
 * Every Node contender runs in its own child process; the workload is regenerated there from its
 * seed before the clock starts, and the exact answers are computed once in the parent.
 *
 * Run: `npm run bench -- stats [--smoke] [--seed S] [--lines N] [--repeats N] [--only a,b]
 * [--comparisons a,b]`.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRandom, type Random } from '@shoal/core'
import { apacheParser, parseBatches } from '@shoal/logs'
import {
  Counter,
  CountMinSketch,
  DDSketch,
  FrequentItemsSketch,
  HllSketch,
  KllDoublesSketch,
  webStats,
} from '@shoal/stats'
import { type GeneratedLogMeta, generateLog } from '../src/gen-combined-log.js'
import {
  type BenchContext,
  type CheckColumn,
  type Comparison,
  type Contender,
  formatInt,
  runBenchmark,
  type Workload,
} from '../src/harness.js'
import { openChunks } from '../src/lines.js'

// ---------------------------------------------------------------- sizes

/** Research §4.3 sizes, and the tiny ones `--smoke` uses. */
const SIZES = {
  full: {
    latencies: 1_000_000,
    distinctUpdates: 200_000,
    distinct: 50_000,
    zipfUpdates: 1_000_000,
    paths: 50_000,
    counterUpdates: 1_000_000,
    lines: 2_000_000,
  },
  smoke: {
    latencies: 20_000,
    distinctUpdates: 4_000,
    distinct: 1_000,
    zipfUpdates: 20_000,
    paths: 2_000,
    counterUpdates: 20_000,
    lines: 20_000,
  },
} as const

/** Lognormal latencies in µs: exp(N(ln 8000, 0.8)); 1 % of them ×20 (the slow tail). */
const LATENCY_MEDIAN_US = 8_000
const LATENCY_SIGMA = 0.8
const TAIL_SHARE = 0.01
const TAIL_FACTOR = 20
const QUANTILES = [0.5, 0.9, 0.99, 0.999] as const
const QUANTILE_KEYS = ['errP50', 'errP90', 'errP99', 'errP999'] as const
const ZIPF_S = 1
const TOP = 10
const MAX_LINE_BYTES = 65_536

function sizesOf(context: BenchContext) {
  return context.smoke ? SIZES.smoke : SIZES.full
}

function seedOf(context: BenchContext): number {
  const seed = Number(context.options.seed ?? 1)
  if (!Number.isSafeInteger(seed)) throw new Error('--seed must be an integer')
  return seed
}

// ---------------------------------------------------------------- formatting

/** `0.74%`; from 10 (1,000 %) up, `29,129×` (times the true value). */
const percent = (value: number): string =>
  value >= 10 ? `${formatInt(value)}×` : `${(value * 100).toFixed(2)}%`
const signedPercent = (value: number): string =>
  `${value >= 0 ? '+' : '−'}${Math.abs(value * 100).toFixed(2)}%`
const bytesColumn: CheckColumn = { check: 'bytes', header: 'serialized B' }

function relativeError(estimate: number, truth: number): number {
  return truth === 0 ? (estimate === 0 ? 0 : Number.POSITIVE_INFINITY) : Math.abs(estimate - truth) / truth
}

// ---------------------------------------------------------------- seeded data

/** A standard normal variate (Box–Muller). */
function gaussian(random: Random): number {
  const u = 1 - random.next()
  const v = random.next()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** The latency workload: the same values for the same seed. */
function latencies(seed: number, count: number): Float64Array {
  const random = createRandom(seed)
  const mu = Math.log(LATENCY_MEDIAN_US)
  const values = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    let value = Math.exp(mu + LATENCY_SIGMA * gaussian(random))
    if (random.next() < TAIL_SHARE) value *= TAIL_FACTOR
    values[i] = value
  }
  return values
}

/**
 * Cuts `keys` out of one large string, as a log parser hands them out: each key a fresh slice
 * whose hash is not yet cached, not the same interned string again and again.
 */
function sliced(keys: readonly string[], order: ArrayLike<number>): string[] {
  const text = Array.from(order, (i) => keys[i] as string).join('\n')
  const out = new Array<string>(order.length)
  let at = 0
  for (let i = 0; i < order.length; i++) {
    const end = i + 1 < order.length ? text.indexOf('\n', at) : text.length
    out[i] = text.slice(at, end)
    at = end + 1
  }
  return out
}

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36 Edg/{v}.0.0.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.{v} Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.{v}; +http://www.google.com/bot.html)',
  'curl/8.{v}.0',
]

/** `distinct` different `IP|user agent` strings (about 3 % IPv6 clients). */
function clientKeys(seed: number, distinct: number): string[] {
  const random = createRandom(seed + 1)
  const seen = new Set<string>()
  while (seen.size < distinct) {
    const ip =
      random.next() < 0.03
        ? `2001:db8:${random.int(65536).toString(16)}::${random.int(65536).toString(16)}`
        : `${1 + random.int(223)}.${random.int(256)}.${random.int(256)}.${random.int(256)}`
    const ua = (USER_AGENTS[random.int(USER_AGENTS.length)] as string).replaceAll(
      '{v}',
      String(100 + random.int(30)),
    )
    seen.add(`${ip}|${ua}`)
  }
  return [...seen]
}

/** Each of `distinct` keys `updates / distinct` times, shuffled. */
function distinctOrder(seed: number, distinct: number, updates: number): Int32Array {
  const random = createRandom(seed + 2)
  const order = new Int32Array(updates)
  for (let i = 0; i < updates; i++) order[i] = i % distinct
  for (let i = updates - 1; i > 0; i--) {
    const j = random.int(i + 1)
    const t = order[i] as number
    order[i] = order[j] as number
    order[j] = t
  }
  return order
}

const WORDS = [
  'blog',
  'docs',
  'api',
  'static',
  'images',
  'search',
  'product',
  'nginx',
  'postgres',
  'cache',
  'bicycle',
  'coffee',
  'release',
  'guide',
  'install',
  'memcached',
]

/** `count` distinct request paths of 20–100 characters; path `i` has Zipf rank `i + 1`. */
function pathKeys(seed: number, count: number): string[] {
  const random = createRandom(seed + 3)
  const paths: string[] = []
  for (let i = 0; i < count; i++) {
    const length = 20 + random.int(81)
    let path = `/${WORDS[random.int(WORDS.length)]}/${i}/`
    while (path.length < length) path += `${WORDS[random.int(WORDS.length)]}-`
    paths.push(path.slice(0, length))
  }
  return paths
}

/** `updates` draws of Zipf(s) over ranks 1…`universe`, as 0-based ids. */
function zipfOrder(seed: number, universe: number, updates: number): Int32Array {
  const cdf = new Float64Array(universe)
  let total = 0
  for (let i = 0; i < universe; i++) {
    total += 1 / (i + 1) ** ZIPF_S
    cdf[i] = total
  }
  const random = createRandom(seed + 4)
  const order = new Int32Array(updates)
  for (let n = 0; n < updates; n++) {
    const u = random.next() * total
    let lo = 0
    let hi = universe - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((cdf[mid] as number) <= u) lo = mid + 1
      else hi = mid
    }
    order[n] = lo
  }
  return order
}

/** Lognormal response sizes in bytes (integers), for the counter. */
function responseSizes(seed: number, count: number): Float64Array {
  const random = createRandom(seed + 5)
  const sizes = new Float64Array(count)
  for (let i = 0; i < count; i++) sizes[i] = Math.round(Math.exp(Math.log(5_000) + 1.5 * gaussian(random)))
  return sizes
}

// ---------------------------------------------------------------- quantiles

interface QuantileWorkload extends Workload {
  readonly seed: number
  readonly count: number
  /** Exact p50, p90, p99, p99.9 (nearest rank). */
  readonly exact: readonly number[]
}

/** The sketch a quantile contender fills, and how to read it back. */
interface QuantileSketch {
  add(value: number): void
  count(): number
  quantile(q: number): number
  bytes(): number
}

/** The fraction of `sorted` at or below `value`. */
function rankOf(sorted: Float64Array, value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] as number) <= value) lo = mid + 1
    else hi = mid
  }
  return lo / sorted.length
}

function quantileContender(
  name: string,
  description: string,
  make: (workload: QuantileWorkload) => Promise<QuantileSketch>,
  ours = false,
): Contender<QuantileWorkload> {
  return {
    name,
    description,
    ours,
    async load(workload) {
      const values = latencies(workload.seed, workload.count)
      const sketch = await make(workload)
      return async () => {
        for (let i = 0; i < values.length; i++) sketch.add(values[i] as number)
        return {
          accepted: sketch.count(),
          untimed: () => {
            const checks: Record<string, number> = { bytes: sketch.bytes() }
            const sorted = values.slice().sort()
            let rankError = 0
            QUANTILES.forEach((q, i) => {
              const estimate = sketch.quantile(q)
              checks[QUANTILE_KEYS[i] as string] = relativeError(estimate, workload.exact[i] as number)
              rankError = Math.max(rankError, Math.abs(rankOf(sorted, estimate) - q))
            })
            checks.rankError = rankError
            return checks
          },
        }
      }
    },
  }
}

const quantiles: Comparison<QuantileWorkload> = {
  id: 'quantiles',
  title: 'Quantiles: latency sketches',
  perItem: 'update',
  prepare(context) {
    const count = sizesOf(context).latencies
    const seed = seedOf(context)
    const sorted = latencies(seed, count).sort()
    const exact = QUANTILES.map((q) => sorted[Math.max(0, Math.ceil(q * count) - 1)] as number)
    const ms = (v: number): string => (v / 1000).toFixed(1)
    return {
      description:
        `${formatInt(count)} lognormal latencies in µs (median ${ms(exact[0] as number)} ms, σ ${LATENCY_SIGMA}, ` +
        `${TAIL_SHARE * 100} % ×${TAIL_FACTOR}; exact p90/p99/p99.9 ${exact.slice(1).map(ms).join(' / ')} ms; seed ${seed})`,
      items: count,
      bytes: 0,
      unit: 'updates',
      seed,
      count,
      exact,
    }
  },
  columns: [
    { check: 'errP50', header: 'err p50', format: percent },
    { check: 'errP90', header: 'err p90', format: percent },
    { check: 'errP99', header: 'err p99', format: percent },
    { check: 'errP999', header: 'err p99.9', format: percent },
    { check: 'rankError', header: 'max rank err', format: percent },
    bytesColumn,
  ],
  verdict(workload, tally) {
    const checks = tally.checks ?? {}
    const errors = QUANTILE_KEYS.map((key) => checks[key] ?? Number.NaN)
    const worst = Math.max(...errors)
    const at = ['p50', 'p90', 'p99', 'p99.9'][errors.indexOf(worst)]
    const all =
      tally.accepted === workload.count
        ? `all ${formatInt(workload.count)} counted`
        : `${formatInt(tally.accepted)} of ${formatInt(workload.count)} counted`
    return `${all} · largest relative error ${percent(worst)} (${at})`
  },
  contenders: [
    quantileContender(
      'shoal-ddsketch',
      '@shoal/stats DDSketch, α = 1 % (2,048 bins); image from toBytes()',
      async () => {
        const sketch = new DDSketch({ relativeAccuracy: 0.01 })
        return {
          add: (v) => sketch.add(v),
          count: () => sketch.count,
          quantile: (q) => sketch.quantile(q),
          bytes: () => sketch.toBytes().length,
        }
      },
      true,
    ),
    quantileContender(
      'shoal-kll',
      '@shoal/stats KllDoublesSketch, k = 200 (seeded); compact DataSketches image',
      async (workload) => {
        const sketch = new KllDoublesSketch({ k: 200, random: createRandom(workload.seed) })
        return {
          add: (v) => sketch.update(v),
          count: () => sketch.n,
          quantile: (q) => sketch.getQuantile(q),
          bytes: () => sketch.toBytes().length,
        }
      },
    ),
    quantileContender(
      'datadog-ddsketch',
      '@datadog/sketches-js 2.1.1 DDSketch, α = 1 %; protobuf image (toProto)',
      async () => {
        const { DDSketch: DatadogSketch } = await import('@datadog/sketches-js')
        const sketch = new DatadogSketch({ relativeAccuracy: 0.01 })
        return {
          add: (v) => sketch.accept(v),
          count: () => sketch.count,
          quantile: (q) => sketch.getValueAtQuantile(q),
          bytes: () => sketch.toProto().length,
        }
      },
    ),
    quantileContender(
      'hdr-histogram',
      'hdr-histogram-js 3.0.1, 3 significant digits, JS (values rounded to 1 µs); compressed base64 V2 image',
      async () => {
        const hdr = await import('hdr-histogram-js')
        const histogram = hdr.build({ numberOfSignificantValueDigits: 3 })
        return {
          add: (v) => histogram.recordValue(Math.round(v)),
          count: () => histogram.totalCount,
          quantile: (q) => histogram.getValueAtPercentile(q * 100),
          bytes: () => hdr.encodeIntoCompressedBase64(histogram).length,
        }
      },
    ),
    quantileContender('tdigest', 'tdigest 0.1.3, δ = 0.01 (defaults); centroids as JSON', async () => {
      const { TDigest } = await import('tdigest')
      const digest = new TDigest()
      return {
        add: (v) => digest.push(v),
        count: () => digest.n,
        quantile: (q) => digest.percentile(q),
        bytes: () => JSON.stringify(digest.toArray()).length,
      }
    }),
  ],
}

// ---------------------------------------------------------------- distinct counting

interface DistinctWorkload extends Workload {
  readonly seed: number
  readonly distinct: number
  readonly updates: number
}

/** What a distinct-count contender fills. */
interface DistinctCounter {
  add(key: string): void
  estimate(): number
  bytes(): number | undefined
}

function distinctContender(
  name: string,
  description: string,
  make: () => Promise<DistinctCounter>,
  more: Partial<Pick<Contender<DistinctWorkload>, 'ours' | 'maxRepeats'>> = {},
): Contender<DistinctWorkload> {
  return {
    name,
    description,
    ...more,
    async load(workload) {
      const keys = sliced(
        clientKeys(workload.seed, workload.distinct),
        distinctOrder(workload.seed, workload.distinct, workload.updates),
      )
      const counter = await make()
      return async () => {
        for (let i = 0; i < keys.length; i++) counter.add(keys[i] as string)
        return {
          accepted: keys.length,
          untimed: () => {
            const estimate = counter.estimate()
            const bytes = counter.bytes()
            return {
              estimate,
              error: (estimate - workload.distinct) / workload.distinct,
              ...(bytes === undefined ? {} : { bytes }),
            }
          },
        }
      }
    },
  }
}

function hllContender(lgK: number, ours: boolean): Contender<DistinctWorkload> {
  return distinctContender(
    ours ? 'shoal-hll' : `shoal-hll-lgK${lgK}`,
    `@shoal/stats HllSketch, lgK ${lgK} (HLL_4), update(string) with MurmurHash3; compact image`,
    async () => {
      const sketch = new HllSketch({ lgK })
      return {
        add: (key) => sketch.update(key),
        estimate: () => sketch.estimate,
        bytes: () => sketch.toBytes().length,
      }
    },
    { ours },
  )
}

function bloomHllContender(registers: number): Contender<DistinctWorkload> {
  return distinctContender(
    `bloom-filters-hll-${registers}`,
    `bloom-filters 3.0.4 HyperLogLog(${registers}); saveAsJSON() as JSON; about 0.3 ms per update, so run once`,
    async () => {
      const { default: bloom } = await import('bloom-filters')
      const hll = new bloom.HyperLogLog(registers)
      return {
        add: (key) => hll.update(key),
        estimate: () => hll.count(),
        bytes: () => JSON.stringify(hll.saveAsJSON()).length,
      }
    },
    { maxRepeats: 1 },
  )
}

const distinct: Comparison<DistinctWorkload> = {
  id: 'distinct',
  title: 'Distinct counting: IP|user-agent strings',
  perItem: 'update',
  prepare(context) {
    const sizes = sizesOf(context)
    const seed = seedOf(context)
    const keys = clientKeys(seed, sizes.distinct)
    const chars = keys.reduce((sum, key) => sum + key.length, 0)
    return {
      description:
        `${formatInt(sizes.distinctUpdates)} updates over ${formatInt(sizes.distinct)} distinct IP|user-agent strings ` +
        `(each ${sizes.distinctUpdates / sizes.distinct} times, shuffled; ${Math.round(chars / keys.length)} characters on average; seed ${seed})`,
      items: sizes.distinctUpdates,
      bytes: 0,
      unit: 'updates',
      seed,
      distinct: sizes.distinct,
      updates: sizes.distinctUpdates,
    }
  },
  columns: [
    { check: 'estimate', header: 'estimate' },
    { check: 'error', header: 'error', format: signedPercent },
    bytesColumn,
  ],
  verdict(workload, tally) {
    const checks = tally.checks ?? {}
    return `estimate ${formatInt(checks.estimate ?? Number.NaN)} of ${formatInt(workload.distinct)} (${signedPercent(checks.error ?? Number.NaN)})`
  },
  contenders: [
    hllContender(12, true),
    hllContender(14, false),
    bloomHllContender(4096),
    bloomHllContender(16384),
    distinctContender('exact-set', 'Set<string> of the keys', async () => {
      const set = new Set<string>()
      return { add: (key) => set.add(key), estimate: () => set.size, bytes: () => undefined }
    }),
  ],
}

// ---------------------------------------------------------------- heavy hitters

interface ZipfWorkload extends Workload {
  readonly seed: number
  readonly paths: number
  readonly updates: number
  /** The ids of the true top 10, most frequent first (each child recounts the rest from its stream). */
  readonly top: readonly number[]
}

/** The true count of each path id in a stream of ids. */
function countIds(order: Int32Array, universe: number): Int32Array {
  const counts = new Int32Array(universe)
  for (let i = 0; i < order.length; i++) {
    const id = order[i] as number
    counts[id] = (counts[id] as number) + 1
  }
  return counts
}

let zipfTruth: { key: string; counts: Int32Array; top: number[] } | undefined

function prepareZipf(context: BenchContext): ZipfWorkload {
  const sizes = sizesOf(context)
  const seed = seedOf(context)
  const key = `${seed}/${sizes.paths}/${sizes.zipfUpdates}`
  if (zipfTruth?.key !== key) {
    const counts = countIds(zipfOrder(seed, sizes.paths, sizes.zipfUpdates), sizes.paths)
    const top = Array.from(counts, (count, id) => ({ id, count }))
      .sort((a, b) => b.count - a.count || a.id - b.id)
      .slice(0, TOP)
      .map((row) => row.id)
    zipfTruth = { key, counts, top }
  }
  const { counts, top } = zipfTruth
  const distinctSeen = counts.filter((c) => c > 0).length
  return {
    description:
      `${formatInt(sizes.zipfUpdates)} Zipf(s = ${ZIPF_S}) updates over ${formatInt(sizes.paths)} paths of 20–100 characters ` +
      `(${formatInt(distinctSeen)} seen; true top 10 from ${formatInt(counts[top[0] as number] as number)} down to ` +
      `${formatInt(counts[top[TOP - 1] as number] as number)}; seed ${seed})`,
    items: sizes.zipfUpdates,
    bytes: 0,
    unit: 'updates',
    seed,
    paths: sizes.paths,
    updates: sizes.zipfUpdates,
    top,
  }
}

/** What a Zipf contender's child builds before the clock starts. */
interface ZipfStream {
  /** The stream, as fresh slices. */
  readonly keys: string[]
  /** Path by id. */
  readonly paths: string[]
  readonly idOf: Map<string, number>
  /** True count by id. */
  readonly counts: Int32Array
}

function zipfStream(workload: ZipfWorkload): ZipfStream {
  const paths = pathKeys(workload.seed, workload.paths)
  const order = zipfOrder(workload.seed, workload.paths, workload.updates)
  return {
    keys: sliced(paths, order),
    paths,
    idOf: new Map(paths.map((path, id) => [path, id])),
    counts: countIds(order, workload.paths),
  }
}

/** Recall of the true top 10 and the largest relative count error among the reported rows. */
function topChecks(
  workload: ZipfWorkload,
  { idOf, counts }: ZipfStream,
  reported: readonly { key: string; count: number }[],
): Record<string, number> {
  const truth = new Set(workload.top)
  let hits = 0
  let worst = 0
  for (const { key, count } of reported.slice(0, TOP)) {
    const id = idOf.get(key)
    const actual = id === undefined ? 0 : (counts[id] as number)
    if (id !== undefined && truth.has(id)) hits++
    worst = Math.max(worst, relativeError(count, actual))
  }
  return { recall: hits / TOP, maxError: worst, reported: Math.min(TOP, reported.length) }
}

/** What a top-k contender fills. */
interface TopCounter {
  add(key: string): void
  /** Its top rows, most frequent first. */
  top(): { key: string; count: number }[]
  bytes(): number | undefined
}

function topContender(
  name: string,
  description: string,
  make: () => Promise<TopCounter>,
  more: Partial<Pick<Contender<ZipfWorkload>, 'ours'>> = {},
): Contender<ZipfWorkload> {
  return {
    name,
    description,
    ...more,
    async load(workload) {
      const stream = zipfStream(workload)
      const { keys } = stream
      const counter = await make()
      return async () => {
        for (let i = 0; i < keys.length; i++) counter.add(keys[i] as string)
        return {
          accepted: keys.length,
          untimed: () => {
            const bytes = counter.bytes()
            return {
              ...topChecks(workload, stream, counter.top()),
              ...(bytes === undefined ? {} : { bytes }),
            }
          },
        }
      }
    },
  }
}

/** Exact counts in a `Map`, for both key-count comparisons. */
function exactMap(): TopCounter & { estimate(key: string): number } {
  const map = new Map<string, number>()
  return {
    add: (key) => map.set(key, (map.get(key) ?? 0) + 1),
    top: () =>
      [...map]
        .map(([key, count]) => ({ key, count }))
        .sort((a, b) => b.count - a.count)
        .slice(0, TOP),
    estimate: (key) => map.get(key) ?? 0,
    bytes: () => undefined,
  }
}

const heavyHitters: Comparison<ZipfWorkload> = {
  id: 'heavy-hitters',
  title: 'Heavy hitters: top 10 paths',
  perItem: 'update',
  prepare: prepareZipf,
  columns: [
    { check: 'recall', header: 'top-10 recall', format: (v) => v.toFixed(1) },
    { check: 'maxError', header: 'max count error', format: percent },
    bytesColumn,
  ],
  verdict(_workload, tally) {
    const checks = tally.checks ?? {}
    return (
      `${checks.reported ?? 0} rows reported · recall ${(checks.recall ?? Number.NaN).toFixed(1)} · ` +
      `largest relative count error ${percent(checks.maxError ?? Number.NaN)}`
    )
  },
  contenders: [
    topContender(
      'shoal-frequent-items',
      "@shoal/stats FrequentItemsSketch, maxMapSize 1,024; getFrequentItems('NO_FALSE_NEGATIVES'), first 10 by estimate",
      async () => {
        const sketch = new FrequentItemsSketch({ maxMapSize: 1024 })
        return {
          add: (key) => sketch.update(key),
          top: () =>
            sketch
              .getFrequentItems('NO_FALSE_NEGATIVES')
              .sort((a, b) => b.estimate - a.estimate)
              .map((row) => ({ key: row.item, count: row.estimate })),
          bytes: () => sketch.toBytes().length,
        }
      },
      { ours: true },
    ),
    topContender(
      'bloom-filters-topk',
      'bloom-filters 3.0.4 TopK(10, 0.001, 0.99) as its README shows (a 2,719 × 1 Count-Min sketch and a min-heap)',
      async () => {
        const { default: bloom } = await import('bloom-filters')
        const topk = new bloom.TopK(TOP, 0.001, 0.99)
        return {
          add: (key) => topk.add(key),
          top: () =>
            topk
              .values()
              .map((row) => ({ key: row.value, count: row.frequency }))
              .sort((a, b) => b.count - a.count),
          bytes: () => JSON.stringify(topk.saveAsJSON()).length,
        }
      },
    ),
    topContender('exact-map', 'Map<string, number> of every path, sorted at the end', async () => exactMap()),
  ],
}

// ---------------------------------------------------------------- Count-Min

/** What a point-frequency contender fills. */
interface PointCounter {
  add(key: string): void
  estimate(key: string): number
  bytes(): number | undefined
}

function countMinContender(
  name: string,
  description: string,
  make: () => Promise<PointCounter>,
  more: Partial<Pick<Contender<ZipfWorkload>, 'ours'>> = {},
): Contender<ZipfWorkload> {
  return {
    name,
    description,
    ...more,
    async load(workload) {
      const { keys, paths, counts } = zipfStream(workload)
      const counter = await make()
      return async () => {
        for (let i = 0; i < keys.length; i++) counter.add(keys[i] as string)
        return {
          accepted: keys.length,
          untimed: () => {
            let worst = 0
            let under = 0
            for (const id of workload.top) {
              const actual = counts[id] as number
              const estimate = counter.estimate(paths[id] as string)
              worst = Math.max(worst, relativeError(estimate, actual))
              if (estimate < actual) under++
            }
            const bytes = counter.bytes()
            return { maxError: worst, underestimates: under, ...(bytes === undefined ? {} : { bytes }) }
          },
        }
      }
    },
  }
}

const countMin: Comparison<ZipfWorkload> = {
  id: 'count-min',
  title: 'Count-Min: counts of the true top 10 paths',
  perItem: 'update',
  prepare: prepareZipf,
  columns: [{ check: 'maxError', header: 'max error (true top 10)', format: percent }, bytesColumn],
  verdict(_workload, tally) {
    const checks = tally.checks ?? {}
    const under = checks.underestimates ?? 0
    return (
      `largest relative error on the true top 10 ${percent(checks.maxError ?? Number.NaN)}` +
      (under > 0 ? ` · ${under} underestimated (a Count-Min sketch never should)` : '')
    )
  },
  contenders: [
    countMinContender(
      'shoal-count-min',
      '@shoal/stats CountMinSketch, ε = 0.001, δ = 0.01 (2,719 × 5 counters, MurmurHash3)',
      async () => {
        const sketch = new CountMinSketch({ epsilon: 0.001, delta: 0.01 })
        return {
          add: (key) => sketch.update(key),
          estimate: (key) => sketch.estimate(key),
          bytes: () => sketch.toBytes().length,
        }
      },
      { ours: true },
    ),
    countMinContender(
      'bloom-filters-cms',
      'bloom-filters 3.0.4 CountMinSketch.create(0.001, 0.01): the same 2,719 × 5 shape (its second argument is δ)',
      async () => {
        const { default: bloom } = await import('bloom-filters')
        const sketch = bloom.CountMinSketch.create(0.001, 0.01)
        return {
          add: (key) => sketch.update(key),
          estimate: (key) => sketch.count(key),
          bytes: () => JSON.stringify(sketch.saveAsJSON()).length,
        }
      },
    ),
    countMinContender('exact-map', 'Map<string, number> of every path', async () => exactMap()),
  ],
}

// ---------------------------------------------------------------- counter

interface CounterWorkload extends Workload {
  readonly seed: number
  readonly count: number
  readonly sum: number
}

function counterContender(
  name: string,
  description: string,
  make: () => { update(value: number): void; count(): number; sum(): number; bytes(): number | undefined },
  more: Partial<Pick<Contender<CounterWorkload>, 'ours'>> = {},
): Contender<CounterWorkload> {
  return {
    name,
    description,
    ...more,
    async load(workload) {
      const sizes = responseSizes(workload.seed, workload.count)
      const counter = make()
      return async () => {
        for (let i = 0; i < sizes.length; i++) counter.update(sizes[i] as number)
        const bytes = counter.bytes()
        return {
          accepted: counter.count(),
          checks: { sum: counter.sum(), ...(bytes === undefined ? {} : { bytes }) },
        }
      }
    },
  }
}

const counter: Comparison<CounterWorkload> = {
  id: 'counter',
  title: 'Counter: count and sum of response sizes',
  perItem: 'update',
  prepare(context) {
    const count = sizesOf(context).counterUpdates
    const seed = seedOf(context)
    const sum = responseSizes(seed, count).reduce((a, b) => a + b, 0)
    return {
      description: `${formatInt(count)} lognormal response sizes (median 5,000 B, σ 1.5; seed ${seed})`,
      items: count,
      bytes: 0,
      unit: 'updates',
      seed,
      count,
      sum,
    }
  },
  columns: [bytesColumn],
  verdict(workload, tally) {
    const sum = tally.checks?.sum
    return `count ${tally.accepted === workload.count ? '✓' : '≠'} · sum ${sum === workload.sum ? '✓' : `≠ (${sum})`}`
  },
  contenders: [
    counterContender(
      'shoal-counter',
      '@shoal/stats Counter.update(size)',
      () => {
        const c = new Counter()
        return {
          update: (v) => c.update(v),
          count: () => c.count,
          sum: () => c.sum,
          bytes: () => c.toBytes().length,
        }
      },
      { ours: true },
    ),
    counterContender('plain-numbers', 'two local numbers: count++, sum += size', () => {
      let count = 0
      let sum = 0
      return {
        update: (v) => {
          count++
          sum += v
        },
        count: () => count,
        sum: () => sum,
        bytes: () => undefined,
      }
    }),
  ],
}

// ---------------------------------------------------------------- end to end

interface LogWorkload extends Workload {
  readonly path: string
  readonly seed: number
  readonly meta: GeneratedLogMeta
  /** The log's UTC offset in minutes (from its first line), so days split where GoAccess splits them. */
  readonly dayOffsetMinutes: number
  /** Distinct (client, day, user agent) of the requests not answered 4xx, counted exactly. */
  readonly exactVisitors: number
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const

function classesOf(statuses: Readonly<Record<string, number>>): Record<string, number> {
  const classes: Record<string, number> = {}
  for (const [status, count] of Object.entries(statuses)) {
    const key = `${status[0]}xx`
    classes[key] = (classes[key] ?? 0) + count
  }
  return classes
}

/** The offset of the first line's `[dd/Mon/yyyy:hh:mm:ss ±hhmm]`, in minutes. */
function logOffsetMinutes(path: string): number {
  const head = readFileSync(path).subarray(0, 4096).toString('latin1')
  const match = /:\d\d:\d\d:\d\d ([+-])(\d\d)(\d\d)\]/.exec(head)
  if (match === null) return 0
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]))
}

/**
 * Unique visitors as GoAccess and webStats() define them, counted exactly with a `Set`: distinct
 * (client, day at the log's UTC offset, user agent) over the requests not answered 4xx.
 */
async function exactVisitors(path: string, dayOffsetMinutes: number): Promise<number> {
  const keys = new Set<string>()
  const offset = dayOffsetMinutes * 60_000
  for await (const batch of parseBatches(openChunks(path), apacheParser('combined'), {
    maxLineBytes: MAX_LINE_BYTES,
  })) {
    for (const record of batch.records) {
      const status = record.status ?? 0
      if (status >= 400 && status <= 499) continue
      const day = record.time == null ? 0 : Math.floor((record.time + offset) / 86_400_000)
      keys.add(`${record.remoteHost}|${day}|${record.userAgent ?? ''}`)
    }
  }
  return keys.size
}

const oursEndToEnd: Contender<LogWorkload> = {
  name: 'shoal-webstats',
  description:
    "@shoal/logs apacheParser('combined') over parseBatches (1 MiB chunks) into @shoal/stats webStats() (defaults, UTC offset of the log), then report()",
  ours: true,
  async load(workload) {
    const parser = apacheParser('combined')
    const web = webStats({ dayOffsetMinutes: workload.dayOffsetMinutes })
    return async () => {
      const source = openChunks(workload.path)
      for await (const batch of parseBatches(source, parser, { maxLineBytes: MAX_LINE_BYTES })) {
        for (const record of batch.records) web.add(record)
        for (const error of batch.errors) web.addFailure(error.reason, error.sample)
      }
      const report = web.report()
      const classes: Record<string, number> = {}
      for (const key of STATUS_CLASSES) classes[key] = report.statusClasses[key]
      return {
        accepted: report.requests,
        checks: {
          total: report.requests + report.failedLines,
          failed: report.failedLines,
          ...classes,
          visitors: report.uniqueVisitors.estimate,
          visitorsError: (report.uniqueVisitors.estimate - workload.exactVisitors) / workload.exactVisitors,
          bandwidth: report.bandwidth,
        },
      }
    }
  },
}

let goaccessProbe: { version: string | undefined } | undefined

/** The installed GoAccess version, or undefined when there is none (probed once). */
function goaccessVersion(): string | undefined {
  if (goaccessProbe === undefined) {
    const probe = spawnSync('goaccess', ['--version'], { encoding: 'utf8' })
    const found = probe.error === undefined && probe.status === 0
    goaccessProbe = {
      version: found ? (/GoAccess - (\d+(?:\.\d+)*)/.exec(probe.stdout)?.[1] ?? 'unknown') : undefined,
    }
  }
  return goaccessProbe.version
}

interface GoAccessReport {
  readonly general: {
    readonly total_requests: number
    readonly valid_requests: number
    readonly failed_requests: number
    readonly unique_visitors: number
    readonly bandwidth: number
  }
  readonly status_codes?: {
    readonly data: readonly { readonly data: string; readonly hits: { readonly count: number } }[]
  }
}

const goaccess: Contender<LogWorkload> = {
  name: 'goaccess',
  get description() {
    return (
      `GoAccess ${goaccessVersion() ?? '(not installed)'}, default panels (Debian global config), JSON report: ` +
      'goaccess FILE --log-format=COMBINED --no-progress -o report.json'
    )
  },
  unavailable() {
    const version = goaccessVersion()
    return version === undefined ? 'goaccess is not installed (Debian: apt-get install goaccess)' : undefined
  },
  command(workload, scratch) {
    return {
      file: 'goaccess',
      args: [workload.path, '--log-format=COMBINED', '--no-progress', '-o', join(scratch, 'report.json')],
    }
  },
  tally(workload, scratch) {
    const report = JSON.parse(readFileSync(join(scratch, 'report.json'), 'utf8')) as GoAccessReport
    const { general } = report
    const classes: Record<string, number> = {}
    for (const key of STATUS_CLASSES) classes[key] = 0
    for (const row of report.status_codes?.data ?? []) {
      const key = row.data.slice(0, 3)
      if (key in classes) classes[key] = (classes[key] as number) + row.hits.count
    }
    return {
      accepted: general.valid_requests,
      checks: {
        total: general.total_requests,
        failed: general.failed_requests,
        ...classes,
        visitors: general.unique_visitors,
        visitorsError: (general.unique_visitors - workload.exactVisitors) / workload.exactVisitors,
        bandwidth: general.bandwidth,
      },
    }
  },
}

const endToEnd: Comparison<LogWorkload> = {
  id: 'end-to-end',
  title: 'End to end: web statistics of a combined log',
  async prepare(context) {
    const lines = context.smoke ? SIZES.smoke.lines : Number(context.options.lines ?? SIZES.full.lines)
    if (!Number.isSafeInteger(lines) || lines < 1) throw new Error('--lines must be a positive integer')
    const seed = seedOf(context)
    const started = performance.now()
    const log = generateLog({ lines, seed, variant: 'combined' })
    const took = (performance.now() - started) / 1000
    if (took > 0.5) process.stderr.write(`generated ${log.path} in ${took.toFixed(1)} s\n`)
    const { meta } = log
    const dayOffsetMinutes = logOffsetMinutes(log.path)
    return {
      description: `${formatInt(meta.lines)} combined-format lines, ${(meta.bytes / 1e6).toFixed(1)} MB (the logs benchmark's file; seed ${seed})`,
      items: meta.lines,
      bytes: meta.bytes,
      unit: 'lines',
      path: log.path,
      seed,
      meta,
      dayOffsetMinutes,
      exactVisitors: await exactVisitors(log.path, dayOffsetMinutes),
    }
  },
  columns: [
    { check: 'total', header: 'requests' },
    { check: '2xx', header: '2xx' },
    { check: '3xx', header: '3xx' },
    { check: '4xx', header: '4xx' },
    { check: '5xx', header: '5xx' },
    { check: 'visitors', header: 'visitors' },
    { check: 'visitorsError', header: 'visitors err', format: signedPercent },
  ],
  verdict(workload, tally, ours) {
    const checks = tally.checks ?? {}
    const truth = classesOf(workload.meta.statuses)
    const parts: string[] = []
    const total = checks.total ?? Number.NaN
    parts.push(
      total === workload.meta.lines
        ? `${formatInt(total)} requests ✓`
        : `${formatInt(total)} requests ≠ ${formatInt(workload.meta.lines)}`,
    )
    const wrong = STATUS_CLASSES.filter((key) => (checks[key] ?? 0) !== (truth[key] ?? 0))
    parts.push(
      wrong.length === 0 ? 'status classes ✓ (as generated)' : `status classes ≠ in ${wrong.join(', ')}`,
    )
    if (ours !== undefined) {
      const theirs = ours.checks ?? {}
      const same = ['total', ...STATUS_CLASSES].every((key) => theirs[key] === checks[key])
      parts.push(
        same ? 'total and status classes equal to ours ✓' : 'total or status classes differ from ours',
      )
    }
    if (checks.failed !== undefined && checks.failed > 0)
      parts.push(`${formatInt(checks.failed)} failed lines`)
    const visitors = checks.visitors
    if (visitors !== undefined)
      parts.push(
        `unique visitors ${formatInt(visitors)} of ${formatInt(workload.exactVisitors)} exact ` +
          (visitors === workload.exactVisitors
            ? '✓'
            : `(${signedPercent((visitors - workload.exactVisitors) / workload.exactVisitors)})`),
      )
    return parts.join(' · ')
  },
  contenders: [oursEndToEnd, goaccess],
}

// ---------------------------------------------------------------- the benchmark

/** The comparisons `--comparisons a,b` names (all by default). */
// biome-ignore lint/suspicious/noExplicitAny: comparisons hold different workload types
function selected(all: readonly Comparison<any>[]): readonly Comparison<any>[] {
  const at = process.argv.findIndex((arg) => arg === '--comparisons' || arg.startsWith('--comparisons='))
  if (at === -1) return all
  const arg = process.argv[at] as string
  const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (process.argv[at + 1] ?? '')
  const ids = new Set(value.split(',').map((id) => id.trim()))
  const unknown = [...ids].filter((id) => !all.some((c) => c.id === id))
  if (unknown.length > 0)
    throw new Error(`unknown comparison: ${unknown.join(', ')} (${all.map((c) => c.id).join(', ')})`)
  return all.filter((c) => ids.has(c.id))
}

await runBenchmark({
  package: 'stats',
  title: '@shoal/stats: sketches and web statistics beside their peers',
  usage:
    `  --seed S        seed of every generated workload (default 1)\n` +
    `  --lines N       lines of the end-to-end log (default ${formatInt(SIZES.full.lines)}; --smoke: ${formatInt(SIZES.smoke.lines)})\n` +
    '  --comparisons a,b  run only these comparisons (quantiles, distinct, heavy-hitters, count-min, counter, end-to-end)\n' +
    'Sketch workloads are regenerated from the seed in each contender process before the clock starts.',
  options: {
    seed: { type: 'string' },
    lines: { type: 'string' },
    comparisons: { type: 'string' },
  },
  comparisons: selected([quantiles, distinct, heavyHitters, countMin, counter, endToEnd]),
})
