import type { NodeEffect, NodeInput, ProtocolCore, Random } from '@shoal/core'

export type { NodeEffect, NodeInput, ProtocolCore }

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
