/**
 * The embedded site: a small but real `node:http` web site on 127.0.0.1 — pages, static assets
 * with fixed sizes and ETags, a JSON API, a slow report endpoint, redirects, an area behind basic
 * authentication and 404s — that writes an Apache `combined_d` access log, one `write(2)` per
 * request, and counts what it logged so that tests can compare.
 */

import { closeSync, openSync, renameSync, writeSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRandom, type Random } from '@shoal/core'
import { formatCombinedD } from './apache-log.js'

/** Faults switched on and off while the site runs (the traffic generator's incidents do it). */
export interface SiteFaults {
  /** Share (0–1) of dynamic requests (pages and API, not static files) answered 500, 502 or 503. */
  errorShare: number
  /** Milliseconds added to every call of the slow endpoint (`/api/v1/report`). */
  slowExtraMs: number
}

/** What the site logged, counted as it wrote each line: the truth the statistics must match. */
export interface SiteCounters {
  /** Lines written, one per request. */
  readonly requests: number
  /** Sum of `%b` over all lines. */
  readonly bytes: number
  /** Lines by `%>s`. */
  readonly statuses: Readonly<Record<string, number>>
  /** Lines by request path (without the query string), for top-path checks. */
  readonly paths: Readonly<Record<string, number>>
}

/** Options of {@link startSite}. */
export interface SiteOptions {
  /** Where to write the access log (appended to; created if missing). */
  readonly logPath: string
  /** Seed of the site's own randomness (latencies, which requests fail during an incident). */
  readonly seed?: number | undefined
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string | undefined
  /** Port (default 0: any free port). */
  readonly port?: number | undefined
}

/** A running {@link startSite} site. */
export interface Site {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string
  /** The access log being written. */
  readonly logPath: string
  /** The faults currently switched on; change them at any time. */
  readonly faults: SiteFaults
  /** Requests being served right now. */
  readonly inFlight: number
  /** A copy of the counters of everything logged so far. */
  counters(): SiteCounters
  /**
   * Rotates the log as logrotate does by rename: `access.log` becomes `access.log.1` (replacing
   * any older one) and a new `access.log` is opened for the lines that follow.
   */
  rotateLog(): void
  /** Resolves once no request is in flight (checked every 10 ms, for at most `timeoutMs`). */
  idle(timeoutMs?: number): Promise<void>
  /** Stops accepting connections, closes idle ones, waits for requests in flight, closes the log. */
  close(): Promise<void>
}

/** Static files: path → size in bytes. Their ETags make conditional requests answer 304. */
export const STATIC_FILES: Readonly<Record<string, number>> = {
  '/static/css/site.css': 18_734,
  '/static/css/print.css': 2_310,
  '/static/js/app.js': 86_112,
  '/static/js/vendor.js': 213_870,
  '/static/js/analytics.js': 9_402,
  '/static/img/logo.svg': 4_216,
  '/static/img/hero.jpg': 241_908,
  '/static/img/team.jpg': 132_554,
  '/static/img/icons.png': 27_630,
  '/static/fonts/inter.woff2': 98_300,
  '/favicon.ico': 15_086,
  '/robots.txt': 212,
  '/sitemap.xml': 6_870,
}

/** Blog posts the site has; other slugs are 404s. */
export const BLOG_POSTS: readonly string[] = [
  'scaling-logs-with-spread',
  'dns-round-robin-is-not-load-balancing',
  'why-we-dropped-sticky-sessions',
  'hyperloglog-in-five-minutes',
  'tail-latency-and-you',
  'the-case-for-wackamole',
  'backhand-candidacy-functions',
  'caching-at-the-edge',
  'a-week-of-5xx',
  'capacity-planning-notes',
  'logrotate-without-losing-lines',
  'percentiles-are-not-averages',
]

/** How many products exist: `/products/1` … `/products/PRODUCTS`. */
export const PRODUCTS = 400

const PAGES: Readonly<Record<string, number>> = {
  '/': 12_480,
  '/about': 7_904,
  '/pricing': 9_766,
  '/contact': 5_120,
  '/docs/': 14_020,
  '/docs/getting-started': 21_390,
  '/docs/configuration': 33_710,
  '/docs/api': 41_204,
  '/blog/': 10_880,
  '/products/': 16_460,
}

const REDIRECTS: Readonly<Record<string, string>> = {
  '/blog': '/blog/',
  '/docs': '/docs/',
  '/index.html': '/',
  '/home': '/',
}

/** Filler the bodies are cut from. */
const FILLER = Buffer.alloc(256 * 1024, 'shoal web-stats example filler. ')

/**
 * Starts the site and opens its log.
 *
 * @param options - where to log, seed, address
 * @returns the running site; close it with {@link Site.close}
 */
export async function startSite(options: SiteOptions): Promise<Site> {
  const { logPath } = options
  const random = createRandom(options.seed ?? 1)
  const faults: SiteFaults = { errorShare: 0, slowExtraMs: 0 }
  let fd = openSync(logPath, 'a')
  let requests = 0
  let bytes = 0
  const statuses: Record<string, number> = {}
  const paths: Record<string, number> = {}
  let inFlight = 0
  const timers = new Set<NodeJS.Timeout>()

  const log = (
    req: IncomingMessage,
    start: number,
    startHr: bigint,
    status: number,
    sent: number,
    user: string | null,
  ): void => {
    const line = formatCombinedD({
      remoteHost: clientOf(req),
      remoteUser: user,
      time: start,
      requestLine: `${req.method ?? '-'} ${req.url ?? '-'} HTTP/${req.httpVersion}`,
      status,
      bytes: sent,
      referer: header(req, 'referer'),
      userAgent: header(req, 'user-agent'),
      durationUs: Number((process.hrtime.bigint() - startHr) / 1000n),
    })
    writeSync(fd, line)
    requests++
    bytes += sent
    statuses[status] = (statuses[status] ?? 0) + 1
    const path = pathOf(req.url ?? '')
    paths[path] = (paths[path] ?? 0) + 1
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const start = Date.now()
    const startHr = process.hrtime.bigint()
    inFlight++
    let user: string | null = null
    let sent = 0
    let logged = false
    const done = (): void => {
      if (logged) return
      logged = true
      inFlight--
      log(req, start, startHr, res.statusCode, res.writableFinished ? sent : 0, user)
    }
    res.on('finish', done)
    res.on('close', done)
    req.resume() // request bodies (POST) are read and dropped

    const reply = ({ status, size: wanted, type, headers }: Reply): void => {
      const size = Math.min(wanted, FILLER.length)
      res.writeHead(status, { 'content-type': type, 'content-length': String(size), ...headers })
      if (req.method === 'HEAD' || size === 0) {
        res.end()
        return
      }
      sent = size
      res.end(FILLER.subarray(0, size))
    }
    const later = (ms: number, action: () => void): void => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        action()
      }, ms)
      timers.add(timer)
    }

    const url = req.url ?? '/'
    const path = pathOf(url)
    const query = url.length > path.length ? url.slice(path.length + 1) : ''
    const decide = (): Reply => {
      // static files: immediate, cacheable
      const staticSize = STATIC_FILES[path]
      if (staticSize !== undefined) {
        const etag = `"${staticSize.toString(16)}-5f3a"`
        if (req.headers['if-none-match'] === etag)
          return { status: 304, size: 0, type: 'application/octet-stream', delayMs: 0, headers: { etag } }
        return {
          status: 200,
          size: staticSize,
          type: contentType(path),
          delayMs: 0,
          headers: { etag, 'cache-control': 'max-age=3600' },
        }
      }
      if (path.startsWith('/static/')) return { status: 404, size: 1_024, type: 'text/html', delayMs: 0 }
      const redirect = REDIRECTS[path]
      if (redirect !== undefined)
        return { status: 301, size: 0, type: 'text/html', delayMs: 0, headers: { location: redirect } }
      if (path.startsWith('/admin/')) {
        user = basicUser(req)
        if (user === null)
          return {
            status: 401,
            size: 381,
            type: 'text/html',
            delayMs: 0,
            headers: { 'www-authenticate': 'Basic realm="admin"' },
          }
        return { status: 200, size: 6_200, type: 'text/html', delayMs: 20 + random.int(40) }
      }
      // dynamic: pages and API; an incident makes some of them fail
      const dynamic = dynamicRoute(req.method ?? 'GET', path, query, random)
      if (dynamic === null) return { status: 404, size: 1_024, type: 'text/html', delayMs: 1 + random.int(4) }
      const delayMs = dynamic.delayMs + (path === '/api/v1/report' ? faults.slowExtraMs : 0)
      if (faults.errorShare > 0 && random.next() < faults.errorShare) {
        const status = [500, 502, 503][random.int(3)] as number
        return { status, size: status === 502 ? 0 : 530, type: 'text/html', delayMs: Math.min(delayMs, 20) }
      }
      return { ...dynamic, delayMs }
    }
    const decided = decide()
    if (decided.delayMs <= 0) reply(decided)
    else later(decided.delayMs, () => reply(decided))
  }

  const server: Server = createServer({ keepAliveTimeout: 5_000 }, handle)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`

  const idle = async (timeoutMs = 10_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs
    while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  }

  let closed = false
  return {
    url,
    logPath,
    faults,
    get inFlight() {
      return inFlight
    },
    counters: () => ({ requests, bytes, statuses: { ...statuses }, paths: { ...paths } }),
    rotateLog() {
      renameSync(logPath, `${logPath}.1`)
      const old = fd
      fd = openSync(logPath, 'a')
      closeSync(old)
    },
    idle,
    async close() {
      if (closed) return
      closed = true
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      await idle(5_000)
      // whatever is still pending after the grace period is cut short (and logged as such)
      for (const timer of timers) timer.unref()
      server.closeAllConnections()
      await stopped
      closeSync(fd)
    },
  }
}

/** How the site answers one request. */
interface Reply {
  readonly status: number
  /** Body bytes. */
  readonly size: number
  readonly type: string
  /** Time to think before answering. */
  readonly delayMs: number
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** The dynamic part of the site: pages, blog, products, search and API. Null means 404. */
function dynamicRoute(method: string, path: string, query: string, random: Random): Reply | null {
  const html = (size: number, delayMs = 3 + random.int(25)): Reply => ({
    status: 200,
    size: size + random.int(64),
    type: 'text/html; charset=utf-8',
    delayMs,
  })
  const json = (status: number, size: number, delayMs = 5 + random.int(40)): Reply => ({
    status,
    size,
    type: 'application/json',
    delayMs,
  })
  const page = PAGES[path]
  if (page !== undefined) return html(page)
  if (path.startsWith('/blog/')) {
    return BLOG_POSTS.includes(path.slice(6)) ? html(18_000 + path.length * 211) : null
  }
  if (path.startsWith('/products/')) {
    const id = Number(path.slice(10))
    return Number.isInteger(id) && id >= 1 && id <= PRODUCTS ? html(9_000 + (id % 97) * 53) : null
  }
  if (path === '/search') return html(4_000 + Math.min(query.length, 200) * 37, 20 + random.int(80))
  if (path === '/api/v1/items') {
    const limit = Number(new URLSearchParams(query).get('limit') ?? 20)
    return json(200, 80 + Math.min(Math.max(limit, 1), 100) * 118)
  }
  if (path.startsWith('/api/v1/items/')) {
    const id = Number(path.slice(14))
    return Number.isInteger(id) && id >= 1 && id <= PRODUCTS ? json(200, 600 + (id % 41) * 7) : json(404, 46)
  }
  if (path === '/api/v1/cart') return method === 'POST' ? json(201, 212) : json(200, 940)
  if (path === '/api/v1/login') {
    if (method !== 'POST') return json(405, 58)
    return random.next() < 0.15 ? json(401, 61) : json(200, 184)
  }
  if (path === '/api/v1/report') return json(200, 48_000 + random.int(6_000), 150 + random.int(450))
  if (path === '/healthz') return { status: 200, size: 2, type: 'text/plain', delayMs: 0 }
  return null
}

function pathOf(url: string): string {
  const q = url.indexOf('?')
  return q < 0 ? url : url.slice(0, q)
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name]
  return typeof value === 'string' ? value : null
}

/** `%h` as mod_remoteip gives it: the first X-Forwarded-For address when a proxy set one. */
function clientOf(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-for']
  if (typeof forwarded === 'string' && forwarded !== '') {
    const comma = forwarded.indexOf(',')
    return (comma < 0 ? forwarded : forwarded.slice(0, comma)).trim()
  }
  return req.socket.remoteAddress ?? '-'
}

function basicUser(req: IncomingMessage): string | null {
  const auth = req.headers.authorization
  if (auth === undefined || !auth.startsWith('Basic ')) return null
  const decoded = Buffer.from(auth.slice(6), 'base64').toString('latin1')
  const colon = decoded.indexOf(':')
  return colon > 0 ? decoded.slice(0, colon) : null
}

function contentType(path: string): string {
  if (path.endsWith('.css')) return 'text/css'
  if (path.endsWith('.js')) return 'text/javascript'
  if (path.endsWith('.svg')) return 'image/svg+xml'
  if (path.endsWith('.jpg')) return 'image/jpeg'
  if (path.endsWith('.png')) return 'image/png'
  if (path.endsWith('.woff2')) return 'font/woff2'
  if (path.endsWith('.ico')) return 'image/x-icon'
  if (path.endsWith('.xml')) return 'application/xml'
  return 'text/plain'
}
