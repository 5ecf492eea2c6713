/**
 * The simulated experiments of the membership benchmark: clusters of `MembershipCore`s on
 * `@shoal/netsim`, in virtual time. Each function runs one experiment from a seed and returns
 * plain figures; `membership.bench.ts` runs them as the harness's contenders.
 */
import {
  type MembershipCall,
  type MembershipConfig,
  type MembershipCore,
  type MembershipEvent,
  membershipNode,
  type ProfileName,
  resolveConfig,
} from '@shoal/membership'
import { type LinkOptions, type NodeEffect, Simulation } from '@shoal/netsim'

/** Which timings a simulated cluster runs: a profile and overrides of it. */
export interface Timings {
  readonly profile: ProfileName
  readonly config?: Partial<MembershipConfig>
}

/** A simulated cluster m0…m(n−1); everyone seeds m0 and m1 (members added later seed others). */
export interface Cluster {
  readonly sim: Simulation<MembershipCall, MembershipEvent>
  /** Every member added so far, in order. */
  readonly names: string[]
  /** The running core of each member. */
  readonly cores: Map<string, MembershipCore>
  /** Stream (push-pull) bytes each member sent, counted from its effects. */
  readonly streamBytes: Map<string, number>
  readonly timings: Timings
}

/** The network of every experiment but the accuracy one: 1–3 ms uniform delay, no loss. */
export const LAN_LINK: LinkOptions = { delay: { kind: 'uniform', min: 1, max: 3 } }

/** Adds (and starts, now) one member that joins through `seeds`. */
export function addMember(cluster: Cluster, name: string, seeds: readonly string[]): void {
  const { cores, streamBytes, timings } = cluster
  cluster.names.push(name)
  streamBytes.set(name, 0)
  const node = membershipNode({ profile: timings.profile, config: timings.config, seeds }, (core) =>
    cores.set(name, core),
  )
  cluster.sim.add(name, (env) => {
    const core = node(env)
    return {
      step(t, input) {
        const effects = core.step(t, input)
        for (const e of effects as readonly NodeEffect<MembershipEvent>[]) {
          if (e.type === 'send' && e.reliable === true)
            streamBytes.set(name, (streamBytes.get(name) as number) + e.data.length)
        }
        return effects
      },
    }
  })
}

export function buildCluster(
  seed: number,
  size: number,
  timings: Timings,
  link: LinkOptions = LAN_LINK,
): Cluster {
  const sim = new Simulation<MembershipCall, MembershipEvent>({ seed, trace: 'off', link })
  const cluster: Cluster = { sim, names: [], cores: new Map(), streamBytes: new Map(), timings }
  for (let i = 0; i < size; i++) addMember(cluster, `m${i}`, ['m0', 'm1'])
  return cluster
}

/** True when every member that is up counts `expected` live members (itself included). */
function converged(cluster: Cluster, expected: number, skip?: string): boolean {
  for (const name of cluster.names) {
    if (name === skip) continue
    if ((cluster.cores.get(name) as MembershipCore).liveCount !== expected) return false
  }
  return true
}

/**
 * Runs until every member counts all `size` members live, polling every `stepMs` virtual ms;
 * returns the virtual time it took, or `undefined` after `withinMs`. Empties the event history as
 * it goes (nothing here reads it; at 1,000 members it would hold a million join events).
 */
export function runToConvergence(cluster: Cluster, withinMs: number, stepMs = 50): number | undefined {
  const { sim } = cluster
  const start = sim.now
  const n = cluster.names.length
  for (;;) {
    if (converged(cluster, n)) return sim.now - start
    if (sim.now - start >= withinMs) return undefined
    sim.runFor(stepMs)
    sim.history.length = 0
  }
}

/** `size` members started at once and converged (at most 120 virtual s), or an error naming the seed. */
export function convergedCluster(
  seed: number,
  size: number,
  timings: Timings,
): { readonly cluster: Cluster; readonly convergeMs: number } {
  const cluster = buildCluster(seed, size, timings)
  const convergeMs = runToConvergence(cluster, 120_000)
  if (convergeMs === undefined) throw new Error(`seed ${seed}: ${size} members did not converge in 120 s`)
  return { cluster, convergeMs }
}

/** One detection trial: what it measured. */
export interface DetectionTrial {
  /** Crash until the last live member declared the victim dead (ms), or undefined if not all did. */
  readonly allDeadMs: number | undefined
  /** Crash until the first member declared it dead (ms). */
  readonly firstDeadMs: number | undefined
  /** Crash until the first suspicion of it (ms). */
  readonly firstSuspectMs: number | undefined
  /** Join-wave convergence before the crash (virtual ms). */
  readonly convergeMs: number
  /** `dead` declarations of members that had not crashed (should be 0). */
  readonly falseDeaths: number
  /** Datagrams simulated (for the cost of the trial). */
  readonly datagrams: number
}

/**
 * Starts `size` members at once, waits for convergence, then 1–5 s more (a random moment, so the
 * crash falls anywhere in the probe cycles), crashes a random member and runs until every live
 * member has declared it dead (at most `limitMs` after the crash). Times are exact (from the
 * emitted events' virtual times), not polled.
 */
export function detectionTrial(
  seed: number,
  size: number,
  timings: Timings,
  limitMs = 300_000,
): DetectionTrial {
  const { cluster, convergeMs } = convergedCluster(seed, size, timings)
  const { sim } = cluster
  sim.runFor(1_000 + Math.floor(sim.random.next() * 4_000))
  sim.history.length = 0
  const victim = cluster.names[sim.random.int(size)] as string
  const crashAt = sim.now
  sim.crash(victim)
  const declared = new Set<string>()
  let firstDead: number | undefined
  let firstSuspect: number | undefined
  let last = 0
  let falseDeaths = 0
  let seen = 0
  while (declared.size < size - 1 && sim.now - crashAt < limitMs) {
    sim.runFor(100)
    const history = sim.history
    for (; seen < history.length; seen++) {
      const e = history[seen] as (typeof history)[number]
      const event = e.event
      if (event.type === 'stopped') continue
      if (event.member.name !== victim) {
        if (event.type === 'dead') falseDeaths++
        continue
      }
      if (event.type === 'suspect') firstSuspect ??= e.time
      if (event.type === 'dead' && !declared.has(e.node)) {
        declared.add(e.node)
        firstDead ??= e.time
        last = e.time
      }
    }
  }
  return {
    allDeadMs: declared.size === size - 1 ? last - crashAt : undefined,
    firstDeadMs: firstDead === undefined ? undefined : firstDead - crashAt,
    firstSuspectMs: firstSuspect === undefined ? undefined : firstSuspect - crashAt,
    convergeMs,
    falseDeaths,
    datagrams: sim.counters.sent,
  }
}

/** What an accuracy run counted. */
export interface AccuracyResult {
  /** `dead` events (nobody crashed: every one is false). */
  readonly deaths: number
  /** `suspect` events. */
  readonly suspects: number
  /** Members that refuted a suspicion or death of themselves (the cores' counter). */
  readonly refutations: number
  /** Pauses made. */
  readonly pauses: number
  /** Datagrams handed to the network, and lost. */
  readonly datagrams: number
  readonly lost: number
  /** Virtual seconds simulated after convergence. */
  readonly virtualSeconds: number
}

/**
 * Five members (or `size`), converged on a clean network; then `loss` on every link and, at
 * exponentially distributed intervals of mean `pauseEveryMs`, a pause of `pauseMs` of a random
 * member not paused already (a GC or event-loop stall: its inputs queue until it resumes), for
 * `hours` virtual hours. Two members may be paused at once; one member never longer than `pauseMs`.
 * Counts the `dead` and `suspect` events over that time.
 */
export function accuracyRun(options: {
  readonly seed: number
  readonly size: number
  readonly timings: Timings
  readonly hours: number
  readonly loss: number
  readonly pauseMs: number
  readonly pauseEveryMs: number
}): AccuracyResult {
  const { cluster } = convergedCluster(options.seed, options.size, options.timings)
  const { sim } = cluster
  sim.runFor(2_000)
  sim.history.length = 0
  const sent0 = sim.counters.sent
  const lost0 = sim.counters.dropped.loss
  const refutations0 = [...cluster.cores.values()].reduce((s, c) => s + c.stats.refutations, 0)
  sim.setLinks({ loss: options.loss })
  const random = sim.random
  const start = sim.now
  const end = start + options.hours * 3_600_000
  let pauses = 0
  const schedule = (from: number): void => {
    const at = from - options.pauseEveryMs * Math.log(1 - random.next())
    if (at >= end) return
    sim.at(at, () => {
      // a member already paused is not paused again: that would stretch its one pause (netsim
      // moves the end of a pause to the later one), two 1 s pauses back to back making a 2 s stall
      const running = cluster.names.filter((name) => !sim.node(name).paused)
      const name = running[random.int(running.length)]
      if (name !== undefined) {
        pauses++
        sim.pause(name, options.pauseMs)
      }
      schedule(at)
    })
  }
  schedule(start)
  let deaths = 0
  let suspects = 0
  while (sim.now < end) {
    sim.run({ until: Math.min(end, sim.now + 60_000) })
    for (const e of sim.history) {
      if (e.event.type === 'dead') deaths++
      else if (e.event.type === 'suspect') suspects++
    }
    sim.history.length = 0
  }
  const refutations = [...cluster.cores.values()].reduce((s, c) => s + c.stats.refutations, 0) - refutations0
  return {
    deaths,
    suspects,
    refutations,
    pauses,
    datagrams: sim.counters.sent - sent0,
    lost: sim.counters.dropped.loss - lost0,
    virtualSeconds: (end - start) / 1000,
  }
}

/** What a scale run measured. */
export interface ScaleResult {
  /** Start until every member counts all N live (virtual ms), or undefined after the limit. */
  readonly convergeMs: number | undefined
  /** Steady state, per member per second: datagrams, stream messages, bytes (all), stream bytes. */
  readonly datagramsPerMemberS: number
  readonly streamPerMemberS: number
  readonly bytesPerMemberS: number
  readonly streamBytesPerMemberS: number
  /** The busiest member's datagrams per second (load spread). */
  readonly maxDatagramsPerMemberS: number
  /** Virtual seconds of the steady-state window. */
  readonly windowSeconds: number
  /** The join wave into the running cluster (see {@link joinWave}), or undefined if not run. */
  readonly waveMs: number | undefined
}

function totals(
  cluster: Cluster,
): Map<string, { sent: number; stream: number; bytes: number; streamBytes: number }> {
  const out = new Map<string, { sent: number; stream: number; bytes: number; streamBytes: number }>()
  for (const name of cluster.names) {
    const s = (cluster.cores.get(name) as MembershipCore).stats
    out.set(name, {
      sent: s.sent,
      stream: s.sentStream,
      bytes: s.bytesSent,
      streamBytes: cluster.streamBytes.get(name) as number,
    })
  }
  return out
}

/**
 * The join wave and the steady state of `size` members: all start at once (everyone seeding m0
 * and m1); the time until every member counts all of them live (polled every 50 virtual ms, at
 * most `limitMs`); then, after `settleMs` more, the traffic each member sends over `windowMs`.
 */
export function scaleRun(options: {
  readonly seed: number
  readonly size: number
  readonly timings: Timings
  readonly limitMs: number
  readonly settleMs: number
  readonly windowMs: number
  /** Members of the join wave run after the steady-state window (0: none). */
  readonly wave: number
}): ScaleResult {
  const cluster = buildCluster(options.seed, options.size, options.timings)
  const { sim } = cluster
  const convergeMs = runToConvergence(cluster, options.limitMs)
  sim.runFor(options.settleMs)
  sim.history.length = 0
  const before = totals(cluster)
  for (let t = 0; t < options.windowMs; t += 1_000) {
    sim.runFor(1_000)
    sim.history.length = 0
  }
  const after = totals(cluster)
  const n = options.size
  const seconds = options.windowMs / 1000
  let sent = 0
  let stream = 0
  let bytes = 0
  let streamBytes = 0
  let maxDatagrams = 0
  for (const name of cluster.names) {
    const a = after.get(name) as { sent: number; stream: number; bytes: number; streamBytes: number }
    const b = before.get(name) as typeof a
    sent += a.sent - b.sent
    stream += a.stream - b.stream
    bytes += a.bytes - b.bytes
    streamBytes += a.streamBytes - b.streamBytes
    maxDatagrams = Math.max(maxDatagrams, a.sent - a.stream - (b.sent - b.stream))
  }
  const waveMs =
    options.wave > 0 && convergeMs !== undefined
      ? joinWave(cluster, options.wave, options.limitMs)
      : undefined
  return {
    convergeMs,
    datagramsPerMemberS: (sent - stream) / n / seconds,
    streamPerMemberS: stream / n / seconds,
    bytesPerMemberS: bytes / n / seconds,
    streamBytesPerMemberS: streamBytes / n / seconds,
    maxDatagramsPerMemberS: maxDatagrams / seconds,
    windowSeconds: seconds,
    waveMs,
  }
}

/**
 * A join wave into a running cluster (what the SWIM papers call dissemination time): `count` new
 * members start at the same virtual moment, each seeding two random distinct members of the
 * cluster as it was; returns the time until every member, old and new, counts them all live, or
 * undefined after `limitMs`. Exact, not polled: a member's count only moves with its `join`,
 * `alive`, `dead` and `left` events, so once all have converged the answer is the latest such
 * event since the wave began.
 */
export function joinWave(cluster: Cluster, count: number, limitMs: number): number | undefined {
  const { sim } = cluster
  const existing = [...cluster.names]
  const target = existing.length + count
  const start = sim.now
  sim.history.length = 0
  for (let i = 0; i < count; i++) {
    const a = sim.random.int(existing.length)
    const b = (a + 1 + sim.random.int(existing.length - 1)) % existing.length
    addMember(cluster, `m${existing.length + i}`, [existing[a] as string, existing[b] as string])
  }
  const lastChange = new Map<string, number>()
  for (;;) {
    for (const e of sim.history) {
      const type = e.event.type
      if (type === 'join' || type === 'alive' || type === 'dead' || type === 'left')
        lastChange.set(e.node, e.time)
    }
    sim.history.length = 0
    if (converged(cluster, target)) return Math.max(0, ...lastChange.values()) - start
    if (sim.now - start >= limitMs) return undefined
    sim.runFor(50)
  }
}

/** What one pause-tolerance trial counted. */
export interface ToleranceTrial {
  /** `dead` events (every one false: nobody crashed). */
  readonly deaths: number
  readonly suspects: number
}

/**
 * Five members (or `size`) converge on a clean network; then `loss` on every link, a wait of 2 to
 * 12 probe intervals (a random moment in the probe cycles), and one random member paused for
 * `pauseMs`; the run goes on until 2 × the longest suspicion (`suspicionMult × suspicionMaxMult`
 * probe intervals) + 10 probe intervals after the pause ended. Counts `dead` and `suspect` events
 * from the pause on. With the same seed every pause length starts at the same moment.
 */
export function toleranceTrial(options: {
  readonly seed: number
  readonly size: number
  readonly timings: Timings
  readonly loss: number
  readonly pauseMs: number
}): ToleranceTrial {
  const { cluster } = convergedCluster(options.seed, options.size, options.timings)
  const { sim } = cluster
  const c = resolveConfig(options.timings.profile, options.timings.config)
  sim.setLinks({ loss: options.loss })
  sim.runFor(Math.floor(c.probeIntervalMs * (2 + 10 * sim.random.next())))
  sim.history.length = 0
  const victim = cluster.names[sim.random.int(cluster.names.length)] as string
  sim.pause(victim, options.pauseMs)
  const tail = 2 * c.suspicionMult * c.suspicionMaxMult * c.probeIntervalMs + 10 * c.probeIntervalMs
  sim.runFor(options.pauseMs + tail)
  let deaths = 0
  let suspects = 0
  for (const e of sim.history) {
    if (e.event.type === 'dead') deaths++
    else if (e.event.type === 'suspect') suspects++
  }
  sim.history.length = 0
  return { deaths, suspects }
}

/** What a degraded-member run counted (Lifeguard's experiment). */
export interface DegradedResult {
  /** `dead` events at the degraded member (about others), and at the others (about anyone). */
  readonly deadByDegraded: number
  readonly deadByOthers: number
  /** Of `deadByOthers`, those about the degraded member. */
  readonly deadOfDegraded: number
  /** `suspect` events at the degraded member (about others). */
  readonly suspectsByDegraded: number
  /** `suspect` events at the healthy members about the degraded one, and about each other. */
  readonly suspectsOfDegraded: number
  readonly suspectsOfHealthy: number
  /** The most suspect events one healthy member raised (about anyone). */
  readonly maxSuspectsByHealthy: number
  /** Refutations by the degraded member, and by the others together. */
  readonly refutationsByDegraded: number
  readonly refutationsByOthers: number
  readonly virtualSeconds: number
}

/**
 * Five members (or `size`) converge on a clean network; then `loss` on every link, and every
 * datagram (and stream message) to the last member, the degraded one, is delayed uniformly by
 * 100–900 ms (`setLink(other, degraded, { delay })`), for `hours` virtual hours. With
 * `loopDelayMs` the degraded member's core is also told, every virtual second, that its event
 * loop lags by that much (the Node adapter's `loopDelay` call for a stalled process).
 */
export function degradedRun(options: {
  readonly seed: number
  readonly size: number
  readonly timings: Timings
  readonly hours: number
  readonly loss: number
  readonly loopDelayMs?: number
}): DegradedResult {
  const { cluster } = convergedCluster(options.seed, options.size, options.timings)
  const { sim } = cluster
  sim.runFor(2_000)
  sim.history.length = 0
  const degraded = cluster.names[cluster.names.length - 1] as string
  const refutations = (name: string): number => (cluster.cores.get(name) as MembershipCore).stats.refutations
  const before = new Map(cluster.names.map((n) => [n, refutations(n)]))
  sim.setLinks({ loss: options.loss })
  for (const name of cluster.names) {
    if (name !== degraded) sim.setLink(name, degraded, { delay: { kind: 'uniform', min: 100, max: 900 } })
  }
  const start = sim.now
  const end = start + options.hours * 3_600_000
  const loopDelayMs = options.loopDelayMs
  if (loopDelayMs !== undefined) {
    const feed = (at: number): void => {
      if (at >= end) return
      sim.at(at, () => {
        sim.call(degraded, { type: 'loopDelay', delayMs: loopDelayMs })
        feed(at + 1_000)
      })
    }
    feed(start)
  }
  let deadByDegraded = 0
  let deadByOthers = 0
  let deadOfDegraded = 0
  let suspectsByDegraded = 0
  let suspectsOfDegraded = 0
  let suspectsOfHealthy = 0
  const byHealthy = new Map<string, number>()
  while (sim.now < end) {
    sim.run({ until: Math.min(end, sim.now + 60_000) })
    for (const e of sim.history) {
      const event = e.event
      if (event.type === 'stopped') continue
      const atDegraded = e.node === degraded
      if (event.type === 'dead') {
        if (atDegraded) deadByDegraded++
        else {
          deadByOthers++
          if (event.member.name === degraded) deadOfDegraded++
        }
      } else if (event.type === 'suspect') {
        if (atDegraded) suspectsByDegraded++
        else {
          byHealthy.set(e.node, (byHealthy.get(e.node) ?? 0) + 1)
          if (event.member.name === degraded) suspectsOfDegraded++
          else suspectsOfHealthy++
        }
      }
    }
    sim.history.length = 0
  }
  const refuted = (name: string): number => refutations(name) - (before.get(name) as number)
  return {
    deadByDegraded,
    deadByOthers,
    deadOfDegraded,
    suspectsByDegraded,
    suspectsOfDegraded,
    suspectsOfHealthy,
    maxSuspectsByHealthy: Math.max(0, ...byHealthy.values()),
    refutationsByDegraded: refuted(degraded),
    refutationsByOthers: cluster.names.filter((n) => n !== degraded).reduce((s, n) => s + refuted(n), 0),
    virtualSeconds: (end - start) / 1000,
  }
}

/** Nearest-rank quantile of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.max(1, Math.ceil(q * sorted.length))
  return sorted[Math.min(sorted.length, rank) - 1] as number
}
