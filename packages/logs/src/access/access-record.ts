/**
 * A record of an access-log line. Which properties are present depends on the format: each
 * directive or variable fills one (see the package README for the table), always in the same
 * order, so records of one format share one shape. Missing values (`-`) are `null`.
 */
export interface AccessRecord {
  /** `%h`, `$remote_addr`: the client, an IPv4 or IPv6 address or a host name. */
  readonly remoteHost?: string | null
  /** `%a`: the client IP (after mod_remoteip). */
  readonly clientIp?: string | null
  /** `%l`: the identd name (almost always null). */
  readonly remoteLogname?: string | null
  /** `%u`, `$remote_user`: the authenticated user. */
  readonly remoteUser?: string | null
  /** `%t`, `$time_local`, `$time_iso8601`, `$msec`: when the request was received, epoch milliseconds. */
  readonly time?: number | null
  /** `%r`, `$request`: the request line as written (escapes decoded). */
  readonly request?: string | null
  /** The request method (from `%r`, `%m`, `$request_method`). */
  readonly method?: string | null
  /** The request target: path and query (from `%r`, `$request_uri`). May hold spaces. */
  readonly target?: string | null
  /** The protocol, e.g. `HTTP/1.1`; null for HTTP/0.9 request lines. */
  readonly protocol?: string | null
  /** `%>s`, `$status`: the final status. */
  readonly status?: number | null
  /** `%b`, `%B`, `$body_bytes_sent`: response body bytes (`%b` writes `-` for 0, read as 0). */
  readonly bytes?: number | null
  /** `%{Referer}i`, `$http_referer`. */
  readonly referer?: string | null
  /** `%{User-Agent}i`, `$http_user_agent`. */
  readonly userAgent?: string | null
  /** `%D`, `%T`, `$request_time`: time taken to serve the request, in microseconds. */
  readonly duration?: number | null
  /** Lenient mode: text after the last field (e.g. an extra field appended to a known format), else null. */
  readonly rest: string | null
  /** Lenient mode: whether the line was damaged (an unescaped or unterminated quote) and recovered. */
  readonly recovered: boolean
  /** Every other directive or variable, named as the README's table says. */
  readonly [field: string]: string | number | boolean | readonly (number | null)[] | null | undefined
}
