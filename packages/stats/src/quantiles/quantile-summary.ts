/** A few quantiles of a sketch, for summaries; each is `null` when the sketch is empty. */
export interface QuantileSummary {
  /** The median. */
  readonly p50: number | null
  /** The 90th percentile. */
  readonly p90: number | null
  /** The 95th percentile. */
  readonly p95: number | null
  /** The 99th percentile. */
  readonly p99: number | null
  /** The 99.9th percentile. */
  readonly p999: number | null
}
