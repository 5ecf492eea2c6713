/**
 * A seeded traffic generator: many simulated clients (each with its address, sent as
 * `X-Forwarded-For`, and its user agent) browse the site over real HTTP with a keep-alive agent —
 * pages then their assets, with referrers and conditional requests; crawlers, scanners, uptime
 * monitors and API clients as well — at a set request rate, with scripted incidents.
 */

import { Agent, request } from 'node:http'
import { createRandom, type Random } from '@shoal/core'
import { BLOG_POSTS, PRODUCTS, type SiteFaults, STATIC_FILES } from './site.js'

/** A scripted incident, relative to the start of the traffic. */
export interface Incident {
  /** `5xx`: dynamic requests fail with 500/502/503; `slow`: the slow endpoint gets slower. */
  readonly kind: '5xx' | 'slow'
  /** When it begins, in milliseconds after the traffic starts. */
  readonly atMs: number
  /** How long it lasts, in milliseconds. */
  readonly durationMs: number
  /** `5xx`: share of dynamic requests that fail (default 0.6). */
  readonly errorShare?: number | undefined
  /** `slow`: milliseconds added to the slow endpoint (default 2,000). */
  readonly extraMs?: number | undefined
}

/** An incident beginning or ending. */
export interface IncidentEvent {
  readonly incident: Incident
  readonly state: 'start' | 'end'
  /** Wall-clock time, epoch milliseconds. */
  readonly at: number
}

/** Options of {@link generateTraffic}. */
export interface TrafficOptions {
  /** The site's base URL. */
  readonly url: string
  /** Requests per second, on average (Poisson arrivals; default 40). */
  readonly rate?: number | undefined
  /** Seed: the same seed sends the same sequence of requests (default 1). */
  readonly seed?: number | undefined
  /** Stops sending; requests in flight are let finish (for at most `drainMs`). */
  readonly signal?: AbortSignal | undefined
  /** Milliseconds to wait for requests in flight after the signal (default 5,000). */
  readonly drainMs?: number | undefined
  /** Scripted incidents. */
  readonly incidents?: readonly Incident[] | undefined
  /** Repeat the incident script with this period, in milliseconds (default: play it once). */
  readonly repeatEveryMs?: number | undefined
  /** The site's fault switches, which incidents turn on and off (embedded site only). */
  readonly faults?: SiteFaults | undefined
  /** Called when an incident begins or ends. */
  readonly onIncident?: ((event: IncidentEvent) => void) | undefined
  /** How many distinct clients there are (default 1,200). */
  readonly clients?: number | undefined
  /** The site's public origin, as browsers put it in referrers (default `https://www.example.com`). */
  readonly origin?: string | undefined
  /** Most requests in flight at once; arrivals beyond it wait (default 128). */
  readonly maxInFlight?: number | undefined
}

/** What the generator did. */
export interface TrafficResult {
  /** Requests sent. */
  readonly sent: number
  /** Responses received, by status. */
  readonly statuses: Readonly<Record<string, number>>
  /** Requests that got no response (connection errors, cut short at the end). */
  readonly failed: number
  /** Incident transitions, in order. */
  readonly incidents: readonly IncidentEvent[]
}

/** The default incident script of the embedded demo: every 3 minutes, a 5xx burst then a slow period. */
export const DEMO_INCIDENTS: readonly Incident[] = [
  { kind: '5xx', atMs: 30_000, durationMs: 20_000, errorShare: 0.6 },
  { kind: 'slow', atMs: 100_000, durationMs: 30_000, extraMs: 2_000 },
]

/** Period of {@link DEMO_INCIDENTS}. */
export const DEMO_PERIOD_MS = 180_000

// ---------------------------------------------------------------------------------------------
// user agents (60), by kind of client

const BROWSERS: readonly string[] = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.6422.165 Mobile Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 16_7_8 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  // a user agent with quotes and a backslash in it: Apache writes them \" and \\
  'Mozilla/5.0 (Windows NT 10.0; "Corporate Build" C:\\Apps) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0',
  'Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0',
  // UTF-8 in a header (sent as raw bytes): Apache writes each byte as \xhh
  'Mozilla/5.0 (Linux; Android 13; Téléphone Amélie) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.68',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.68',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0',
  'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/127.0 Mobile/15E148 Safari/605.1.15',
  'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Vivaldi/6.8',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Brave/126',
  'Mozilla/5.0 (Linux; U; Android 4.4.2; zh-cn; 小米手机 Build/KOT49H) AppleWebKit/533.1 (KHTML, like Gecko) Version/4.0 Mobile Safari/533.1',
]

const CRAWLERS: readonly string[] = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
  'Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)',
  'DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)',
  'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
  'Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)',
  'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  'Twitterbot/1.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)',
  'Mozilla/5.0 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)',
  'Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)',
  'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
]

const TOOLS: readonly string[] = [
  'curl/8.5.0',
  'curl/7.88.1',
  'Wget/1.21.3',
  'python-requests/2.31.0',
  'Python-urllib/3.11',
  'Go-http-client/1.1',
  'Go-http-client/2.0',
  'zgrab/0.x',
  'Mozilla/5.0 zgrab/0.x',
  'masscan/1.3 (https://github.com/robertdavidgraham/masscan)',
]

const API_CLIENTS: readonly string[] = [
  'okhttp/4.12.0',
  'axios/1.7.2',
  'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)',
  'Java/17.0.11',
]

const MONITORS: readonly string[] = [
  'Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)',
  'Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)',
]

/** Every user agent the generator sends (60). */
export const USER_AGENTS: readonly string[] = [
  ...BROWSERS,
  ...CRAWLERS,
  ...TOOLS,
  ...API_CLIENTS,
  ...MONITORS,
]

const SEARCH_REFERERS: readonly string[] = [
  'https://www.google.com/',
  'https://www.google.com/search?q=web+log+statistics',
  'https://www.google.co.uk/',
  'https://www.bing.com/search?q=hyperloglog+unique+visitors',
  'https://duckduckgo.com/',
  'https://news.ycombinator.com/item?id=40123456',
  'https://www.reddit.com/r/sysadmin/comments/1d9x2k/',
  'https://t.co/Ab3dE5fGh1',
  'https://github.com/shoal-dev/shoal',
  'https://lobste.rs/s/x1y2z3/',
  'android-app://com.google.android.googlequicksearchbox/',
]

const SCANNER_PATHS: readonly string[] = [
  '/wp-login.php',
  '/xmlrpc.php',
  '/.env',
  '/.git/config',
  '/phpmyadmin/index.php',
  '/wp-content/plugins/revslider/temp/update_extract/',
  '/cgi-bin/luci/;stok=/locale',
  '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php',
  '/actuator/health',
  '/owa/auth/logon.aspx',
  '/search?q="><script>alert(1)</script>',
  '/..%2f..%2f..%2fetc%2fpasswd',
  '/HNAP1/',
  '/boaform/admin/formLogin',
]

const SEARCH_TERMS: readonly string[] = [
  'load+balancer',
  'unique+visitors',
  'p99+latency',
  'log+rotation',
  'dns',
  'caf%C3%A9',
  'pricing',
  'spread+multicast',
  'sticky+sessions',
  'hyperloglog',
]

// ---------------------------------------------------------------------------------------------

/** Draws ranks 0..n-1 with probability ∝ 1/(rank+1)^s. */
class Zipf {
  readonly #cdf: Float64Array
  readonly #random: Random

  constructor(n: number, s: number, random: Random) {
    this.#random = random
    this.#cdf = new Float64Array(n)
    let sum = 0
    for (let k = 0; k < n; k++) {
      sum += 1 / (k + 1) ** s
      this.#cdf[k] = sum
    }
    for (let k = 0; k < n; k++) this.#cdf[k] = (this.#cdf[k] as number) / sum
  }

  next(): number {
    const u = this.#random.next()
    let lo = 0
    let hi = this.#cdf.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.#cdf[mid] as number) < u) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

type ClientKind = 'browser' | 'crawler' | 'scanner' | 'monitor' | 'api' | 'admin'

interface Client {
  readonly kind: ClientKind
  readonly ip: string
  readonly userAgent: string
  /** Assets this client has an ETag for (conditional requests give 304). */
  readonly cached: Set<string>
  /** The last page it viewed (referrer of its next one). */
  lastPage: string | null
}

interface Planned {
  readonly client: Client
  readonly method: string
  readonly path: string
  readonly referer: string | null
  readonly conditional: boolean
  readonly auth: string | null
}

const ASSETS_OF_PAGE = [
  '/static/css/site.css',
  '/static/js/vendor.js',
  '/static/js/app.js',
  '/static/img/logo.svg',
]
const OCCASIONAL_ASSETS = [
  '/static/img/hero.jpg',
  '/static/img/icons.png',
  '/static/fonts/inter.woff2',
  '/static/js/analytics.js',
  '/favicon.ico',
  '/static/css/print.css',
  '/static/img/team.jpg',
  '/static/img/missing-banner.png', // a broken link: 404
]

/** Pages by popularity (Zipf rank); `@product` and `@search` slots are drawn anew each time. */
const PAGE_SLOTS: readonly string[] = [
  '/',
  '@product',
  '/pricing',
  '/docs/getting-started',
  '/blog/',
  '@search',
  `/blog/${BLOG_POSTS[0]}`,
  '/docs/',
  '/products/',
  `/blog/${BLOG_POSTS[1]}`,
  '/about',
  '/docs/configuration',
  `/blog/${BLOG_POSTS[2]}`,
  '/docs/api',
  '/contact',
  `/blog/${BLOG_POSTS[3]}`,
  '/blog', // redirect
  `/blog/${BLOG_POSTS[4]}`,
  '/index.html', // redirect
  `/blog/${BLOG_POSTS[5]}`,
  '/prcing', // a typo: 404
  `/blog/${BLOG_POSTS[6]}`,
  `/blog/${BLOG_POSTS[7]}`,
  '/blog/2019/old-post-that-moved', // a dead link: 404
  `/blog/${BLOG_POSTS[8]}`,
  `/blog/${BLOG_POSTS[9]}`,
  '/docs', // redirect
  `/blog/${BLOG_POSTS[10]}`,
  `/blog/${BLOG_POSTS[11]}`,
  '/products/9999', // out of stock forever: 404
  '/home', // redirect
]

const ipv4 = (random: Random): string => {
  // public-looking ranges; documentation ranges mixed in
  const first = [
    23, 31, 45, 51, 62, 66, 77, 81, 89, 91, 93, 104, 109, 151, 176, 185, 188, 192, 198, 203, 212, 217,
  ]
  return `${first[random.int(first.length)]}.${random.int(256)}.${random.int(256)}.${1 + random.int(254)}`
}

const ipv6 = (random: Random): string =>
  `2001:db8:${random.int(0x10000).toString(16)}:${random.int(0x10000).toString(16)}::${(1 + random.int(0xfffe)).toString(16)}`

/** Header values are sent as bytes: UTF-8 text goes out as its bytes, one latin1 char each. */
const asBytes = (text: string): string => Buffer.from(text, 'utf8').toString('latin1')

function makeClients(count: number, random: Random): Client[] {
  const clients: Client[] = []
  const uaZipf = new Zipf(BROWSERS.length, 1.1, random)
  for (let k = 0; k < count; k++) {
    const u = random.next()
    const kind: ClientKind =
      u < 0.8
        ? 'browser'
        : u < 0.88
          ? 'crawler'
          : u < 0.93
            ? 'scanner'
            : u < 0.97
              ? 'api'
              : u < 0.99
                ? 'monitor'
                : 'admin'
    const pool =
      kind === 'browser' || kind === 'admin'
        ? BROWSERS
        : kind === 'crawler'
          ? CRAWLERS
          : kind === 'scanner'
            ? TOOLS
            : kind === 'api'
              ? API_CLIENTS
              : MONITORS
    const userAgent =
      pool === BROWSERS ? (BROWSERS[uaZipf.next()] as string) : (pool[random.int(pool.length)] as string)
    clients.push({
      kind,
      ip: random.next() < 0.08 ? ipv6(random) : ipv4(random),
      userAgent: asBytes(userAgent),
      cached: new Set(),
      lastPage: null,
    })
  }
  // shuffle so that popular ranks are of every kind, then put one busy crawler and one busy
  // office NAT near the top, as real logs have
  for (let k = clients.length - 1; k > 0; k--) {
    const j = random.int(k + 1)
    const t = clients[k] as Client
    clients[k] = clients[j] as Client
    clients[j] = t
  }
  const crawler = clients.findIndex((c) => c.kind === 'crawler')
  if (crawler > 1) [clients[1], clients[crawler]] = [clients[crawler] as Client, clients[1] as Client]
  return clients
}

/**
 * Sends traffic to the site until `signal` aborts, then waits for the requests in flight.
 *
 * @param options - target, rate, seed, incidents, signal
 * @returns what was sent and received
 */
export async function generateTraffic(options: TrafficOptions): Promise<TrafficResult> {
  const rate = options.rate ?? 40
  if (!(rate > 0 && rate <= 100_000)) throw new RangeError(`rate must be in (0, 100000], got ${rate}`)
  const random = createRandom(options.seed ?? 1)
  const clients = makeClients(options.clients ?? 1_200, random.fork())
  const clientZipf = new Zipf(clients.length, 0.9, random)
  const pageZipf = new Zipf(PAGE_SLOTS.length, 1.0, random)
  const productZipf = new Zipf(PRODUCTS, 1.1, random)
  const base = new URL(options.url)
  const origin = options.origin ?? 'https://www.example.com'
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  const signal = options.signal
  const maxInFlight = options.maxInFlight ?? 128
  const statuses: Record<string, number> = {}
  const incidentEvents: IncidentEvent[] = []
  let sent = 0
  let failed = 0
  let inFlight = 0
  const queue: Planned[] = []

  const pagePath = (): string => {
    const slot = PAGE_SLOTS[pageZipf.next()] as string
    if (slot === '@product') return `/products/${1 + productZipf.next()}`
    if (slot === '@search') {
      const term = SEARCH_TERMS[random.int(SEARCH_TERMS.length)] as string
      return random.next() < 0.3 ? `/search?q=${term}&page=${2 + random.int(4)}` : `/search?q=${term}`
    }
    return slot
  }

  const plan = (): void => {
    const client = clients[clientZipf.next()] as Client
    const add = (
      method: string,
      path: string,
      referer: string | null,
      extra: Partial<Planned> = {},
    ): void => {
      queue.push({ client, method, path, referer, conditional: false, auth: null, ...extra })
    }
    switch (client.kind) {
      case 'browser': {
        const page = pagePath()
        const referer =
          client.lastPage !== null && random.next() < 0.7
            ? `${origin}${client.lastPage}`
            : random.next() < 0.45
              ? null
              : (SEARCH_REFERERS[random.int(SEARCH_REFERERS.length)] as string)
        add('GET', page, referer)
        client.lastPage = page
        if (random.next() < 0.75) {
          const pageUrl = `${origin}${page}`
          for (const asset of ASSETS_OF_PAGE) {
            if (random.next() < 0.85) add('GET', asset, pageUrl, { conditional: client.cached.has(asset) })
            client.cached.add(asset)
          }
          if (random.next() < 0.35) {
            const asset = OCCASIONAL_ASSETS[random.int(OCCASIONAL_ASSETS.length)] as string
            add('GET', asset, pageUrl, { conditional: client.cached.has(asset) })
            client.cached.add(asset)
          }
        }
        if (random.next() < 0.06) add('POST', '/api/v1/cart', `${origin}${page}`)
        if (random.next() < 0.02) add('POST', '/api/v1/login', `${origin}/`)
        break
      }
      case 'crawler':
        if (random.next() < 0.08) add('GET', '/robots.txt', null)
        else if (random.next() < 0.05) add('GET', '/sitemap.xml', null)
        else add(random.next() < 0.05 ? 'HEAD' : 'GET', pagePath(), null)
        break
      case 'scanner':
        add(
          random.next() < 0.9 ? 'GET' : 'POST',
          SCANNER_PATHS[random.int(SCANNER_PATHS.length)] as string,
          null,
        )
        break
      case 'api': {
        const u = random.next()
        if (u < 0.45) add('GET', `/api/v1/items?limit=${[10, 20, 50, 100][random.int(4)]}`, null)
        else if (u < 0.75) add('GET', `/api/v1/items/${1 + productZipf.next()}`, null)
        else if (u < 0.85) add('GET', '/api/v1/items/0', null)
        else add('GET', '/api/v1/report', null)
        break
      }
      case 'monitor':
        add(random.next() < 0.5 ? 'HEAD' : 'GET', random.next() < 0.5 ? '/' : '/healthz', null)
        break
      case 'admin': {
        const user = ['alice', 'bob', 'ops'][random.int(3)] as string
        add('GET', random.next() < 0.5 ? '/admin/' : '/admin/stats', null, {
          auth: random.next() < 0.9 ? Buffer.from(`${user}:secret`).toString('base64') : null,
        })
        if (random.next() < 0.4) add('GET', '/api/v1/report', `${origin}/admin/`)
        break
      }
    }
  }

  const send = (planned: Planned): void => {
    const headers: Record<string, string> = {
      'x-forwarded-for': planned.client.ip,
      'user-agent': planned.client.userAgent,
      accept: planned.path.startsWith('/api/') ? 'application/json' : '*/*',
    }
    if (planned.referer !== null) headers.referer = planned.referer
    const size = STATIC_FILES[planned.path]
    if (planned.conditional && size !== undefined) headers['if-none-match'] = `"${size.toString(16)}-5f3a"`
    if (planned.auth !== null) headers.authorization = `Basic ${planned.auth}`
    const body = planned.method === 'POST' ? '{"item":42,"qty":1}' : null
    if (body !== null) headers['content-type'] = 'application/json'
    sent++
    inFlight++
    const req = request(
      { host: base.hostname, port: base.port, method: planned.method, path: planned.path, headers, agent },
      (res) => {
        statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1
        res.resume()
        res.on('end', () => inFlight--)
        res.on('error', () => {
          failed++
          inFlight--
        })
      },
    )
    req.on('error', () => {
      failed++
      inFlight--
    })
    req.end(body ?? undefined)
  }

  // incidents
  const incidents = options.incidents ?? []
  const period = options.repeatEveryMs
  const active = new Set<Incident>()
  const updateIncidents = (elapsed: number): void => {
    const t = period !== undefined && period > 0 ? elapsed % period : elapsed
    for (const incident of incidents) {
      const on = t >= incident.atMs && t < incident.atMs + incident.durationMs
      if (on === active.has(incident)) continue
      if (on) active.add(incident)
      else active.delete(incident)
      const event: IncidentEvent = { incident, state: on ? 'start' : 'end', at: Date.now() }
      incidentEvents.push(event)
      options.onIncident?.(event)
    }
    if (options.faults !== undefined) {
      let errorShare = 0
      let slowExtraMs = 0
      for (const incident of active) {
        if (incident.kind === '5xx') errorShare = Math.max(errorShare, incident.errorShare ?? 0.6)
        else slowExtraMs = Math.max(slowExtraMs, incident.extraMs ?? 2_000)
      }
      options.faults.errorShare = errorShare
      options.faults.slowExtraMs = slowExtraMs
    }
  }

  // Poisson arrivals, issued by a 10 ms tick
  const started = performance.now()
  let nextArrival = 0
  await new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve()
    const tick = (): void => {
      const elapsed = performance.now() - started
      updateIncidents(elapsed)
      while (nextArrival <= elapsed && inFlight < maxInFlight) {
        if (queue.length === 0) plan()
        send(queue.shift() as Planned)
        nextArrival += (-Math.log(1 - random.next()) * 1000) / rate
      }
      // arrivals that could not be sent for lack of room are dropped, not piled up
      if (nextArrival < elapsed - 1000) nextArrival = elapsed
    }
    const timer = setInterval(tick, 10)
    signal?.addEventListener(
      'abort',
      () => {
        clearInterval(timer)
        resolve()
      },
      { once: true },
    )
  })

  // end of traffic: incidents off, wait for what is in flight
  if (options.faults !== undefined) {
    options.faults.errorShare = 0
    options.faults.slowExtraMs = 0
  }
  for (const incident of active) {
    const event: IncidentEvent = { incident, state: 'end', at: Date.now() }
    incidentEvents.push(event)
    options.onIncident?.(event)
  }
  const deadline = Date.now() + (options.drainMs ?? 5_000)
  while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
  agent.destroy()
  return { sent, statuses, failed: failed + Math.max(0, inFlight), incidents: incidentEvents }
}
