import { randomInt } from 'node:crypto'
import { hostname } from 'node:os'
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks'
import {
  type AbortOptions,
  AsyncQueue,
  type Clock,
  createLogger,
  createRandom,
  invalidArgument,
  isShoalError,
  type Logger,
  type NodeInput,
  openUdpPort,
  type Random,
  ShoalError,
  type Startable,
  type Subscription,
  type SubscriptionOptions,
  systemClock,
  type TimerHandle,
  TypedEventTarget,
  type UdpPort,
} from '@shoal/core'
import { type MembershipConfig, type ProfileName, resolveConfig } from '../core/config.js'
import {
  emptyMembershipStats,
  type MemberEvent,
  type MemberSnapshot,
  type MembershipCall,
  type MembershipEvent,
  type MembershipStats,
} from '../core/events.js'
import { MembershipCore } from '../core/membership-core.js'
import { createEnvelope, type Envelope } from '../wire/envelope.js'
import { Keyring } from '../wire/keyring.js'
import type { Metadata } from '../wire/messages.js'
import { advertiseHost, formatHostPort, type HostPort, requireHostPort } from './address.js'
import {
  CONNECTION_PREFIX,
  emptyStreamTransportStats,
  StreamTransport,
  type StreamTransportStats,
} from './stream-transport.js'

/** Options of a {@link Membership}. */
export interface MembershipOptions {
  /** This member's unique name (default `<hostname>-<pid>`). */
  readonly name?: string | undefined
  /**
   * The address to listen on, UDP and TCP on the same port: `"a.b.c.d:port"` or `"[v6]:port"`
   * (default `127.0.0.1:7946`). Port 0 picks a free port for both.
   */
  readonly bind?: string | undefined
  /**
   * The `host:port` peers reach this member at, when it differs from the bound address (NAT,
   * containers). Default: the bound address, or, bound to `0.0.0.0` or `::`, this host's first
   * non-internal address of that family.
   */
  readonly advertise?: string | undefined
  /** Members to join at start (and to retry while alone), as IP `host:port` addresses. */
  readonly seeds?: readonly string[] | undefined
  /** Timing profile: `lan` (default), `wan` or `local`. */
  readonly profile?: ProfileName | undefined
  /** Overrides of the profile's values. */
  readonly config?: Partial<MembershipConfig> | undefined
  /** Initial metadata (at most 512 bytes encoded). */
  readonly meta?: Metadata | undefined
  /** The cluster name every datagram is bound to (default `shoal`); other clusters' are dropped. */
  readonly cluster?: string | undefined
  /**
   * AES-256-GCM keys (a `Keyring`, or 32-byte keys with the primary first). With keys, every
   * datagram and stream is encrypted and authenticated; without, traffic is plain.
   */
  readonly keys?: Keyring | readonly Uint8Array[] | undefined
  /** With keys, also accept plain traffic of the cluster (a rolling upgrade); default false. */
  readonly acceptPlain?: boolean | undefined
  /**
   * Feed this process's event-loop delay (p99 each second) into Lifeguard's local health, so a
   * stalled process stretches its own timeouts instead of accusing healthy peers (default true).
   */
  readonly loopDelay?: boolean | undefined
  /** How long a push-pull connection may take (default the larger of 5 s and 10 probe timeouts). */
  readonly streamTimeoutMs?: number | undefined
  /** The most push-pull connections open at once, each way (default 16: with 12 MiB frames, at most 192 MiB buffered). */
  readonly maxStreams?: number | undefined
  /** Time source (default the system clock with unref'd timers). */
  readonly clock?: Clock | undefined
  /** Randomness for the protocol (default a source seeded from `node:crypto`). */
  readonly random?: Random | undefined
  /** Where the adapter reports what it does (default `util.debuglog('shoal:membership')`). */
  readonly logger?: Logger | undefined
}

/** The events of a {@link Membership}: one per kind of membership change. */
export type MembershipEvents = {
  /** A member was seen alive for the first time (this member's own `join` comes at start). */
  join: MemberEvent
  /** A suspected or dead member is alive again (it refuted, or came back). */
  alive: MemberEvent
  /** A member is suspected of having failed. */
  suspect: MemberEvent
  /** A member was declared dead. */
  dead: MemberEvent
  /** A member left gracefully (this member's own `left` comes when {@link Membership.leave} begins). */
  left: MemberEvent
  /** A member's metadata or address changed. */
  update: MemberEvent
}

/** The counters of a {@link Membership}: the protocol's and the transport's. */
export interface MembershipAdapterStats extends MembershipStats, StreamTransportStats {
  /** UDP sends that failed or were refused (bad address, unreachable). */
  udpSendErrors: number
  /** UDP datagrams dropped by the port: outgoing ones too large, incoming ones before start. */
  udpDropped: number
  /** Inputs the core could not handle (a defect if ever non-zero; logged). */
  errors: number
}

const LOOP_RESOLUTION_MS = 20
const BIND_ATTEMPTS = 5

/**
 * SWIM + Lifeguard group membership over UDP (probes and gossip) and TCP (push-pull state
 * exchange) on one port: the Node adapter that drives {@link MembershipCore} with real sockets and
 * timers.
 *
 * Membership changes are typed events (`join`, `alive`, `suspect`, `dead`, `left`, `update`) and
 * an async iterator ({@link Membership.changes}). Sockets and timers are unref'd: a membership
 * never keeps the process alive on its own. Nothing from the network throws: bad datagrams and
 * failed connections are counted in {@link Membership.stats}.
 *
 * @example
 * ```ts
 * const membership = new Membership({ name: 'web-1', bind: '10.0.0.5:7946', seeds: ['10.0.0.6:7946'] })
 * membership.addEventListener('dead', (event) => balancer.remove(event.detail.member.address))
 * await membership.start()
 * membership.setMeta({ role: 'web', zone: 'eu-1' })
 * const alive = membership.members().filter((m) => m.state === 'alive')
 * await membership.leave()
 * ```
 */
export class Membership extends TypedEventTarget<MembershipEvents> implements Startable {
  readonly #name: string
  readonly #bind: HostPort
  readonly #advertise: HostPort | undefined
  readonly #profile: ProfileName | undefined
  readonly #overrides: Partial<MembershipConfig> | undefined
  readonly #config: MembershipConfig
  readonly #envelope: Envelope
  readonly #clock: Clock
  readonly #random: Random
  readonly #logger: Logger
  readonly #loopDelay: boolean
  readonly #streamTimeoutMs: number
  readonly #maxStreams: number
  #seeds: string[]
  #meta: Metadata
  #core: MembershipCore | undefined
  #udp: UdpPort | undefined
  #streams: StreamTransport | undefined
  readonly #timers = new Map<string, TimerHandle>()
  readonly #queues = new Set<AsyncQueue<MemberEvent>>()
  #histogram: IntervalHistogram | undefined
  #loopTimer: NodeJS.Timeout | undefined
  #starting: Promise<void> | undefined
  #stopping: Promise<void> | undefined
  #leaving: Promise<void> | undefined
  #onStopped: (() => void) | undefined
  #udpSendErrors = 0
  #errors = 0
  readonly #onTimer = new Map<string, () => void>()

  /**
   * @throws `ERR_INVALID_ARGUMENT` for a bad address, name, cluster name, key, configuration
   *   value or metadata too large to send.
   */
  constructor(options: MembershipOptions = {}) {
    super()
    this.#name = options.name ?? `${hostname()}-${process.pid}`
    if (typeof this.#name !== 'string' || this.#name === '')
      throw invalidArgument('name must be a non-empty string')
    this.#bind = requireHostPort(options.bind ?? '127.0.0.1:7946', 'bind', true)
    this.#advertise =
      options.advertise === undefined ? undefined : requireHostPort(options.advertise, 'advertise')
    this.#seeds = checkSeeds(options.seeds ?? [])
    this.#profile = options.profile
    this.#overrides = options.config
    this.#config = resolveConfig(options.profile, options.config)
    const keys = options.keys
    const keyring = keys === undefined || keys instanceof Keyring ? keys : new Keyring([...keys])
    this.#envelope = createEnvelope({
      cluster: options.cluster ?? 'shoal',
      ...(keyring === undefined ? {} : { keyring }),
      ...(options.acceptPlain === undefined ? {} : { acceptPlain: options.acceptPlain }),
    })
    this.#meta = options.meta ?? {}
    this.#clock = options.clock ?? systemClock
    this.#random = options.random ?? createRandom(randomInt(0x1_0000_0000))
    this.#logger = options.logger ?? createLogger('membership')
    this.#loopDelay = options.loopDelay ?? true
    this.#streamTimeoutMs = options.streamTimeoutMs ?? Math.max(5_000, 10 * this.#config.probeTimeoutMs)
    if (!Number.isFinite(this.#streamTimeoutMs) || this.#streamTimeoutMs <= 0)
      throw invalidArgument(
        `streamTimeoutMs must be a positive number, got ${String(options.streamTimeoutMs)}`,
      )
    this.#maxStreams = options.maxStreams ?? 16
    if (!Number.isSafeInteger(this.#maxStreams) || this.#maxStreams < 1)
      throw invalidArgument(`maxStreams must be a positive integer, got ${String(options.maxStreams)}`)
    // Builds a core now (and throws it away) so that bad metadata is refused here, not at start.
    this.#newCore('0.0.0.0:1')
  }

  /**
   * Binds UDP and TCP, then starts the protocol: joins the seeds, probes, gossips. Resolves once
   * listening; calling it again returns the same promise. A signal aborts the start and, if it
   * aborts later, stops the membership (without leaving).
   *
   * @throws `ERR_BIND_FAILED` when the address cannot be bound; `ERR_STOPPED` after a stop
   */
  start(options: AbortOptions = {}): Promise<void> {
    if (this.#stopping !== undefined)
      return Promise.reject(new ShoalError('ERR_STOPPED', 'the membership stopped'))
    // A failed start (an address in use) may be tried again.
    this.#starting ??= this.#open(options.signal).catch((error: unknown) => {
      this.#starting = undefined
      throw error
    })
    return this.#starting
  }

  /** Stops without leaving: peers will find this member dead. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#close()
    return this.#stopping
  }

  /** {@link Membership.stop}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop()
  }

  /**
   * Leaves gracefully: announces the leave, gossips it for the profile's `leavePropagateMs`, then
   * stops. Peers see this member `left`, not `dead`. When the signal aborts, stops at once and
   * rejects with its reason.
   */
  async leave(options: AbortOptions = {}): Promise<void> {
    const { signal } = options
    signal?.throwIfAborted()
    if (this.#starting !== undefined) await this.#starting.catch(() => undefined)
    if (this.#core === undefined || this.#stopping !== undefined) return this.stop()
    if (this.#leaving === undefined) {
      this.#leaving = new Promise<void>((resolve) => {
        this.#onStopped = resolve
      })
      this.#step({ type: 'app', call: { type: 'leave' } })
    }
    if (signal === undefined) {
      await this.#leaving
    } else {
      let onAbort: (() => void) | undefined
      const aborted = new Promise<void>((resolve) => {
        onAbort = resolve
        signal.addEventListener('abort', onAbort, { once: true })
      })
      await Promise.race([this.#leaving, aborted])
      signal.removeEventListener('abort', onAbort as () => void)
      if (signal.aborted) {
        await this.stop()
        throw signal.reason
      }
    }
    await this.stop()
  }

  /**
   * Adds seeds and contacts them now (push-pull), retrying while this member is alone. Before
   * {@link Membership.start}, the seeds are joined at start.
   *
   * @throws `ERR_INVALID_ARGUMENT` for an address that is not an IP `host:port`
   */
  join(seeds: readonly string[]): void {
    const checked = checkSeeds(seeds)
    if (this.#core === undefined) {
      this.#seeds = [...new Set([...this.#seeds, ...checked])]
      return
    }
    this.#step({ type: 'app', call: { type: 'join', seeds: checked } })
  }

  /**
   * Publishes new metadata (a new incarnation, gossiped to every member). Before
   * {@link Membership.start}, replaces the initial metadata; while leaving or stopped, does nothing.
   *
   * @throws `ERR_INVALID_ARGUMENT` when the metadata is too large to send (512 bytes encoded)
   */
  setMeta(meta: Metadata): void {
    if (typeof meta !== 'object' || meta === null) throw invalidArgument('meta must be an object of strings')
    if (this.#core === undefined) {
      const previous = this.#meta
      this.#meta = meta
      try {
        this.#newCore('0.0.0.0:1') // validates it
      } catch (error) {
        this.#meta = previous
        throw error
      }
      return
    }
    this.#step({ type: 'app', call: { type: 'setMeta', meta } })
  }

  /** Every known member, this one included, sorted by name (empty before start). */
  members(): MemberSnapshot[] {
    return this.#core?.members() ?? []
  }

  /** One member by name, if known. */
  member(name: string): MemberSnapshot | undefined {
    return this.#core?.member(name)
  }

  /**
   * This member as the cluster sees it.
   *
   * @throws `ERR_NOT_STARTED` before {@link Membership.start} has resolved
   */
  get self(): MemberSnapshot {
    return this.#started().member(this.#name) as MemberSnapshot
  }

  /** This member's name. */
  get name(): string {
    return this.#name
  }

  /**
   * The address peers reach this member at (`host:port`).
   *
   * @throws `ERR_NOT_STARTED` before {@link Membership.start} has resolved
   */
  get address(): string {
    return this.#started().member(this.#name)?.address as string
  }

  /** The resolved protocol configuration. */
  get config(): MembershipConfig {
    return this.#config
  }

  /** Lifeguard's local health score (0 healthy; timeouts are stretched by score + 1). */
  get localHealth(): number {
    return this.#core?.localHealth ?? 0
  }

  /** A snapshot of the counters: the protocol's and the transport's. */
  get stats(): MembershipAdapterStats {
    const core = this.#core?.stats ?? emptyMembershipStats()
    const udp = this.#udp?.stats()
    return {
      ...core,
      dropped: { ...core.dropped },
      ...(this.#streams?.stats ?? emptyStreamTransportStats()),
      udpSendErrors: this.#udpSendErrors + (udp?.sendErrors ?? 0),
      udpDropped: udp?.dropped ?? 0,
      errors: this.#errors,
    }
  }

  /**
   * The membership changes from now on, as an async iterator; it ends when the membership
   * stops or the loop breaks, and rejects with `signal.reason` when the signal aborts. A consumer
   * that falls more than `bufferSize` events behind loses the oldest (counted in `dropped`).
   */
  changes(options: SubscriptionOptions = {}): Subscription<MemberEvent> {
    const queue: AsyncQueue<MemberEvent> = new AsyncQueue(options, () => this.#queues.delete(queue))
    if (this.#stopping !== undefined) queue.end()
    else this.#queues.add(queue)
    return queue
  }

  // --- lifecycle -------------------------------------------------------------------------------

  async #open(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted()
    const { host } = this.#bind
    let udp: UdpPort | undefined
    let streams: StreamTransport | undefined
    for (let attempt = 1; ; attempt++) {
      udp = await openUdpPort({ host, port: this.#bind.port, logger: this.#logger, signal })
      const port = portOf(udp.boundAddress)
      try {
        streams = await StreamTransport.listen({
          host,
          port,
          timeoutMs: this.#streamTimeoutMs,
          maxIncoming: this.#maxStreams,
          maxOutgoing: this.#maxStreams,
          clock: this.#clock,
          logger: this.#logger,
          onFrame: (from, data) => this.#step({ type: 'datagram', from, data, reliable: true }),
        })
        break
      } catch (error) {
        await udp.close()
        // With port 0 the system chose a UDP port whose TCP twin may be taken: try another.
        if (this.#bind.port !== 0 || attempt >= BIND_ATTEMPTS || !isShoalError(error, 'ERR_BIND_FAILED'))
          throw error
      }
    }
    if (signal?.aborted || this.#stopping !== undefined) {
      await Promise.all([udp.close(), streams.close()])
      signal?.throwIfAborted()
      throw new ShoalError('ERR_STOPPED', 'the membership stopped while starting')
    }
    this.#udp = udp
    this.#streams = streams
    const port = portOf(udp.boundAddress)
    const address = this.#advertise ?? {
      host: advertiseHost(host),
      port,
      ipv6: host.includes(':'),
    }
    this.#core = this.#newCore(formatHostPort(address.host, address.port))
    udp.onDatagram((data, from) => this.#step({ type: 'datagram', from, data }))
    if (this.#loopDelay) this.#watchLoop()
    signal?.addEventListener('abort', () => void this.stop(), { once: true })
    this.#logger.debug('membership %s listening on %s', this.#name, udp.boundAddress)
    this.#step({ type: 'start' })
  }

  async #close(): Promise<void> {
    await this.#starting?.catch(() => undefined)
    for (const handle of this.#timers.values()) this.#clock.clearTimeout(handle)
    this.#timers.clear()
    if (this.#loopTimer !== undefined) clearInterval(this.#loopTimer)
    this.#histogram?.disable()
    for (const queue of this.#queues) queue.end()
    this.#queues.clear()
    await Promise.all([this.#udp?.close(), this.#streams?.close()])
    this.#onStopped?.()
  }

  #watchLoop(): void {
    const histogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS })
    histogram.enable()
    this.#histogram = histogram
    this.#loopTimer = setInterval(() => {
      // The histogram counts the sampling interval itself; the delay is what exceeds it.
      const p99 = histogram.percentile(99) / 1e6 - LOOP_RESOLUTION_MS
      histogram.reset()
      this.#step({ type: 'app', call: { type: 'loopDelay', delayMs: Math.max(0, p99) } })
    }, 1_000)
    this.#loopTimer.unref()
  }

  #newCore(address: string): MembershipCore {
    return new MembershipCore({
      name: this.#name,
      address,
      random: this.#random,
      now: this.#clock.now(),
      profile: this.#profile,
      config: this.#overrides,
      seeds: this.#seeds,
      meta: this.#meta,
      envelope: this.#envelope,
    })
  }

  #started(): MembershipCore {
    if (this.#core === undefined)
      throw new ShoalError('ERR_NOT_STARTED', 'the membership has not started yet')
    return this.#core
  }

  // --- driving the core ------------------------------------------------------------------------

  #step(input: NodeInput<MembershipCall>): void {
    const core = this.#core
    if (core === undefined || this.#stopping !== undefined) return
    let effects: ReturnType<MembershipCore['step']>
    try {
      effects = core.step(this.#clock.now(), input)
    } catch (error) {
      if (input.type === 'app') throw error // a caller's mistake, e.g. metadata too large
      this.#errors++
      this.#logger.error('membership core failed on a %s input: %s', input.type, (error as Error).message)
      return
    }
    let events: MembershipEvent[] | undefined
    for (const effect of effects) {
      switch (effect.type) {
        case 'send':
          this.#send(effect.to, effect.data, effect.reliable === true)
          break
        case 'setTimer':
          this.#setTimer(effect.id, effect.at)
          break
        case 'cancelTimer': {
          const handle = this.#timers.get(effect.id)
          if (handle !== undefined) {
            this.#clock.clearTimeout(handle)
            this.#timers.delete(effect.id)
          }
          break
        }
        case 'emit':
          events ??= []
          events.push(effect.event)
          break
      }
    }
    // Events go out last, so a listener that calls back into the membership finds it consistent.
    if (events !== undefined) for (const event of events) this.#dispatch(event)
  }

  #send(to: string, data: Uint8Array, reliable: boolean): void {
    if (reliable || to.startsWith(CONNECTION_PREFIX)) {
      this.#streams?.send(to, data)
      return
    }
    try {
      this.#udp?.send(to, data)
    } catch (error) {
      // an address from the network that is not an IP host:port
      this.#udpSendErrors++
      this.#logger.debug('udp send to %s refused: %s', to, (error as Error).message)
    }
  }

  #setTimer(id: string, at: number): void {
    const previous = this.#timers.get(id)
    if (previous !== undefined) this.#clock.clearTimeout(previous)
    let fire = this.#onTimer.get(id)
    if (fire === undefined) {
      const input: NodeInput<MembershipCall> = { type: 'timer', id }
      fire = () => {
        this.#timers.delete(id)
        this.#step(input)
      }
      // Suspicion and relay timers (`s:name`, `r:seq`) come and go: only the fixed ones are kept.
      if (!id.includes(':')) this.#onTimer.set(id, fire)
    }
    this.#timers.set(id, this.#clock.setTimeout(fire, Math.max(0, at - this.#clock.now())))
  }

  #dispatch(event: MembershipEvent): void {
    if (event.type === 'stopped') {
      void this.stop()
      return
    }
    for (const queue of this.#queues) queue.push(event)
    this.emit(event.type, event)
  }
}

function checkSeeds(seeds: readonly string[]): string[] {
  if (!Array.isArray(seeds)) throw invalidArgument('seeds must be an array of "host:port" addresses')
  return seeds.map((seed) => {
    const { host, port } = requireHostPort(seed, 'a seed')
    return formatHostPort(host, port)
  })
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1))
}
