import type { Random } from '@shoal/core'

/**
 * What a sans-IO protocol core is given: a datagram from a peer, a timer it set firing, a call
 * from its application, or `start` (the first input of every incarnation).
 *
 * @typeParam A - the application calls the core accepts
 * @example
 * ```ts
 * const input: NodeInput<string> = { type: 'datagram', from: 'b', data: new Uint8Array([1]) }
 * ```
 */
export type NodeInput<A = unknown> =
  | { readonly type: 'start' }
  | { readonly type: 'datagram'; readonly from: string; readonly data: Uint8Array }
  | { readonly type: 'timer'; readonly id: string }
  | { readonly type: 'app'; readonly call: A }

/**
 * What a sans-IO protocol core asks its driver to do: send a datagram, set or cancel a timer
 * (setting an id that is already set replaces it), or emit an event to its application.
 *
 * @typeParam E - the events the core emits
 * @example
 * ```ts
 * const effects: NodeEffect<string>[] = [
 *   { type: 'send', to: 'b', data: new Uint8Array([1]) },
 *   { type: 'setTimer', id: 'probe', at: 1000 },
 *   { type: 'emit', event: 'probing' },
 * ]
 * ```
 */
export type NodeEffect<E = unknown> =
  | { readonly type: 'send'; readonly to: string; readonly data: Uint8Array }
  | { readonly type: 'setTimer'; readonly id: string; readonly at: number }
  | { readonly type: 'cancelTimer'; readonly id: string }
  | { readonly type: 'emit'; readonly event: E }

/**
 * A sans-IO protocol core (DESIGN rule 1): a state machine that takes the current time and one
 * input and returns the effects to carry out. It reads no clock, draws no randomness of its own
 * and does no I/O; the driver (a Node adapter in production, {@link Simulation} in tests) does.
 *
 * @typeParam A - the application calls the core accepts
 * @typeParam E - the events the core emits
 * @example
 * ```ts
 * const echo: ProtocolCore<never, string> = {
 *   step(_now, input) {
 *     return input.type === 'datagram' ? [{ type: 'send', to: input.from, data: input.data }] : []
 *   },
 * }
 * ```
 */
export interface ProtocolCore<A = unknown, E = unknown> {
  /**
   * Takes one input at virtual or real time `now` (ms) and returns the effects, in order. The
   * driver carries the effects out before it calls `step` again, so a core may reuse the array
   * (and the effect objects) it returns.
   */
  step(now: number, input: NodeInput<A>): readonly NodeEffect<E>[]
}

/**
 * What a {@link NodeFactory} is given to build one incarnation of a node.
 *
 * @example
 * ```ts
 * const factory: NodeFactory = (env: NodeEnv) => ({ step: () => (env.incarnation > 1 ? [] : []) })
 * ```
 */
export interface NodeEnv {
  /** The node's name, which is also its address on the simulated network. */
  readonly name: string
  /** A seeded random source of this incarnation's own (forked from the simulation's). */
  readonly random: Random
  /** Virtual time (ms) at which this incarnation is built. */
  readonly now: number
  /** 1 for the first start, one more at each restart. */
  readonly incarnation: number
}

/**
 * Builds a fresh core for each incarnation of a node (first start and every restart).
 *
 * @example
 * ```ts
 * const factory: NodeFactory<never, string> = ({ name }) => ({
 *   step: (_now, input) => (input.type === 'start' ? [{ type: 'emit', event: `${name} up` }] : []),
 * })
 * ```
 */
export type NodeFactory<A = unknown, E = unknown> = (env: NodeEnv) => ProtocolCore<A, E>
