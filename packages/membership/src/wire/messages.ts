/** A member's state as the cluster sees it. `left` is a graceful leave, `dead` a failure. */
export type MemberState = 'alive' | 'suspect' | 'dead' | 'left'

/**
 * A member's metadata: a small key/value map the member owns. Its version is the member's
 * incarnation: publishing new metadata bumps the incarnation, so the newest map wins everywhere.
 */
export type Metadata = Readonly<Record<string, string>>

/** One member's whole state, as exchanged by push-pull. */
export interface MemberRecord {
  /** The member's unique name. */
  readonly name: string
  /** Where the member is reached (`host:port`, or a node name in simulation). */
  readonly address: string
  /** The member's incarnation number: only the member raises it (refutation, metadata, rejoin). */
  readonly incarnation: number
  /** The member's state. */
  readonly state: MemberState
  /** The member's metadata at this incarnation. */
  readonly meta: Metadata
}

/**
 * One protocol message. A datagram carries one or more (a compound: the message itself and
 * piggybacked gossip); a stream (push-pull) carries one `pushPull`.
 */
export type Message =
  /** Direct probe: answer with an `ack` of the same `seq` if you are `target`. */
  | {
      readonly type: 'ping'
      readonly seq: number
      readonly target: string
      readonly source: string
      readonly sourceAddress: string
    }
  /** Indirect probe: ping `target` for `source` and relay the ack; with `nack`, say so if none came. */
  | {
      readonly type: 'indirectPing'
      readonly seq: number
      readonly target: string
      readonly targetAddress: string
      readonly source: string
      readonly sourceAddress: string
      readonly nack: boolean
    }
  /** Answer to a `ping` (or relayed for an `indirectPing`). */
  | { readonly type: 'ack'; readonly seq: number }
  /** An intermediary could not reach the target of an `indirectPing` (Lifeguard). */
  | { readonly type: 'nack'; readonly seq: number }
  /** `name` is alive at `incarnation`, at `address`, with `meta`. */
  | {
      readonly type: 'alive'
      readonly name: string
      readonly address: string
      readonly incarnation: number
      readonly meta: Metadata
    }
  /** `from` suspects `name` at `incarnation`. */
  | { readonly type: 'suspect'; readonly name: string; readonly incarnation: number; readonly from: string }
  /** `from` declares `name` dead at `incarnation`; `from === name` is a graceful leave. */
  | { readonly type: 'dead'; readonly name: string; readonly incarnation: number; readonly from: string }
  /** Full-state exchange (anti-entropy); `join` on a join, `reply` on the answer. */
  | {
      readonly type: 'pushPull'
      readonly join: boolean
      readonly reply: boolean
      readonly members: readonly MemberRecord[]
    }

/** The `type` of a {@link Message}. */
export type MessageType = Message['type']
