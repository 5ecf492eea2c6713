/**
 * The family of a user agent, for the "browsers and crawlers" table: `Googlebot`, `Chrome`,
 * `Firefox`… (crawlers are prefixed `bot: `). A short ordered list of patterns, first match wins:
 * enough for a live view, and far cheaper than a full user-agent database.
 */
const FAMILIES: readonly (readonly [RegExp, string])[] = [
  [/Googlebot/i, 'bot: Googlebot'],
  [/bingbot/i, 'bot: Bingbot'],
  [/YandexBot/i, 'bot: YandexBot'],
  [/Baiduspider/i, 'bot: Baiduspider'],
  [/DuckDuckBot/i, 'bot: DuckDuckBot'],
  [/AhrefsBot/i, 'bot: AhrefsBot'],
  [/SemrushBot/i, 'bot: SemrushBot'],
  [/facebookexternalhit|Facebot/i, 'bot: Facebook'],
  [/Twitterbot/i, 'bot: Twitterbot'],
  [/bot\b|crawler|spider|slurp/i, 'bot: other'],
  [/^curl\//i, 'curl'],
  [/^Wget\//i, 'Wget'],
  [/python-requests|python-urllib|aiohttp/i, 'Python'],
  [/^Go-http-client/i, 'Go'],
  [/^Java\/|okhttp/i, 'Java'],
  [/^node-fetch|undici|axios/i, 'Node.js'],
  [/Edg(?:e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/SamsungBrowser/, 'Samsung Internet'],
  [/Firefox\/|FxiOS/, 'Firefox'],
  [/Chrome\/|CriOS/, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/MSIE |Trident\//, 'Internet Explorer'],
]

/** The family of a user agent string; `unknown` when none matches, `none` for `-` or empty. */
export function userAgentFamily(userAgent: string | null | undefined): string {
  if (userAgent === null || userAgent === undefined || userAgent === '' || userAgent === '-') return 'none'
  for (const [pattern, family] of FAMILIES) if (pattern.test(userAgent)) return family
  return 'unknown'
}

/**
 * {@link userAgentFamily} with a bounded memo: real traffic repeats a few hundred user agents, so
 * most lookups skip the patterns. Keys are copied, so memo entries never pin a parsed chunk.
 */
export class UserAgentFamilies {
  readonly #memo = new Map<string, string>()
  readonly #capacity: number

  /** @param capacity - most user agents remembered (default 2,048); the memo restarts when full */
  constructor(capacity = 2048) {
    this.#capacity = capacity
  }

  /** The family of `userAgent`. */
  familyOf(userAgent: string | null | undefined): string {
    if (userAgent === null || userAgent === undefined) return 'none'
    const known = this.#memo.get(userAgent)
    if (known !== undefined) return known
    const family = userAgentFamily(userAgent)
    if (this.#memo.size >= this.#capacity) this.#memo.clear()
    this.#memo.set(Buffer.from(userAgent, 'utf8').toString('utf8'), family)
    return family
  }
}
