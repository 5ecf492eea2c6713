import {
  invalidArgument,
  isShoalError,
  type NodeEffect,
  type NodeInput,
  type ProtocolCore,
  type Random,
} from '@shoal/core'
import {
  BODY_HEADER_BYTES,
  decodeMessages,
  encodedSize,
  encodeMessages,
  MAX_DATAGRAM_BODY,
  MAX_MESSAGES_PER_BODY,
} from '../wire/codec.js'
import { createEnvelope, type Envelope } from '../wire/envelope.js'
import type { MemberRecord, MemberState, Message, Metadata } from '../wire/messages.js'
import { BroadcastQueue } from './broadcast-queue.js'
import { type MembershipConfig, type ProfileName, resolveConfig } from './config.js'
import {
  emptyMembershipStats,
  type MemberEventType,
  type MemberSnapshot,
  type MembershipCall,
  type MembershipEvent,
  type MembershipStats,
} from './events.js'
import { Suspicion } from './suspicion.js'

/** What a {@link MembershipCore} is built from. */
export interface MembershipCoreOptions {
  /** This member's unique name. */
  readonly name: string
  /** The address peers reach it at (`host:port`; the node name in simulation). */
  readonly address: string
  /** The random source (probe order, gossip targets, jitter). */
  readonly random: Random
  /** The driver's clock at construction (ms). */
  readonly now: number
  /** Timing profile (default `lan`). */
  readonly profile?: ProfileName | undefined
  /** Overrides of the profile's values. */
  readonly config?: Partial<MembershipConfig> | undefined
  /** Addresses to join at start and to retry while alone. */
  readonly seeds?: readonly string[] | undefined
  /** Initial metadata. */
  readonly meta?: Metadata | undefined
  /** Initial incarnation (default 0; a restarted member refutes its old death anyway). */
  readonly incarnation?: number | undefined
  /** How datagrams are framed, bound to the cluster and optionally encrypted (default: plain, cluster `shoal`). */
  readonly envelope?: Envelope | undefined
}

interface Member {
  readonly name: string
  address: string
  incarnation: number
  state: MemberState
  meta: Metadata
  since: number
  suspicion: Suspicion | undefined
  /** When it last probed us or asked us to probe (proof that it runs, whatever others say). */
  heard: number
  /** Index in the core's name list (for O(1) random picks and removal). */
  index: number
}

/** A probe this member started, or one it relays for another (an indirect probe). */
interface Pending {
  /** For a relay: who asked and under which sequence number. */
  readonly replyTo: string | undefined
  readonly replySeq: number
  readonly nack: boolean
}

const MAX_PENDING = 4_096
const MAX_INCARNATION = 0xffffffff
/** Suspects queued to be probed ahead of the round robin. */
const MAX_PRIORITY_PROBES = 8

const PROBE = 'probe'
const PROBE_TIMEOUT = 'probe-timeout'
const PROBE_END = 'probe-end'
const GOSSIP = 'gossip'
const PUSH_PULL = 'push-pull'
const RECONNECT = 'reconnect'
const REAP = 'reap'
const JOIN = 'join'
const LEAVE = 'leave'

/**
 * The SWIM + Lifeguard membership protocol as a sans-IO state machine (`@shoal/core`'s
 * `ProtocolCore`): the Node adapter drives it over UDP and TCP, `@shoal/netsim` in simulation.
 *
 * Each probe period it pings one member (round robin over a shuffled list); without an ack in the
 * probe timeout it asks `indirectChecks` members to ping it; without any ack by the end of the
 * period it suspects the member and gossips the suspicion. A suspected member refutes it by
 * raising its incarnation; otherwise it is declared dead when the suspicion times out, sooner as
 * other members confirm it (Lifeguard's dogpile). Missed acks and nacks, refutations and the
 * process's event-loop delay raise local health, which stretches this member's own timeouts
 * (Lifeguard) so an overloaded member does not accuse healthy ones. Updates ride on every datagram
 * and on gossip rounds; a periodic full-state exchange over a stream (push-pull) repairs what
 * gossip missed, joins new members, and heals partitions (dead members are retried).
 *
 * @example
 * ```ts
 * import { createRandom } from '@shoal/core'
 * const core = new MembershipCore({ name: 'a', address: 'a', random: createRandom(1), now: 0 })
 * const effects = core.step(0, { type: 'start' })
 * ```
 */
export class MembershipCore implements ProtocolCore<MembershipCall, MembershipEvent> {
  readonly #config: MembershipConfig
  readonly #random: Random
  readonly #envelope: Envelope
  readonly #self: Member
  readonly #members = new Map<string, Member>()
  /** Every member's name but our own, for random picks. */
  readonly #names: string[] = []
  readonly #broadcasts = new BroadcastQueue()
  readonly #pending = new Map<number, Pending>()
  #seeds: readonly string[]
  #seq = 0
  #probeOrder: string[] = []
  /** Members suspected since our last probe, to probe next. */
  #suspects: string[] = []
  #probeIndex = 0
  /** The current probe: its sequence number (0 when none), nacks expected and received. */
  #probeSeq = 0
  #probeTarget = ''
  #expectedNacks = 0
  #nacks = 0
  /** Lifeguard local health from our probes, and from the event loop. */
  #awareness = 0
  #loopScore = 0
  /** Live (alive or suspect) members, ourselves included. */
  #live = 1
  #joinDelay: number
  #leaving = false
  #joined = false
  #gossipArmed = false
  #lastUnknownPushPull = Number.NEGATIVE_INFINITY
  #stopped = false
  #now = 0
  #effects: NodeEffect<MembershipEvent>[] = []
  readonly #stats: MembershipStats = emptyMembershipStats()

  /**
   * @throws `ERR_INVALID_ARGUMENT` for an empty name or address, a bad config value or metadata
   * too large to send.
   */
  constructor(options: MembershipCoreOptions) {
    if (options.name === '' || options.address === '')
      throw invalidArgument('name and address must not be empty')
    this.#config = resolveConfig(options.profile, options.config)
    this.#random = options.random
    this.#envelope = options.envelope ?? createEnvelope({ cluster: 'shoal' })
    this.#seeds = options.seeds ?? []
    this.#joinDelay = this.#config.joinRetryMs
    this.#now = options.now
    this.#self = {
      name: options.name,
      address: options.address,
      incarnation: options.incarnation ?? 0,
      state: 'alive',
      meta: options.meta ?? {},
      since: options.now,
      suspicion: undefined,
      heard: options.now,
      index: -1,
    }
    encodeMessages([this.#aliveMessage(this.#self)])
    this.#members.set(this.#self.name, this.#self)
  }

  /** The resolved configuration. */
  get config(): MembershipConfig {
    return this.#config
  }

  /** This member's name. */
  get name(): string {
    return this.#self.name
  }

  /** Lifeguard's local health score (0 = healthy; timeouts are multiplied by score + 1). */
  get localHealth(): number {
    return Math.max(this.#awareness, this.#loopScore)
  }

  /** Members alive or suspect, ourselves included (cheap: no snapshot is built). */
  get liveCount(): number {
    return this.#live
  }

  /** Updates waiting to be gossiped (at most one per member). */
  get gossipBacklog(): number {
    return this.#broadcasts.size
  }

  /** Counters (a live object). */
  get stats(): Readonly<MembershipStats> {
    return this.#stats
  }

  /** Every known member, ourselves included, sorted by name. */
  members(): MemberSnapshot[] {
    const out: MemberSnapshot[] = []
    for (const m of this.#members.values()) out.push(snapshot(m))
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** One member, if known. */
  member(name: string): MemberSnapshot | undefined {
    const m = this.#members.get(name)
    return m === undefined ? undefined : snapshot(m)
  }

  /** Takes one input and returns the effects (see `@shoal/core`'s `ProtocolCore`). */
  step(now: number, input: NodeInput<MembershipCall>): readonly NodeEffect<MembershipEvent>[] {
    this.#effects = []
    this.#now = now
    if (this.#stopped) return this.#effects
    switch (input.type) {
      case 'start':
        this.#start()
        break
      case 'datagram':
        this.#receive(input.from, input.data, input.reliable === true)
        break
      case 'timer':
        this.#timer(input.id)
        break
      case 'app':
        this.#call(input.call)
        break
    }
    return this.#effects
  }

  // --- inputs ----------------------------------------------------------------------------------

  #start(): void {
    const c = this.#config
    this.#emit('join', this.#self)
    this.#broadcast(this.#aliveMessage(this.#self))
    this.#setTimer(PROBE, this.#now + Math.floor(this.#random.next() * c.probeIntervalMs))
    this.#setTimer(PUSH_PULL, this.#now + this.#jitter(c.pushPullIntervalMs))
    this.#setTimer(RECONNECT, this.#now + this.#jitter(c.reconnectIntervalMs))
    this.#setTimer(REAP, this.#now + c.reconnectIntervalMs)
    if (this.#seeds.length > 0) this.#join()
  }

  #call(call: MembershipCall): void {
    switch (call.type) {
      case 'join':
        this.#seeds = [...new Set([...this.#seeds, ...call.seeds])]
        this.#joinDelay = this.#config.joinRetryMs
        this.#join()
        return
      case 'leave':
        if (this.#leaving) return
        this.#leaving = true
        this.#setState(this.#self, 'left', this.#self.incarnation)
        this.#emit('left', this.#self)
        this.#broadcast({
          type: 'dead',
          name: this.#self.name,
          incarnation: this.#self.incarnation,
          from: this.#self.name,
        })
        this.#gossip()
        this.#setTimer(LEAVE, this.#now + this.#config.leavePropagateMs)
        return
      case 'setMeta': {
        if (this.#leaving) return
        const next: Member = {
          ...this.#self,
          meta: call.meta,
          incarnation: Math.min(this.#self.incarnation + 1, MAX_INCARNATION),
        }
        const message = this.#aliveMessage(next)
        encodeMessages([message]) // throws ERR_INVALID_ARGUMENT if it cannot be sent
        this.#self.meta = call.meta
        this.#self.incarnation = next.incarnation
        this.#broadcast(message)
        this.#emit('update', this.#self)
        return
      }
      case 'loopDelay': {
        const unit = this.#config.probeTimeoutMs / 2
        const score = Number.isFinite(call.delayMs) ? Math.floor(Math.max(0, call.delayMs) / unit) : 0
        this.#loopScore = Math.min(this.#config.awarenessMax - 1, score)
        return
      }
    }
  }

  #timer(id: string): void {
    switch (id) {
      case PROBE:
        this.#probe()
        return
      case PROBE_TIMEOUT:
        this.#probeTimedOut()
        return
      case PROBE_END:
        this.#probeEnded()
        return
      case GOSSIP:
        this.#gossip()
        // Rounds run only while there is news: an idle member wakes only to probe.
        if (this.#broadcasts.size > 0) this.#setTimer(GOSSIP, this.#now + this.#config.gossipIntervalMs)
        else this.#gossipArmed = false
        return
      case PUSH_PULL:
        this.#setTimer(PUSH_PULL, this.#now + this.#jitter(this.#pushPullInterval()))
        this.#pushPullRandom()
        return
      case RECONNECT:
        this.#setTimer(RECONNECT, this.#now + this.#jitter(this.#config.reconnectIntervalMs))
        this.#reconnect()
        return
      case REAP:
        this.#setTimer(REAP, this.#now + this.#config.reconnectIntervalMs)
        this.#reap()
        return
      case JOIN:
        this.#join()
        return
      case LEAVE:
        this.#stopped = true
        this.#effects.push({ type: 'emit', event: { type: 'stopped', time: this.#now } })
        for (const timer of [PROBE, PROBE_TIMEOUT, PROBE_END, GOSSIP, PUSH_PULL, RECONNECT, REAP, JOIN]) {
          this.#effects.push({ type: 'cancelTimer', id: timer })
        }
        for (const m of this.#members.values()) {
          if (m.suspicion !== undefined) this.#effects.push({ type: 'cancelTimer', id: `s:${m.name}` })
        }
        for (const seq of this.#pending.keys()) this.#effects.push({ type: 'cancelTimer', id: `r:${seq}` })
        return
    }
    if (id.startsWith('s:')) {
      this.#suspicionExpired(id.slice(2))
      return
    }
    if (id.startsWith('r:')) {
      this.#relayExpired(Number(id.slice(2)))
      return
    }
  }

  #receive(from: string, data: Uint8Array, stream: boolean): void {
    this.#stats.received++
    const opened = this.#envelope.open(data)
    if (!opened.ok) {
      this.#stats.dropped[opened.reason]++
      return
    }
    let messages: Message[]
    try {
      messages = decodeMessages(opened.body)
    } catch (error) {
      if (!isShoalError(error)) throw error
      this.#stats.dropped.malformed++
      return
    }
    for (const message of messages) this.#handle(from, message, stream)
  }

  #handle(from: string, m: Message, stream: boolean): void {
    switch (m.type) {
      case 'ping': {
        if (m.target !== this.#self.name) {
          this.#stats.dropped.misdirected++
          return
        }
        const source = this.#known(m.source, from)
        if (source !== undefined) {
          source.heard = this.#now
          this.#send(from, { type: 'ack', seq: m.seq })
          return
        }
        // A stranger gets a bare ack, no gossip: a forged source must not turn 40 bytes into 1,400.
        this.#transmit(from, [{ type: 'ack', seq: m.seq }], false)
        // Probed by a member we do not know: we restarted, or it joined past us. Exchange state.
        if (m.sourceAddress === from && this.#now - this.#lastUnknownPushPull >= this.#config.joinRetryMs) {
          this.#lastUnknownPushPull = this.#now
          this.#pushPull(from, true)
        }
        return
      }
      case 'indirectPing': {
        // Only for a member we know, about a member we know: nobody can aim our probes elsewhere.
        const source = this.#known(m.source, from)
        const target = this.#known(m.target, m.targetAddress)
        if (source === undefined || target === undefined) {
          this.#stats.dropped.misdirected++
          return
        }
        source.heard = this.#now
        if (this.#pending.size >= MAX_PENDING) {
          this.#stats.dropped.full++
          return
        }
        const seq = this.#nextSeq()
        this.#pending.set(seq, { replyTo: from, replySeq: m.seq, nack: m.nack })
        this.#setTimer(`r:${seq}`, this.#now + this.#config.probeTimeoutMs)
        this.#send(m.targetAddress, {
          type: 'ping',
          seq,
          target: m.target,
          source: this.#self.name,
          sourceAddress: this.#self.address,
        })
        return
      }
      case 'ack':
        this.#acked(m.seq)
        return
      case 'nack':
        if (m.seq === this.#probeSeq) this.#nacks++
        return
      case 'alive':
        this.#onAlive(m.name, m.address, m.incarnation, m.meta)
        return
      case 'suspect':
        this.#onSuspect(m.name, m.incarnation, m.from)
        return
      case 'dead':
        this.#onDead(m.name, m.incarnation, m.from)
        return
      case 'pushPull':
        // Full state goes over streams only: a forged datagram must not make us send it anywhere.
        if (!stream) {
          this.#stats.dropped.misdirected++
          return
        }
        this.#onPushPull(from, m.join, m.reply, m.members)
        return
    }
  }

  /** The member `name`, if we know it at `address` (and it is not ourselves). */
  #known(name: string, address: string): Member | undefined {
    const m = this.#members.get(name)
    return m !== undefined && m !== this.#self && m.address === address ? m : undefined
  }

  // --- probing ---------------------------------------------------------------------------------

  #probe(): void {
    const c = this.#config
    const scale = this.localHealth + 1
    this.#setTimer(PROBE, this.#now + c.probeIntervalMs * scale)
    if (this.#leaving || this.#probeSeq !== 0) return
    const target = this.#nextProbeTarget()
    if (target === undefined) return
    const seq = this.#nextSeq()
    this.#probeSeq = seq
    this.#probeTarget = target.name
    this.#expectedNacks = 0
    this.#nacks = 0
    this.#stats.probes++
    const ping: Message = {
      type: 'ping',
      seq,
      target: target.name,
      source: this.#self.name,
      sourceAddress: this.#self.address,
    }
    // Lifeguard's buddy system: tell a suspect at once, so it can refute.
    const extra: Message | undefined =
      target.state === 'suspect'
        ? { type: 'suspect', name: target.name, incarnation: target.incarnation, from: this.#self.name }
        : undefined
    this.#send(target.address, ping, extra)
    this.#setTimer(PROBE_TIMEOUT, this.#now + c.probeTimeoutMs * scale)
    this.#setTimer(PROBE_END, this.#now + c.probeIntervalMs * scale - 1)
  }

  #nextProbeTarget(): Member | undefined {
    // Suspects first: a probe carries the suspicion to the suspect (buddy system), which answers
    // with its refutation directly, so no member keeps a stale suspicion until it times out.
    while (this.#suspects.length > 0) {
      const m = this.#members.get(this.#suspects.shift() as string)
      if (m !== undefined && m.state === 'suspect') return m
    }
    for (let attempts = 0; attempts <= this.#names.length * 2 + 1; attempts++) {
      if (this.#probeIndex >= this.#probeOrder.length) {
        this.#probeOrder = this.#names.slice()
        shuffle(this.#probeOrder, this.#random)
        this.#probeIndex = 0
        if (this.#probeOrder.length === 0) return undefined
      }
      const m = this.#members.get(this.#probeOrder[this.#probeIndex++] as string)
      if (m !== undefined && (m.state === 'alive' || m.state === 'suspect')) return m
    }
    return undefined
  }

  #probeTimedOut(): void {
    if (this.#probeSeq === 0) return
    const target = this.#members.get(this.#probeTarget)
    if (target === undefined) return
    const helpers = this.#pickMembers(this.#config.indirectChecks, target.name, false)
    this.#expectedNacks = helpers.length
    for (const helper of helpers) {
      this.#send(helper.address, {
        type: 'indirectPing',
        seq: this.#probeSeq,
        target: target.name,
        targetAddress: target.address,
        source: this.#self.name,
        sourceAddress: this.#self.address,
        nack: true,
      })
    }
  }

  #probeEnded(): void {
    if (this.#probeSeq === 0) return
    const target = this.#members.get(this.#probeTarget)
    this.#stats.probesFailed++
    // Lifeguard: missing nacks mean our own links or our own process may be at fault.
    const missing = this.#expectedNacks > 0 ? this.#expectedNacks - this.#nacks : 1
    this.#changeAwareness(Math.max(0, missing))
    this.#endProbe()
    // Suspect it, or confirm the suspicion we heard (Lifeguard: confirmations shorten it), and
    // probe it again next period: once it can answer, the buddy probe fetches its refutation.
    if (target === undefined) return
    this.#onSuspect(target.name, target.incarnation, this.#self.name)
    if (target.state === 'suspect') this.#probeNext(target)
  }

  #acked(seq: number): void {
    if (seq === this.#probeSeq && seq !== 0) {
      this.#changeAwareness(-1)
      this.#endProbe()
      // A suspect that answers is alive even if its refutation has not reached us yet: its
      // suspicion starts over (unconfirmed, so at its longest) instead of running out.
      const target = this.#members.get(this.#probeTarget)
      if (target?.state === 'suspect') this.#suspect(target, this.#self.name)
      return
    }
    const relay = this.#pending.get(seq)
    if (relay === undefined) return
    this.#pending.delete(seq)
    this.#effects.push({ type: 'cancelTimer', id: `r:${seq}` })
    if (relay.replyTo !== undefined) this.#send(relay.replyTo, { type: 'ack', seq: relay.replySeq })
  }

  #relayExpired(seq: number): void {
    const relay = this.#pending.get(seq)
    if (relay === undefined) return
    this.#pending.delete(seq)
    if (relay.nack && relay.replyTo !== undefined)
      this.#send(relay.replyTo, { type: 'nack', seq: relay.replySeq })
  }

  #endProbe(): void {
    this.#probeSeq = 0
    this.#effects.push({ type: 'cancelTimer', id: PROBE_TIMEOUT }, { type: 'cancelTimer', id: PROBE_END })
  }

  #changeAwareness(delta: number): void {
    this.#awareness = Math.min(this.#config.awarenessMax - 1, Math.max(0, this.#awareness + delta))
  }

  // --- state changes ---------------------------------------------------------------------------

  #onAlive(name: string, address: string, incarnation: number, meta: Metadata): void {
    if (name === this.#self.name) {
      // Someone speaks for us with a newer incarnation (an old life of ours): outbid it.
      if (incarnation > this.#self.incarnation && !this.#leaving) this.#refute(incarnation)
      return
    }
    let m = this.#members.get(name)
    if (m === undefined) {
      if (this.#members.size >= this.#config.maxMembers) {
        this.#stats.dropped.full++
        return
      }
      m = {
        name,
        address,
        incarnation,
        state: 'alive',
        meta,
        since: this.#now,
        suspicion: undefined,
        heard: this.#now,
        index: this.#names.length,
      }
      this.#members.set(name, m)
      this.#names.push(name)
      this.#live++
      this.#emit('join', m)
      this.#broadcast(this.#aliveMessage(m))
      return
    }
    if (incarnation <= m.incarnation) return
    const wasAlive = m.state === 'alive'
    const changed = m.address !== address || !sameMeta(m.meta, meta)
    m.address = address
    m.meta = meta
    if (m.state === 'alive') {
      m.incarnation = incarnation
    } else {
      this.#setState(m, 'alive', incarnation)
    }
    if (!wasAlive) this.#emit('alive', m)
    else if (changed) this.#emit('update', m)
    this.#broadcast(this.#aliveMessage(m))
  }

  #onSuspect(name: string, incarnation: number, from: string): void {
    const m = this.#members.get(name)
    if (m === this.#self) {
      this.#accused(incarnation, from)
      return
    }
    if (m === undefined || incarnation < m.incarnation || m.state === 'dead' || m.state === 'left') return
    const message: Message = { type: 'suspect', name, incarnation, from }
    if (m.state === 'suspect' && m.suspicion !== undefined) {
      if (incarnation === m.incarnation && m.suspicion.confirm(from)) {
        this.#setTimer(`s:${name}`, m.suspicion.deadline)
        this.#broadcast(message)
      }
      return
    }
    this.#setState(m, 'suspect', incarnation)
    this.#suspect(m, from)
    this.#emit('suspect', m)
    this.#broadcast(message)
  }

  /** Queues a suspect to be probed ahead of the round robin (a few at a time). */
  #probeNext(m: Member): void {
    if (this.#suspects.length < MAX_PRIORITY_PROBES && !this.#suspects.includes(m.name))
      this.#suspects.push(m.name)
  }

  /** (Re)starts the suspicion of `m` raised by `from`, and probes `m` next. */
  #suspect(m: Member, from: string): void {
    const c = this.#config
    const min = c.suspicionMult * Math.max(1, Math.log10(Math.max(1, this.#live))) * c.probeIntervalMs
    const k = this.#live - 2 < c.suspicionMult - 2 ? 0 : c.suspicionMult - 2
    m.suspicion = new Suspicion(this.#now, min, min * c.suspicionMaxMult, k, from)
    this.#setTimer(`s:${m.name}`, m.suspicion.deadline)
    this.#probeNext(m)
  }

  #suspicionExpired(name: string): void {
    const m = this.#members.get(name)
    if (m === undefined || m.state !== 'suspect' || m.suspicion === undefined) return
    // It has probed us since the suspicion began: it runs, whatever the others say and whether
    // or not its refutation reached us. Suspect it afresh instead.
    if (m.heard > m.suspicion.start) {
      this.#suspect(m, this.#self.name)
      return
    }
    // Fired well after its deadline: this process was stalled (GC, a busy event loop), and a
    // refutation may be waiting unread behind this timer. Give the input a moment first.
    if (!m.suspicion.deferred && this.#now - m.suspicion.deadline > this.#config.probeTimeoutMs) {
      m.suspicion.deferred = true
      this.#setTimer(`s:${name}`, this.#now + this.#config.probeTimeoutMs)
      return
    }
    this.#onDead(name, m.incarnation, this.#self.name)
  }

  #onDead(name: string, incarnation: number, from: string): void {
    const m = this.#members.get(name)
    if (m === this.#self) {
      this.#accused(incarnation, from)
      return
    }
    if (m === undefined || incarnation < m.incarnation || m.state === 'dead' || m.state === 'left') return
    const state: MemberState = from === name ? 'left' : 'dead'
    this.#setState(m, state, incarnation)
    this.#emit(state, m)
    this.#broadcast({ type: 'dead', name, incarnation, from })
  }

  /**
   * Someone suspects us or declared us dead. At our incarnation or above: refute with a higher one.
   * Below it: we refuted already but the accuser has not heard, so say it again (memberlist
   * ignores such stale accusations and the accuser may time its suspicion out on a live member).
   * Either way the accuser also gets the refutation directly: under loss, gossip alone may miss
   * the one member whose timer is running.
   */
  #accused(incarnation: number, accuser: string): void {
    if (this.#leaving) return
    if (incarnation >= this.#self.incarnation) this.#refute(incarnation)
    else this.#broadcast(this.#aliveMessage(this.#self))
    const to = this.#members.get(accuser)
    if (to !== undefined && to !== this.#self) this.#send(to.address, this.#aliveMessage(this.#self))
  }

  #refute(incarnation: number): void {
    // u32 on the wire: at the top an accusation can no longer be outbid, only repeated against
    this.#self.incarnation = Math.min(Math.max(this.#self.incarnation, incarnation) + 1, MAX_INCARNATION)
    this.#stats.refutations++
    this.#changeAwareness(1)
    this.#broadcast(this.#aliveMessage(this.#self))
  }

  #setState(m: Member, state: MemberState, incarnation: number): void {
    const wasLive = m.state === 'alive' || m.state === 'suspect'
    const isLive = state === 'alive' || state === 'suspect'
    if (wasLive && !isLive) this.#live--
    else if (!wasLive && isLive) this.#live++
    if (m.suspicion !== undefined && state !== 'suspect') {
      m.suspicion = undefined
      this.#effects.push({ type: 'cancelTimer', id: `s:${m.name}` })
    }
    // A probe of a member that has just died or left has nothing more to tell.
    if (!isLive && this.#probeSeq !== 0 && this.#probeTarget === m.name) this.#endProbe()
    if (m.state !== state) m.since = this.#now
    m.state = state
    m.incarnation = incarnation
  }

  // --- gossip and anti-entropy -----------------------------------------------------------------

  #broadcast(message: Message): void {
    const name =
      message.type === 'alive' || message.type === 'suspect' || message.type === 'dead' ? message.name : ''
    this.#broadcasts.enqueue(name, message, encodedSize(message))
    if (!this.#gossipArmed) {
      this.#gossipArmed = true
      // at a random phase: members that learn the same news together do not gossip in lockstep
      const delay = 1 + Math.floor(this.#random.next() * this.#config.gossipIntervalMs)
      this.#setTimer(GOSSIP, this.#now + delay)
    }
  }

  #retransmitLimit(): number {
    return this.#config.retransmitMult * Math.ceil(Math.log10(this.#live + 1))
  }

  #gossip(): void {
    if (this.#broadcasts.size === 0) return
    const targets = this.#pickMembers(this.#config.gossipNodes, '', true)
    for (const target of targets) {
      const messages: Message[] = []
      this.#broadcasts.fill(
        messages,
        MAX_DATAGRAM_BODY - BODY_HEADER_BYTES,
        MAX_MESSAGES_PER_BODY,
        this.#retransmitLimit(),
      )
      if (messages.length === 0) return
      this.#transmit(target.address, messages, false)
    }
  }

  #pushPullInterval(): number {
    // memberlist's scaling: beyond 32 members the full-state exchange slows down logarithmically.
    const n = this.#live
    const scale = n <= 32 ? 1 : Math.ceil(Math.log2(n) - Math.log2(32)) + 1
    return this.#config.pushPullIntervalMs * scale
  }

  #pushPullRandom(): void {
    if (this.#leaving) return
    const [peer] = this.#pickMembers(1, '', false)
    if (peer !== undefined) this.#pushPull(peer.address, false)
  }

  #reconnect(): void {
    if (this.#leaving) return
    if (this.#live <= 1) {
      if (this.#seeds.length > 0) this.#join()
    }
    // Partition healing: try one member we believe dead; if it is alive it will refute.
    const dead = this.#pickDead()
    if (dead !== undefined) this.#pushPull(dead.address, false)
  }

  #join(): void {
    if (this.#leaving) return
    for (const seed of this.#seeds) if (seed !== this.#self.address) this.#pushPull(seed, true)
    if (this.#live <= 1 && this.#seeds.length > 0) {
      this.#setTimer(JOIN, this.#now + this.#jitter(this.#joinDelay))
      this.#joinDelay = Math.min(this.#joinDelay * 2, this.#config.reconnectIntervalMs)
    }
  }

  #pushPull(address: string, join: boolean): void {
    this.#stats.pushPulls++
    this.#sendStream(address, { type: 'pushPull', join, reply: false, members: this.#records() })
  }

  #onPushPull(from: string, join: boolean, reply: boolean, records: readonly MemberRecord[]): void {
    for (const r of records) {
      switch (r.state) {
        case 'alive':
          this.#onAlive(r.name, r.address, r.incarnation, r.meta)
          break
        case 'suspect':
          this.#onSuspect(r.name, r.incarnation, this.#self.name)
          break
        case 'left':
          this.#onDead(r.name, r.incarnation, r.name)
          break
        case 'dead':
          // Another member's belief that someone died is only a reason to suspect it: it may
          // have come back on our side of a partition.
          if (r.name === this.#self.name) this.#accused(r.incarnation, '')
          else this.#onSuspect(r.name, r.incarnation, this.#self.name)
          break
      }
    }
    if (!reply) this.#sendStream(from, { type: 'pushPull', join, reply: true, members: this.#records() })
    if (this.#live > 1) this.#effects.push({ type: 'cancelTimer', id: JOIN })
    // Members that started with us may have joined the seed after it answered: exchange state once
    // more soon after joining instead of a whole push-pull interval later.
    if (join && reply && !this.#joined) {
      this.#joined = true
      this.#setTimer(PUSH_PULL, this.#now + this.#jitter(2 * this.#config.joinRetryMs))
    }
  }

  #records(): MemberRecord[] {
    const out: MemberRecord[] = []
    for (const m of this.#members.values()) {
      out.push({ name: m.name, address: m.address, incarnation: m.incarnation, state: m.state, meta: m.meta })
    }
    return out
  }

  #reap(): void {
    const limit = this.#now - this.#config.deadRetentionMs
    for (const m of [...this.#members.values()]) {
      if ((m.state === 'dead' || m.state === 'left') && m.since <= limit) this.#forget(m)
    }
  }

  #forget(m: Member): void {
    this.#members.delete(m.name)
    this.#broadcasts.remove(m.name)
    const last = this.#names.pop() as string
    if (last !== m.name) {
      this.#names[m.index] = last
      ;(this.#members.get(last) as Member).index = m.index
    }
  }

  // --- sending ---------------------------------------------------------------------------------

  #send(address: string, message: Message, extra?: Message): void {
    const messages: Message[] = [message]
    let budget = MAX_DATAGRAM_BODY - BODY_HEADER_BYTES - encodedSize(message)
    if (extra !== undefined) {
      messages.push(extra)
      budget -= encodedSize(extra)
    }
    this.#broadcasts.fill(messages, budget, MAX_MESSAGES_PER_BODY, this.#retransmitLimit())
    this.#transmit(address, messages, false)
  }

  #sendStream(address: string, message: Message): void {
    this.#transmit(address, [message], true)
  }

  #transmit(address: string, messages: readonly Message[], reliable: boolean): void {
    const data = this.#envelope.seal(encodeMessages(messages))
    this.#stats.sent++
    this.#stats.bytesSent += data.length
    if (reliable) {
      this.#stats.sentStream++
      this.#effects.push({ type: 'send', to: address, data, reliable: true })
    } else {
      this.#effects.push({ type: 'send', to: address, data })
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  #aliveMessage(m: Member): Message {
    return { type: 'alive', name: m.name, address: m.address, incarnation: m.incarnation, meta: m.meta }
  }

  #emit(type: MemberEventType, m: Member): void {
    this.#effects.push({ type: 'emit', event: { type, member: snapshot(m), time: this.#now } })
  }

  #setTimer(id: string, at: number): void {
    this.#effects.push({ type: 'setTimer', id, at })
  }

  #nextSeq(): number {
    this.#seq = this.#seq >= 0xffffffff ? 1 : this.#seq + 1
    return this.#seq
  }

  #jitter(ms: number): number {
    return Math.floor(ms * (0.75 + this.#random.next() * 0.5))
  }

  /**
   * Up to `count` distinct random members other than ourselves and `exclude`: live ones, and with
   * `withRecentlyDead` also those dead for less than `gossipToTheDeadMs` (so they learn of it).
   */
  #pickMembers(count: number, exclude: string, withRecentlyDead: boolean): Member[] {
    const names = this.#names
    const out: Member[] = []
    const n = names.length
    if (n === 0 || count <= 0) return out
    const deadSince = this.#now - this.#config.gossipToTheDeadMs
    const eligible = (m: Member): boolean =>
      m.name !== exclude &&
      (m.state === 'alive' ||
        m.state === 'suspect' ||
        (withRecentlyDead && m.state === 'dead' && m.since > deadSince)) &&
      !out.includes(m)
    // Random draws first (cheap when most members are eligible), then a scan from a random start.
    for (let tries = 0; tries < count * 3 && out.length < count; tries++) {
      const m = this.#members.get(names[Math.floor(this.#random.next() * n)] as string) as Member
      if (eligible(m)) out.push(m)
    }
    if (out.length < count) {
      const start = Math.floor(this.#random.next() * n)
      for (let i = 0; i < n && out.length < count; i++) {
        const m = this.#members.get(names[(start + i) % n] as string) as Member
        if (eligible(m)) out.push(m)
      }
    }
    return out
  }

  #pickDead(): Member | undefined {
    const names = this.#names
    const n = names.length
    if (n === 0) return undefined
    const start = Math.floor(this.#random.next() * n)
    for (let i = 0; i < n; i++) {
      const m = this.#members.get(names[(start + i) % n] as string) as Member
      if (m.state === 'dead') return m
    }
    return undefined
  }
}

function snapshot(m: Member): MemberSnapshot {
  return {
    name: m.name,
    address: m.address,
    state: m.state,
    incarnation: m.incarnation,
    meta: m.meta,
    since: m.since,
  }
}

function sameMeta(a: Metadata, b: Metadata): boolean {
  if (a === b) return true
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  for (const k of ka) if (a[k] !== b[k]) return false
  return true
}

function shuffle(array: string[], random: Random): void {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1))
    const t = array[i] as string
    array[i] = array[j] as string
    array[j] = t
  }
}
