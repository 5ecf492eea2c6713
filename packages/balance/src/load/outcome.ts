/** How a request sent to a backend ended, as a balancer's `done` callback reports it. */
export interface Outcome {
  /** Whether it succeeded (default `true`). A 5xx, a reset or a timeout is a failure. */
  readonly ok?: boolean | undefined
  /** Time from pick to completion, in milliseconds; feeds latency-aware signals. */
  readonly latencyMs?: number | undefined
  /** A gateway failure (502/503/504, connect error): counted separately, as Envoy's outlier detector does. */
  readonly gatewayFailure?: boolean | undefined
}

/** A load announcement from a backend or a probe (mod_backhand's serverstat, an ORCA report). */
export interface LoadReport {
  /** The load, in the unit the announcing side uses (queued requests, busy workers…); lower is better. */
  readonly load?: number | undefined
  /** Resource utilizations in [0, 1] by name (`cpu`, `memory`, `connections`), read by {@link byCost}. */
  readonly resources?: Readonly<Record<string, number>> | undefined
  /** When the report was measured, in the cluster clock's milliseconds (default: now). */
  readonly at?: number | undefined
  /** Where it came from: announced by the backend to the group (`shared`, default) or measured by a probe. */
  readonly source?: 'shared' | 'probe' | undefined
}
