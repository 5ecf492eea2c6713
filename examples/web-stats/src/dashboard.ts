/**
 * The dashboard server: a static page (its chart library, uPlot, served from node_modules — no
 * CDN) and a Server-Sent Events stream that pushes a snapshot every second.
 */

import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { WebReport } from './aggregation.js'
import { isRangeKey, type RangeKey, type Snapshot } from './snapshot.js'

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string | undefined
  /** Port (default 0: any free port). */
  readonly port?: number | undefined
  /** The snapshot of a range, now. */
  readonly snapshot: (range: RangeKey) => Snapshot
  /** The full report of a range. */
  readonly report: (range: RangeKey, top: number) => WebReport
  /** Most event-stream clients at once (default 64); more are answered 503. */
  readonly maxClients?: number | undefined
}

/** A running dashboard. */
export interface Dashboard {
  /** E.g. `http://127.0.0.1:40123/`. */
  readonly url: string
  /** Event-stream clients connected now. */
  readonly clients: number
  /** Sends every connected page a fresh snapshot of its range. */
  publish(): void
  /** Ends every stream and stops the server. */
  close(): Promise<void>
}

const here = dirname(fileURLToPath(import.meta.url))
const publicDir = join(here, '..', 'public')
const require = createRequire(import.meta.url)

/** Files served, by URL path: [file, content type]. */
const FILES: Readonly<Record<string, readonly [string, string]>> = {
  '/': [join(publicDir, 'index.html'), 'text/html; charset=utf-8'],
  '/app.js': [join(publicDir, 'app.js'), 'text/javascript; charset=utf-8'],
  '/app.css': [join(publicDir, 'app.css'), 'text/css; charset=utf-8'],
  '/vendor/uPlot.iife.min.js': [
    require.resolve('uplot/dist/uPlot.iife.min.js'),
    'text/javascript; charset=utf-8',
  ],
  '/vendor/uPlot.min.css': [require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8'],
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

/**
 * Starts the dashboard server.
 *
 * @param options - address, and where snapshots and reports come from
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const streams = new Map<ServerResponse, RangeKey>()
  const maxClients = options.maxClients ?? 64
  const cache = new Map<string, Buffer>()

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer): void => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...SECURITY_HEADERS })
    res.end(body)
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain', 'method not allowed\n')
    const rangeParam = url.searchParams.get('range') ?? '5m'
    const range: RangeKey = isRangeKey(rangeParam) ? rangeParam : '5m'

    const file = FILES[url.pathname]
    if (file !== undefined) {
      let body = cache.get(file[0])
      if (body === undefined) {
        body = await readFile(file[0])
        cache.set(file[0], body)
      }
      return send(res, 200, file[1], body)
    }
    if (url.pathname === '/events') {
      if (streams.size >= maxClients) return send(res, 503, 'text/plain', 'too many dashboard clients\n')
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        ...SECURITY_HEADERS,
      })
      res.write('retry: 2000\n\n')
      streams.set(res, range)
      res.on('close', () => streams.delete(res))
      res.write(`data: ${JSON.stringify(options.snapshot(range))}\n\n`)
      return
    }
    if (url.pathname === '/api/snapshot')
      return send(res, 200, 'application/json', JSON.stringify(options.snapshot(range)))
    if (url.pathname === '/api/report') {
      const top = Math.min(1_000, Math.max(1, Number(url.searchParams.get('top') ?? 25) || 25))
      return send(res, 200, 'application/json', JSON.stringify(options.report(range, top)))
    }
    return send(res, 404, 'text/plain', 'not found\n')
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain', `${(error as Error).message}\n`)
      else res.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address

  return {
    url: `http://${host}:${address.port}/`,
    get clients() {
      return streams.size
    },
    publish() {
      const byRange = new Map<RangeKey, string>()
      for (const [res, range] of streams) {
        let data = byRange.get(range)
        if (data === undefined) {
          data = `data: ${JSON.stringify(options.snapshot(range))}\n\n`
          byRange.set(range, data)
        }
        res.write(data)
      }
    },
    async close() {
      for (const res of streams.keys()) res.end()
      streams.clear()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    },
  }
}
