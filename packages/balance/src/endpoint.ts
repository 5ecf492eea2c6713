/**
 * What a user says about a backend: its stable identity (used for hashing, so the same id maps
 * the same keys in every process) and the attributes stages read.
 */
export interface Endpoint<M = Readonly<Record<string, string>>> {
  /** Stable identity, e.g. `"10.0.0.7:8080"`: keyed pickers hash it, so it must not change across restarts. */
  readonly id: string
  /** Relative capacity, a positive finite number (default 1). */
  readonly weight?: number | undefined
  /** Locality (`"eu-west-1a"`, or region/zone joined), read by {@link byZone}. */
  readonly zone?: string | undefined
  /** Priority tier: 0 is preferred, higher tiers are backups (default 0), read by {@link byPriority}. */
  readonly priority?: number | undefined
  /** Anything else stages match on (subset labels, host names), read by {@link bySubset}. */
  readonly meta?: M | undefined
}

/**
 * A backend as a {@link Cluster} holds it: the endpoint as last given, and the slot that indexes its
 * state (in-flight count, latency, health) in the cluster's typed arrays. `pick` returns these
 * objects, so a pick allocates nothing; hand the same object back to `done`.
 */
export interface Backend<M = Readonly<Record<string, string>>> {
  /** The endpoint's id. */
  readonly id: string
  /** Index of this backend's state in the cluster's arrays; reused only after removal and drain. */
  readonly slot: number
  /** The endpoint as last added or updated. */
  readonly endpoint: Endpoint<M>
  /** `false` once removed from its cluster (a pick never returns a removed backend). */
  readonly live: boolean
}
