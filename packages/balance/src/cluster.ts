import {
  type Clock,
  createRandom,
  type HealthSource,
  invalidArgument,
  type Random,
  systemClock,
  type TargetState,
  type TimerHandle,
  TypedEventTarget,
} from '@shoal/core'
import type { Backend, Endpoint } from './endpoint.js'
import type { LoadReport, Outcome } from './load/outcome.js'
import { OutlierDetector, type OutlierOptions } from './outlier.js'
import { type SlowStartOptions, SlowStartRamp } from './slow-start.js'

/** Health of a backend slot as stages read it. */
export const SlotHealth = { Up: 0, Draining: 1, Down: 2 } as const

const healthCode: Record<TargetState, number> = {
  up: SlotHealth.Up,
  draining: SlotHealth.Draining,
  down: SlotHealth.Down,
}

/** Events of a {@link Cluster}. */
export type ClusterEvents = {
  /** A backend was ejected by outlier detection. */
  eject: { readonly id: string; readonly reason: string; readonly untilMs: number }
  /** An ejected backend's ejection ended. */
  restore: { readonly id: string }
  /**
   * The cluster changed (membership, weight, health, ejection): emitted once for a burst of
   * changes, on the next timer turn, so balancers rebuild their tables off the pick path.
   */
  change: { readonly version: number }
}

/** Options of a {@link Cluster}. */
export interface ClusterOptions {
  /** Time source (default the system clock); tests pass a `ManualClock`. */
  readonly clock?: Clock | undefined
  /** Seed or source of randomness for samplers and random pickers (default seed 1: runs are replayable). */
  readonly random?: Random | number | undefined
  /** Ramp the weight of new and recovered backends; off by default. */
  readonly slowStart?: SlowStartOptions | undefined
  /** Passive outlier ejection from completion outcomes; off by default. */
  readonly outlier?: OutlierOptions | undefined
  /**
   * Peak-EWMA decay time constant in milliseconds (default 10 000, as Finagle and Linkerd):
   * how long a latency spike keeps counting.
   */
  readonly latencyDecayMs?: number | undefined
  /** Latency assumed for a backend before its first completion (default 30 ms, Linkerd's default RTT). */
  readonly defaultLatencyMs?: number | undefined
}

class Slot<M> implements Backend<M> {
  live = true
  constructor(
    readonly id: string,
    readonly slot: number,
    public endpoint: Endpoint<M>,
  ) {}
}

/**
 * The backends a balancer chooses from and everything known about them, kept as one typed array
 * per property indexed by slot, so pickers read state without allocating or chasing pointers.
 *
 * Membership, weight, health and ejection changes bump {@link Cluster.version}; balancers rebuild
 * what depends on them (filtered candidates, hash tables, schedules) once per version, off the
 * pick path.
 *
 * @example
 * ```ts
 * const cluster = new Cluster([{ id: 'a:80' }, { id: 'b:80', weight: 2 }])
 * cluster.add({ id: 'c:80', zone: 'eu-1' })
 * cluster.setState('a:80', 'down')
 * ```
 */
export class Cluster<M = Readonly<Record<string, string>>> extends TypedEventTarget<ClusterEvents> {
  /** The clock every time-dependent stage and signal reads. */
  readonly clock: Clock
  /** The random source samplers and random pickers draw from. */
  readonly random: Random
  /** Bumped on every change that can change which backends are candidates or how they are weighted. */
  version = 0

  /** Configured weight per slot: what keyed placements are built from. */
  configuredWeight = new Float64Array(8)
  /** Effective weight per slot: configured × slow-start factor, what weighted and load-aware pickers read. */
  weight = new Float64Array(8)
  /** Requests picked and not yet completed, per slot (this process's own load: always fresh). */
  inflight = new Int32Array(8)
  /** Requests picked and not yet completed over all slots: the sum of {@link Cluster.inflight}. */
  inflightTotal = 0
  /** Health per slot, a {@link SlotHealth} value. */
  health = new Uint8Array(8)
  /** 1 while outlier detection has ejected the slot. */
  ejected = new Uint8Array(8)
  /** Peak-EWMA latency estimate per slot, in ms. */
  latency = new Float64Array(8)
  /** When {@link Cluster.latency} was last updated or decayed. */
  latencyAt = new Float64Array(8)
  /** Last reported load per slot ({@link LoadReport.load}). */
  reportedLoad = new Float64Array(8)
  /** When the last report was measured, `-Infinity` if never. */
  reportedAt = new Float64Array(8).fill(Number.NEGATIVE_INFINITY)
  /** Source of the last report: 0 none, 1 shared, 2 probe. */
  reportSource = new Uint8Array(8)
  /** Picks sent to the slot since its last report: what a stale snapshot does not know yet. */
  sentSinceReport = new Int32Array(8)
  /** The latest utilization of each named resource per slot (from {@link LoadReport.resources}). */
  readonly resources = new Map<string, Float64Array>()

  readonly #slots: (Slot<M> | undefined)[] = []
  readonly #byId = new Map<string, Slot<M>>()
  readonly #free: number[] = []
  readonly #retired = new Set<number>()
  readonly #slowStart: SlowStartRamp | undefined
  readonly #warmingSince = new Map<number, number>()
  #warmTimer: TimerHandle | undefined
  #changeTimer: TimerHandle | undefined
  readonly #outlier: OutlierDetector | undefined
  readonly #decayMs: number
  readonly #defaultLatency: number
  readonly #healthReasons = new Map<number, string>()

  /**
   * @param endpoints - the initial backends (these do not slow-start)
   * @param options - see {@link ClusterOptions}
   */
  constructor(endpoints: Iterable<Endpoint<M>> = [], options: ClusterOptions = {}) {
    super()
    this.clock = options.clock ?? systemClock
    this.random =
      typeof options.random === 'number' || options.random === undefined
        ? createRandom(options.random ?? 1)
        : options.random
    this.#slowStart = options.slowStart ? new SlowStartRamp(options.slowStart) : undefined
    this.#decayMs = positive(options.latencyDecayMs ?? 10_000, 'latencyDecayMs')
    this.#defaultLatency = positive(options.defaultLatencyMs ?? 30, 'defaultLatencyMs')
    this.#outlier = options.outlier ? new OutlierDetector(this, options.outlier) : undefined
    for (const endpoint of endpoints) this.#insert(endpoint, false)
  }

  /** Number of live backends. */
  get size(): number {
    return this.#byId.size
  }

  /** Number of slots in use or draining; slot numbers are below this. */
  get slotCount(): number {
    return this.#slots.length
  }

  /** The live backends, in slot order. */
  *backends(): IterableIterator<Backend<M>> {
    for (const slot of this.#slots) if (slot?.live) yield slot
  }

  /** The live backend with this id. */
  get(id: string): Backend<M> | undefined {
    return this.#byId.get(id)
  }

  /** The live backend in `slot`, if any. */
  at(slot: number): Backend<M> | undefined {
    const backend = this.#slots[slot]
    return backend?.live ? backend : undefined
  }

  /**
   * The backend in a slot a pipeline yielded: candidates are live by construction (a removal
   * bumps the version and rebuilds them), so this skips {@link Cluster.at}'s check. @internal
   */
  candidateAt(slot: number): Backend<M> {
    return this.#slots[slot] as Backend<M>
  }

  /** Adds a backend; it slow-starts if configured. Throws when the id is already present. */
  add(endpoint: Endpoint<M>): Backend<M> {
    if (this.#byId.has(endpoint.id))
      throw invalidArgument(`backend ${JSON.stringify(endpoint.id)} is already in the cluster`)
    return this.#insert(endpoint, true)
  }

  /** Adds a backend, or updates weight, zone, priority and metadata of the one with the same id. */
  upsert(endpoint: Endpoint<M>): Backend<M> {
    const existing = this.#byId.get(endpoint.id)
    if (!existing) return this.#insert(endpoint, true)
    const weight = validWeight(endpoint)
    existing.endpoint = endpoint
    this.configuredWeight[existing.slot] = weight
    this.#applyWeight(existing.slot)
    this.#changed()
    return existing
  }

  /** Changes a backend's weight at run time. */
  reweight(id: string, weight: number): void {
    const existing = this.#require(id)
    this.upsert({ ...existing.endpoint, weight })
  }

  /**
   * Removes a backend. Its slot is reused only once its in-flight requests have completed, so a
   * late `done` never lands on a newcomer.
   */
  remove(id: string): boolean {
    const backend = this.#byId.get(id)
    if (!backend) return false
    backend.live = false
    this.#byId.delete(id)
    this.#warmingSince.delete(backend.slot)
    this.#healthReasons.delete(backend.slot)
    this.#outlier?.reset(backend.slot)
    if (this.inflight[backend.slot] === 0) this.#release(backend.slot)
    else this.#retired.add(backend.slot)
    this.#changed()
    return true
  }

  /** Sets a backend's health (from a health checker, an admin or a test). Coming back up starts slow start. */
  setState(id: string, state: TargetState, reason = ''): void {
    const backend = this.#require(id)
    const code = healthCode[state]
    if (code === undefined)
      throw invalidArgument(`state must be up, down or draining, got ${JSON.stringify(state)}`)
    const before = this.health[backend.slot]
    if (before === code) return
    this.health[backend.slot] = code
    this.#healthReasons.set(backend.slot, reason)
    if (code === SlotHealth.Up && before === SlotHealth.Down && this.#slowStart?.onRecovered)
      this.#warm(backend.slot)
    this.#changed()
  }

  /** A backend's health state. */
  stateOf(id: string): TargetState | undefined {
    const backend = this.#byId.get(id)
    if (!backend) return undefined
    const code = this.health[backend.slot]
    return code === SlotHealth.Up ? 'up' : code === SlotHealth.Draining ? 'draining' : 'down'
  }

  /**
   * Follows a {@link HealthSource} (such as `@shoal/health`'s checker): current states are applied
   * at once, later changes as they come.
   *
   * @param targetOf - maps a backend id to the source's target name (default: the same string)
   * @returns a function that stops following
   */
  follow(source: HealthSource, targetOf: (id: string) => string = (id) => id): () => void {
    const idOf = new Map<string, string>()
    for (const backend of this.backends()) {
      const target = targetOf(backend.id)
      idOf.set(target, backend.id)
      const state = source.stateOf(target)
      if (state) this.setState(backend.id, state, 'initial state')
    }
    return source.subscribe((change) => {
      const id = idOf.get(change.target) ?? (this.#byId.has(change.target) ? change.target : undefined)
      if (id !== undefined && this.#byId.has(id)) this.setState(id, change.state, change.reason)
    })
  }

  /**
   * Records a load announcement for a backend (mod_backhand's serverstat, an ORCA report, a probe).
   * It resets the count of picks sent since the previous report.
   */
  report(id: string, report: LoadReport): void {
    const { slot } = this.#require(id)
    const at = report.at ?? this.clock.now()
    if (report.load !== undefined) {
      if (!Number.isFinite(report.load))
        throw invalidArgument(`load must be a finite number, got ${report.load}`)
      this.reportedLoad[slot] = report.load
    }
    this.reportedAt[slot] = at
    this.reportSource[slot] = report.source === 'probe' ? 2 : 1
    this.sentSinceReport[slot] = 0
    if (report.resources) {
      for (const [name, value] of Object.entries(report.resources)) {
        if (!(value >= 0) || !Number.isFinite(value))
          throw invalidArgument(`resource ${name} must be a utilization in [0, 1], got ${value}`)
        this.#resource(name)[slot] = value
      }
    }
  }

  /** Utilization of `name` per slot (zeros until reported). */
  resource(name: string): Float64Array {
    return this.#resource(name)
  }

  /** Counts a pick of `slot` (balancers call this). */
  acquire(slot: number): void {
    this.inflight[slot] = (this.inflight[slot] as number) + 1
    this.inflightTotal++
    this.sentSinceReport[slot] = (this.sentSinceReport[slot] as number) + 1
  }

  /** Records the completion of a request picked earlier (balancers call this from `done`). */
  complete(slot: number, outcome: Outcome | undefined): void {
    const left = (this.inflight[slot] as number) - 1
    if (left >= 0) {
      this.inflight[slot] = left
      this.inflightTotal--
    }
    if (outcome !== undefined) {
      const latencyMs = outcome.latencyMs
      if (latencyMs !== undefined && latencyMs >= 0) this.#observeLatency(slot, latencyMs)
      this.#outlier?.record(slot, outcome)
    }
    if (left <= 0 && this.#retired.size > 0 && this.#retired.delete(slot)) this.#release(slot)
  }

  /**
   * The peak-EWMA latency of `slot` now: the estimate decays toward zero while idle, so a backend
   * that was slow is tried again eventually (Linkerd's and Finagle's behaviour).
   */
  latencyOf(slot: number, now: number): number {
    const at = this.latencyAt[slot] as number
    const elapsed = now - at
    const estimate = this.latency[slot] as number
    return elapsed > 0 ? estimate * Math.exp(-elapsed / this.#decayMs) : estimate
  }

  /** The reason given with the last health change of a backend. */
  reasonOf(id: string): string | undefined {
    const backend = this.#byId.get(id)
    return backend ? this.#healthReasons.get(backend.slot) : undefined
  }

  /** Ejects or restores a slot (outlier detection calls this). @internal */
  setEjected(slot: number, ejected: boolean): void {
    if ((this.ejected[slot] === 1) === ejected) return
    this.ejected[slot] = ejected ? 1 : 0
    if (!ejected && this.#slowStart?.onRecovered && this.#slots[slot]?.live) this.#warm(slot)
    this.#changed()
  }

  #changed(): void {
    this.version++
    if (this.#changeTimer !== undefined) return
    this.#changeTimer = this.clock.setTimeout(() => {
      this.#changeTimer = undefined
      this.emit('change', { version: this.version })
    }, 0)
  }

  #observeLatency(slot: number, sample: number): void {
    const now = this.clock.now()
    const decayed = this.latencyOf(slot, now)
    // peak-sensitive: a slower sample replaces the estimate at once, faster ones blend in
    if (sample > decayed) this.latency[slot] = sample
    else {
      const keep = Math.exp(-Math.max(0, now - (this.latencyAt[slot] as number)) / this.#decayMs)
      this.latency[slot] = decayed * keep + sample * (1 - keep)
    }
    this.latencyAt[slot] = now
  }

  #insert(endpoint: Endpoint<M>, slowStart: boolean): Slot<M> {
    if (typeof endpoint?.id !== 'string' || endpoint.id === '')
      throw invalidArgument('an endpoint needs a non-empty string id')
    const weight = validWeight(endpoint)
    const slot = this.#free.pop() ?? this.#slots.length
    if (slot >= this.inflight.length) this.#grow(slot + 1)
    const backend = new Slot(endpoint.id, slot, endpoint)
    this.#slots[slot] = backend
    this.#byId.set(endpoint.id, backend)
    this.configuredWeight[slot] = weight
    this.weight[slot] = weight
    this.inflight[slot] = 0
    this.health[slot] = SlotHealth.Up
    this.ejected[slot] = 0
    this.latency[slot] = this.#defaultLatency
    this.latencyAt[slot] = this.clock.now()
    this.reportedLoad[slot] = 0
    this.reportedAt[slot] = Number.NEGATIVE_INFINITY
    this.reportSource[slot] = 0
    this.sentSinceReport[slot] = 0
    for (const values of this.resources.values()) values[slot] = 0
    this.#outlier?.reset(slot)
    if (slowStart && this.#slowStart?.onAdded) this.#warm(slot)
    this.#changed()
    return backend
  }

  #release(slot: number): void {
    this.#slots[slot] = undefined
    this.#free.push(slot)
  }

  #require(id: string): Slot<M> {
    const backend = this.#byId.get(id)
    if (!backend) throw invalidArgument(`no backend ${JSON.stringify(id)} in the cluster`)
    return backend
  }

  #resource(name: string): Float64Array {
    let values = this.resources.get(name)
    if (!values) {
      values = new Float64Array(this.inflight.length)
      this.resources.set(name, values)
    }
    return values
  }

  #grow(needed: number): void {
    let capacity = this.inflight.length
    while (capacity < needed) capacity *= 2
    this.configuredWeight = grown(this.configuredWeight, capacity)
    this.weight = grown(this.weight, capacity)
    this.inflight = grown(this.inflight, capacity)
    this.health = grown(this.health, capacity)
    this.ejected = grown(this.ejected, capacity)
    this.latency = grown(this.latency, capacity)
    this.latencyAt = grown(this.latencyAt, capacity)
    this.reportedLoad = grown(this.reportedLoad, capacity)
    this.reportedAt = grown(this.reportedAt, capacity)
    this.reportSource = grown(this.reportSource, capacity)
    this.sentSinceReport = grown(this.sentSinceReport, capacity)
    for (const [name, values] of this.resources) this.resources.set(name, grown(values, capacity))
    this.#outlier?.grow(capacity)
  }

  #warm(slot: number): void {
    this.#warmingSince.set(slot, this.clock.now())
    this.#applyWeight(slot)
    this.#scheduleWarmTick()
  }

  #applyWeight(slot: number): void {
    const since = this.#warmingSince.get(slot)
    const factor =
      since === undefined || !this.#slowStart ? 1 : this.#slowStart.factor(this.clock.now() - since)
    this.weight[slot] = (this.configuredWeight[slot] as number) * factor
    if (factor === 1) this.#warmingSince.delete(slot)
  }

  // Effective weights move in steps of a twentieth of the window: smooth enough for any picker, and
  // each step costs one rebuild, never a per-pick clock read.
  #scheduleWarmTick(): void {
    if (this.#warmTimer !== undefined || !this.#slowStart) return
    this.#warmTimer = this.clock.setTimeout(() => {
      this.#warmTimer = undefined
      for (const slot of [...this.#warmingSince.keys()]) this.#applyWeight(slot)
      this.#changed()
      if (this.#warmingSince.size > 0) this.#scheduleWarmTick()
    }, this.#slowStart.windowMs / 20)
  }
}

function validWeight(endpoint: Endpoint<unknown>): number {
  const weight = endpoint.weight ?? 1
  if (!(weight > 0) || !Number.isFinite(weight))
    throw invalidArgument(
      `weight of ${JSON.stringify(endpoint.id)} must be a positive finite number, got ${weight}`,
    )
  return weight
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value))
    throw invalidArgument(`${name} must be a positive number, got ${value}`)
  return value
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(array: T, capacity: number): T {
  const next = new (array.constructor as new (length: number) => T)(capacity)
  next.set(array)
  return next
}
