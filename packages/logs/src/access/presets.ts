/** A named access-log format. */
export interface AccessPreset {
  /** Which configuration language the format is written in. */
  readonly syntax: 'apache' | 'nginx'
  /** The format string, as it would appear in the server's configuration (quotes unescaped). */
  readonly format: string
}

const COMMON = '%h %l %u %t "%r" %>s %b'
const COMBINED = `${COMMON} "%{Referer}i" "%{User-Agent}i"`
const VHOST_COMBINED = '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"'
const NGINX_COMBINED =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'
const NGINX_MAIN = `${NGINX_COMBINED} "$http_x_forwarded_for"`

/**
 * The named formats: Apache's `common`, `combined`, `combinedio` and Debian's `vhost_combined`,
 * nginx's `combined` and `main`; each also with the time taken appended (`_d`: Apache `%D` in
 * microseconds, nginx `$request_time` in seconds; both read into `duration` in microseconds).
 */
export const ACCESS_PRESETS: Readonly<Record<string, AccessPreset>> = {
  common: { syntax: 'apache', format: COMMON },
  common_d: { syntax: 'apache', format: `${COMMON} %D` },
  combined: { syntax: 'apache', format: COMBINED },
  combined_d: { syntax: 'apache', format: `${COMBINED} %D` },
  combinedio: { syntax: 'apache', format: `${COMBINED} %I %O` },
  combinedio_d: { syntax: 'apache', format: `${COMBINED} %I %O %D` },
  vhost_combined: { syntax: 'apache', format: VHOST_COMBINED },
  vhost_combined_d: { syntax: 'apache', format: `${VHOST_COMBINED} %D` },
  nginx_combined: { syntax: 'nginx', format: NGINX_COMBINED },
  nginx_combined_d: { syntax: 'nginx', format: `${NGINX_COMBINED} $request_time` },
  nginx_main: { syntax: 'nginx', format: NGINX_MAIN },
  nginx_main_d: { syntax: 'nginx', format: `${NGINX_MAIN} $request_time` },
}
