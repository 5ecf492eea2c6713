import type { UniqueCountSummary } from './unique-count.js'

/** A row of a top-N table: the estimate and the bounds the true count lies within. */
export interface TopRow {
  /** The key (a normalised path, a client, a site…). */
  readonly key: string
  /** Estimated count (exact while the table has not had to drop keys). */
  readonly count: number
  /** The true count is at least this. */
  readonly lowerBound: number
  /** The true count is at most this. */
  readonly upperBound: number
}

/** Latency quantiles, in microseconds, each within the sketch's relative accuracy. */
export interface LatencySummary {
  readonly count: number
  readonly mean: number
  readonly p50: number
  readonly p90: number
  readonly p95: number
  readonly p99: number
  readonly max: number
}

/** Everything {@link WebStats} knows, as plain JSON-serialisable data. */
export interface WebStatsReport {
  /** Valid requests (parsed lines). */
  readonly requests: number
  /** Lines that failed to parse. */
  readonly failedLines: number
  /** Failed lines by reason. */
  readonly failedByReason: Readonly<Record<string, number>>
  /** The most recent failed line, when one was given. */
  readonly lastFailure: { readonly reason: string; readonly sample: string } | null
  /** Response body bytes, summed. */
  readonly bandwidth: number
  /** Requests by status code. */
  readonly statusCodes: Readonly<Record<string, number>>
  /** Requests by status class (`1xx` … `5xx`). */
  readonly statusClasses: Readonly<Record<'1xx' | '2xx' | '3xx' | '4xx' | '5xx', number>>
  /** Unique visitors: distinct (client, day, user agent), as GoAccess counts them. */
  readonly uniqueVisitors: UniqueCountSummary
  /** Most requested paths (normalised). */
  readonly paths: readonly TopRow[]
  /** Most requested paths answered 404. */
  readonly notFound: readonly TopRow[]
  /** Most active clients. */
  readonly clients: readonly TopRow[]
  /** Most frequent referring sites (other than none). */
  readonly referringSites: readonly TopRow[]
  /** Most frequent user-agent families (browsers and crawlers). */
  readonly userAgents: readonly TopRow[]
  /** Most requested virtual hosts (empty when the format has none). */
  readonly virtualHosts: readonly TopRow[]
  /** Latency quantiles, or null when the records carry no duration. */
  readonly latency: LatencySummary | null
  /** Earliest and latest request time seen (epoch ms), or null before any. */
  readonly firstTime: number | null
  readonly lastTime: number | null
}
