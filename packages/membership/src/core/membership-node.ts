import type { Random } from '@shoal/core'
import { MembershipCore, type MembershipCoreOptions } from './membership-core.js'

/** What a simulator hands a node factory (`@shoal/netsim`'s `NodeEnv` has these and more). */
export interface SimulatedNodeEnv {
  /** The node's name, also its address on the simulated network. */
  readonly name: string
  /** The node's own seeded random source. */
  readonly random: Random
  /** Virtual time at which this incarnation starts. */
  readonly now: number
}

/**
 * A node factory for `@shoal/netsim`: each (re)start of the node builds a fresh
 * {@link MembershipCore} named and addressed by the node's name, with the node's random source.
 * `onCore` sees every core built, to inspect members and counters from a test.
 *
 * @example
 * ```ts
 * import { Simulation } from '@shoal/netsim'
 * const sim = new Simulation<MembershipCall, MembershipEvent>({ seed: 1 })
 * for (const name of ['a', 'b', 'c']) sim.add(name, membershipNode({ seeds: ['a'], profile: 'local' }))
 * sim.runFor(5_000)
 * ```
 */
export function membershipNode(
  options: Omit<MembershipCoreOptions, 'name' | 'address' | 'random' | 'now'> = {},
  onCore?: (core: MembershipCore) => void,
): (env: SimulatedNodeEnv) => MembershipCore {
  return ({ name, random, now }) => {
    const core = new MembershipCore({ ...options, name, address: name, random, now })
    onCore?.(core)
    return core
  }
}
