import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from '@shoal/core'

/** What `/healthz` reports: healthy or not, and why. */
export interface HealthReport {
  /** Whether the node should receive traffic (anycast routes announced). */
  readonly ok: boolean
  /** A line for a person: what is loaded, or what is missing. */
  readonly reason: string
}

/** Settings of an {@link HttpEndpoint}. */
export interface HttpEndpointOptions {
  /** The address to bind. */
  readonly address: string
  /** The port (0 picks one). */
  readonly port: number
  /** The body of `/metrics`, Prometheus text. */
  readonly metrics: () => string | Promise<string>
  /** The state `/healthz` reports. */
  readonly health: () => HealthReport | Promise<HealthReport>
  /** Where errors are reported. */
  readonly logger: Logger
}

/**
 * The operational HTTP endpoint: `GET /metrics` (Prometheus text exposition format 0.0.4) and
 * `GET /healthz` (200 with `ok` when zones are loaded and health's first round is done, 503 with
 * the reason otherwise — what an anycast route controller such as ExaBGP polls to withdraw the
 * node's route, RFC 4786). Anything else is 404; methods other than GET and HEAD are 405.
 *
 * @example
 * ```ts
 * const endpoint = new HttpEndpoint({ address: '127.0.0.1', port: 9153, metrics: () => server.metrics(), health: () => server.healthReport(), logger })
 * await endpoint.start()
 * ```
 */
export class HttpEndpoint {
  readonly #options: HttpEndpointOptions
  #server: Server | undefined

  /** @param options - where to bind and what to serve */
  constructor(options: HttpEndpointOptions) {
    this.#options = options
  }

  /** The bound address, once started. */
  get address(): AddressInfo | undefined {
    const address = this.#server?.address()
    return address !== null && typeof address === 'object' ? address : undefined
  }

  /** Starts listening. */
  async start(): Promise<void> {
    if (this.#server !== undefined) return
    const o = this.#options
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0]
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response
          .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' })
          .end('method not allowed\n')
        return
      }
      const body = (status: number, type: string, text: string): void => {
        response.writeHead(status, {
          'content-type': type,
          'content-length': Buffer.byteLength(text),
          'cache-control': 'no-store',
        })
        response.end(request.method === 'HEAD' ? undefined : text)
      }
      const fail = (error: unknown): void => {
        o.logger.warn('http %s: %s', path, (error as Error).message)
        body(500, 'text/plain; charset=utf-8', 'internal error\n')
      }
      if (path === '/metrics') {
        Promise.resolve()
          .then(o.metrics)
          .then((text) => body(200, 'text/plain; version=0.0.4; charset=utf-8', text), fail)
      } else if (path === '/healthz') {
        Promise.resolve()
          .then(o.health)
          .then(
            (report) =>
              body(
                report.ok ? 200 : 503,
                'text/plain; charset=utf-8',
                `${report.ok ? 'ok' : 'unhealthy'}: ${report.reason}\n`,
              ),
            fail,
          )
      } else body(404, 'text/plain; charset=utf-8', 'not found: try /metrics or /healthz\n')
    })
    server.keepAliveTimeout = 5000
    server.headersTimeout = 10_000
    server.requestTimeout = 10_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host: o.address, port: o.port }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.#server = server
  }

  /** Stops listening and closes open connections. */
  async stop(): Promise<void> {
    const server = this.#server
    if (server === undefined) return
    this.#server = undefined
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeAllConnections()
    await closed
  }
}
