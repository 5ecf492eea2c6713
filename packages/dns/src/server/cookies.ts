import { invalidArgument } from '@shoal/core'
import { SipHash24 } from './siphash.js'

/** Length of a client cookie (RFC 7873 §4.1). */
export const CLIENT_COOKIE_LENGTH = 8
/** Length of an RFC 9018 server cookie: version, 3 reserved bytes, timestamp, 8-byte hash. */
export const SERVER_COOKIE_LENGTH = 16

/** Seconds after which a valid server cookie is replaced by a fresh one (RFC 9018 §4.3: half an hour). */
const REFRESH_AFTER = 1800
/** The oldest timestamp still accepted (RFC 9018 §4.3: one hour). */
const MAX_AGE = 3600
/** How far in the future a timestamp may be, for clock skew between anycast nodes (RFC 9018 §4.3). */
const MAX_SKEW = 300

/**
 * What a query's COOKIE option said (RFC 7873 §5.2):
 * - `none`: no COOKIE option;
 * - `malformed`: a length RFC 7873 §5.2.2 refuses (answer FORMERR);
 * - `client-only`: a client cookie alone, the first query to this server (counted `cookie_init`);
 * - `valid`: a server cookie this server (or one sharing its secret) made for this client address;
 * - `invalid`: a server cookie that is not valid here (another secret, too old, or another address).
 */
export type CookieVerdict = 'none' | 'malformed' | 'client-only' | 'valid' | 'invalid'

/** Settings of {@link ServerCookies}. */
export interface ServerCookiesOptions {
  /** The 16-byte SipHash key every server of an anycast set shares (RFC 9018 §4.4). */
  readonly secret: Uint8Array
  /**
   * Keys that are being retired: cookies made with them are still valid, new cookies are made
   * with `secret` (RFC 9018 §5, rolling the secret over).
   */
  readonly previousSecrets?: readonly Uint8Array[] | undefined
}

/**
 * DNS cookies on the server side (RFC 7873), with interoperable RFC 9018 server cookies:
 * `version 1 | reserved (3) | timestamp (4) | SipHash-2-4(client cookie | version | reserved |
 * timestamp | client IP)`. Pure: time comes in as an argument, and the reply's cookie is written
 * into a buffer the object reuses.
 *
 * @example
 * ```ts
 * const cookies = new ServerCookies({ secret: new Uint8Array(16).fill(7) })
 * const ip = new Uint8Array([192, 0, 2, 1])
 * const verdict = cookies.check(query.cookie?.client, query.cookie?.server, ip, 1_700_000_000)
 * const server = cookies.serverCookie // 16 bytes for the reply's OPT RR, after the client cookie
 * ```
 */
export class ServerCookies {
  readonly #current: SipHash24
  readonly #previous: readonly SipHash24[]
  /** hash input: client cookie (8) + version, reserved, timestamp (8) + address (≤ 16) */
  readonly #input = new Uint8Array(32)
  readonly #mac = new Uint8Array(8)
  readonly #reply = new Uint8Array(CLIENT_COOKIE_LENGTH + SERVER_COOKIE_LENGTH)
  readonly #server = this.#reply.subarray(CLIENT_COOKIE_LENGTH)
  readonly #option = new Uint8Array(CLIENT_COOKIE_LENGTH + SERVER_COOKIE_LENGTH)

  /** @param options - the shared secret and any retiring ones */
  constructor(options: ServerCookiesOptions) {
    const secrets = [options.secret, ...(options.previousSecrets ?? [])]
    for (const s of secrets) {
      if (!(s instanceof Uint8Array) || s.length !== 16)
        throw invalidArgument('a cookie secret is 16 bytes (32 hex digits)')
    }
    this.#current = new SipHash24(options.secret)
    this.#previous = (options.previousSecrets ?? []).map((s) => new SipHash24(s))
  }

  /**
   * The COOKIE option data for the reply after {@link ServerCookies.check}: the client cookie
   * followed by the server cookie (24 bytes). Valid until the next check; copy it to keep it.
   */
  get reply(): Uint8Array {
    return this.#reply
  }

  /**
   * The server cookie part of {@link ServerCookies.reply} (16 bytes), what a `ResponseWriter`
   * sends after the client's cookie. A fixed view: valid until the next check.
   */
  get serverCookie(): Uint8Array {
    return this.#server
  }

  /**
   * Judges a query's cookie and prepares the reply's.
   *
   * @param client - the client cookie (8 bytes), or `undefined` when the query has no COOKIE option
   * @param server - the server cookie the client echoed (8–32 bytes), or `undefined`
   * @param address - the client's address bytes (4 or 16)
   * @param now - the current time in seconds since the epoch
   */
  check(
    client: Uint8Array | undefined,
    server: Uint8Array | undefined,
    address: Uint8Array,
    now: number,
  ): CookieVerdict {
    if (client === undefined) return 'none'
    // RFC 7873 §5.2.2: 8 bytes alone, or 8 + 8..32
    if (
      client.length !== CLIENT_COOKIE_LENGTH ||
      (server !== undefined && (server.length < 8 || server.length > 32))
    )
      return 'malformed'
    const ts = now >>> 0
    const option = this.#option
    option.set(client, 0)
    this.#reply.set(client, 0)
    if (server === undefined) {
      this.#make(ts, address)
      return 'client-only'
    }
    if (server.length === SERVER_COOKIE_LENGTH) {
      option.set(server, CLIENT_COOKIE_LENGTH)
      if (this.#valid(option, address, ts)) {
        const stamped = readU32(option, 12)
        // keep the client's cookie while it is fresh, so a busy client does not see a new one per query
        if (((ts - stamped) | 0) <= REFRESH_AFTER) this.#reply.set(server, CLIENT_COOKIE_LENGTH)
        else this.#make(ts, address)
        return 'valid'
      }
    }
    this.#make(ts, address)
    return 'invalid'
  }

  /**
   * Whether a COOKIE option's data (client cookie then server cookie, 24 bytes) is valid for
   * `address` at `now`, without preparing a reply.
   */
  isValid(option: Uint8Array, address: Uint8Array, now: number): boolean {
    return (
      option.length === CLIENT_COOKIE_LENGTH + SERVER_COOKIE_LENGTH && this.#valid(option, address, now >>> 0)
    )
  }

  #valid(option: Uint8Array, address: Uint8Array, now: number): boolean {
    if (option[8] !== 1) return false
    const stamped = readU32(option, 12)
    // serial-number arithmetic (RFC 1982): the timestamp wraps in 2106
    const age = (now - stamped) | 0
    if (age > MAX_AGE || age < -MAX_SKEW) return false
    const input = this.#input
    input.set(option.subarray(0, 16), 0)
    input.set(address, 16)
    const n = 16 + address.length
    if (this.#matches(this.#current, input, n, option)) return true
    for (const sip of this.#previous) if (this.#matches(sip, input, n, option)) return true
    return false
  }

  #matches(sip: SipHash24, input: Uint8Array, n: number, option: Uint8Array): boolean {
    sip.hash(input, 0, n, this.#mac, 0)
    const mac = this.#mac
    let diff = 0
    for (let i = 0; i < 8; i++) diff |= (mac[i] as number) ^ (option[16 + i] as number)
    return diff === 0
  }

  /** Writes a fresh server cookie (version 1, reserved 0, `ts`) after the client cookie in the reply. */
  #make(ts: number, address: Uint8Array): void {
    const reply = this.#reply
    reply[8] = 1
    reply[9] = 0
    reply[10] = 0
    reply[11] = 0
    reply[12] = ts >>> 24
    reply[13] = (ts >>> 16) & 0xff
    reply[14] = (ts >>> 8) & 0xff
    reply[15] = ts & 0xff
    const input = this.#input
    input.set(reply.subarray(0, 16), 0)
    input.set(address, 16)
    this.#current.hash(input, 0, 16 + address.length, reply, 16)
  }
}

function readU32(b: Uint8Array, at: number): number {
  return (
    (((b[at] as number) << 24) |
      ((b[at + 1] as number) << 16) |
      ((b[at + 2] as number) << 8) |
      (b[at + 3] as number)) >>>
    0
  )
}
