import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import { invalidArgument } from '@shoal/core'
import { isPort, resolveAddress } from '../target-address.js'
import { type Check, checkFailed, onAbort } from './check.js'

/** Options of {@link httpCheck}. */
export interface HttpCheckOptions {
  /** `http` (default) or `https`. */
  readonly scheme?: 'http' | 'https' | undefined
  /** The host to connect to; default: the host of the target's name (`host:port`). */
  readonly host?: string | undefined
  /** The port; default: the port of the target's name, else 80 (http) or 443 (https). */
  readonly port?: number | undefined
  /** The request path with its query; default `/`. */
  readonly path?: string | undefined
  /** The request method; default `GET` (HAProxy's default is `OPTIONS`, gdnsd's `GET`). */
  readonly method?: string | undefined
  /**
   * The status codes that pass: a list, or a predicate. Default: 200–399, as HAProxy's
   * `option httpchk` (gdnsd's `ok_codes` default is `[200]`).
   */
  readonly status?: readonly number[] | ((status: number) => boolean) | undefined
  /**
   * Must occur in (string) or match (RegExp) the response body, read up to `maxBodyBytes`
   * (HAProxy's `http-check expect string|rstring`, PowerDNS's `stringmatch`).
   */
  readonly body?: string | RegExp | undefined
  /** How much of the body is read for `body` (default 64 KiB); the rest is not read. */
  readonly maxBodyBytes?: number | undefined
  /** The `Host` header (gdnsd's `vhost`); default: `host:port` as Node sends it. */
  readonly hostHeader?: string | undefined
  /**
   * The TLS server name (SNI) sent and checked against the certificate; default: `hostHeader`
   * without its port, else `host`, unless that is an IP address.
   */
  readonly servername?: string | undefined
  /** The `User-Agent` header; default `shoal-health`. */
  readonly userAgent?: string | undefined
  /** More request headers. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Certificate authorities to trust for https, instead of Node's bundled ones. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[] | undefined
  /** Whether an https certificate must verify (default `true`). */
  readonly rejectUnauthorized?: boolean | undefined
}

const DEFAULT_MAX_BODY = 64 * 1024

/**
 * An HTTP(S) check: sends one request on a fresh connection (`Connection: close`, no agent, no
 * keep-alive) and passes when the status is accepted and, if asked, the body matches.
 *
 * @example
 * ```ts
 * health.add('10.0.0.7:8443', {
 *   check: httpCheck({ scheme: 'https', path: '/healthz', status: [200], body: /"ok":true/, servername: 'api.example.com' }),
 * })
 * ```
 */
export function httpCheck(options: HttpCheckOptions = {}): Check {
  const scheme = options.scheme ?? 'http'
  if (scheme !== 'http' && scheme !== 'https')
    throw invalidArgument(`httpCheck: scheme must be 'http' or 'https', got ${String(scheme)}`)
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === ''))
    throw invalidArgument(`httpCheck: host must be a non-empty string, got ${String(options.host)}`)
  if (options.port !== undefined && !isPort(options.port))
    throw invalidArgument(`httpCheck: port must be an integer in 1–65535, got ${String(options.port)}`)
  const path = options.path ?? '/'
  if (typeof path !== 'string' || !path.startsWith('/') || /[\s]/.test(path))
    throw invalidArgument(
      `httpCheck: path must start with '/' and hold no spaces, got ${JSON.stringify(path)}`,
    )
  const method = (options.method ?? 'GET').toUpperCase()
  if (!/^[A-Z]+$/.test(method))
    throw invalidArgument(`httpCheck: method must be a word, got ${options.method}`)
  const accepts = statusPredicate(options.status)
  const body = options.body
  if (body !== undefined && typeof body !== 'string' && !(body instanceof RegExp))
    throw invalidArgument('httpCheck: body must be a string or a RegExp')
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY
  if (!Number.isSafeInteger(maxBody) || maxBody < 1)
    throw invalidArgument(`httpCheck: maxBodyBytes must be a positive integer, got ${String(maxBody)}`)
  const defaultPort = scheme === 'https' ? 443 : 80
  const headers: OutgoingHttpHeaders = {
    ...options.headers,
    'user-agent': options.userAgent ?? 'shoal-health',
    connection: 'close',
  }
  if (options.hostHeader !== undefined) headers.host = options.hostHeader
  const send = scheme === 'https' ? httpsRequest : httpRequest

  return (target, { signal }) =>
    new Promise<void>((resolve, reject) => {
      const { host, port } = resolveAddress('http', target, options.host, options.port, defaultPort)
      const servername = options.servername ?? defaultServername(options.hostHeader, host)
      let settled = false
      let stop = (): void => {}
      const finish = (error?: unknown): void => {
        if (settled) return
        settled = true
        stop()
        req.destroy()
        if (error === undefined) resolve()
        else reject(error)
      }
      const req = send({
        host,
        port,
        path,
        method,
        headers,
        agent: false,
        ...(scheme === 'https'
          ? {
              servername,
              rejectUnauthorized: options.rejectUnauthorized ?? true,
              ...(options.ca === undefined
                ? {}
                : { ca: options.ca as string | Buffer | (string | Buffer)[] }),
            }
          : {}),
      })
      stop = onAbort(signal, (reason) => finish(reason))
      req.on('socket', (socket) => socket.unref())
      req.on('error', (error: NodeJS.ErrnoException) =>
        finish(
          checkFailed(`${method} ${scheme}://${host}:${port}${path} failed: ${error.message}`, {
            code: error.code,
          }),
        ),
      )
      req.on('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 0
        if (!accepts(status)) {
          finish(checkFailed(`${method} ${path}: status ${status} not accepted`, { status }))
          return
        }
        if (body === undefined) {
          finish()
          return
        }
        readBody(res, maxBody, (text, error) => {
          if (error !== undefined) finish(checkFailed(`${method} ${path}: body unreadable: ${error.message}`))
          else if (typeof body === 'string' ? text.includes(body) : matches(body, text)) finish()
          else
            finish(
              checkFailed(`${method} ${path}: body does not match ${String(body)}`, { status, body: text }),
            )
        })
      })
      req.end()
    })
}

function statusPredicate(status: HttpCheckOptions['status']): (code: number) => boolean {
  if (status === undefined) return (code) => code >= 200 && code < 400
  if (typeof status === 'function') return status
  if (!Array.isArray(status) || status.length === 0)
    throw invalidArgument('httpCheck: status must be a non-empty list of status codes or a function')
  for (const code of status)
    if (!Number.isInteger(code) || code < 100 || code > 599)
      throw invalidArgument(`httpCheck: status codes must be integers in 100–599, got ${String(code)}`)
  const set = new Set(status)
  return (code) => set.has(code)
}

function defaultServername(hostHeader: string | undefined, host: string): string | undefined {
  if (hostHeader !== undefined) {
    const name = hostHeader.replace(/:\d+$/, '')
    if (isIP(name) === 0) return name
  }
  return isIP(host) === 0 ? host : undefined
}

function matches(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0 // a global or sticky pattern keeps state between calls
  return pattern.test(text)
}

/** Reads at most `max` bytes of the body, then stops reading. */
function readBody(res: IncomingMessage, max: number, done: (text: string, error?: Error) => void): void {
  const chunks: Buffer[] = []
  let length = 0
  let called = false
  const end = (error?: Error): void => {
    if (called) return
    called = true
    done(Buffer.concat(chunks, Math.min(length, max)).toString('utf8'), error)
  }
  res.on('data', (chunk: Buffer) => {
    chunks.push(chunk)
    length += chunk.length
    if (length >= max) end()
  })
  res.on('end', () => end())
  res.on('error', (error) => end(error))
  res.on('aborted', () => end(new Error('response aborted')))
}
