/**
 * The state of a health-checked target as its consumers (balancers, DNS answer pools, membership
 * metadata) see it: `up` takes traffic, `draining` keeps what it has but takes no new work,
 * `down` takes nothing.
 */
export type TargetState = 'up' | 'down' | 'draining'

/** One change of a target's state, with why and when. */
export interface TargetStateChange {
  /** The target's identifier, as its consumer names it (a backend or answer id). */
  readonly target: string
  /** The new state. */
  readonly state: TargetState
  /** The state before this change, `undefined` for the first report of a target. */
  readonly previous: TargetState | undefined
  /** A short reason a person can read: `"3 of 3 checks passed"`, `"admin: drain"`, … */
  readonly reason: string
  /** When the change happened, in milliseconds of the source's clock. */
  readonly time: number
}

/**
 * A stream of target states, the small interface through which `@shoal/balance`, `@shoal/dns` and
 * membership metadata read health without importing a health checker: `@shoal/health` implements
 * it, and so can a file watcher or a test.
 */
export interface HealthSource {
  /** The current state of `target`, or `undefined` while it has none (unknown, or not yet checked). */
  stateOf(target: string): TargetState | undefined
  /**
   * Calls `listener` on every later change of any target's state, synchronously and in order.
   *
   * @returns a function that stops the calls
   */
  subscribe(listener: (change: TargetStateChange) => void): () => void
}
