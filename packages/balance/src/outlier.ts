import { invalidArgument, type TimerHandle } from '@shoal/core'
import type { Cluster } from './cluster.js'
import type { Outcome } from './load/outcome.js'

/**
 * Passive outlier ejection, Envoy's detector: a backend that fails too often is taken out of
 * rotation for `baseEjectionMs × times ejected` (capped), then put back on probation.
 *
 * Unlike Envoy (envoyproxy/envoy#27066), the ejection limit counts the ejection being decided:
 * with `maxEjectionPercent: 10` and three backends, none is ejected unless `alwaysEjectOne` says so.
 */
export interface OutlierOptions {
  /** Eject after this many consecutive failures (default 5; 0 disables). */
  readonly consecutiveFailures?: number | undefined
  /** Eject after this many consecutive gateway failures (default 5; 0 disables). */
  readonly consecutiveGatewayFailures?: number | undefined
  /** How often success-rate and failure-percentage statistics are evaluated, in ms (default 10 000). */
  readonly intervalMs?: number | undefined
  /** First ejection length in ms; later ones are multiplied by the ejection count (default 30 000). */
  readonly baseEjectionMs?: number | undefined
  /** Longest ejection in ms (default 300 000). */
  readonly maxEjectionMs?: number | undefined
  /** Never eject more than this share of backends, counting the one being ejected (default 10). */
  readonly maxEjectionPercent?: number | undefined
  /** Allow one ejection even when it exceeds `maxEjectionPercent` (default false). */
  readonly alwaysEjectOne?: boolean | undefined
  /** Success-rate ejection: below mean − factor × stdev of the hosts with enough requests. */
  readonly successRate?:
    | {
        /** Requests a host needs in the interval to be judged (default 100). */
        readonly requestVolume?: number | undefined
        /** Hosts with enough requests needed for the statistic to mean anything (default 5). */
        readonly minimumHosts?: number | undefined
        /** Standard deviations below the mean that eject (default 1.9). */
        readonly stdevFactor?: number | undefined
      }
    | undefined
  /** Failure-percentage ejection: at or above `threshold` percent failures in the interval. */
  readonly failurePercentage?:
    | {
        /** Failure percentage that ejects (default 85). */
        readonly threshold?: number | undefined
        /** Requests a host needs in the interval to be judged (default 50). */
        readonly requestVolume?: number | undefined
        /** Hosts with enough requests needed (default 5). */
        readonly minimumHosts?: number | undefined
      }
    | undefined
}

/** Outlier detection over a cluster's completion outcomes; the cluster owns one when configured. */
export class OutlierDetector {
  readonly #cluster: Cluster<unknown>
  readonly #consecutive: number
  readonly #consecutiveGateway: number
  readonly #intervalMs: number
  readonly #baseMs: number
  readonly #maxMs: number
  readonly #maxPercent: number
  readonly #alwaysOne: boolean
  readonly #successRate: { volume: number; hosts: number; factor: number } | undefined
  readonly #failurePercent: { threshold: number; volume: number; hosts: number } | undefined
  #failures = new Int32Array(8)
  #gatewayFailures = new Int32Array(8)
  #requests = new Int32Array(8)
  #failed = new Int32Array(8)
  #ejections = new Int32Array(8)
  #intervalEnd = Number.NaN
  #ejectedCount = 0
  readonly #timers = new Map<number, TimerHandle>()

  constructor(cluster: Cluster<unknown>, options: OutlierOptions) {
    this.#cluster = cluster
    this.#consecutive = count(options.consecutiveFailures ?? 5, 'consecutiveFailures')
    this.#consecutiveGateway = count(options.consecutiveGatewayFailures ?? 5, 'consecutiveGatewayFailures')
    this.#intervalMs = duration(options.intervalMs ?? 10_000, 'intervalMs')
    this.#baseMs = duration(options.baseEjectionMs ?? 30_000, 'baseEjectionMs')
    this.#maxMs = duration(options.maxEjectionMs ?? 300_000, 'maxEjectionMs')
    this.#maxPercent = percent(options.maxEjectionPercent ?? 10, 'maxEjectionPercent')
    this.#alwaysOne = options.alwaysEjectOne ?? false
    const rate = options.successRate
    this.#successRate = rate && {
      volume: count(rate.requestVolume ?? 100, 'successRate.requestVolume'),
      hosts: count(rate.minimumHosts ?? 5, 'successRate.minimumHosts'),
      factor: duration(rate.stdevFactor ?? 1.9, 'successRate.stdevFactor'),
    }
    const failure = options.failurePercentage
    this.#failurePercent = failure && {
      threshold: percent(failure.threshold ?? 85, 'failurePercentage.threshold'),
      volume: count(failure.requestVolume ?? 50, 'failurePercentage.requestVolume'),
      hosts: count(failure.minimumHosts ?? 5, 'failurePercentage.minimumHosts'),
    }
  }

  /** Number of backends ejected now. */
  get ejectedCount(): number {
    return this.#ejectedCount
  }

  /** Records one outcome of `slot`. */
  record(slot: number, outcome: Outcome): void {
    const now = this.#cluster.clock.now()
    if (Number.isNaN(this.#intervalEnd)) this.#intervalEnd = now + this.#intervalMs
    else if (now >= this.#intervalEnd) {
      this.#evaluate(now)
      this.#intervalEnd = now + this.#intervalMs
    }
    this.#requests[slot] = (this.#requests[slot] as number) + 1
    if (outcome.ok !== false) {
      this.#failures[slot] = 0
      this.#gatewayFailures[slot] = 0
      return
    }
    this.#failed[slot] = (this.#failed[slot] as number) + 1
    const failures = (this.#failures[slot] as number) + 1
    this.#failures[slot] = failures
    const gateway = outcome.gatewayFailure ? (this.#gatewayFailures[slot] as number) + 1 : 0
    this.#gatewayFailures[slot] = gateway
    if (this.#consecutive > 0 && failures >= this.#consecutive)
      this.#eject(slot, now, `${failures} consecutive failures`)
    else if (this.#consecutiveGateway > 0 && gateway >= this.#consecutiveGateway)
      this.#eject(slot, now, `${gateway} consecutive gateway failures`)
  }

  /** Clears the state of a reused slot. */
  reset(slot: number): void {
    this.#failures[slot] = 0
    this.#gatewayFailures[slot] = 0
    this.#requests[slot] = 0
    this.#failed[slot] = 0
    this.#ejections[slot] = 0
    this.#restore(slot)
  }

  /** Grows the per-slot arrays with the cluster's. */
  grow(capacity: number): void {
    const grow = (array: Int32Array) => {
      const next = new Int32Array(capacity)
      next.set(array)
      return next
    }
    this.#failures = grow(this.#failures)
    this.#gatewayFailures = grow(this.#gatewayFailures)
    this.#requests = grow(this.#requests)
    this.#failed = grow(this.#failed)
    this.#ejections = grow(this.#ejections)
  }

  #evaluate(now: number): void {
    const cluster = this.#cluster
    const judged: number[] = []
    for (const backend of cluster.backends())
      if (cluster.ejected[backend.slot] === 0) judged.push(backend.slot)
    const rate = this.#successRate
    if (rate) {
      const eligible = judged.filter((slot) => (this.#requests[slot] as number) >= rate.volume)
      if (eligible.length >= rate.hosts) {
        const rates = eligible.map(
          (slot) => 1 - (this.#failed[slot] as number) / (this.#requests[slot] as number),
        )
        const mean = rates.reduce((a, b) => a + b, 0) / rates.length
        const stdev = Math.sqrt(rates.reduce((a, b) => a + (b - mean) ** 2, 0) / rates.length)
        const floor = mean - rate.factor * stdev
        eligible.forEach((slot, i) => {
          if ((rates[i] as number) < floor)
            this.#eject(
              slot,
              now,
              `success rate ${((rates[i] as number) * 100).toFixed(1)} % below ${(floor * 100).toFixed(1)} %`,
            )
        })
      }
    }
    const failure = this.#failurePercent
    if (failure) {
      const eligible = judged.filter((slot) => (this.#requests[slot] as number) >= failure.volume)
      if (eligible.length >= failure.hosts) {
        for (const slot of eligible) {
          const share = ((this.#failed[slot] as number) / (this.#requests[slot] as number)) * 100
          if (share >= failure.threshold) this.#eject(slot, now, `${share.toFixed(1)} % failures`)
        }
      }
    }
    for (const slot of judged) {
      // a host that got through an interval uneventfully earns back one step of its back-off
      if (
        cluster.ejected[slot] === 0 &&
        (this.#failed[slot] as number) === 0 &&
        (this.#ejections[slot] as number) > 0
      )
        this.#ejections[slot] = (this.#ejections[slot] as number) - 1
      this.#requests[slot] = 0
      this.#failed[slot] = 0
    }
  }

  #eject(slot: number, now: number, reason: string): void {
    const cluster = this.#cluster
    if (cluster.ejected[slot] === 1) return
    const total = cluster.size
    const allowed = ((this.#ejectedCount + 1) / total) * 100 <= this.#maxPercent
    if (!allowed && !(this.#alwaysOne && this.#ejectedCount === 0)) return
    const times = (this.#ejections[slot] as number) + 1
    this.#ejections[slot] = times
    const length = Math.min(this.#baseMs * times, Math.max(this.#baseMs, this.#maxMs))
    this.#ejectedCount++
    this.#failures[slot] = 0
    this.#gatewayFailures[slot] = 0
    cluster.setEjected(slot, true)
    const id = cluster.at(slot)?.id ?? String(slot)
    this.#timers.set(
      slot,
      cluster.clock.setTimeout(() => {
        this.#timers.delete(slot)
        this.#restore(slot)
        cluster.emit('restore', { id })
      }, length),
    )
    cluster.emit('eject', { id, reason, untilMs: now + length })
  }

  #restore(slot: number): void {
    const timer = this.#timers.get(slot)
    if (timer !== undefined) {
      this.#cluster.clock.clearTimeout(timer)
      this.#timers.delete(slot)
    }
    if (this.#cluster.ejected[slot] === 1) {
      this.#ejectedCount--
      this.#cluster.setEjected(slot, false)
    }
  }
}

function count(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0)
    throw invalidArgument(`outlier.${name} must be a non-negative integer, got ${value}`)
  return value
}

function duration(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value))
    throw invalidArgument(`outlier.${name} must be a positive number, got ${value}`)
  return value
}

function percent(value: number, name: string): number {
  if (!(value >= 0 && value <= 100))
    throw invalidArgument(`outlier.${name} must be a percentage in 0..100, got ${value}`)
  return value
}
