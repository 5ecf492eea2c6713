/**
 * The sans-IO protocol contract (DESIGN rule 1), shared by every protocol core, its Node adapter
 * and `@shoal/netsim`.
 */

/**
 * What a sans-IO protocol core is given: a datagram (or a stream message) from a peer, a timer it set firing, a call
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
  | {
      readonly type: 'datagram'
      readonly from: string
      readonly data: Uint8Array
      /** It came over a reliable stream (TCP in production; a `reliable` send in simulation). */
      readonly reliable?: boolean | undefined
    }
  | { readonly type: 'timer'; readonly id: string }
  | { readonly type: 'app'; readonly call: A }

/**
 * What a sans-IO protocol core asks its driver to do: send a datagram (or, with `reliable`, a
 * message over a stream), set or cancel a timer
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
  | {
      readonly type: 'send'
      readonly to: string
      readonly data: Uint8Array
      /**
       * Send over a reliable stream (TCP in production) rather than as a datagram: not lost or
       * duplicated at random, but still dropped by partitions, cut links and crashes.
       */
      readonly reliable?: boolean | undefined
    }
  | { readonly type: 'setTimer'; readonly id: string; readonly at: number }
  | { readonly type: 'cancelTimer'; readonly id: string }
  | { readonly type: 'emit'; readonly event: E }

/**
 * A sans-IO protocol core (DESIGN rule 1): a state machine that takes the current time and one
 * input and returns the effects to carry out. It reads no clock, draws no randomness of its own
 * and does no I/O; the driver (a Node adapter in production, `@shoal/netsim`'s `Simulation` in tests) does.
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
