import { invalidArgument } from '@shoal/core'

/**
 * The response classes RRL accounts separately (BIND's and NSD's): answers with data, empty
 * answers, NXDOMAIN, referrals, and errors (FORMERR, REFUSED, SERVFAIL, NOTIMP, BADVERS…).
 */
export type RrlClass = 'positive' | 'nodata' | 'nxdomain' | 'referral' | 'error'

/** What to do with one response: send it, drop it, or send a truncated (TC) reply instead. */
export type RrlAction = 'send' | 'drop' | 'slip'

/** Settings of {@link ResponseRateLimiter}, BIND's `rate-limit` clause. */
export interface RrlOptions {
  /** Responses per second for one (client prefix, class, name) before limiting; BIND `responses-per-second`. */
  readonly responsesPerSecond: number
  /** Override for empty answers (default `responsesPerSecond`). */
  readonly nodataPerSecond?: number | undefined
  /** Override for NXDOMAIN (default `responsesPerSecond`). */
  readonly nxdomainsPerSecond?: number | undefined
  /** Override for referrals (default `responsesPerSecond`). */
  readonly referralsPerSecond?: number | undefined
  /** Override for errors (default `responsesPerSecond`). */
  readonly errorsPerSecond?: number | undefined
  /** Seconds over which a client's excess is remembered (default 15, BIND's `window`). */
  readonly window?: number | undefined
  /**
   * Every `slip`-th limited response goes out truncated (TC=1, no records) so that a real
   * resolver behind a spoofed address retries over TCP; 0 drops them all (default 2).
   */
  readonly slip?: number | undefined
  /** Prefix length that groups IPv4 clients (default 24). */
  readonly ipv4PrefixLength?: number | undefined
  /** Prefix length that groups IPv6 clients (default 56). */
  readonly ipv6PrefixLength?: number | undefined
  /** Count what would be limited but send everything (BIND's `log-only`; default false). */
  readonly logOnly?: boolean | undefined
  /** Most accounts kept; the oldest quiet ones are evicted first (default 100 000). */
  readonly maxEntries?: number | undefined
}

/** Running totals of a {@link ResponseRateLimiter}. */
export interface RrlStats {
  /** Responses dropped (or, in log-only mode, that would have been). */
  readonly drops: number
  /** Responses sent truncated instead of dropped. */
  readonly slips: number
  /** Accounts evicted because the table was full. */
  readonly evictions: number
  /** Accounts in the table now. */
  readonly entries: number
}

interface Account {
  /** credit in responses; negative while over the limit, never below −window × rate */
  balance: number
  /** last time credit was added, in milliseconds */
  at: number
  /** limited responses so far, for slip */
  limited: number
}

const CLASSES: readonly RrlClass[] = ['positive', 'nodata', 'nxdomain', 'referral', 'error']

/**
 * Response rate limiting as BIND and NSD do it: one account per (client prefix — /24 for IPv4,
 * /56 for IPv6 —, response class, name), credited `rate` responses per second up to one
 * second's worth, debited one per response, and allowed to go `window` seconds' worth into debt,
 * so a flood stays limited until its rate over the window falls below the limit. Limited
 * responses are dropped, except every `slip`-th, which goes out truncated. The caller picks the
 * name: the qname and qtype for positive answers, the qname for empty ones, the zone for
 * NXDOMAIN (so random subdomains count together), the delegation for referrals, nothing for
 * errors. TCP and queries with a valid server cookie are not limited: the caller does not ask.
 *
 * Pure: time is an argument. The table is bounded; when it is full the oldest account is
 * evicted unless it is limited right now, in which case it gets one more round.
 *
 * @example
 * ```ts
 * const rrl = new ResponseRateLimiter({ responsesPerSecond: 5 })
 * const action = rrl.check(prefixKey, 'positive', 'www.example.com/1', Date.now())
 * ```
 */
export class ResponseRateLimiter {
  readonly #rates: Record<RrlClass, number>
  readonly #windowMs: number
  readonly #window: number
  readonly #slip: number
  readonly #logOnly: boolean
  readonly #max: number
  /** Exposed for {@link clientPrefixKey}. */
  readonly ipv4PrefixLength: number
  /** Exposed for {@link clientPrefixKey}. */
  readonly ipv6PrefixLength: number
  readonly #table = new Map<string, Account>()
  #drops = 0
  #slips = 0
  #evictions = 0

  /** @param options - rates, window, slip, prefix lengths, table size */
  constructor(options: RrlOptions) {
    const base = positive('responsesPerSecond', options.responsesPerSecond)
    this.#rates = {
      positive: base,
      nodata: positive('nodataPerSecond', options.nodataPerSecond ?? base),
      nxdomain: positive('nxdomainsPerSecond', options.nxdomainsPerSecond ?? base),
      referral: positive('referralsPerSecond', options.referralsPerSecond ?? base),
      error: positive('errorsPerSecond', options.errorsPerSecond ?? base),
    }
    this.#window = positive('window', options.window ?? 15)
    this.#windowMs = this.#window * 1000
    const slip = options.slip ?? 2
    if (!Number.isInteger(slip) || slip < 0 || slip > 10)
      throw invalidArgument(`rrl slip must be an integer from 0 to 10, got ${slip}`)
    this.#slip = slip
    this.#logOnly = options.logOnly === true
    this.#max = integer('maxEntries', options.maxEntries ?? 100_000, 1, 10_000_000)
    this.ipv4PrefixLength = integer('ipv4PrefixLength', options.ipv4PrefixLength ?? 24, 8, 32)
    this.ipv6PrefixLength = integer('ipv6PrefixLength', options.ipv6PrefixLength ?? 56, 16, 128)
  }

  /**
   * Accounts one response and says what to do with it.
   *
   * @param prefix - the client's prefix key, from {@link clientPrefixKey}
   * @param cls - the response's class
   * @param name - the name the account is kept for (see the class description), `''` for errors
   * @param now - the current time in milliseconds
   */
  check(prefix: string, cls: RrlClass, name: string, now: number): RrlAction {
    const key = `${prefix}|${cls}|${name}`
    const rate = this.#rates[cls]
    let account = this.#table.get(key)
    if (account === undefined) {
      if (this.#table.size >= this.#max) this.#evict(now)
      account = { balance: rate, at: now, limited: 0 }
      this.#table.set(key, account)
    } else if (now > account.at) {
      account.balance = Math.min(rate, account.balance + ((now - account.at) / 1000) * rate)
      account.at = now
    }
    account.balance = Math.max(account.balance - 1, -this.#window * rate)
    if (account.balance >= 0) {
      account.limited = 0
      return 'send'
    }
    account.limited++
    if (this.#slip > 0 && account.limited % this.#slip === 0) {
      this.#slips++
      return this.#logOnly ? 'send' : 'slip'
    }
    this.#drops++
    return this.#logOnly ? 'send' : 'drop'
  }

  /** Totals so far. */
  stats(): RrlStats {
    return { drops: this.#drops, slips: this.#slips, evictions: this.#evictions, entries: this.#table.size }
  }

  /** The response classes, in a stable order (for metrics labels). */
  static get classes(): readonly RrlClass[] {
    return CLASSES
  }

  #evict(now: number): void {
    // A few rounds at most: an account limited within the window goes to the back once.
    for (let round = 0; round < 4; round++) {
      const first = this.#table.entries().next()
      if (first.done === true) return
      const [key, account] = first.value
      this.#table.delete(key)
      if (account.balance < 0 && now - account.at < this.#windowMs && round < 3) {
        this.#table.set(key, account)
        continue
      }
      this.#evictions++
      return
    }
  }
}

/**
 * The RRL key of a client address: its /24 (IPv4) or /56 (IPv6) prefix, or the lengths given,
 * as a short string.
 *
 * @param bytes - the address bytes (from `parseIpBytes`)
 * @param family - 4 or 6
 *
 * @example
 * ```ts
 * clientPrefixKey(Uint8Array.of(192, 0, 2, 77), 4) // '4:192.0.2.'
 * ```
 */
export function clientPrefixKey(bytes: Uint8Array, family: 4 | 6, v4Length = 24, v6Length = 56): string {
  const bits = family === 4 ? v4Length : v6Length
  const whole = bits >>> 3
  let key = family === 4 ? '4:' : '6:'
  for (let i = 0; i < whole; i++) key += `${bytes[i]}.`
  const rest = bits & 7
  if (rest > 0) key += `${(bytes[whole] as number) & (0xff << (8 - rest)) & 0xff}`
  return key
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw invalidArgument(`rrl ${name} must be a positive number, got ${value}`)
  return value
}

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw invalidArgument(`rrl ${name} must be an integer from ${min} to ${max}, got ${value}`)
  return value
}
