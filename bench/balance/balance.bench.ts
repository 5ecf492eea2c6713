/**
 * Benchmark of `@shoal/balance`'s pickers beside their npm peers: nanoseconds per pick at
 * N = 10 / 100 / 1000 backends on one core, every cell (comparison × contender × repeat) its own
 * child process so call sites stay monomorphic and no contender warms the JIT for another.
 *
 *   npm run bench -- balance                               (full: a few minutes)
 *   npm run bench -- balance --smoke                       (tiny workloads, one repeat: what CI runs)
 *   npm run bench -- balance --comparisons maglev,ring-fast --repeats 5
 *
 * - Unkeyed: round robin (beside `rr`, `roundround` and `load-balancers`' RandomBalancer), random,
 *   smooth and EDF weighted round robin (beside `wrr-pool`, weights 1…5), P2C pick + done (beside
 *   `load-balancers`' P2cBalancer, which has no completion API: it only counts picks).
 * - Keyed, 100,000 distinct 20-character keys, flat strings (a template literal makes a cons-string,
 *   on which `charCodeAt` is several times slower than on the flat strings a parser hands out):
 *   Maglev including the key hash and pre-hashed, jump pre-hashed (beside
 *   `@subspace/jump-consistent-hash`, fed the same hash as 8 bytes), rings of 160 points × N in
 *   ketama placement (beside `hashring` on the same keys, so its 5,000-entry LRU never hits and
 *   every lookup pays its md5, with the share of keys both send to the same server) and in fast
 *   placement, a 40-point ring beside `consistent-hash` (with how often two builds agree),
 *   rendezvous beside `skeleton-rendezvous`.
 * - Builds at N = 1000: the Maglev table (default size and 65,537) and the rings beside
 *   `hashring` and `consistent-hash`.
 *
 * The issue's targets are in the workloads, and a last table sets each figure beside its target
 * and the keyed picks beside `hashring` (≥ 10× faster required). Allocations per pick:
 * `bench/balance/balance-allocations.ts`; the latency simulation: `bench/balance/simulation.ts`.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  type Backend,
  Balancer,
  Candidates,
  Cluster,
  edfWeightedRoundRobin,
  jump,
  maglev,
  type Picker,
  p2c,
  random,
  rendezvous,
  ring,
  roundRobin,
  smoothWeightedRoundRobin,
  xxhash32,
} from '@shoal/balance'
import { createRandom } from '@shoal/core'
import {
  type BenchContext,
  type CheckColumn,
  type Comparison,
  type Contender,
  formatInt,
  runBenchmark,
  type Workload,
} from '../src/harness.js'

// ---------------------------------------------------------------- workloads

/** A target of the issue for one contender: nanoseconds per pick (or per build). */
interface Target {
  readonly ns: number
  readonly label: string
}

interface PickWorkload extends Workload {
  /** Backends. */
  readonly n: number
  /** Picks (or builds) per timed run. */
  readonly picks: number
  /** Distinct keys the keyed contenders cycle through. */
  readonly distinctKeys: number
  readonly seed: number
  /** The issue's targets, by contender name. */
  readonly targets: Readonly<Record<string, Target>>
  /** Contenders that pick by string key in the default fast hash: each must be ≥ 10× faster than `hashring`. */
  readonly fastKeyed: readonly string[]
  /** What one item is: `pick` or `build`. */
  readonly what: 'pick' | 'build'
}

const SIZES = [10, 100, 1000] as const
const DISTINCT_KEYS = 100_000
const SMOKE_KEYS = 5_000
const WARMUP_PICKS = 200_000
const AGREEMENT_KEYS = 10_000

/** Backend ids as memcached clients write them, so the ketama placement can agree with hashring. */
function endpointIds(n: number): string[] {
  return flat(Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}:11211`))
}

/** Strings built by concatenation are cons-strings; a JSON round trip hands back flat ones. */
function flat(strings: string[]): string[] {
  return JSON.parse(JSON.stringify(strings)) as string[]
}

/** `count` distinct 20-character session keys such as `session:004217:kqzmw`, flat, in seeded order. */
function flatKeys(count: number, seed: number): string[] {
  const random = createRandom(seed)
  const keys = new Array<string>(count)
  for (let i = 0; i < count; i++) {
    let tail = ''
    for (let c = 0; c < 5; c++) tail += String.fromCharCode(97 + random.int(26))
    keys[i] = `session:${String(i).padStart(6, '0')}:${tail}`
  }
  for (let i = count - 1; i > 0; i--) {
    const j = random.int(i + 1)
    const t = keys[i] as string
    keys[i] = keys[j] as string
    keys[j] = t
  }
  return flat(keys)
}

/**
 * The keys' 32-bit hashes (xxhash32, what the keyed pickers hash a string with), as int32: V8
 * passes those as small integers, where an unsigned hash above 2^31 - 1 would be boxed into a
 * heap number at every call.
 */
function keyHashes(keys: readonly string[]): Int32Array {
  return Int32Array.from(keys, (key) => xxhash32(key) | 0)
}

function keysOf(workload: PickWorkload): string[] {
  return flatKeys(workload.distinctKeys, workload.seed)
}

// ---------------------------------------------------------------- loops

/** Runs `count` picks and returns a checksum, so the work cannot be optimised away. */
type Loop = (count: number) => number

// Each child process loads one contender, so each loop's call site sees one function (inlined).
function unkeyedLoop(pick: () => number): Loop {
  return (count) => {
    let sum = 0
    for (let i = 0; i < count; i++) sum += pick()
    return sum
  }
}

function keyedLoop<K>(keys: ArrayLike<K>, pick: (key: K) => number): Loop {
  return (count) => {
    let sum = 0
    let k = 0
    const length = keys.length
    for (let i = 0; i < count; i++) {
      sum += pick(keys[k] as K)
      if (++k === length) k = 0
    }
    return sum
  }
}

function contender(
  name: string,
  description: string,
  make: (workload: PickWorkload) => Loop | Promise<Loop>,
  options: {
    readonly ours?: boolean
    readonly maxRepeats?: number
    readonly untimed?: (workload: PickWorkload) => Record<string, number>
  } = {},
): Contender<PickWorkload> {
  return {
    name,
    description,
    ours: options.ours ?? false,
    ...(options.maxRepeats === undefined ? {} : { maxRepeats: options.maxRepeats }),
    async load(workload) {
      const loop = await make(workload)
      const warm = loop(Math.min(workload.picks, WARMUP_PICKS))
      return async () => {
        // the checksum keeps the picks observable, so none can be optimised away
        const checksum = loop(workload.picks) + warm
        const untimed = options.untimed
        return {
          accepted: workload.picks,
          checks: { checksum },
          ...(untimed === undefined ? {} : { untimed: () => untimed(workload) }),
        }
      }
    },
  }
}

/** A balancer over `n` backends (weights 1…5 when `weighted`), default stages. */
function balancerOf(n: number, picker: Picker, weighted = false): Balancer {
  return new Balancer(
    endpointIds(n).map((id, i) => ({ id, weight: weighted ? (i % 5) + 1 : 1 })),
    { picker },
  )
}

/** A cluster of `n` backends and all of them as candidates, to call a picker without a balancer. */
function everyBackend(n: number): { cluster: Cluster<unknown>; candidates: Candidates } {
  const cluster = new Cluster<unknown>(endpointIds(n).map((id) => ({ id })))
  const candidates = new Candidates(n)
  for (const backend of cluster.backends()) candidates.push(backend.slot)
  return { cluster, candidates }
}

function oursUnkeyed(lb: Balancer): Loop {
  return unkeyedLoop(() => (lb.pick() as Backend).slot)
}

function oursKeyed<K extends string | number>(lb: Balancer, keys: ArrayLike<K>): Loop {
  return keyedLoop(keys, (key: K) => (lb.pick(key) as Backend).slot)
}

/** How many of `keys` two pickers send to the same backend id. */
function agreement(
  keys: readonly string[],
  a: (key: string) => string | null,
  b: (key: string) => string | null,
): number {
  let same = 0
  for (const key of keys) if (a(key) === b(key)) same++
  return same / keys.length
}

const idOfPick = (lb: Balancer) => (key: string) => lb.pick(key)?.id ?? null

// ---------------------------------------------------------------- comparisons

interface Spec {
  readonly op: string
  readonly title: string
  readonly picks: (n: number, smoke: boolean) => number
  readonly keyed: boolean
  readonly targets?: (n: number) => Record<string, Target>
  readonly fastKeyed?: readonly string[]
  readonly columns?: readonly CheckColumn[]
  readonly contenders: readonly Contender<PickWorkload>[]
}

function perSize(spec: Spec): Comparison<PickWorkload>[] {
  return SIZES.map((n) => ({
    id: `${spec.op}-${n}`,
    title: `${spec.title}, N = ${formatInt(n)}`,
    perItem: 'pick',
    ...(spec.columns === undefined ? {} : { columns: spec.columns }),
    prepare(context: BenchContext): PickWorkload {
      const picks = spec.picks(n, context.smoke)
      const distinctKeys = context.smoke ? SMOKE_KEYS : DISTINCT_KEYS
      const targets = spec.targets?.(n) ?? {}
      const targetText = Object.entries(targets)
        .map(([name, t]) => `${name} target ${t.label}`)
        .join(', ')
      return {
        description:
          `${formatInt(picks)} picks over ${formatInt(n)} backends` +
          (spec.keyed ? `, ${formatInt(distinctKeys)} distinct flat 20-character keys` : '') +
          (targetText ? `; ${targetText}` : '') +
          (spec.fastKeyed
            ? `; ${spec.fastKeyed.join(', ')} must be ≥ ${MIN_SPEEDUP}× faster than hashring`
            : ''),
        items: picks,
        bytes: 0,
        unit: 'picks',
        n,
        picks,
        distinctKeys,
        seed: 1,
        targets,
        fastKeyed: spec.fastKeyed ?? [],
        what: 'pick',
      }
    },
    contenders: spec.contenders,
  }))
}

const ns = (value: number, label = `≤ ${value} ns`): Target => ({ ns: value, label })
const scaled = (full: number, smoke: boolean) => (smoke ? Math.max(1_000, Math.round(full / 200)) : full)

const roundRobinSpec: Spec = {
  op: 'round-robin',
  title: 'Round robin',
  keyed: false,
  picks: (_n, smoke) => scaled(20_000_000, smoke),
  targets: () => ({ 'shoal-round-robin': ns(10) }),
  contenders: [
    contender(
      'shoal-round-robin',
      'Balancer({ picker: roundRobin() }).pick() (counts the pick in flight; done not called)',
      (w) => oursUnkeyed(balancerOf(w.n, roundRobin())),
      { ours: true },
    ),
    contender(
      'shoal-round-robin-picker',
      'roundRobin().pick(candidates, cluster) alone: the picker without the balancer’s bookkeeping',
      (w) => {
        const { cluster, candidates } = everyBackend(w.n)
        const picker = roundRobin()
        picker.prepare(candidates, cluster)
        return unkeyedLoop(() => picker.pick(candidates, cluster, undefined, 0))
      },
    ),
    contender('rr', 'rr 0.1.0 rr(array): the next id (cursor kept on the array)', async (w) => {
      const { default: rr } = await import('rr')
      const ids = endpointIds(w.n)
      return unkeyedLoop(() => (rr(ids) as string).length)
    }),
    contender('roundround', 'roundround 0.2.0 next(): the next id', async (w) => {
      const { default: roundround } = await import('roundround')
      const next = roundround(endpointIds(w.n))
      return unkeyedLoop(() => next().length)
    }),
    contender(
      'load-balancers-random',
      'load-balancers 1.3.52 RandomBalancer.pick() (Math.random; no round robin there)',
      async (w) => {
        const { RandomBalancer } = await import('load-balancers')
        const balancer = new RandomBalancer(w.n)
        return unkeyedLoop(() => balancer.pick())
      },
    ),
  ],
}

const randomSpec: Spec = {
  op: 'random',
  title: 'Random',
  keyed: false,
  picks: (_n, smoke) => scaled(20_000_000, smoke),
  targets: () => ({ 'shoal-random': ns(10) }),
  contenders: [
    contender(
      'shoal-random',
      'Balancer({ picker: random() }).pick(): seeded xoshiro128**',
      (w) => oursUnkeyed(balancerOf(w.n, random())),
      { ours: true },
    ),
    contender(
      'load-balancers-random',
      'load-balancers 1.3.52 RandomBalancer.pick() (Math.random, not seedable)',
      async (w) => {
        const { RandomBalancer } = await import('load-balancers')
        const balancer = new RandomBalancer(w.n)
        return unkeyedLoop(() => balancer.pick())
      },
    ),
  ],
}

function wrrPool(): Contender<PickWorkload> {
  return contender(
    'wrr-pool',
    'wrr-pool 1.1.4 next(), weights 1…5 (LVS interleaved WRR: bursty)',
    async (w) => {
      const { default: WRRPool } = await import('wrr-pool')
      const pool = new WRRPool<string>()
      endpointIds(w.n).forEach((id, i) => {
        pool.add(id, (i % 5) + 1)
      })
      return unkeyedLoop(() => (pool.next() as string).length)
    },
  )
}

const smoothSpec: Spec = {
  op: 'smooth-wrr',
  title: 'Smooth weighted round robin (nginx), weights 1…5',
  keyed: false,
  picks: (n, smoke) => scaled(n === 10 ? 10_000_000 : n === 100 ? 2_000_000 : 500_000, smoke),
  contenders: [
    contender(
      'shoal-smooth-wrr',
      'Balancer({ picker: smoothWeightedRoundRobin() }).pick(): O(N) per pick',
      (w) => oursUnkeyed(balancerOf(w.n, smoothWeightedRoundRobin(), true)),
      { ours: true },
    ),
    wrrPool(),
  ],
}

const edfSpec: Spec = {
  op: 'edf-wrr',
  title: 'EDF weighted round robin (gRPC A58, random phase), weights 1…5',
  keyed: false,
  picks: (_n, smoke) => scaled(5_000_000, smoke),
  targets: (n) => (n === 1000 ? { 'shoal-edf-wrr': ns(200) } : {}),
  contenders: [
    contender(
      'shoal-edf-wrr',
      'Balancer({ picker: edfWeightedRoundRobin() }).pick(): O(log N) heap',
      (w) => oursUnkeyed(balancerOf(w.n, edfWeightedRoundRobin(), true)),
      { ours: true },
    ),
    wrrPool(),
  ],
}

const OUTSTANDING = 32

const p2cSpec: Spec = {
  op: 'p2c',
  title: 'P2C: pick + done',
  keyed: false,
  picks: (_n, smoke) => scaled(10_000_000, smoke),
  targets: () => ({ 'shoal-p2c': ns(40) }),
  contenders: [
    contender(
      'shoal-p2c',
      `Balancer({ picker: p2c() }): pick() then done() of the request picked ${OUTSTANDING} earlier (in-flight counts)`,
      (w) => {
        const lb = balancerOf(w.n, p2c())
        const outstanding = Array.from({ length: OUTSTANDING }, () => lb.pick() as Backend)
        let at = 0
        return unkeyedLoop(() => {
          lb.done(outstanding[at] as Backend)
          const backend = lb.pick() as Backend
          outstanding[at] = backend
          at = (at + 1) & (OUTSTANDING - 1)
          return backend.slot
        })
      },
      { ours: true },
    ),
    contender(
      'load-balancers-p2c',
      'load-balancers 1.3.52 P2cBalancer.pick(): no completion API, it counts picks, not requests in flight',
      async (w) => {
        const { P2cBalancer } = await import('load-balancers')
        const balancer = new P2cBalancer(w.n)
        return unkeyedLoop(() => balancer.pick())
      },
    ),
  ],
}

const KEYED_PICKS = 500_000
const MIN_SPEEDUP = 10

type HashRing = typeof import('hashring')
type ConsistentHash = typeof import('consistent-hash')
// the peers' classes, loaded before the clock starts and kept for the checks after it stops
let hashRingClass: HashRing | undefined
let consistentHashClass: ConsistentHash | undefined

async function loadHashRing(): Promise<HashRing> {
  hashRingClass ??= (await import('hashring')).default
  return hashRingClass
}

async function loadConsistentHash(): Promise<ConsistentHash> {
  consistentHashClass ??= (await import('consistent-hash')).default
  return consistentHashClass
}

/** A consistent-hash ring over `ids`: 40 points each at random positions. */
function consistentHash(Class: ConsistentHash, ids: readonly string[]): InstanceType<ConsistentHash> {
  const ch = new Class()
  for (const id of ids) ch.add(id)
  return ch
}

function hashringContender(): Contender<PickWorkload> {
  return contender(
    'hashring',
    'hashring 3.2.0 get(key): md5 per lookup (its 5,000-entry LRU never hits 100,000 keys in turn)',
    async (w) => {
      const HashRing = await loadHashRing()
      const hashring = new HashRing(endpointIds(w.n))
      return keyedLoop(keysOf(w), (key: string) => hashring.get(key).length)
    },
    { maxRepeats: 1 },
  )
}

/** Ours by string key, ours pre-hashed, and hashring on the same keys. */
function keyedBesideHashring(
  name: string,
  description: string,
  picker: () => Picker,
): Contender<PickWorkload>[] {
  return [
    contender(name, description, (w) => oursKeyed(balancerOf(w.n, picker()), keysOf(w)), { ours: true }),
    contender(`${name}-prehashed`, 'the same, pick(hash) with the key hashed beforehand', (w) =>
      oursKeyed(balancerOf(w.n, picker()), keyHashes(keysOf(w))),
    ),
    hashringContender(),
  ]
}

const maglevSpec: Spec = {
  op: 'maglev',
  title: 'Maglev (default table: the smallest prime ≥ 65,537 × 2^k holding 500 entries per backend)',
  keyed: true,
  picks: (_n, smoke) => scaled(KEYED_PICKS, smoke),
  targets: () => ({ 'shoal-maglev': ns(60), 'shoal-maglev-prehashed': ns(10) }),
  fastKeyed: ['shoal-maglev'],
  contenders: keyedBesideHashring(
    'shoal-maglev',
    'Balancer({ picker: maglev() }).pick(key): xxhash32 of the 20-character key + one table read',
    () => maglev(),
  ),
}

const jumpSpec: Spec = {
  op: 'jump',
  title: 'Jump consistent hash',
  keyed: true,
  picks: (_n, smoke) => scaled(KEYED_PICKS, smoke),
  targets: () => ({ 'shoal-jump': ns(100) }),
  fastKeyed: ['shoal-jump-string'],
  contenders: [
    contender(
      'shoal-jump',
      'Balancer({ picker: jump() }).pick(hash): pre-hashed 32-bit key',
      (w) => oursKeyed(balancerOf(w.n, jump()), keyHashes(keysOf(w))),
      { ours: true },
    ),
    contender('shoal-jump-string', 'the same, pick(key) hashing the 20-character key', (w) =>
      oursKeyed(balancerOf(w.n, jump()), keysOf(w)),
    ),
    contender(
      '@subspace/jump-consistent-hash',
      '@subspace/jump-consistent-hash 1.1.1 (BigInt): 8-byte keys, pre-hashed (xxhash32 seeds 1 and 0)',
      async (w) => {
        const { jumpConsistentHash } = await import('@subspace/jump-consistent-hash')
        // the same 32-bit hash as ours in the low half, a second hash of the key in the high one
        const strings = keysOf(w)
        const bytes = new Uint8Array(strings.length * 8)
        const view = new DataView(bytes.buffer)
        const keys = strings.map((key, i) => {
          view.setUint32(i * 8, xxhash32(key, 1))
          view.setUint32(i * 8 + 4, xxhash32(key))
          return bytes.subarray(i * 8, i * 8 + 8)
        })
        return keyedLoop(keys, (key: Uint8Array) => jumpConsistentHash(key, w.n))
      },
      { maxRepeats: 1 },
    ),
  ],
}

const ringKetamaSpec: Spec = {
  op: 'ring-ketama',
  title: 'Ring, ketama placement (160 points × N, md5, hashring-compatible)',
  keyed: true,
  picks: (_n, smoke) => scaled(KEYED_PICKS, smoke),
  columns: [
    {
      check: 'sameAsHashring',
      header: 'same server as hashring',
      format: (v) => `${(v * 100).toFixed(2)}%`,
    },
  ],
  contenders: [
    contender(
      'shoal-ring-ketama',
      "Balancer({ picker: ring({ placement: 'ketama' }) }).pick(key): md5 of the key, bucketed search",
      async (w) => {
        await loadHashRing()
        return oursKeyed(balancerOf(w.n, ring({ placement: 'ketama' })), keysOf(w))
      },
      {
        ours: true,
        untimed: (w) => {
          const theirs = new (hashRingClass as HashRing)(endpointIds(w.n))
          const ours = balancerOf(w.n, ring({ placement: 'ketama' }))
          const keys = keysOf(w).slice(0, AGREEMENT_KEYS)
          return { sameAsHashring: agreement(keys, idOfPick(ours), (key) => theirs.get(key)) }
        },
      },
    ),
    hashringContender(),
  ],
}

const ringFastSpec: Spec = {
  op: 'ring-fast',
  title: 'Ring, fast placement (160 points × N, xxhash32)',
  keyed: true,
  picks: (_n, smoke) => scaled(KEYED_PICKS, smoke),
  targets: () => ({ 'shoal-ring': ns(200), 'shoal-ring-prehashed': ns(200) }),
  fastKeyed: ['shoal-ring'],
  contenders: keyedBesideHashring(
    'shoal-ring',
    'Balancer({ picker: ring() }).pick(key): xxhash32 of the key, bucketed search',
    () => ring(),
  ),
}

const consistentHashSpec: Spec = {
  op: 'consistent-hash',
  title: 'Ring of 40 points per backend beside consistent-hash',
  keyed: true,
  picks: (_n, smoke) => scaled(KEYED_PICKS * 2, smoke),
  fastKeyed: ['shoal-ring-40'],
  columns: [
    {
      check: 'buildsAgree',
      header: 'two builds agree',
      format: (v) => `${(v * 100).toFixed(2)}%`,
    },
  ],
  contenders: [
    contender(
      'shoal-ring-40',
      'Balancer({ picker: ring({ pointsPerWeight: 40 }) }).pick(key): points from the ids',
      (w) => oursKeyed(balancerOf(w.n, ring({ pointsPerWeight: 40 })), keysOf(w)),
      {
        ours: true,
        untimed: (w) => ({
          buildsAgree: agreement(
            keysOf(w).slice(0, AGREEMENT_KEYS),
            idOfPick(balancerOf(w.n, ring({ pointsPerWeight: 40 }))),
            idOfPick(balancerOf(w.n, ring({ pointsPerWeight: 40 }))),
          ),
        }),
      },
    ),
    contender(
      'consistent-hash',
      'consistent-hash 1.2.2 get(key): 40 control points per node placed with Math.random()',
      async (w) => {
        const ch = consistentHash(await loadConsistentHash(), endpointIds(w.n))
        return keyedLoop(keysOf(w), (key: string) => (ch.get(key) as string).length)
      },
      {
        untimed: (w) => {
          const Class = consistentHashClass as ConsistentHash
          const a = consistentHash(Class, endpointIds(w.n))
          const b = consistentHash(Class, endpointIds(w.n))
          const keys = keysOf(w).slice(0, AGREEMENT_KEYS)
          return {
            buildsAgree: agreement(
              keys,
              (key) => a.get(key),
              (key) => b.get(key),
            ),
          }
        },
      },
    ),
  ],
}

const rendezvousSpec: Spec = {
  op: 'rendezvous',
  title: 'Rendezvous (highest random weight)',
  keyed: true,
  picks: (n, smoke) => scaled(n === 10 ? 200_000 : n === 100 ? 100_000 : 50_000, smoke),
  targets: (n) => (n <= 64 ? { 'shoal-rendezvous': ns(150, '≤ 150 ns (N ≤ 64)') } : {}),
  fastKeyed: ['shoal-rendezvous'],
  contenders: [
    contender(
      'shoal-rendezvous',
      'Balancer({ picker: rendezvous() }).pick(key): xxhash32 of the key, one mix per backend',
      (w) => oursKeyed(balancerOf(w.n, rendezvous()), keysOf(w)),
      { ours: true },
    ),
    contender(
      'skeleton-rendezvous',
      'skeleton-rendezvous 1.1.3 findSite(key): md5 hex strings per level and per site (one run: slow)',
      async (w) => {
        const { default: Skeleton } = await import('skeleton-rendezvous')
        const hasher = new Skeleton({ sites: endpointIds(w.n) })
        return keyedLoop(keysOf(w), (key: string) => (hasher.findSite(key) as string).length)
      },
      { maxRepeats: 1 },
    ),
  ],
}

// ---------------------------------------------------------------- builds

const BUILD_N = 1000

/** Times `prepare` alone: one table build over `n` backends per item. */
function prepared(n: number, picker: () => Picker): Loop {
  const { cluster, candidates } = everyBackend(n)
  // one picker rebuilt again and again, as a membership change rebuilds it
  const instance = picker()
  return (count) => {
    for (let i = 0; i < count; i++) instance.prepare(candidates, cluster)
    return count
  }
}

function buildComparison(
  id: string,
  title: string,
  targets: Record<string, Target>,
  contenders: readonly Contender<PickWorkload>[],
): Comparison<PickWorkload> {
  return {
    id,
    title,
    perItem: 'build',
    prepare(context) {
      const n = context.smoke ? 100 : BUILD_N
      const builds = context.smoke ? 2 : 10
      const targetText = Object.entries(targets)
        .map(([name, t]) => `${name} target ${t.label}`)
        .join(', ')
      return {
        description: `${builds} builds over ${formatInt(n)} backends${targetText ? `; ${targetText}` : ''}`,
        items: builds,
        bytes: 0,
        unit: 'builds',
        n,
        picks: builds,
        distinctKeys: 0,
        seed: 1,
        targets,
        fastKeyed: [],
        what: 'build',
      }
    },
    contenders,
  }
}

const ms = (value: number, label = `≤ ${value} ms`): Target => ({ ns: value * 1e6, label })

const maglevBuild = buildComparison(
  'maglev-build',
  'Maglev table build (prepare)',
  {
    'shoal-maglev': ms(300, '≤ 300 ms (default table)'),
    'shoal-maglev-65537': ms(25, '≤ 25 ms (M = 65,537)'),
  },
  [
    contender(
      'shoal-maglev',
      'maglev().prepare(): default table, 524,309 entries at N = 1,000',
      (w) => prepared(w.n, () => maglev()),
      { ours: true },
    ),
    contender('shoal-maglev-65537', 'maglev({ tableSize: 65537 }).prepare() (Envoy’s size)', (w) =>
      prepared(w.n, () => maglev({ tableSize: 65_537 })),
    ),
  ],
)

const ringBuild = buildComparison('ring-build', 'Ring build (160 points × N)', {}, [
  contender(
    'shoal-ring-ketama',
    "ring({ placement: 'ketama' }).prepare(): 40 md5 digests × 4 points per backend, sorted",
    (w) => prepared(w.n, () => ring({ placement: 'ketama' })),
    { ours: true },
  ),
  contender('shoal-ring', 'ring().prepare(): 160 xxhash32 points per backend, sorted', (w) =>
    prepared(w.n, () => ring()),
  ),
  contender('hashring', 'new HashRing(servers) from hashring 3.2.0: the same ketama points', async (w) => {
    const HashRing = await loadHashRing()
    const ids = endpointIds(w.n)
    return (count) => {
      let sum = 0
      for (let i = 0; i < count; i++) sum += new HashRing(ids).get('x').length
      return sum
    }
  }),
  contender(
    'consistent-hash',
    'consistent-hash 1.2.2: add() of every node (40 random points each) and the first get()',
    async (w) => {
      const ConsistentHash = await loadConsistentHash()
      const ids = endpointIds(w.n)
      return (count) => {
        let sum = 0
        for (let i = 0; i < count; i++) sum += (consistentHash(ConsistentHash, ids).get('x') as string).length
        return sum
      }
    },
  ),
])

// ---------------------------------------------------------------- the summary

interface ResultsFile {
  readonly comparisons: readonly {
    readonly id: string
    readonly title: string
    readonly workload: PickWorkload
    readonly contenders: readonly {
      readonly name: string
      readonly ours: boolean
      readonly median: { readonly seconds: number; readonly cpuSeconds: number | null } | null
    }[]
  }[]
}

/** ns per pick, or ms per build. */
function figure(nsPerItem: number | undefined, what: 'pick' | 'build'): string {
  if (nsPerItem === undefined) return '—'
  if (what === 'build') return `${(nsPerItem / 1e6).toFixed(1)} ms`
  if (nsPerItem >= 10_000) return `${(nsPerItem / 1000).toFixed(1)} µs`
  return `${nsPerItem >= 100 ? formatInt(nsPerItem) : nsPerItem.toFixed(1)} ns`
}

const times = (ratio: number) => `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}×`

/**
 * The figures beside the issue's targets, the fast keyed picks beside hashring, and ours beside
 * every peer, as markdown. Targets are judged on CPU time per pick (the median run's CPU seconds
 * over its picks): on a shared machine wall time also counts the time other processes held the
 * core; both are shown.
 */
function summary(file: string): string {
  const results = JSON.parse(readFileSync(file, 'utf8')) as ResultsFile & { readonly smoke: boolean }
  const targetRows: string[][] = []
  const ratioRows: string[][] = []
  const keyedRows: string[][] = []
  // hashring's CPU ns per pick at each N, over every comparison it ran in (same keys, same ids)
  const hashring = new Map<number, number[]>()
  for (const comparison of results.comparisons) {
    const median = comparison.contenders.find((c) => c.name === 'hashring')?.median
    if (comparison.workload.what === 'pick' && median?.cpuSeconds != null) {
      const list = hashring.get(comparison.workload.n) ?? []
      list.push((median.cpuSeconds / comparison.workload.items) * 1e9)
      hashring.set(comparison.workload.n, list)
    }
  }
  for (const comparison of results.comparisons) {
    const w = comparison.workload
    const title = w.what === 'build' ? `${comparison.title}, N = ${formatInt(w.n)}` : comparison.title
    const wall = (name: string): number | undefined => {
      const median = comparison.contenders.find((c) => c.name === name)?.median
      return median ? (median.seconds / w.items) * 1e9 : undefined
    }
    const cpu = (name: string): number | undefined => {
      const median = comparison.contenders.find((c) => c.name === name)?.median
      return median?.cpuSeconds != null ? (median.cpuSeconds / w.items) * 1e9 : wall(name)
    }
    for (const [name, target] of Object.entries(w.targets)) {
      const value = cpu(name)
      targetRows.push([
        title,
        name,
        figure(value, w.what),
        figure(wall(name), w.what),
        target.label,
        value === undefined
          ? '—'
          : value <= target.ns
            ? 'met'
            : `**missed** (${(value / target.ns).toFixed(1)}× over)`,
      ])
    }
    for (const name of w.fastKeyed) {
      const value = cpu(name)
      const reference = hashring.get(w.n)
      const theirs =
        reference === undefined ? undefined : reference.reduce((a, b) => a + b, 0) / reference.length
      if (value === undefined || theirs === undefined) continue
      keyedRows.push([
        title,
        name,
        figure(value, 'pick'),
        figure(theirs, 'pick'),
        times(theirs / value),
        theirs / value >= MIN_SPEEDUP ? 'met' : '**missed**',
      ])
    }
    const ours = comparison.contenders.find((c) => c.ours)
    const oursCpu = ours ? cpu(ours.name) : undefined
    if (!ours || oursCpu === undefined) continue
    for (const peer of comparison.contenders) {
      const value = cpu(peer.name)
      if (peer.ours || peer.name.startsWith('shoal-') || value === undefined) continue
      ratioRows.push([
        title,
        `${ours.name} ${figure(oursCpu, w.what)}`,
        `${peer.name} ${figure(value, w.what)}`,
        times(value / oursCpu),
      ])
    }
  }
  const md = (header: string[], rows: string[][]) =>
    [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n')
  return (
    (results.smoke
      ? '\n(--smoke: runs too short to warm the code up; they check that every contender works, and their figures mean nothing)\n'
      : '') +
    `\n## Figures against the issue's targets (median run; CPU time per pick, wall time beside it)\n\n` +
    md(['comparison', 'contender', 'CPU', 'wall', 'target', ''], targetRows) +
    `\n\n## Keyed picks in the default fast hash beside hashring (same N, same 100,000 keys; ≥ ${MIN_SPEEDUP}× required)\n\n` +
    md(['comparison', 'contender', 'CPU', 'hashring CPU', 'faster by', ''], keyedRows) +
    `\n\n## Ours beside each peer (CPU time per pick; how many times faster ours is)\n\n` +
    md(['comparison', 'ours', 'peer', 'ours faster by'], ratioRows) +
    '\n'
  )
}

// ---------------------------------------------------------------- the benchmark

const ALL: readonly Comparison<PickWorkload>[] = [
  ...perSize(roundRobinSpec),
  ...perSize(randomSpec),
  ...perSize(smoothSpec),
  ...perSize(edfSpec),
  ...perSize(p2cSpec),
  ...perSize(maglevSpec),
  ...perSize(jumpSpec),
  ...perSize(ringKetamaSpec),
  ...perSize(ringFastSpec),
  ...perSize(consistentHashSpec),
  ...perSize(rendezvousSpec),
  maglevBuild,
  ringBuild,
]

/** The comparisons `--comparisons a,b` names, by id (`maglev-100`) or operation (`maglev`). */
function selected(all: readonly Comparison<PickWorkload>[]): readonly Comparison<PickWorkload>[] {
  const at = process.argv.findIndex((arg) => arg === '--comparisons' || arg.startsWith('--comparisons='))
  if (at === -1) return all
  const arg = process.argv[at] as string
  const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (process.argv[at + 1] ?? '')
  const wanted = value.split(',').map((id) => id.trim())
  const matches = (c: Comparison<PickWorkload>, name: string) =>
    c.id === name || c.id.replace(/-\d+$/, '') === name
  const unknown = wanted.filter((name) => !all.some((c) => matches(c, name)))
  if (unknown.length > 0)
    throw new Error(`unknown comparison: ${unknown.join(', ')} (${all.map((c) => c.id).join(', ')})`)
  return all.filter((c) => wanted.some((name) => matches(c, name)))
}

const smokeRun = process.argv.includes('--smoke')
/** `--smoke` checks that every contender runs: one size (N = 100) is enough for that. */
const SMOKE_SIZE = '-100'
await runBenchmark({
  package: 'balance',
  title: '@shoal/balance: pickers beside their npm peers',
  usage:
    '  --comparisons a,b  run only these comparisons, by id (maglev-100) or operation (maglev, ring-fast, p2c…)\n' +
    'Each cell is its own child process; keyed workloads are regenerated from seed 1 in each before the clock starts.',
  options: { comparisons: { type: 'string' } },
  comparisons: selected(
    smokeRun ? ALL.filter((c) => c.id.endsWith(SMOKE_SIZE) || c.id.endsWith('-build')) : ALL,
  ),
})

if (
  !process.argv.includes('--child') &&
  !process.argv.includes('--no-write') &&
  !process.argv.includes('--help')
)
  process.stdout.write(
    summary(fileURLToPath(new URL(`../results/balance${smokeRun ? '.smoke' : ''}.json`, import.meta.url))),
  )
