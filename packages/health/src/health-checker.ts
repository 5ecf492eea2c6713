import { randomInt } from 'node:crypto'
import type { StateFileEntry } from '@shoal/core'
import {
  type AbortOptions,
  AsyncQueue,
  type Clock,
  createLogger,
  createRandom,
  type HealthSource,
  invalidArgument,
  type Logger,
  type Random,
  ShoalError,
  type Startable,
  type Subscription,
  type SubscriptionOptions,
  systemClock,
  type TargetState,
  type TargetStateChange,
  type TimerHandle,
  TypedEventTarget,
} from '@shoal/core'
import { type Check, checkTimedOut, describeFailure } from './checks/check.js'
import { type Due, DueQueue } from './due-queue.js'
import { type AdminState, effectiveState, type ReasonedState } from './effective-state.js'
import {
  type CheckSettings,
  checkInteger,
  DEFAULTS,
  type RateLimitOptions,
  type ResolvedSettings,
  resolveSettings,
  type StateFileOptions,
  type TargetOptions,
} from './options.js'
import { StateFileWatcher } from './state-file-watcher.js'
import { createThresholdMachine, type ThresholdMachine } from './thresholds.js'
import { TokenBucket } from './token-bucket.js'

/**
 * What a target's state is before its checks have said anything:
 *
 * - `'first-round'` (default): no state (`stateOf` returns `undefined`) until the first check
 *   result, which sets it directly; thresholds apply from then on (gdnsd's initial round).
 *   {@link HealthChecker.ready} resolves once every target has had its first result.
 * - `'up'`: up, and it takes `fall` consecutive failures to go down (HAProxy's `init-state fully-up`).
 * - `'down'`: down, and it takes `rise` consecutive passes to go up (HAProxy's `init-state fully-down`).
 */
export type Assume = 'up' | 'down' | 'first-round'

/** Options of {@link HealthChecker}. */
export interface HealthCheckerOptions {
  /** Targets to start with, by name (more can be added with {@link HealthChecker.add}). */
  readonly targets?:
    | Readonly<Record<string, TargetOptions>>
    | Iterable<readonly [string, TargetOptions]>
    | undefined
  /** Settings every target gets unless its own options override them (see {@link CheckSettings}). */
  readonly defaults?: CheckSettings | undefined
  /** The state of a target before its first check result (default `'first-round'`). */
  readonly assume?: Assume | undefined
  /**
   * The most probes running at once across all targets (default 256). A due probe waits for a
   * free slot; a check that ignores its abort signal holds its slot until it settles.
   */
  readonly maxInFlight?: number | undefined
  /** The most probes started per second across all targets (a token bucket); default: no limit. */
  readonly rateLimit?: number | RateLimitOptions | undefined
  /** A file of external states to follow (see the README for its format). */
  readonly stateFile?: string | StateFileOptions | undefined
  /** Time and timers (default {@link systemClock}; tests pass a `ManualClock`). */
  readonly clock?: Clock | undefined
  /** Seeds the jitter's random source, for runs that repeat exactly (default: a random seed). */
  readonly seed?: number | undefined
  /** Where to log (default `util.debuglog('shoal:health')`). */
  readonly logger?: Logger | undefined
}

/** The result of one probe. */
export interface ProbeResult {
  /** Whether it passed. */
  readonly ok: boolean
  /** When it ended (or timed out), in milliseconds of the checker's clock. */
  readonly time: number
  /** How long it ran, in milliseconds. */
  readonly durationMs: number
  /** `'passed'`, or why it failed. */
  readonly reason: string
}

/** Everything known about one target, from {@link HealthChecker.status}. */
export interface TargetStatus {
  /** Its name. */
  readonly target: string
  /** Its state, `undefined` before its first check result under `assume: 'first-round'`. */
  readonly state: TargetState | undefined
  /** Why it is in that state. */
  readonly reason: string
  /** When it entered that state (or was added). */
  readonly since: number
  /** What active checks say: `undefined` before the first result, `'up'` without a check. */
  readonly active: 'up' | 'down' | undefined
  /** Progress of the active thresholds towards the other state: `[count, needed]`. */
  readonly progress: readonly [number, number] | undefined
  /** The administrative override, if any. */
  readonly admin: AdminState | undefined
  /** The external feed's state, if any. */
  readonly external: ReasonedState | undefined
  /** Why passive signals hold it down, if they do. */
  readonly passive: string | undefined
  /** Consecutive failed outcomes observed. */
  readonly passiveFailures: number
  /** Moving average of the observed latencies (newest weighted 0.2), if any were given. */
  readonly latencyMs: number | undefined
  /** The last probe's result. */
  readonly lastProbe: ProbeResult | undefined
  /** Probes started. */
  readonly probes: number
  /** Probes passed. */
  readonly passed: number
  /** Checks failed: failed probes, timeouts, and skips past a timeout. */
  readonly failed: number
  /** Probes that ran past their timeout. */
  readonly timedOut: number
  /**
   * Probes skipped because the previous one was still running when the next was due; a skip
   * counts as a failed check once the running probe is past its timeout.
   */
  readonly skipped: number
}

/** Counters of a {@link HealthChecker} since it was created. */
export interface HealthCheckerStats {
  /** Targets now. */
  readonly targets: number
  /** Probes running now. */
  readonly inFlight: number
  /** Probes started. */
  readonly probesStarted: number
  /** Probes passed. */
  readonly probesPassed: number
  /** Checks failed: failed probes, timeouts, and skips past a timeout. */
  readonly probesFailed: number
  /** Probes that ran past their timeout. */
  readonly probesTimedOut: number
  /** Probes skipped because the target's previous probe was still running. */
  readonly probesSkipped: number
  /** Probes that started late because the rate limit had no token when they were due. */
  readonly rateLimited: number
  /** Probes that started late because `maxInFlight` probes were running when they were due. */
  readonly concurrencyLimited: number
  /** Outcomes observed. */
  readonly observations: number
  /** Outcomes observed for targets the checker does not have (ignored). */
  readonly unknownObservations: number
  /** Times passive signals took a target down. */
  readonly passiveTrips: number
  /** State changes emitted. */
  readonly stateChanges: number
  /** Bad or unreadable versions of the state file. */
  readonly feedErrors: number
}

/** A state file that could not be used; the previous states stay in force. */
export interface FeedErrorEvent {
  /** The file. */
  readonly path: string
  /** What is wrong, with the line where there is one. */
  readonly reason: string
  /** When, in milliseconds of the checker's clock. */
  readonly time: number
}

/** A target that was removed. */
export interface TargetRemovedEvent {
  /** Its name. */
  readonly target: string
  /** When, in milliseconds of the checker's clock. */
  readonly time: number
}

/** The typed events of {@link HealthChecker}. */
export type HealthCheckerEvents = {
  /** A target's state changed (also delivered to `subscribe` listeners and `changes()` iterators). */
  change: TargetStateChange
  /** The state file could not be used. */
  'feed-error': FeedErrorEvent
  /** A target was removed. */
  removed: TargetRemovedEvent
}

type ExternalState = ReasonedState & { readonly source: 'api' | 'file' }

const NO_CHECK: ReasonedState = { state: 'up', reason: 'no active check' }
const PASSED = 'passed'
const LATENCY_WEIGHT = 0.2

/** One target's bookkeeping. */
class Entry implements Due {
  due = 0
  order = 0
  heapIndex = -1
  readonly target: string
  readonly settings: ResolvedSettings
  readonly check: Check | undefined
  machine: ThresholdMachine | undefined
  activeReason = ''
  state: TargetState | undefined = undefined
  reason = ''
  since: number
  admin: AdminState | undefined = undefined
  external: ExternalState | undefined = undefined
  passive: string | undefined = undefined
  passiveFailures = 0
  backoffUntil = 0
  backoffTimer: TimerHandle | undefined = undefined
  latency: number | undefined = undefined
  firstPending = false
  removed = false
  // the probe in flight
  running = false
  recorded = true
  generation = 0
  startedAt = 0
  launchedAt = 0
  controller: AbortController | undefined = undefined
  timeoutTimer: TimerHandle | undefined = undefined
  // the last result, kept as fields so a probe allocates no result object
  lastOk = false
  lastTime = Number.NaN
  lastDuration = 0
  lastReason = ''
  // counters
  probes = 0
  passed = 0
  failed = 0
  timedOut = 0
  skipped = 0
  // handlers bound once per target, so a probe allocates no closures of its own
  readonly onResolve: (value: unknown) => void
  readonly onReject: (error: unknown) => void
  readonly onTimeout: () => void

  constructor(
    target: string,
    settings: ResolvedSettings,
    check: Check | undefined,
    now: number,
    owner: Owner,
  ) {
    this.target = target
    this.settings = settings
    this.check = check
    this.since = now
    this.onResolve = (value) =>
      owner.settled(this, value !== false, value === false ? 'check returned false' : PASSED)
    this.onReject = (error) => owner.settled(this, false, describeFailure(error))
    this.onTimeout = () => owner.timedOut(this)
  }
}

interface Owner {
  settled(entry: Entry, ok: boolean, reason: string): void
  timedOut(entry: Entry): void
}

interface ReadyWaiter {
  resolve(): void
  reject(reason: unknown): void
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
}

/**
 * Active and passive health checking for many targets, with one state stream per target.
 *
 * Each target may have an active check (`tcpCheck`, `httpCheck`, `dnsCheck` or any async
 * function), run every `interval` with a `timeout`, its results damped by HAProxy's rise/fall or
 * gdnsd's anti-flap thresholds. Outcomes seen by a balancer are fed with {@link HealthChecker.observe};
 * too many failures in a row take a target down. An external feed ({@link HealthChecker.setExternal}
 * or a state file) and an administrator ({@link HealthChecker.setAdmin}) override the checks.
 *
 * Probes are scheduled on one timer from a due-time heap, so thousands of targets cost one timer;
 * a global token bucket (`rateLimit`) and `maxInFlight` bound the load, and a target never has
 * two probes in flight (a due probe whose previous one still runs is skipped and counted).
 *
 * It implements `HealthSource` from `@shoal/core`, emits typed `change` events, and offers
 * {@link HealthChecker.changes} as an async iterator. Timers never keep the process alive.
 *
 * @example
 * ```ts
 * const health = new HealthChecker({ defaults: { interval: 2000, rise: 2, fall: 3 } })
 * health.add('10.0.0.5:80', { check: httpCheck({ path: '/healthz' }) })
 * health.subscribe((change) => balancer.setState(change.target, change.state))
 * await health.start()
 * await health.ready()
 * ```
 */
export class HealthChecker extends TypedEventTarget<HealthCheckerEvents> implements HealthSource, Startable {
  readonly #clock: Clock
  readonly #random: Random
  readonly #logger: Logger
  readonly #assume: Assume
  readonly #defaults: ResolvedSettings
  readonly #maxInFlight: number
  readonly #bucket: TokenBucket | undefined
  readonly #entries = new Map<string, Entry>()
  readonly #queue = new DueQueue<Entry>()
  readonly #listeners = new Set<(change: TargetStateChange) => void>()
  readonly #queues = new Set<AsyncQueue<TargetStateChange>>()
  readonly #readyWaiters = new Set<ReadyWaiter>()
  readonly #watcher: StateFileWatcher | undefined
  readonly #statePath: string | undefined
  #fileStates: ReadonlyMap<string, StateFileEntry> = new Map()
  readonly #owner: Owner
  #running = false
  /** Set once start() has scheduled the targets; until then, added targets wait for it. */
  #live = false
  #starting: Promise<void> | undefined
  #generation = 0
  #order = 0
  #inFlight = 0
  #pendingFirst = 0
  #slotsFullAt = Number.NEGATIVE_INFINITY
  #bucketEmptyAt = Number.NEGATIVE_INFINITY
  #timer: TimerHandle | undefined
  #timerAt = Number.NaN
  readonly #onTimer = (): void => {
    this.#timer = undefined
    this.#timerAt = Number.NaN
    this.#pump()
  }
  #pumpQueued = false
  readonly #queuedPump = (): void => {
    this.#pumpQueued = false
    this.#pump(true)
  }
  /** The time of the last pump run by the timer (or by start/add): completion pumps look no further. */
  #horizon = Number.NEGATIVE_INFINITY
  // counters
  #probesStarted = 0
  #probesPassed = 0
  #probesFailed = 0
  #probesTimedOut = 0
  #probesSkipped = 0
  #rateLimited = 0
  #concurrencyLimited = 0
  #observations = 0
  #unknownObservations = 0
  #passiveTrips = 0
  #stateChanges = 0
  #feedErrors = 0

  /** Throws `ERR_INVALID_ARGUMENT` at once for bad options, naming the option and the target. */
  constructor(options: HealthCheckerOptions = {}) {
    super()
    if (options === null || typeof options !== 'object') throw invalidArgument('options must be an object')
    const clock = options.clock ?? systemClock
    if (
      typeof clock?.now !== 'function' ||
      typeof clock.setTimeout !== 'function' ||
      typeof clock.clearTimeout !== 'function'
    )
      throw invalidArgument(
        'clock must have now(), setTimeout() and clearTimeout() (a Clock from @shoal/core)',
      )
    this.#clock = clock
    if (options.seed !== undefined && !Number.isInteger(options.seed))
      throw invalidArgument(`seed must be an integer, got ${String(options.seed)}`)
    this.#random = createRandom(options.seed ?? randomInt(2 ** 32))
    this.#logger = options.logger ?? createLogger('health')
    const assume = options.assume ?? 'first-round'
    if (assume !== 'up' && assume !== 'down' && assume !== 'first-round')
      throw invalidArgument(`assume must be 'up', 'down' or 'first-round', got ${String(assume)}`)
    this.#assume = assume
    this.#defaults = resolveSettings(options.defaults, undefined, 'defaults')
    const maxInFlight = options.maxInFlight ?? DEFAULTS.maxInFlight
    checkInteger(maxInFlight, 1, Number.MAX_SAFE_INTEGER, 'maxInFlight', 'options')
    this.#maxInFlight = maxInFlight
    this.#bucket = makeBucket(options.rateLimit, clock.now())
    this.#owner = {
      settled: (entry, ok, reason) => this.#settled(entry, ok, reason),
      timedOut: (entry) => this.#timedOut(entry),
    }
    const file = options.stateFile
    if (file !== undefined) {
      const spec: StateFileOptions = typeof file === 'string' ? { path: file } : file
      if (spec === null || typeof spec !== 'object' || typeof spec.path !== 'string' || spec.path === '')
        throw invalidArgument('stateFile must be a path or { path, pollInterval?, maxBytes? }')
      const pollInterval = spec.pollInterval ?? DEFAULTS.pollInterval
      checkInteger(pollInterval, 1, 2_147_483_647, 'stateFile.pollInterval', 'options', ' milliseconds')
      const maxBytes = spec.maxBytes ?? DEFAULTS.stateFileMaxBytes
      checkInteger(maxBytes, 1, 2 ** 30, 'stateFile.maxBytes', 'options', ' bytes')
      this.#statePath = spec.path
      this.#watcher = new StateFileWatcher({
        path: spec.path,
        clock,
        pollInterval,
        settle: Math.min(20, pollInterval),
        maxBytes,
        onStates: (states) => this.#applyFile(states),
        onError: (reason) => this.#feedError(reason),
      })
    }
    const targets = options.targets
    if (targets !== undefined) {
      if (targets === null || typeof targets !== 'object')
        throw invalidArgument('targets must be an object of name → options, or [name, options] pairs')
      const pairs =
        Symbol.iterator in targets
          ? (targets as Iterable<readonly [string, TargetOptions]>)
          : Object.entries(targets as Record<string, TargetOptions>)
      for (const pair of pairs) {
        if (!Array.isArray(pair)) throw invalidArgument('targets must be [name, options] pairs')
        this.add(pair[0] as string, pair[1] as TargetOptions | undefined)
      }
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** Whether the checker is running. */
  get running(): boolean {
    return this.#running
  }

  /** Reads the state file (if any), then starts probing every target; calling it again does nothing. */
  start(): Promise<void> {
    if (this.#running) return this.#starting ?? Promise.resolve()
    this.#running = true
    const generation = this.#generation
    this.#starting = (async () => {
      if (this.#watcher !== undefined) await this.#watcher.start()
      if (!this.#running || generation !== this.#generation) return
      this.#live = true
      const now = this.#clock.now()
      for (const entry of this.#entries.values()) {
        if (entry.check !== undefined && entry.heapIndex < 0) this.#schedule(entry, now)
        if (entry.passive !== undefined && entry.check === undefined) this.#armBackoff(entry, now)
      }
      this.#pump()
    })()
    const starting = this.#starting
    void starting.finally(() => {
      if (this.#starting === starting) this.#starting = undefined
    })
    return starting
  }

  /**
   * Stops probing: aborts the probes in flight (their results are dropped), stops following the
   * state file, ends the `changes()` iterators and rejects pending `ready()` calls with
   * `ERR_STOPPED`. States and counters are kept; `start()` resumes. Calling it again does nothing.
   */
  async stop(): Promise<void> {
    if (!this.#running) return
    this.#running = false
    this.#live = false
    this.#generation++
    this.#watcher?.stop()
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerAt = Number.NaN
    this.#queue.clear()
    const stopped = new ShoalError('ERR_STOPPED', 'the health checker stopped')
    for (const entry of this.#entries.values()) {
      this.#abandonProbe(entry, stopped)
      if (entry.backoffTimer !== undefined) this.#clock.clearTimeout(entry.backoffTimer)
      entry.backoffTimer = undefined
    }
    for (const queue of [...this.#queues]) queue.end()
    for (const waiter of [...this.#readyWaiters]) this.#settleReady(waiter, stopped)
  }

  /** Stops the checker (`await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop()
  }

  /**
   * Resolves once every target with an active check has its first result (at once unless
   * `assume` is `'first-round'`). Targets added meanwhile are waited for too. Rejects with
   * `signal.reason` when the signal aborts, and with `ERR_STOPPED` when the checker stops.
   */
  ready(options: AbortOptions = {}): Promise<void> {
    const { signal } = options
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (this.#pendingFirst === 0) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const waiter: ReadyWaiter = { resolve, reject, signal, onAbort: undefined }
      if (signal !== undefined) {
        waiter.onAbort = () => this.#settleReady(waiter, signal.reason)
        signal.addEventListener('abort', waiter.onAbort, { once: true })
      }
      this.#readyWaiters.add(waiter)
    })
  }

  // ---------------------------------------------------------------- targets

  /**
   * Adds a target. Throws `ERR_INVALID_ARGUMENT` for an empty name, a name already added or bad
   * options. While running, its first probe is due at once.
   */
  add(target: string, options: TargetOptions = {}): void {
    if (typeof target !== 'string' || target === '')
      throw invalidArgument(`target must be a non-empty string, got ${String(target)}`)
    if (this.#entries.has(target))
      throw invalidArgument(`target '${target}' is already added; remove() it first to change its options`)
    const where = `target '${target}'`
    if (options === null || typeof options !== 'object')
      throw invalidArgument(`${where}: options must be an object`)
    const check = options.check
    if (check !== undefined && typeof check !== 'function')
      throw invalidArgument(
        `${where}: check must be a function (target, { signal }) => Promise<void | boolean>`,
      )
    const settings = hasSettings(options) ? resolveSettings(options, this.#defaults, where) : this.#defaults
    const now = this.#clock.now()
    const entry = new Entry(target, settings, check, now, this.#owner)
    if (check !== undefined) {
      if (this.#assume === 'first-round') {
        entry.firstPending = true
        this.#pendingFirst++
      } else {
        entry.machine = createThresholdMachine(settings.policy, this.#assume === 'up')
        entry.activeReason = `assumed ${this.#assume} until checked`
      }
    }
    const fromFile = this.#fileStates.get(target)
    if (fromFile !== undefined) entry.external = fileState(fromFile)
    this.#entries.set(target, entry)
    this.#update(entry, now)
    if (this.#live && check !== undefined) {
      this.#schedule(entry, now)
      this.#pump()
    }
  }

  /** Removes a target, aborting its probe in flight; `false` if there was none by that name. */
  remove(target: string): boolean {
    const entry = this.#entries.get(target)
    if (entry === undefined) return false
    entry.removed = true
    this.#entries.delete(target)
    this.#queue.remove(entry)
    this.#abandonProbe(entry, new ShoalError('ERR_TARGET_REMOVED', `target '${target}' was removed`))
    if (entry.backoffTimer !== undefined) this.#clock.clearTimeout(entry.backoffTimer)
    entry.backoffTimer = undefined
    if (entry.firstPending) {
      entry.firstPending = false
      this.#pendingFirst--
      this.#checkReady()
    }
    this.emit('removed', { target, time: this.#clock.now() })
    return true
  }

  /** Whether `target` has been added. */
  has(target: string): boolean {
    return this.#entries.has(target)
  }

  /** The names of the targets, in the order they were added. */
  targets(): string[] {
    return [...this.#entries.keys()]
  }

  // ---------------------------------------------------------------- HealthSource

  /** The state of `target`: `undefined` if unknown, or before its first result under `'first-round'`. */
  stateOf(target: string): TargetState | undefined {
    return this.#entries.get(target)?.state
  }

  /**
   * Calls `listener` on every later change of any target's state, synchronously and in order. A
   * listener that throws is logged and does not disturb the others.
   *
   * @returns a function that stops the calls
   */
  subscribe(listener: (change: TargetStateChange) => void): () => void {
    if (typeof listener !== 'function') throw invalidArgument('listener must be a function')
    const wrapped = (change: TargetStateChange): void => listener(change)
    this.#listeners.add(wrapped)
    return () => {
      this.#listeners.delete(wrapped)
    }
  }

  /**
   * The changes of every target's state from now on, as an async iterator; it ends when the
   * checker stops or the loop breaks, and rejects with `signal.reason` when the signal aborts.
   */
  changes(options: SubscriptionOptions = {}): Subscription<TargetStateChange> {
    const queue: AsyncQueue<TargetStateChange> = new AsyncQueue(options, () => this.#queues.delete(queue))
    this.#queues.add(queue)
    return queue
  }

  /** Everything known about `target`, or `undefined` if it has not been added. */
  status(target: string): TargetStatus | undefined {
    const entry = this.#entries.get(target)
    if (entry === undefined) return undefined
    const active = this.#active(entry)
    return {
      target,
      state: entry.state,
      reason: entry.reason,
      since: entry.since,
      active: active === undefined ? undefined : active.state === 'up' ? 'up' : 'down',
      progress: entry.machine?.progress(),
      admin: entry.admin,
      external:
        entry.external === undefined
          ? undefined
          : { state: entry.external.state, reason: entry.external.reason },
      passive: entry.passive,
      passiveFailures: entry.passiveFailures,
      latencyMs: entry.latency,
      lastProbe: Number.isNaN(entry.lastTime)
        ? undefined
        : {
            ok: entry.lastOk,
            time: entry.lastTime,
            durationMs: entry.lastDuration,
            reason: entry.lastReason,
          },
      probes: entry.probes,
      passed: entry.passed,
      failed: entry.failed,
      timedOut: entry.timedOut,
      skipped: entry.skipped,
    }
  }

  /** Counters since creation. */
  get stats(): HealthCheckerStats {
    return {
      targets: this.#entries.size,
      inFlight: this.#inFlight,
      probesStarted: this.#probesStarted,
      probesPassed: this.#probesPassed,
      probesFailed: this.#probesFailed,
      probesTimedOut: this.#probesTimedOut,
      probesSkipped: this.#probesSkipped,
      rateLimited: this.#rateLimited,
      concurrencyLimited: this.#concurrencyLimited,
      observations: this.#observations,
      unknownObservations: this.#unknownObservations,
      passiveTrips: this.#passiveTrips,
      stateChanges: this.#stateChanges,
      feedErrors: this.#feedErrors,
    }
  }

  // ---------------------------------------------------------------- passive, admin, external

  /**
   * Feeds the outcome of one request to `target` (from a balancer's completion callback).
   * `passive.failures` failures in a row take it down: a target with an active check then needs
   * `rise` passing checks to come back; one without comes back after `passive.backoff`. Outcomes
   * for unknown targets are counted and ignored.
   */
  observe(target: string, outcome: { readonly ok: boolean; readonly latencyMs?: number | undefined }): void {
    if (outcome === null || typeof outcome !== 'object' || typeof outcome.ok !== 'boolean')
      throw invalidArgument('observe: outcome must be { ok: boolean, latencyMs?: number }')
    const latency = outcome.latencyMs
    if (latency !== undefined && !(typeof latency === 'number' && latency >= 0 && Number.isFinite(latency)))
      throw invalidArgument(`observe: latencyMs must be a finite number ≥ 0, got ${String(latency)}`)
    this.#observations++
    const entry = this.#entries.get(target)
    if (entry === undefined) {
      this.#unknownObservations++
      return
    }
    const passive = entry.settings.passive
    if (passive === undefined) return
    if (latency !== undefined)
      entry.latency =
        entry.latency === undefined ? latency : entry.latency + LATENCY_WEIGHT * (latency - entry.latency)
    if (outcome.ok) {
      entry.passiveFailures = 0
      return
    }
    entry.passiveFailures++
    if (entry.passive === undefined && entry.passiveFailures >= passive.failures) this.#tripPassive(entry)
  }

  /**
   * Overrides `target`'s state administratively: `'up'`, `'down'` or `'drain'` (state
   * `draining`), above checks, passive signals and external feeds; `undefined` clears the override.
   * Throws `ERR_INVALID_ARGUMENT` for an unknown target or state.
   */
  setAdmin(target: string, state: AdminState | undefined): void {
    if (state !== undefined && state !== 'up' && state !== 'down' && state !== 'drain')
      throw invalidArgument(
        `setAdmin: state must be 'up', 'down', 'drain' or undefined, got ${String(state)}`,
      )
    const entry = this.#known(target, 'setAdmin')
    entry.admin = state
    this.#update(entry, this.#clock.now())
  }

  /**
   * Sets `target`'s state from an external source (a feed, an orchestrator), above checks and
   * passive signals but below an administrative override; `undefined` clears it. Throws
   * `ERR_INVALID_ARGUMENT` for an unknown target or state.
   */
  setExternal(target: string, state: TargetState | 'drain' | undefined, reason?: string): void {
    if (
      state !== undefined &&
      state !== 'up' &&
      state !== 'down' &&
      state !== 'draining' &&
      state !== 'drain'
    )
      throw invalidArgument(
        `setExternal: state must be 'up', 'down', 'draining' or undefined, got ${String(state)}`,
      )
    if (reason !== undefined && typeof reason !== 'string')
      throw invalidArgument('setExternal: reason must be a string')
    const entry = this.#known(target, 'setExternal')
    const normalized: TargetState | undefined = state === 'drain' ? 'draining' : state
    entry.external =
      normalized === undefined
        ? undefined
        : { state: normalized, reason: `external: ${reason || normalized}`, source: 'api' }
    this.#update(entry, this.#clock.now())
  }

  // ---------------------------------------------------------------- scheduling

  #schedule(entry: Entry, now: number): void {
    entry.due = now
    entry.order = this.#order++
    this.#queue.push(entry)
  }

  #reschedule(entry: Entry, now: number): void {
    const { interval, jitter } = entry.settings
    const delay =
      jitter === 0
        ? interval
        : Math.max(1, Math.round(interval * (1 + jitter * (2 * this.#random.next() - 1))))
    entry.due = now + delay
    entry.order = this.#order++
    this.#queue.push(entry)
  }

  /**
   * Starts every due probe that the slots and the rate limit allow, then sets the one timer.
   *
   * A pump after probe completions (`afterCompletions`) only fills freed slots with probes that
   * were already due at the last timer pump: probes that fell due since wait for the timer. Were
   * it otherwise, checks that complete at once would launch, complete and pump again within one
   * microtask checkpoint without end, and starve the event loop.
   */
  #pump(afterCompletions = false): void {
    if (!this.#live) return
    const now = this.#clock.now()
    if (!afterCompletions) this.#horizon = now
    const horizon = this.#horizon
    const queue = this.#queue
    for (;;) {
      const entry = queue.peek()
      if (entry === undefined || entry.due > horizon) break
      if (entry.running) {
        // never two probes in flight for one target: skip this one; if the running one is already
        // past its timeout (a check that ignores its signal), the target is still not answering
        queue.pop()
        entry.skipped++
        this.#probesSkipped++
        this.#reschedule(entry, now)
        if (entry.recorded && entry.generation === this.#generation) {
          entry.startedAt = now
          this.#record(
            entry,
            false,
            `previous probe still running ${now - entry.launchedAt} ms after it started`,
            now,
          )
        }
        continue
      }
      if (this.#inFlight >= this.#maxInFlight) {
        this.#slotsFullAt = now
        break
      }
      if (this.#bucket !== undefined && !this.#bucket.take(now)) {
        this.#bucketEmptyAt = now
        break
      }
      queue.pop()
      if (entry.due < now) {
        // it waited: for the limits the pump hit while it was due
        if (this.#slotsFullAt >= entry.due) this.#concurrencyLimited++
        if (this.#bucketEmptyAt >= entry.due) this.#rateLimited++
      }
      this.#launch(entry, now)
      this.#reschedule(entry, now)
    }
    this.#arm(now)
  }

  #arm(now: number): void {
    const top = this.#queue.peek()
    let at = Number.NaN
    if (top !== undefined) {
      if (top.due > now) at = top.due
      else if (this.#inFlight < this.#maxInFlight) at = now + (this.#bucket?.wait(now) ?? 0)
      // else: slots are full, and a probe's end pumps again
    }
    if (at === this.#timerAt || (Number.isNaN(at) && Number.isNaN(this.#timerAt))) return
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerAt = at
    if (!Number.isNaN(at)) this.#timer = this.#clock.setTimeout(this.#onTimer, at - now)
  }

  #launch(entry: Entry, now: number): void {
    const check = entry.check as Check
    entry.running = true
    entry.recorded = false
    entry.generation = this.#generation
    entry.startedAt = now
    entry.launchedAt = now
    entry.probes++
    this.#probesStarted++
    this.#inFlight++
    const controller = new AbortController()
    entry.controller = controller
    entry.timeoutTimer = this.#clock.setTimeout(entry.onTimeout, entry.settings.timeout)
    let promise: ReturnType<Check>
    try {
      promise = check(entry.target, { signal: controller.signal })
    } catch (error) {
      promise = Promise.reject(error)
    }
    Promise.resolve(promise).then(entry.onResolve, entry.onReject)
  }

  #settled(entry: Entry, ok: boolean, reason: string): void {
    entry.running = false
    entry.controller = undefined
    this.#inFlight--
    if (entry.timeoutTimer !== undefined) this.#clock.clearTimeout(entry.timeoutTimer)
    entry.timeoutTimer = undefined
    if (!entry.recorded && !entry.removed && entry.generation === this.#generation) {
      entry.recorded = true
      this.#record(entry, ok, reason, this.#clock.now())
    }
    // a freed slot may start a waiting probe: pump once after this batch of completions, not once
    // per completion (a per-completion pump would find the batch's other targets still running)
    if (!this.#pumpQueued) {
      this.#pumpQueued = true
      queueMicrotask(this.#queuedPump)
    }
  }

  #timedOut(entry: Entry): void {
    entry.timeoutTimer = undefined
    if (entry.recorded) return
    entry.recorded = true
    const timeout = entry.settings.timeout
    entry.timedOut++
    this.#probesTimedOut++
    entry.controller?.abort(checkTimedOut(timeout))
    this.#record(entry, false, `timed out after ${timeout} ms`, this.#clock.now())
  }

  #abandonProbe(entry: Entry, reason: ShoalError): void {
    if (entry.timeoutTimer !== undefined) this.#clock.clearTimeout(entry.timeoutTimer)
    entry.timeoutTimer = undefined
    entry.recorded = true
    entry.controller?.abort(reason)
  }

  // ---------------------------------------------------------------- state

  #record(entry: Entry, ok: boolean, reason: string, now: number): void {
    entry.lastOk = ok
    entry.lastTime = now
    entry.lastDuration = now - entry.startedAt
    entry.lastReason = reason
    if (ok) {
      entry.passed++
      this.#probesPassed++
    } else {
      entry.failed++
      this.#probesFailed++
    }
    let changed = false
    const machine = entry.machine
    if (machine === undefined) {
      entry.machine = createThresholdMachine(entry.settings.policy, ok)
      entry.activeReason = ok ? 'first check passed' : `first check failed: ${reason}`
      changed = true
    } else if (machine.record(ok)) {
      entry.activeReason = ok ? machine.describe() : `${machine.describe()}: ${reason}`
      changed = true
      if (ok && entry.passive !== undefined) {
        entry.passive = undefined
        entry.passiveFailures = 0
      }
    }
    if (changed) this.#update(entry, now)
    if (entry.firstPending) {
      entry.firstPending = false
      this.#pendingFirst--
      this.#checkReady()
    }
  }

  #active(entry: Entry): ReasonedState | undefined {
    if (entry.check === undefined) return NO_CHECK
    const machine = entry.machine
    if (machine === undefined) return undefined
    return { state: machine.up ? 'up' : 'down', reason: entry.activeReason }
  }

  /** Recomputes the target's state and publishes it if it changed. */
  #update(entry: Entry, now: number): void {
    if (entry.removed) return
    const next = effectiveState({
      admin: entry.admin,
      external: entry.external,
      passive: entry.passive,
      active: this.#active(entry),
    })
    if (next === undefined) {
      // an override was cleared before the first result: the state stays as it was until then
      if (entry.state !== undefined) entry.reason = `${entry.state} until the first check result`
      return
    }
    entry.reason = next.reason
    if (next.state === entry.state) return
    const change: TargetStateChange = {
      target: entry.target,
      state: next.state,
      previous: entry.state,
      reason: next.reason,
      time: now,
    }
    entry.state = next.state
    entry.since = now
    this.#stateChanges++
    this.#logger.debug(
      '%s: %s → %s (%s)',
      entry.target,
      change.previous ?? 'none',
      change.state,
      change.reason,
    )
    for (const listener of this.#listeners) {
      try {
        listener(change)
      } catch (error) {
        this.#logger.error('a state listener threw: %s', describeFailure(error))
      }
    }
    this.emit('change', change)
    for (const queue of this.#queues) queue.push(change)
  }

  #tripPassive(entry: Entry): void {
    const now = this.#clock.now()
    const passive = entry.settings.passive as NonNullable<ResolvedSettings['passive']>
    entry.passive = `passive: ${entry.passiveFailures} consecutive failures`
    this.#passiveTrips++
    if (entry.check !== undefined) {
      // it comes back through its checks: down, needing `rise` passes
      if (entry.machine === undefined) entry.machine = createThresholdMachine(entry.settings.policy, false)
      else entry.machine.force(false)
      entry.activeReason = entry.passive
    } else {
      entry.backoffUntil = now + passive.backoff
      if (this.#running) this.#armBackoff(entry, now)
    }
    this.#update(entry, now)
  }

  #armBackoff(entry: Entry, now: number): void {
    if (entry.backoffTimer !== undefined) this.#clock.clearTimeout(entry.backoffTimer)
    entry.backoffTimer = this.#clock.setTimeout(
      () => {
        entry.backoffTimer = undefined
        entry.passive = undefined
        entry.passiveFailures = 0
        this.#update(entry, this.#clock.now())
      },
      Math.max(0, entry.backoffUntil - now),
    )
  }

  #known(target: string, method: string): Entry {
    const entry = this.#entries.get(target)
    if (entry === undefined) throw invalidArgument(`${method}: unknown target '${target}'; add() it first`)
    return entry
  }

  #applyFile(states: ReadonlyMap<string, StateFileEntry>): void {
    this.#fileStates = states
    const now = this.#clock.now()
    for (const entry of this.#entries.values()) {
      const fromFile = states.get(entry.target)
      if (fromFile !== undefined) {
        entry.external = fileState(fromFile)
        this.#update(entry, now)
      } else if (entry.external?.source === 'file') {
        entry.external = undefined
        this.#update(entry, now)
      }
    }
    this.#logger.info('state file %s: %d targets', this.#statePath, states.size)
  }

  #feedError(reason: string): void {
    this.#feedErrors++
    this.#logger.warn('state file: %s', reason)
    this.emit('feed-error', { path: this.#statePath as string, reason, time: this.#clock.now() })
  }

  #checkReady(): void {
    if (this.#pendingFirst !== 0) return
    for (const waiter of [...this.#readyWaiters]) this.#settleReady(waiter, undefined)
  }

  #settleReady(waiter: ReadyWaiter, reason: unknown): void {
    if (!this.#readyWaiters.delete(waiter)) return
    if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener('abort', waiter.onAbort)
    if (reason === undefined) waiter.resolve()
    else waiter.reject(reason)
  }
}

function fileState(entry: StateFileEntry): ExternalState {
  return { state: entry.state, reason: `state file: ${entry.reason || entry.state}`, source: 'file' }
}

const SETTING_KEYS = ['interval', 'timeout', 'jitter', 'rise', 'fall', 'antiFlap', 'passive'] as const

function hasSettings(options: TargetOptions): boolean {
  for (const key of SETTING_KEYS) if (options[key] !== undefined) return true
  return false
}

function makeBucket(rateLimit: HealthCheckerOptions['rateLimit'], now: number): TokenBucket | undefined {
  if (rateLimit === undefined) return undefined
  const spec: RateLimitOptions = typeof rateLimit === 'number' ? { perSecond: rateLimit } : rateLimit
  if (spec === null || typeof spec !== 'object')
    throw invalidArgument('rateLimit must be probes per second, or { perSecond, burst? }')
  const { perSecond } = spec
  if (typeof perSecond !== 'number' || !(perSecond > 0) || !Number.isFinite(perSecond))
    throw invalidArgument(`rateLimit: perSecond must be a positive number, got ${String(perSecond)}`)
  const burst = spec.burst ?? Math.max(1, Math.ceil(perSecond / 20))
  checkInteger(burst, 1, Number.MAX_SAFE_INTEGER, 'rateLimit.burst', 'options')
  return new TokenBucket(perSecond, burst, now)
}
