/**
 * What {@link WebStats} reads from an access-log record. It is structural: records parsed by
 * `@shoal/logs` fit as they are, and so does any object with these fields; no import needed.
 */
export interface WebRecord {
  /** When the request was received, epoch milliseconds. */
  readonly time?: number | null | undefined
  /** The final status. */
  readonly status?: number | null | undefined
  /** Response body bytes. */
  readonly bytes?: number | null | undefined
  /** The client as logged (`%h`, `$remote_addr`). */
  readonly remoteHost?: string | null | undefined
  /** The client IP after mod_remoteip (`%a`), preferred over `remoteHost` when present. */
  readonly clientIp?: string | null | undefined
  /** The user agent. */
  readonly userAgent?: string | null | undefined
  /** The referrer URL. */
  readonly referer?: string | null | undefined
  /** The request target (path and query), from `%r` or `$request_uri`. */
  readonly target?: string | null | undefined
  /** The path without query (`%U`, `$uri`), used when there is no target. */
  readonly path?: string | null | undefined
  /** The virtual host (`%v`). */
  readonly virtualHost?: string | null | undefined
  /** Time taken to serve the request, in microseconds (`%D`, `$request_time`). */
  readonly duration?: number | null | undefined
}
