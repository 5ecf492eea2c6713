/**
 * A deterministic discrete-event simulation of balancing policies under heterogeneity and stale
 * load information (research study §4.2–4.3), reusable as a library: `simulate(options)` returns
 * mean / p99 / p99.9 latency, the share of traffic sent to the slow server and the error rate of
 * each policy (and each staleness Δ for policies that read shared load).
 *
 *   import { simulate } from './simulate.js'
 *   const result = simulate({ requests: 50_000, seed: 7 })
 *
 * The CLI that prints the table is `bench/balance/simulation.ts`.
 *
 * Model: N single-worker FIFO servers with exponential (or lognormal) service times, all of mean
 * `meanServiceMs` except `slowServers` that are `slowFactor` times slower and `failingServers` that
 * answer every request with an error in `failingServiceMs` (a fast-failing backend, the black
 * hole that outlier ejection exists for). Requests arrive open-loop (Poisson) at `load` × the
 * capacity of the working servers and each goes to one of C independent balancers, each its own
 * `Balancer` over its own `Cluster` of the same server ids, seeing only its own in-flight counts
 * and latencies. Servers announce their queue length (`cluster.report(id, { load, at })`) to every
 * balancer every Δ ms (Δ = 0: on every change). Time is a `ManualClock` moved from event to event;
 * arrivals, balancer choice and service demands are drawn once from the seed and shared by every
 * policy (common random numbers), so the same seed gives the same table.
 */

import {
  type Backend,
  Balancer,
  type BalancerOptions,
  byAge,
  byHealth,
  byLoad,
  byLogWindow,
  byRandom,
  type Candidates,
  Cluster,
  first,
  inflight,
  type OutlierOptions,
  type Picker,
  p2c,
  peakEwma,
  random,
  roundRobin,
  shared,
} from '@shoal/balance'
import { createRandom, invalidArgument, ManualClock } from '@shoal/core'
import { LoadScore, leastLoaded } from '../../packages/balance/src/pickers/least-loaded.js'

/** What a policy reads: nothing, its own process's view, the servers' announcements, or the truth. */
export type InfoSource = 'none' | 'local' | 'shared' | 'oracle'

/** The simulated servers as a custom picker (an oracle) may read them. */
export interface SimulatedServers {
  /** Server ids, by server index. */
  readonly ids: readonly string[]
  /** Requests at each server now (waiting + in service). */
  readonly queueLength: Int32Array
  /** Mean service time of each server, in ms. */
  readonly meanServiceMs: Float64Array
  /** 1 for a server that answers every request with an error. */
  readonly failing: Uint8Array
  /** The server index of a backend id, -1 if none. */
  indexOf(id: string): number
}

/** What a {@link Policy} gets to build one balancer's options. */
export interface PolicyContext {
  readonly servers: SimulatedServers
  /** Which of the C balancers this is. */
  readonly balancer: number
  /** The announcement period of this run, in ms (0: every change); `undefined` for policies that read no shared load. */
  readonly deltaMs: number | undefined
}

/** A balancing policy to simulate: a recipe that builds one balancer's stages and picker. */
export interface Policy {
  /** Short id, unique in a simulation. */
  readonly name: string
  /** What it is, for the table (the recipe in code). */
  readonly label: string
  /** What it reads; `shared` policies run once per announcement period Δ. */
  readonly info: InfoSource
  /** Configure outlier ejection (consecutive failures) on its clusters (default true). */
  readonly eject?: boolean | undefined
  /** Builds the stages and picker of one balancer; called once per balancer, so pickers are never shared. */
  create(context: PolicyContext): BalancerOptions<Readonly<Record<string, string>>, unknown>
}

/** Options of {@link simulate}. */
export interface SimulationOptions {
  /** Servers, N (default 20). */
  readonly servers?: number | undefined
  /** How many servers are slow (default 1). */
  readonly slowServers?: number | undefined
  /** How many times slower they are (default 10). */
  readonly slowFactor?: number | undefined
  /** How many servers fail every request, fast (default 1). */
  readonly failingServers?: number | undefined
  /** Mean time a failing server takes to answer with an error, ms (default 1). */
  readonly failingServiceMs?: number | undefined
  /** Mean service time of a normal server, ms (default 10). */
  readonly meanServiceMs?: number | undefined
  /** Service-time distribution (default exponential); lognormal has the same mean and shape `sigma`. */
  readonly service?: 'exponential' | 'lognormal' | undefined
  /** Shape of the lognormal service times (default 1). */
  readonly sigma?: number | undefined
  /** Independent balancers, C (default 5). */
  readonly balancers?: number | undefined
  /** Offered load ρ as a share of the working servers' capacity (default 0.8). */
  readonly load?: number | undefined
  /** Requests per run (default 200,000). */
  readonly requests?: number | undefined
  /** Share of the first requests left out of the figures (default 0.1). */
  readonly warmup?: number | undefined
  /** Announcement periods Δ for shared-load policies, ms; 0 announces on every change (default [0, 100, 1000]). */
  readonly deltasMs?: readonly number[] | undefined
  /** Seed of arrivals, service demands and every balancer's random source (default 1). */
  readonly seed?: number | undefined
  /** The policies to run (default {@link defaultPolicies}). */
  readonly policies?: readonly Policy[] | undefined
  /** Outlier ejection of policies that eject (default 5 consecutive failures, Envoy's other defaults). */
  readonly outlier?: OutlierOptions | undefined
  /** Called after each run, e.g. to show progress. */
  readonly onResult?: ((result: PolicyResult) => void) | undefined
}

/** The figures of one policy at one Δ. */
export interface PolicyResult {
  readonly policy: string
  readonly label: string
  readonly info: InfoSource
  /** Announcement period in ms, `null` for policies that read no shared load. */
  readonly deltaMs: number | null
  /** Outlier ejection was configured. */
  readonly eject: boolean
  /** Why the balancer refused the recipe (then there are no figures). */
  readonly refused: string | null
  /** Requests measured (after the warm-up). */
  readonly measured: number
  /** Latency of the successful measured requests, ms. */
  readonly meanMs: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly p999Ms: number
  /** Share of measured requests sent to the slow servers. */
  readonly slowShare: number
  /** Share of measured requests sent to the failing servers. */
  readonly failingShare: number
  /** Share of measured requests that failed (sent to a failing server, or no backend to pick). */
  readonly errorRate: number
  /** Utilization of the slow servers (the highest, if several): arrival rate × mean service time. */
  readonly slowUtilization: number
  /** Highest utilization of a working server. */
  readonly maxUtilization: number
  /**
   * A working server received at least {@link UNSTABLE_UTILIZATION} × what it can serve (beyond
   * sampling noise): its queue grew for the whole run, and the figures grow with the run's length.
   */
  readonly unstable: boolean
  /** Outlier ejections over all balancers. */
  readonly ejections: number
}

/** What {@link simulate} returns. */
export interface SimulationResult {
  /** The options in force (policies by name). */
  readonly options: {
    readonly servers: number
    readonly slowServers: number
    readonly slowFactor: number
    readonly failingServers: number
    readonly failingServiceMs: number
    readonly meanServiceMs: number
    readonly service: 'exponential' | 'lognormal'
    readonly sigma: number
    readonly balancers: number
    readonly load: number
    readonly requests: number
    readonly warmup: number
    readonly deltasMs: readonly number[]
    readonly seed: number
    readonly policies: readonly string[]
  }
  /** Requests per second the working servers can serve. */
  readonly capacityPerSecond: number
  /** Offered requests per second. */
  readonly arrivalsPerSecond: number
  /** The slow servers' share of the working capacity: what a perfect policy sends them at most. */
  readonly slowCapacityShare: number
  /** One entry per policy and Δ (one per policy for those that read no shared load). */
  readonly results: readonly PolicyResult[]
}

const DEFAULT_OUTLIER: OutlierOptions = { consecutiveFailures: 5 }

/** Utilization from which a server counts as overloaded rather than busy (measured rates are noisy). */
export const UNSTABLE_UTILIZATION = 1.1

/**
 * A picker that takes the minimum of the stale shared load with no sampler before it, the recipe
 * the balancer refuses: it does not declare `minimizes`, so the check does not see it. The bench
 * runs it to show what the refusal prevents.
 */
function uncheckedStaleLeastLoaded(): Picker {
  const score = new LoadScore('stale least loaded', { signal: shared({ predict: false }) })
  return {
    name: 'unchecked stale leastLoaded',
    prepared: false,
    prepare(candidates, cluster) {
      score.prepare(candidates, cluster)
    },
    pick(candidates, cluster, _key, now) {
      return score.least(candidates, cluster, now)
    },
  }
}

/**
 * The oracle: instant global knowledge. It sends each request to the working server with the
 * least expected wait, (requests there + 1) × its mean service time, reading the simulated
 * servers directly.
 */
export function oraclePicker(servers: SimulatedServers): Picker {
  let serverOf = new Int32Array(0)
  return {
    name: 'oracle',
    prepared: false,
    prepare(_candidates, cluster) {
      serverOf = new Int32Array(cluster.slotCount).fill(-1)
      for (const backend of cluster.backends()) serverOf[backend.slot] = servers.indexOf(backend.id)
    },
    pick(candidates: Candidates) {
      const { slots, length } = candidates
      let best = -1
      let bestWait = Number.POSITIVE_INFINITY
      for (let i = 0; i < length; i++) {
        const slot = slots[i] as number
        const server = serverOf[slot] as number
        if (server < 0 || servers.failing[server] === 1) continue
        const wait = ((servers.queueLength[server] as number) + 1) * (servers.meanServiceMs[server] as number)
        if (wait < bestWait) {
          best = slot
          bestWait = wait
        }
      }
      return best
    },
  }
}

/**
 * The policies of the research study's table: the weight-unaware baselines, the recipe the
 * balancer refuses, the Mitzenmacher variants that sample before taking a minimum over stale
 * shared load (mod_backhand's recipe among them), prediction, the local-information policies and
 * the oracle.
 */
export function defaultPolicies(): Policy[] {
  return [
    {
      name: 'round-robin',
      label: 'roundRobin()',
      info: 'none',
      eject: false,
      create: () => ({ stages: [], picker: roundRobin() }),
    },
    {
      name: 'random',
      label: 'random()',
      info: 'none',
      eject: false,
      create: () => ({ stages: [], picker: random() }),
    },
    {
      name: 'least-loaded-stale',
      label: 'leastLoaded({ signal: shared({ predict: false }) })',
      info: 'shared',
      create: () => ({ picker: leastLoaded({ signal: shared({ predict: false }) }) }),
    },
    {
      name: 'least-loaded-stale-unchecked',
      label: 'the same minimum, forced past the check (bench-only picker)',
      info: 'shared',
      create: () => ({ picker: uncheckedStaleLeastLoaded() }),
    },
    {
      name: 'sampled-least-loaded',
      label: 'byRandom, byLogWindow, leastLoaded(shared({ predict: false }))',
      info: 'shared',
      create: () => ({
        stages: [byHealth(), byRandom(), byLogWindow()],
        picker: leastLoaded({ signal: shared({ predict: false }) }),
      }),
    },
    {
      name: 'mod-backhand',
      label: 'byAge, byRandom, byLogWindow, byLoad(shared({ predict: false })), first()',
      info: 'shared',
      create: ({ deltaMs }) => ({
        stages: [
          byHealth(),
          // three missed announcements (at least 3 s: Δ = 0 still heartbeats every second)
          byAge({ maxAgeMs: Math.max(3 * (deltaMs ?? 0), 3000) }),
          byRandom(),
          byLogWindow(),
          byLoad({ signal: shared({ predict: false }) }),
        ],
        picker: first(),
      }),
    },
    {
      name: 'p2c-shared',
      label: 'p2c({ signal: shared({ predict: false }) })',
      info: 'shared',
      create: () => ({ picker: p2c({ signal: shared({ predict: false }) }) }),
    },
    {
      name: 'least-loaded-predicted',
      label: 'leastLoaded({ signal: shared() }) (snapshot + own picks since)',
      info: 'shared',
      create: () => ({ picker: leastLoaded({ signal: shared({ predict: true }) }) }),
    },
    {
      name: 'p2c-predicted',
      label: 'p2c({ signal: shared() }) (snapshot + own picks since)',
      info: 'shared',
      create: () => ({ picker: p2c({ signal: shared({ predict: true }) }) }),
    },
    {
      name: 'least-loaded-local',
      label: 'leastLoaded() (own in-flight, full scan)',
      info: 'local',
      create: () => ({ picker: leastLoaded({ signal: inflight() }) }),
    },
    {
      name: 'p2c-local',
      label: 'p2c() (own in-flight)',
      info: 'local',
      create: () => ({ picker: p2c({ signal: inflight() }) }),
    },
    {
      name: 'p2c-peak-ewma',
      label: 'p2c({ signal: peakEwma() })',
      info: 'local',
      create: () => ({ picker: p2c({ signal: peakEwma() }) }),
    },
    {
      name: 'p2c-peak-ewma-no-ejection',
      label: 'p2c({ signal: peakEwma() }) without outlier ejection',
      info: 'local',
      eject: false,
      create: () => ({ picker: p2c({ signal: peakEwma() }) }),
    },
    {
      name: 'oracle',
      label: 'least expected wait over the true queues (bench-only picker)',
      info: 'oracle',
      eject: false,
      create: ({ servers }) => ({ stages: [], picker: oraclePicker(servers) }),
    },
  ]
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw invalidArgument(`${name} must be a positive integer, got ${value}`)
  return value
}

function positiveNumber(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value))
    throw invalidArgument(`${name} must be a positive number, got ${value}`)
  return value
}

/** Arrivals, balancer choice and service demand (in units of the server's mean) per request. */
interface Workload {
  readonly arrivalMs: Float64Array
  readonly balancerOf: Int32Array
  readonly demand: Float64Array
}

function workload(
  seed: number,
  requests: number,
  balancers: number,
  ratePerMs: number,
  service: 'exponential' | 'lognormal',
  sigma: number,
): Workload {
  const rng = createRandom(seed)
  const arrivalMs = new Float64Array(requests)
  const balancerOf = new Int32Array(requests)
  const demand = new Float64Array(requests)
  let t = 0
  for (let i = 0; i < requests; i++) {
    t += -Math.log(1 - rng.next()) / ratePerMs
    arrivalMs[i] = t
    balancerOf[i] = rng.int(balancers)
    if (service === 'exponential') demand[i] = -Math.log(1 - rng.next())
    else {
      // Box–Muller; exp(σZ − σ²/2) has mean 1
      const z = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next())
      demand[i] = Math.exp(sigma * z - (sigma * sigma) / 2)
    }
  }
  return { arrivalMs, balancerOf, demand }
}

/** The nearest-rank quantile of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number
}

/** A growable FIFO of request indices. */
class Fifo {
  items = new Int32Array(64)
  head = 0
  length = 0

  push(value: number): void {
    if (this.length === this.items.length) {
      const grown = new Int32Array(this.items.length * 2)
      for (let i = 0; i < this.length; i++)
        grown[i] = this.items[(this.head + i) % this.items.length] as number
      this.items = grown
      this.head = 0
    }
    this.items[(this.head + this.length) % this.items.length] = value
    this.length++
  }

  shift(): number {
    const value = this.items[this.head] as number
    this.head = (this.head + 1) % this.items.length
    this.length--
    return value
  }
}

interface RunSetup {
  readonly ids: readonly string[]
  readonly meanServiceMs: Float64Array
  readonly failing: Uint8Array
  readonly slow: Uint8Array
  readonly balancers: number
  readonly warmupCount: number
  readonly seed: number
  readonly outlier: OutlierOptions
  readonly work: Workload
}

/** Runs one policy at one Δ (`undefined`: no announcements). */
function run(setup: RunSetup, policy: Policy, deltaMs: number | undefined): PolicyResult {
  const { ids, meanServiceMs, failing, slow, work } = setup
  const n = ids.length
  const total = work.arrivalMs.length
  const eject = policy.eject ?? true
  const clock = new ManualClock(0)
  const queueLength = new Int32Array(n)
  const indexById = new Map(ids.map((id, i) => [id, i]))
  const servers: SimulatedServers = {
    ids,
    queueLength,
    meanServiceMs,
    failing,
    indexOf: (id) => indexById.get(id) ?? -1,
  }
  const base = {
    policy: policy.name,
    label: policy.label,
    info: policy.info,
    deltaMs: deltaMs ?? null,
    eject,
  }
  const balancers: Balancer[] = []
  const serverOfSlot: Int32Array[] = []
  let ejections = 0
  try {
    for (let b = 0; b < setup.balancers; b++) {
      const cluster = new Cluster(
        ids.map((id) => ({ id })),
        {
          clock,
          random: createRandom(setup.seed * 7919 + b + 1),
          outlier: eject ? setup.outlier : undefined,
        },
      )
      cluster.addEventListener('eject', () => {
        ejections++
      })
      balancers.push(new Balancer(cluster, policy.create({ servers, balancer: b, deltaMs })))
      const map = new Int32Array(cluster.slotCount).fill(-1)
      for (const backend of cluster.backends()) map[backend.slot] = indexById.get(backend.id) as number
      serverOfSlot.push(map)
    }
  } catch (error) {
    return {
      ...base,
      refused: error instanceof Error ? error.message : String(error),
      measured: 0,
      meanMs: Number.NaN,
      p50Ms: Number.NaN,
      p99Ms: Number.NaN,
      p999Ms: Number.NaN,
      slowShare: Number.NaN,
      failingShare: Number.NaN,
      errorRate: Number.NaN,
      slowUtilization: Number.NaN,
      maxUtilization: Number.NaN,
      unstable: false,
      ejections: 0,
    }
  }

  const queues = Array.from({ length: n }, () => new Fifo())
  const nextDone = new Float64Array(n).fill(Number.POSITIVE_INFINITY)
  const backendOf: (Backend | undefined)[] = new Array(total)
  const serverOf = new Int32Array(total).fill(-1)
  const sentTo = new Float64Array(n)
  const latencies = new Float64Array(total)
  let measuredOk = 0
  let errors = 0
  let completed = 0
  let arrived = 0
  const outcome = { ok: true, latencyMs: 0 }
  const report = { load: 0, at: 0 }
  const announceOnChange = deltaMs === 0
  // Δ = 0 announces every change, plus a heartbeat each second so byAge hears from idle servers
  const period = deltaMs === undefined ? Number.POSITIVE_INFINITY : deltaMs === 0 ? 1000 : deltaMs
  let nextAnnounce = deltaMs === undefined ? Number.POSITIVE_INFINITY : 0

  const announce = (server: number, now: number) => {
    report.load = queueLength[server] as number
    report.at = now
    const id = ids[server] as string
    for (const balancer of balancers) balancer.cluster.report(id, report)
  }
  const start = (server: number, now: number) => {
    const request = (queues[server] as Fifo).items[(queues[server] as Fifo).head] as number
    nextDone[server] = now + (work.demand[request] as number) * (meanServiceMs[server] as number)
  }

  while (completed < total) {
    // the next event: an arrival, a completion (lowest server first on ties) or an announcement
    let at = arrived < total ? (work.arrivalMs[arrived] as number) : Number.POSITIVE_INFINITY
    let kind = 0
    let server = -1
    for (let s = 0; s < n; s++) {
      const t = nextDone[s] as number
      if (t < at) {
        at = t
        kind = 1
        server = s
      }
    }
    if (nextAnnounce < at) {
      at = nextAnnounce
      kind = 2
    }
    clock.advance(at - clock.now())
    if (kind === 0) {
      const request = arrived++
      const b = work.balancerOf[request] as number
      const balancer = balancers[b] as Balancer
      const backend = balancer.pick()
      if (backend === undefined) {
        completed++
        if (request >= setup.warmupCount) errors++
        continue
      }
      const s = (serverOfSlot[b] as Int32Array)[backend.slot] as number
      backendOf[request] = backend
      serverOf[request] = s
      if (request >= setup.warmupCount) sentTo[s] = (sentTo[s] as number) + 1
      const queue = queues[s] as Fifo
      queue.push(request)
      queueLength[s] = queue.length
      if (queue.length === 1) start(s, at)
      if (announceOnChange) announce(s, at)
    } else if (kind === 1) {
      const queue = queues[server] as Fifo
      const request = queue.shift()
      queueLength[server] = queue.length
      nextDone[server] = Number.POSITIVE_INFINITY
      if (queue.length > 0) start(server, at)
      completed++
      const latency = at - (work.arrivalMs[request] as number)
      const ok = failing[server] === 0
      outcome.ok = ok
      outcome.latencyMs = latency
      ;(balancers[work.balancerOf[request] as number] as Balancer).done(
        backendOf[request] as Backend,
        outcome,
      )
      backendOf[request] = undefined
      if (request >= setup.warmupCount) {
        if (ok) latencies[measuredOk++] = latency
        else errors++
      }
      if (announceOnChange) announce(server, at)
    } else {
      for (let s = 0; s < n; s++) announce(s, at)
      nextAnnounce = arrived >= total ? Number.POSITIVE_INFINITY : at + period
    }
  }

  const measured = total - setup.warmupCount
  const sorted = latencies.subarray(0, measuredOk).sort()
  let sum = 0
  for (let i = 0; i < sorted.length; i++) sum += sorted[i] as number
  const spanMs = (work.arrivalMs[total - 1] as number) - (work.arrivalMs[setup.warmupCount] as number)
  let maxUtilization = 0
  let slowUtilization = 0
  let toSlow = 0
  let toFailing = 0
  for (let s = 0; s < n; s++) {
    const utilization = ((sentTo[s] as number) / spanMs) * (meanServiceMs[s] as number)
    if (slow[s] === 1) {
      toSlow += sentTo[s] as number
      slowUtilization = Math.max(slowUtilization, utilization)
    }
    if (failing[s] === 1) toFailing += sentTo[s] as number
    else maxUtilization = Math.max(maxUtilization, utilization)
  }
  return {
    ...base,
    refused: null,
    measured,
    meanMs: sum / sorted.length,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    p999Ms: quantile(sorted, 0.999),
    slowShare: toSlow / measured,
    failingShare: toFailing / measured,
    errorRate: errors / measured,
    slowUtilization,
    maxUtilization,
    unstable: maxUtilization >= UNSTABLE_UTILIZATION,
    ejections,
  }
}

/**
 * Runs every policy (and every Δ for those that read shared load) on the same seeded workload.
 *
 * @example
 * ```ts
 * const { results } = simulate({ requests: 20_000, deltasMs: [1000] })
 * const p2c = results.find((r) => r.policy === 'p2c-peak-ewma')
 * ```
 */
export function simulate(options: SimulationOptions = {}): SimulationResult {
  const servers = positiveInteger(options.servers ?? 20, 'servers')
  const slowServers = options.slowServers ?? 1
  const failingServers = options.failingServers ?? 1
  if (
    !Number.isSafeInteger(slowServers) ||
    !Number.isSafeInteger(failingServers) ||
    slowServers < 0 ||
    failingServers < 0
  )
    throw invalidArgument('slowServers and failingServers must be non-negative integers')
  if (slowServers + failingServers >= servers)
    throw invalidArgument(
      `slowServers + failingServers (${slowServers + failingServers}) must leave at least one normal server of ${servers}`,
    )
  const slowFactor = positiveNumber(options.slowFactor ?? 10, 'slowFactor')
  const failingServiceMs = positiveNumber(options.failingServiceMs ?? 1, 'failingServiceMs')
  const meanServiceMs = positiveNumber(options.meanServiceMs ?? 10, 'meanServiceMs')
  const service = options.service ?? 'exponential'
  if (service !== 'exponential' && service !== 'lognormal')
    throw invalidArgument(`service must be exponential or lognormal, got ${String(service)}`)
  const sigma = positiveNumber(options.sigma ?? 1, 'sigma')
  const balancerCount = positiveInteger(options.balancers ?? 5, 'balancers')
  const load = positiveNumber(options.load ?? 0.8, 'load')
  const requests = positiveInteger(options.requests ?? 200_000, 'requests')
  const warmup = options.warmup ?? 0.1
  if (!(warmup >= 0 && warmup < 1)) throw invalidArgument(`warmup must be within [0, 1), got ${warmup}`)
  const deltasMs = options.deltasMs ?? [0, 100, 1000]
  for (const delta of deltasMs)
    if (!(delta >= 0) || !Number.isFinite(delta))
      throw invalidArgument(`deltasMs must hold non-negative numbers of milliseconds, got ${delta}`)
  const seed = options.seed ?? 1
  if (!Number.isInteger(seed)) throw invalidArgument(`seed must be an integer, got ${seed}`)
  const policies = options.policies ?? defaultPolicies()
  const names = new Set<string>()
  for (const policy of policies) {
    if (names.has(policy.name)) throw invalidArgument(`two policies are named ${policy.name}`)
    names.add(policy.name)
  }

  // the failing servers sit in the middle, the slow ones at the end, so no policy's tie-breaking
  // toward the first candidate decides where the trouble goes
  const ids = Array.from({ length: servers }, (_, i) => `server-${String(i).padStart(2, '0')}`)
  const mean = new Float64Array(servers).fill(meanServiceMs)
  const failing = new Uint8Array(servers)
  const slow = new Uint8Array(servers)
  const failingFrom = Math.floor((servers - slowServers - failingServers) / 2)
  for (let i = 0; i < failingServers; i++) {
    failing[failingFrom + i] = 1
    mean[failingFrom + i] = failingServiceMs
  }
  for (let i = servers - slowServers; i < servers; i++) {
    slow[i] = 1
    mean[i] = meanServiceMs * slowFactor
  }
  let capacityPerMs = 0
  let slowCapacityPerMs = 0
  for (let s = 0; s < servers; s++) {
    if (failing[s] === 1) continue
    capacityPerMs += 1 / (mean[s] as number)
    if (slow[s] === 1) slowCapacityPerMs += 1 / (mean[s] as number)
  }
  const setup: RunSetup = {
    ids,
    meanServiceMs: mean,
    failing,
    slow,
    balancers: balancerCount,
    warmupCount: Math.floor(requests * warmup),
    seed,
    outlier: options.outlier ?? DEFAULT_OUTLIER,
    work: workload(seed, requests, balancerCount, load * capacityPerMs, service, sigma),
  }
  const results: PolicyResult[] = []
  for (const policy of policies) {
    const deltas = policy.info === 'shared' ? deltasMs : [undefined]
    for (const delta of deltas) {
      let result = run(setup, policy, delta)
      // a refused recipe is refused at every Δ: say so once
      if (result.refused !== null) result = { ...result, deltaMs: null }
      results.push(result)
      options.onResult?.(result)
      if (result.refused !== null) break
    }
  }
  return {
    options: {
      servers,
      slowServers,
      slowFactor,
      failingServers,
      failingServiceMs,
      meanServiceMs,
      service,
      sigma,
      balancers: balancerCount,
      load,
      requests,
      warmup,
      deltasMs: [...deltasMs],
      seed,
      policies: policies.map((p) => p.name),
    },
    capacityPerSecond: capacityPerMs * 1000,
    arrivalsPerSecond: load * capacityPerMs * 1000,
    slowCapacityShare: slowCapacityPerMs / capacityPerMs,
    results,
  }
}
