import type { Cluster } from '../cluster.js'

/**
 * Where a load figure comes from. `local` is this process's own view (in-flight requests,
 * latency it measured): always current. `shared` is what backends announced (mod_backhand's
 * broadcasts, ORCA reports) and `probe` what a prober measured: both are snapshots that age.
 */
export type LoadSource = 'local' | 'shared' | 'probe'

/**
 * A load signal: the cost of sending one more request to a backend, lower is better. Load-aware
 * pickers and stages compare candidates by it.
 */
export interface LoadSignal {
  /** A short name for traces and errors. */
  readonly name: string
  /** Where the figure comes from. */
  readonly source: LoadSource
  /**
   * True when a snapshot is corrected with the picks this process sent since it was taken, so it
   * does not go on looking idle while everyone piles onto it.
   */
  readonly corrected: boolean
  /** The cost of one more request to `slot` at time `now` (milliseconds of the cluster clock). */
  cost(cluster: Cluster<unknown>, slot: number, now: number): number
  /** True when {@link LoadSignal.cost} reads `now` (the caller then reads the clock once per pick). */
  readonly readsTime: boolean
}

/**
 * True for a signal that goes stale between snapshots: taking the minimum over all backends by it
 * sends every request of the interval to the same backend (Mitzenmacher, "How useful is old
 * information?", IEEE TPDS 2000).
 */
export function isStale(signal: LoadSignal): boolean {
  return signal.source !== 'local' && !signal.corrected
}

const inflightSignal: LoadSignal = {
  name: 'inflight',
  source: 'local',
  corrected: false,
  readsTime: false,
  cost: (cluster, slot) => (cluster.inflight[slot] as number) + 1,
}

/** This process's requests in flight to each backend, plus the one being placed (Envoy's least request). */
export function inflight(): LoadSignal {
  return inflightSignal
}

const peakEwmaSignal: LoadSignal = {
  name: 'peak-ewma',
  source: 'local',
  corrected: false,
  readsTime: true,
  cost: (cluster, slot, now) => cluster.latencyOf(slot, now) * ((cluster.inflight[slot] as number) + 1),
}

/**
 * Peak-EWMA latency × (in-flight + 1), Finagle's and Linkerd's latency-aware load: a latency spike
 * counts at once, recovery blends in over the cluster's `latencyDecayMs`.
 */
export function peakEwma(): LoadSignal {
  return peakEwmaSignal
}

/** Options of {@link shared} and {@link probed}. */
export interface ReportedSignalOptions {
  /**
   * Add the picks this process sent since the report to the reported load (default `true`).
   * Without it the signal is stale, and a minimum over all backends by it is refused.
   */
  readonly predict?: boolean | undefined
}

function reported(source: 'shared' | 'probe', options: ReportedSignalOptions): LoadSignal {
  const predict = options.predict ?? true
  const code = source === 'shared' ? 1 : 2
  return {
    name: predict ? `${source}+predicted` : source,
    source,
    corrected: predict,
    readsTime: false,
    cost(cluster, slot) {
      if (cluster.reportSource[slot] !== code) return Number.POSITIVE_INFINITY
      const load = cluster.reportedLoad[slot] as number
      return predict ? load + (cluster.sentSinceReport[slot] as number) + 1 : load + 1
    },
  }
}

/**
 * The load backends announced (`cluster.report(id, { load })`), optionally corrected with what
 * this process sent since. Backends that never reported cost `Infinity`.
 */
export function shared(options: ReportedSignalOptions = {}): LoadSignal {
  return reported('shared', options)
}

/** The load a prober measured (`cluster.report(id, { load, source: 'probe' })`), like {@link shared}. */
export function probed(options: ReportedSignalOptions = {}): LoadSignal {
  return reported('probe', options)
}
