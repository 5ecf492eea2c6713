import type { MemberState, Metadata } from '../wire/messages.js'

/** One member as this member sees it. */
export interface MemberSnapshot {
  /** The member's unique name. */
  readonly name: string
  /** Where it is reached. */
  readonly address: string
  /** Its state. */
  readonly state: MemberState
  /** Its incarnation number. */
  readonly incarnation: number
  /** Its metadata. */
  readonly meta: Metadata
  /** When (this member's clock, ms) the state last changed. */
  readonly since: number
}

/**
 * A change in the membership: `join` (first seen alive, or back after being forgotten), `alive`
 * (back from suspect or dead: a refutation or a rejoin), `suspect`, `dead`, `left` (a graceful
 * leave) and `update` (new metadata or address at a new incarnation).
 */
export type MemberEventType = 'join' | 'alive' | 'suspect' | 'dead' | 'left' | 'update'

/** A membership change, as emitted by the core and the adapter. */
export interface MemberEvent {
  /** What happened. */
  readonly type: MemberEventType
  /** The member after the change. */
  readonly member: MemberSnapshot
  /** When (ms, the driver's clock). */
  readonly time: number
}

/** The leave finished propagating; the core is now inert. */
export interface StoppedEvent {
  /** `'stopped'` */
  readonly type: 'stopped'
  /** When (ms, the driver's clock). */
  readonly time: number
}

/** What the core emits. */
export type MembershipEvent = MemberEvent | StoppedEvent

/** What the application asks of the core (through the adapter or a simulation's `call`). */
export type MembershipCall =
  /** Contact these addresses (push-pull over a stream) and keep trying while alone. */
  | { readonly type: 'join'; readonly seeds: readonly string[] }
  /** Announce a graceful leave, gossip it for `leavePropagateMs`, then stop (`stopped` event). */
  | { readonly type: 'leave' }
  /** Publish new metadata (a new incarnation). */
  | { readonly type: 'setMeta'; readonly meta: Metadata }
  /** Feed this process's event-loop delay (ms, e.g. a p99) into Lifeguard's local health. */
  | { readonly type: 'loopDelay'; readonly delayMs: number }

/**
 * Why a datagram or message was dropped: the envelope's reasons (`short`, `magic`, `cluster`,
 * `encryption`, `auth`), `malformed` (it would not decode), `misdirected` (a probe for another
 * member, a probe request from or about a member we do not know at that address, a full-state
 * exchange outside a stream) and `full` (a table at its bound).
 */
export type MembershipDropReason =
  | 'short'
  | 'magic'
  | 'cluster'
  | 'encryption'
  | 'auth'
  | 'malformed'
  | 'misdirected'
  | 'full'

/** The core's counters. */
export interface MembershipStats {
  /** Datagrams and stream messages sent. */
  sent: number
  /** Stream (push-pull) messages among `sent`. */
  sentStream: number
  /** Bytes sent. */
  bytesSent: number
  /** Datagrams and stream messages received (before any check). */
  received: number
  /** Dropped input by reason. */
  dropped: Record<MembershipDropReason, number>
  /** Probes started. */
  probes: number
  /** Probes that got no ack, directly or indirectly. */
  probesFailed: number
  /** Times this member refuted a suspicion or death of itself. */
  refutations: number
  /** Push-pull exchanges started. */
  pushPulls: number
}

/** Counters at zero (internal: the core starts from it, the adapter reports it before start). */
export function emptyMembershipStats(): MembershipStats {
  return {
    sent: 0,
    sentStream: 0,
    bytesSent: 0,
    received: 0,
    dropped: {
      short: 0,
      magic: 0,
      cluster: 0,
      encryption: 0,
      auth: 0,
      malformed: 0,
      misdirected: 0,
      full: 0,
    },
    probes: 0,
    probesFailed: 0,
    refutations: 0,
    pushPulls: 0,
  }
}
