import { createRandom, invalidArgument, type Random, ShoalError } from '@shoal/core'
import { EventQueue } from './event-queue.js'
import { type LinkOptions, sampleDelay } from './link.js'
import type { NodeEffect, NodeFactory, NodeInput, ProtocolCore } from './node.js'
import { type DropReason, type TraceEntry, type TraceMode, TraceRecorder } from './trace.js'

/**
 * Options of a {@link Simulation}.
 *
 * @example
 * ```ts
 * const options: SimulationOptions = { seed: 42, trace: 'hash', link: { loss: 0.01 } }
 * ```
 */
export interface SimulationOptions {
  /** Seed of the one PRNG everything random derives from. */
  readonly seed: number
  /** How much trace to keep; default `full`. */
  readonly trace?: TraceMode
  /** Settings of every directed link unless {@link Simulation.setLink} overrides them. */
  readonly link?: LinkOptions
  /**
   * Datagrams a paused node holds until it resumes (its socket receive buffer); more are dropped
   * as `overflow`. Default 10,000.
   */
  readonly receiveBuffer?: number
  /**
   * Most events one {@link Simulation.run} may process before it throws `ERR_SIMULATION_LIMIT`
   * (a core that sets a timer at `now` forever would otherwise never return). Default 100 million.
   */
  readonly maxEventsPerRun?: number
}

/**
 * An event a node's core emitted, as recorded in {@link Simulation.history}.
 *
 * @typeParam E - the events the cores emit
 * @example
 * ```ts
 * const seen: EmittedEvent<string> = { time: 10, node: 'a', incarnation: 1, event: 'up' }
 * ```
 */
export interface EmittedEvent<E = unknown> {
  /** Virtual time (ms). */
  readonly time: number
  /** The node that emitted it. */
  readonly node: string
  /** The node's incarnation when it emitted it. */
  readonly incarnation: number
  /** The event. */
  readonly event: E
}

/**
 * Counters of the simulated network since the simulation began.
 *
 * @example
 * ```ts
 * const c: NetworkCounters = { sent: 2, delivered: 1, duplicated: 0, timers: 0, dropped: { loss: 1, partition: 0, down: 0, queue: 0, crashed: 0, overflow: 0, unknown: 0 } }
 * ```
 */
export interface NetworkCounters {
  /** Datagrams handed to the network. */
  sent: number
  /** Datagrams delivered to a live core (duplicates included). */
  delivered: number
  /** Extra copies the network made. */
  duplicated: number
  /** Timers that fired. */
  timers: number
  /** Datagrams dropped, by reason. */
  readonly dropped: Record<DropReason, number>
}

/**
 * The state of one node, as {@link Simulation.node} reports it.
 *
 * @example
 * ```ts
 * const info: NodeStatus = { name: 'a', up: true, paused: false, incarnation: 1 }
 * ```
 */
export interface NodeStatus {
  /** The node's name and address. */
  readonly name: string
  /** `false` after a crash until a restart. */
  readonly up: boolean
  /** `true` while paused: inputs queue until it resumes. */
  readonly paused: boolean
  /** 1 for the first start, one more per restart. */
  readonly incarnation: number
}

interface SimNode<A, E> {
  readonly name: string
  readonly factory: NodeFactory<A, E>
  core: ProtocolCore<A, E> | undefined
  up: boolean
  paused: boolean
  incarnation: number
  readonly timers: Map<string, number>
  pending: NodeInput<A>[]
  /** Datagrams among `pending`. */
  pendingDatagrams: number
  /** Bumped at every pause, so a timed resume only ends the pause it belongs to. */
  pauses: number
  readonly links: Map<string, LinkState>
}

interface LinkState {
  version: number
  loss: number
  duplicate: number
  delay: NonNullable<LinkOptions['delay']>
  bandwidth: number
  queueBytes: number
  up: boolean
  busyUntil: number
}

const DELIVER = 0
const TIMER = 1
const ACTION = 2
/** A delivery of a reliable (stream) send. */
const DELIVER_STREAM = 3

interface SimEvent<A, E> {
  time: number
  seq: number
  kind: number
  node: SimNode<A, E> | undefined
  from: string
  data: Uint8Array | undefined
  id: string
  token: number
  action: (() => void) | undefined
}

const DEFAULT_DELAY = { kind: 'constant', ms: 1 } as const

function checkProbability(name: string, value: number | undefined): void {
  if (value !== undefined && !(value >= 0 && value <= 1)) {
    throw invalidArgument(`${name} must be a probability in [0, 1], got ${value}`)
  }
}

function checkLink(options: LinkOptions): void {
  checkProbability('loss', options.loss)
  checkProbability('duplicate', options.duplicate)
  if (options.bandwidth !== undefined && !(options.bandwidth > 0)) {
    throw invalidArgument(`bandwidth must be a positive number of bytes per second, got ${options.bandwidth}`)
  }
  if (options.queueBytes !== undefined && !(options.queueBytes >= 0)) {
    throw invalidArgument(`queueBytes must be ≥ 0, got ${options.queueBytes}`)
  }
  const delay = options.delay
  if (delay !== undefined) {
    const values =
      delay.kind === 'constant'
        ? [delay.ms]
        : delay.kind === 'uniform'
          ? [delay.min, delay.max, delay.max - delay.min]
          : delay.kind === 'exponential'
            ? [delay.mean, delay.min ?? 0]
            : [delay.mean, delay.stddev]
    if (!values.every((v) => Number.isFinite(v) && v >= 0)) {
      throw invalidArgument(
        `delay ${JSON.stringify(delay)} needs finite, non-negative values (and max ≥ min)`,
      )
    }
  }
}

/**
 * A deterministic discrete-event simulation of sans-IO protocol cores on a simulated datagram
 * network. Time is virtual; everything random (loss, delay, duplication, node randomness, the
 * schedule) derives from one seed, so the same seed and schedule replay the same trace.
 *
 * @typeParam A - the application calls the cores accept
 * @typeParam E - the events the cores emit
 * @example
 * ```ts
 * const sim = new Simulation<never, string>({ seed: 1 })
 * sim.add('a', () => ({ step: (_now, input) => (input.type === 'datagram' ? [{ type: 'emit', event: 'got' }] : []) }))
 * sim.add('b', () => ({ step: (_now, input) => (input.type === 'start' ? [{ type: 'send', to: 'a', data: new Uint8Array(1) }] : []) }))
 * sim.runFor(10)
 * sim.history.length // 1
 * ```
 */
export class Simulation<A = unknown, E = unknown> {
  /** The seed this simulation was created with. */
  readonly seed: number
  /** A random source for workloads and schedules (forked from the seed, apart from the network's). */
  readonly random: Random
  /** Network counters. */
  readonly counters: NetworkCounters = {
    sent: 0,
    delivered: 0,
    duplicated: 0,
    timers: 0,
    dropped: { loss: 0, partition: 0, down: 0, queue: 0, crashed: 0, overflow: 0, unknown: 0 },
  }
  /** Timer inputs queued at paused nodes, with the token they fired under. */
  readonly #pausedTimers = new WeakMap<NodeInput<A>, number>()
  /** Every event the cores emitted, in order. */
  readonly history: EmittedEvent<E>[] = []

  readonly #queue = new EventQueue<SimEvent<A, E>>()
  readonly #nodes = new Map<string, SimNode<A, E>>()
  readonly #network: Random
  readonly #nodeRandom: Random
  readonly #trace: TraceRecorder
  readonly #tracing: boolean
  readonly #overrides = new Map<string, LinkOptions>()
  readonly #groups = new Map<string, number>()
  /** Nodes with at least one outgoing link override. */
  readonly #overridden = new Set<string>()
  #shared: LinkState | undefined
  readonly #receiveBuffer: number
  readonly #maxEvents: number
  #defaults: LinkOptions
  #linkVersion = 0
  #timerToken = 0
  #now = 0

  /** @param options - seed, trace mode and default link settings */
  constructor(options: SimulationOptions) {
    if (!Number.isSafeInteger(options.seed))
      throw invalidArgument(`seed must be a safe integer, got ${options.seed}`)
    this.seed = options.seed
    const root = createRandom(options.seed)
    this.#network = root.fork()
    this.random = root.fork()
    this.#nodeRandom = root.fork()
    this.#trace = new TraceRecorder(options.trace ?? 'full')
    this.#tracing = this.#trace.mode !== 'off'
    this.#defaults = options.link ?? {}
    this.#receiveBuffer = options.receiveBuffer ?? 10_000
    this.#maxEvents = options.maxEventsPerRun ?? 100_000_000
    if (!(this.#receiveBuffer >= 0))
      throw invalidArgument(`receiveBuffer must be ≥ 0, got ${options.receiveBuffer}`)
    if (!(this.#maxEvents > 0))
      throw invalidArgument(`maxEventsPerRun must be positive, got ${options.maxEventsPerRun}`)
    checkLink(this.#defaults)
  }

  /** Current virtual time (ms). */
  get now(): number {
    return this.#now
  }

  /** Events waiting in the agenda. */
  get pending(): number {
    return this.#queue.size
  }

  /** The recorded trace (entries only in `full` mode). */
  get trace(): readonly TraceEntry[] {
    return this.#trace.entries
  }

  /** A hash of the whole trace so far: equal for runs with the same seed and schedule. */
  traceHash(): string {
    return this.#trace.hash()
  }

  /** Names of all nodes, in the order they were added. */
  get nodes(): readonly string[] {
    return [...this.#nodes.keys()]
  }

  /** The status of a node. */
  node(name: string): NodeStatus {
    const node = this.#get(name)
    return { name, up: node.up, paused: node.paused, incarnation: node.incarnation }
  }

  /** Adds a node and starts its first incarnation now (it gets a `start` input). */
  add(name: string, factory: NodeFactory<A, E>): void {
    if (this.#nodes.has(name)) throw invalidArgument(`a node named ${JSON.stringify(name)} already exists`)
    const node: SimNode<A, E> = {
      name,
      factory,
      core: undefined,
      up: false,
      paused: false,
      incarnation: 0,
      timers: new Map(),
      pending: [],
      pendingDatagrams: 0,
      pauses: 0,
      links: new Map(),
    }
    this.#nodes.set(name, node)
    this.#start(node)
  }

  /** Gives a node's core an application call now (queued if paused, dropped if crashed). */
  call(name: string, call: A): void {
    const node = this.#get(name)
    if (this.#tracing) this.#trace.add(this.#now, 'app', name)
    this.#dispatch(node, { type: 'app', call })
  }

  /**
   * Hands a datagram from `from` to the network as if `from`'s core had sent it (used by
   * {@link SimDatagramPort}). Dropped if `from` is crashed.
   */
  send(from: string, to: string, data: Uint8Array): void {
    const node = this.#get(from)
    if (node.up) this.#transmit(node, to, data)
  }

  /** Runs `action` at virtual time `time` (not before now), in the event order. */
  at(time: number, action: () => void): void {
    if (Number.isNaN(time)) throw invalidArgument('at: time is NaN')
    this.#queue.push({
      time: Math.max(time, this.#now),
      seq: 0,
      kind: ACTION,
      node: undefined,
      from: '',
      data: undefined,
      id: '',
      token: 0,
      action,
    })
  }

  /** Processes the next event; returns `false` when the agenda is empty. */
  step(): boolean {
    const event = this.#queue.pop()
    if (event === undefined) return false
    this.#now = event.time
    const node = event.node
    if ((event.kind === DELIVER || event.kind === DELIVER_STREAM) && node !== undefined) {
      if (!node.up) {
        this.#drop(event.from, node.name, 'crashed')
      } else {
        const data = event.data as Uint8Array
        this.counters.delivered++
        if (this.#tracing) {
          this.#trace.add(this.#now, 'deliver', node.name, event.from, `${data.length}`)
        }
        this.#dispatch(
          node,
          event.kind === DELIVER
            ? { type: 'datagram', from: event.from, data }
            : { type: 'datagram', from: event.from, data, reliable: true },
        )
      }
    } else if (event.kind === TIMER && node !== undefined) {
      if (node.up && node.timers.get(event.id) === event.token) {
        const input: NodeInput<A> = { type: 'timer', id: event.id }
        if (node.paused) {
          // It fires at resume only if the core has not set or cancelled it again by then (as
          // with a Node timer cleared after a stall, before its callback ran).
          this.#pausedTimers.set(input, event.token)
          node.pending.push(input)
          return true
        }
        node.timers.delete(event.id)
        this.counters.timers++
        if (this.#tracing) this.#trace.add(this.#now, 'timer', node.name, undefined, event.id)
        this.#dispatch(node, input)
      }
    } else if (event.action !== undefined) {
      event.action()
    }
    return true
  }

  /**
   * Processes every event up to and including virtual time `until`, then sets the clock to it.
   * Returns the number of events processed.
   */
  run(options: { readonly until: number }): number {
    const queue = this.#queue
    const limit = this.#maxEvents
    let count = 0
    for (;;) {
      const next = queue.peek()
      if (next === undefined || next.time > options.until) break
      if (count === limit) {
        throw new ShoalError(
          'ERR_SIMULATION_LIMIT',
          `run processed ${limit} events and stopped at ${this.#now} ms (a core re-arming a timer at now?)`,
        )
      }
      this.step()
      count++
    }
    if (options.until > this.#now) this.#now = options.until
    return count
  }

  /** Runs for `ms` of virtual time from now; returns the number of events processed. */
  runFor(ms: number): number {
    return this.run({ until: this.#now + ms })
  }

  /** Sets the default settings of every directed link (merged over the previous defaults). */
  setLinks(options: LinkOptions): void {
    checkLink(options)
    this.#defaults = { ...this.#defaults, ...options }
    this.#linkVersion++
  }

  /** Sets the settings of the one direction `from → to` (merged over earlier overrides). */
  setLink(from: string, to: string, options: LinkOptions): void {
    checkLink(options)
    const key = `${from}\u0000${to}`
    this.#overrides.set(key, { ...this.#overrides.get(key), ...options })
    this.#overridden.add(from)
    this.#linkVersion++
  }

  /** Cuts the direction `from → to` only (an asymmetric partition); {@link Simulation.heal} restores it. */
  cut(from: string, to: string): void {
    this.#fault(from, `cut ${to}`)
    this.setLink(from, to, { up: false })
  }

  /**
   * Splits the network: nodes in different groups cannot reach each other (datagrams already in
   * flight still arrive). Nodes in no group reach everyone. Replaces an earlier partition.
   */
  partition(...groups: readonly (readonly string[])[]): void {
    this.#groups.clear()
    groups.forEach((group, index) => {
      for (const name of group) this.#groups.set(name, index)
    })
    this.#fault('*', `partition ${groups.map((g) => g.join(',')).join(' | ')}`)
  }

  /** Ends partitions and every cut link. */
  heal(): void {
    this.#groups.clear()
    for (const [key, options] of this.#overrides) {
      if (options.up === false) this.#overrides.set(key, { ...options, up: true })
    }
    this.#linkVersion++
    this.#fault('*', 'heal')
  }

  /**
   * Pauses a node: its inputs (datagrams, timers, calls) queue until it resumes, as in a GC or
   * event-loop stall. With `durationMs` it resumes by itself; pausing a paused node again
   * replaces the earlier pause's end. Crashing a node ends its pause.
   */
  pause(name: string, durationMs?: number): void {
    const node = this.#get(name)
    if (!node.up) return
    node.paused = true
    const pause = ++node.pauses
    this.#fault(name, durationMs === undefined ? 'pause' : `pause ${durationMs}`)
    if (durationMs !== undefined) {
      this.at(this.#now + durationMs, () => {
        if (node.pauses === pause) this.resume(name)
      })
    }
  }

  /** Resumes a paused node: it takes its queued inputs now, in order. */
  resume(name: string): void {
    const node = this.#get(name)
    if (!node.paused) return
    node.paused = false
    this.#fault(name, 'resume')
    const queued = node.pending
    node.pending = []
    node.pendingDatagrams = 0
    for (let i = 0; i < queued.length; i++) {
      if (node.paused || !node.up) {
        if (node.up) {
          node.pending.push(...queued.slice(i))
          node.pendingDatagrams = node.pending.filter((input) => input.type === 'datagram').length
        }
        break
      }
      const input = queued[i] as NodeInput<A>
      if (input.type === 'timer') {
        const token = this.#pausedTimers.get(input)
        this.#pausedTimers.delete(input)
        if (token !== undefined) {
          if (node.timers.get(input.id) !== token) continue
          node.timers.delete(input.id)
          this.counters.timers++
          if (this.#tracing) this.#trace.add(this.#now, 'timer', node.name, undefined, input.id)
        }
      }
      this.#dispatch(node, input)
    }
  }

  /** Crashes a node: its core, timers and queued inputs are gone; datagrams to it are dropped. */
  crash(name: string): void {
    const node = this.#get(name)
    if (!node.up) return
    node.pauses++
    node.up = false
    node.paused = false
    node.core = undefined
    node.timers.clear()
    node.pending = []
    node.pendingDatagrams = 0
    this.#fault(name, 'crash')
  }

  /** Restarts a node (crashing it first if it is up): a fresh core from its factory, incarnation + 1. */
  restart(name: string): void {
    const node = this.#get(name)
    this.crash(name)
    this.#fault(name, 'restart')
    this.#start(node)
  }

  #get(name: string): SimNode<A, E> {
    const node = this.#nodes.get(name)
    if (node === undefined) throw invalidArgument(`no node named ${JSON.stringify(name)}`)
    return node
  }

  #start(node: SimNode<A, E>): void {
    node.incarnation++
    node.core = node.factory({
      name: node.name,
      random: this.#nodeRandom.fork(),
      now: this.#now,
      incarnation: node.incarnation,
    })
    node.up = true
    if (this.#tracing) this.#trace.add(this.#now, 'start', node.name, undefined, `${node.incarnation}`)
    this.#dispatch(node, { type: 'start' })
  }

  #fault(node: string, detail: string): void {
    if (this.#tracing) this.#trace.add(this.#now, 'fault', node, undefined, detail)
  }

  #drop(from: string, to: string, reason: DropReason): void {
    this.counters.dropped[reason]++
    if (this.#tracing) this.#trace.add(this.#now, 'drop', to, from, reason)
  }

  #dispatch(node: SimNode<A, E>, input: NodeInput<A>): void {
    if (!node.up) {
      if (input.type === 'datagram') this.#drop(input.from, node.name, 'crashed')
      return
    }
    if (node.paused) {
      if (input.type === 'datagram') {
        if (node.pendingDatagrams >= this.#receiveBuffer) {
          this.#drop(input.from, node.name, 'overflow')
          return
        }
        node.pendingDatagrams++
      }
      node.pending.push(input)
      return
    }
    const effects = (node.core as ProtocolCore<A, E>).step(this.#now, input)
    for (let i = 0; i < effects.length; i++) this.#apply(node, effects[i] as NodeEffect<E>)
  }

  #apply(node: SimNode<A, E>, effect: NodeEffect<E>): void {
    switch (effect.type) {
      case 'send':
        this.#transmit(node, effect.to, effect.data, effect.reliable === true)
        return
      case 'setTimer': {
        if (Number.isNaN(effect.at)) {
          throw new ShoalError('ERR_INVALID_EFFECT', `${node.name} set timer ${effect.id} at NaN`)
        }
        const token = ++this.#timerToken
        node.timers.set(effect.id, token)
        this.#queue.push({
          time: Math.max(effect.at, this.#now),
          seq: 0,
          kind: TIMER,
          node,
          from: '',
          data: undefined,
          id: effect.id,
          token,
          action: undefined,
        })
        return
      }
      case 'cancelTimer':
        node.timers.delete(effect.id)
        return
      case 'emit':
        this.history.push({
          time: this.#now,
          node: node.name,
          incarnation: node.incarnation,
          event: effect.event,
        })
        if (this.#tracing) this.#trace.add(this.#now, 'emit', node.name, undefined, describe(effect.event))
        return
    }
  }

  #link(from: SimNode<A, E>, to: string): LinkState {
    // Links without an override and without a bandwidth limit (no per-link queue state) share
    // one record: N² link records would cost memory and cache misses at 1,000 nodes.
    if (!this.#overridden.has(from.name) && this.#defaults.bandwidth === undefined) {
      let shared = this.#shared
      if (shared === undefined || shared.version !== this.#linkVersion) {
        const o = this.#defaults
        shared = {
          version: this.#linkVersion,
          loss: o.loss ?? 0,
          duplicate: o.duplicate ?? 0,
          delay: o.delay ?? DEFAULT_DELAY,
          bandwidth: Number.POSITIVE_INFINITY,
          queueBytes: Number.POSITIVE_INFINITY,
          up: o.up ?? true,
          busyUntil: 0,
        }
        this.#shared = shared
      }
      return shared
    }
    let link = from.links.get(to)
    if (link === undefined || link.version !== this.#linkVersion) {
      const o = { ...this.#defaults, ...this.#overrides.get(`${from.name}\u0000${to}`) }
      link = {
        version: this.#linkVersion,
        loss: o.loss ?? 0,
        duplicate: o.duplicate ?? 0,
        delay: o.delay ?? DEFAULT_DELAY,
        bandwidth: o.bandwidth ?? Number.POSITIVE_INFINITY,
        queueBytes: o.queueBytes ?? Number.POSITIVE_INFINITY,
        up: o.up ?? true,
        busyUntil: link?.busyUntil ?? 0,
      }
      from.links.set(to, link)
    }
    return link
  }

  #transmit(from: SimNode<A, E>, to: string, data: Uint8Array, reliable = false): void {
    this.counters.sent++
    const target = this.#nodes.get(to)
    if (target === undefined) {
      this.#drop(from.name, to, 'unknown')
      return
    }
    if (this.#groups.size > 0) {
      const a = this.#groups.get(from.name)
      const b = this.#groups.get(to)
      if (a !== undefined && b !== undefined && a !== b) {
        this.#drop(from.name, to, 'partition')
        return
      }
    }
    const link = this.#link(from, to)
    if (!link.up) {
      this.#drop(from.name, to, 'down')
      return
    }
    const random = this.#network
    // A reliable (stream) send is retransmitted underneath: never lost or duplicated at random.
    if (!reliable && link.loss > 0 && random.next() < link.loss) {
      this.#drop(from.name, to, 'loss')
      return
    }
    let base = this.#now
    if (link.bandwidth !== Number.POSITIVE_INFINITY) {
      const backlog = Math.max(0, link.busyUntil - base) * (link.bandwidth / 1000)
      if (backlog + data.length > link.queueBytes) {
        this.#drop(from.name, to, 'queue')
        return
      }
      link.busyUntil = Math.max(base, link.busyUntil) + (data.length * 1000) / link.bandwidth
      base = link.busyUntil
    }
    const kind = reliable ? DELIVER_STREAM : DELIVER
    this.#enqueue(from.name, target, data, base + sampleDelay(link.delay, random), kind)
    if (!reliable && link.duplicate > 0 && random.next() < link.duplicate) {
      this.counters.duplicated++
      if (this.#tracing) this.#trace.add(this.#now, 'duplicate', to, from.name)
      this.#enqueue(from.name, target, data, base + sampleDelay(link.delay, random), kind)
    }
  }

  #enqueue(from: string, target: SimNode<A, E>, data: Uint8Array, time: number, kind: number): void {
    this.#queue.push({
      time,
      seq: 0,
      kind,
      node: target,
      from,
      data,
      id: '',
      token: 0,
      action: undefined,
    })
  }
}

function describe(event: unknown): string {
  try {
    return JSON.stringify(event) ?? String(event)
  } catch {
    return String(event)
  }
}
