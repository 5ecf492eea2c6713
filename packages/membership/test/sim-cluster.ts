import { type LinkOptions, Simulation } from '@shoal/netsim'
import type { MembershipConfig, ProfileName } from '../src/core/config.js'
import type { MemberEvent, MembershipCall, MembershipEvent } from '../src/core/events.js'
import type { MembershipCore } from '../src/core/membership-core.js'
import { membershipNode } from '../src/core/membership-node.js'
import type { Envelope } from '../src/wire/envelope.js'

/** A simulated cluster of membership cores named m0, m1, …; everyone seeds m0 and m1. */
export interface SimCluster {
  readonly sim: Simulation<MembershipCall, MembershipEvent>
  readonly names: string[]
  /** The core currently running as `name` (replaced at each restart). */
  core(name: string): MembershipCore
}

export interface SimClusterOptions {
  readonly seed: number
  readonly size: number
  readonly profile?: ProfileName
  readonly config?: Partial<MembershipConfig>
  readonly link?: LinkOptions
  readonly trace?: 'full' | 'hash' | 'off'
  readonly envelope?: (name: string) => Envelope
}

export function simCluster(options: SimClusterOptions): SimCluster {
  const sim = new Simulation<MembershipCall, MembershipEvent>({
    seed: options.seed,
    trace: options.trace ?? 'off',
    link: options.link ?? { delay: { kind: 'uniform', min: 0.1, max: 2 } },
  })
  const names = Array.from({ length: options.size }, (_, i) => `m${i}`)
  const cores = new Map<string, MembershipCore>()
  for (const name of names) {
    const envelope = options.envelope?.(name)
    const node = membershipNode(
      {
        profile: options.profile ?? 'lan',
        config: options.config,
        seeds: ['m0', 'm1'],
        ...(envelope === undefined ? {} : { envelope }),
      },
      (core) => cores.set(name, core),
    )
    sim.add(name, node)
  }
  return {
    sim,
    names,
    core: (name) => {
      const core = cores.get(name)
      if (core === undefined) throw new Error(`no core ${name}`)
      return core
    },
  }
}

/** Member events only (not `stopped`). */
export function memberEvents(
  sim: Simulation<MembershipCall, MembershipEvent>,
): { time: number; node: string; incarnation: number; event: MemberEvent }[] {
  const out: { time: number; node: string; incarnation: number; event: MemberEvent }[] = []
  for (const e of sim.history) if (e.event.type !== 'stopped') out.push(e as (typeof out)[number])
  return out
}

/** True when every listed live node sees exactly `expected` alive (and no one else alive or suspect). */
export function viewsAgree(
  cluster: SimCluster,
  live: readonly string[],
  expected: readonly string[],
): boolean {
  const want = [...expected].sort().join(',')
  for (const name of live) {
    const seen = cluster
      .core(name)
      .members()
      .filter((m) => m.state === 'alive' || m.state === 'suspect')
      .map((m) => m.name)
      .sort()
      .join(',')
    if (seen !== want) return false
  }
  return true
}

/** Runs until `predicate` holds (checked every `stepMs`) or `withinMs` passes; returns the time it held, or undefined. */
export function runUntil(
  cluster: SimCluster,
  predicate: () => boolean,
  withinMs: number,
  stepMs = 50,
): number | undefined {
  const end = cluster.sim.now + withinMs
  while (cluster.sim.now < end) {
    if (predicate()) return cluster.sim.now
    cluster.sim.runFor(stepMs)
  }
  return predicate() ? cluster.sim.now : undefined
}
