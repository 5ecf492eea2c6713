import { invalidArgument } from '@shoal/core'

/**
 * The parts of an HTTP request the key helpers read: what `node:http`'s `IncomingMessage` has
 * (header names in lower case), so one passes straight in.
 */
export interface HttpRequestLike {
  /** Request headers by lower-case name. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  /** The request target, e.g. `/users/42?tab=posts`. */
  readonly url?: string | undefined
  /** The connection, for the peer address. */
  readonly socket?: { readonly remoteAddress?: string | undefined } | undefined
}

/** Options of {@link clientIpKey}. */
export interface ClientIpKeyOptions {
  /**
   * Bits of an IPv4 address to keep, 0 to 32 (default 32, the whole address). 24 keys by the
   * first three octets as nginx's `ip_hash` does, so clients behind a pool of NAT addresses in
   * one /24 stay together.
   */
  readonly prefix?: number | undefined
  /** Bits of an IPv6 address to keep, 0 to 128 (default 128, the whole address; 64 keys by subnet). */
  readonly prefix6?: number | undefined
  /**
   * Key by the first address of `X-Forwarded-For` when present (default `false`). Only behind a
   * proxy that sets that header: anyone else can write it and choose their backend.
   */
  readonly trustForwarded?: boolean | undefined
}

/** Options of {@link pathKey}. */
export interface PathKeyOptions {
  /** Keep only the first `depth` path segments: `/a/b/c` with depth 2 keys as `/a/b` (HAProxy `uri depth`). */
  readonly depth?: number | undefined
  /** Keep the query string too (HAProxy `uri whole`; default `false`, the path alone). */
  readonly whole?: boolean | undefined
  /** Keep at most this many characters (HAProxy `uri len`). */
  readonly len?: number | undefined
}

/**
 * The client's address as an affinity key (HAProxy `balance source`, nginx `ip_hash`). IPv4
 * addresses key as written, IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) as IPv4, other IPv6
 * addresses in one uncompressed form (`2001:db8:0:0:0:0:0:1`), so every spelling of an address
 * gives the same key. With a prefix shorter than the address the key is the network, e.g.
 * `"192.168.7.0/24"`.
 *
 * @returns the key, or `undefined` when there is no address or it is not an IP address
 * @example
 * ```ts
 * const backend = lb.pick(clientIpKey(req, { prefix: 24 }) ?? 'anonymous')
 * ```
 */
export function clientIpKey(req: HttpRequestLike, options: ClientIpKeyOptions = {}): string | undefined {
  const prefix = options.prefix ?? 32
  const prefix6 = options.prefix6 ?? 128
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32)
    throw invalidArgument(`clientIpKey prefix must be an integer number of bits from 0 to 32, got ${prefix}`)
  if (!Number.isInteger(prefix6) || prefix6 < 0 || prefix6 > 128)
    throw invalidArgument(
      `clientIpKey prefix6 must be an integer number of bits from 0 to 128, got ${prefix6}`,
    )
  const address = bareAddress(clientAddress(req, options.trustForwarded === true))
  if (address === undefined) return undefined
  if (!address.includes(':')) {
    const value = parseIpv4(address, 0, address.length)
    if (value < 0) return undefined
    return prefix === 32 ? address : ipv4Key(value, prefix)
  }
  if (!parseIpv6(address)) return undefined
  // ::ffff:a.b.c.d is an IPv4 client on a dual-stack socket
  if (isIpv4Mapped()) return ipv4Key((groups[6] as number) * 65536 + (groups[7] as number), prefix)
  return ipv6Key(prefix6)
}

/**
 * A request header's value as an affinity key (HAProxy `balance hdr(name)`): a tenant, an API
 * key, a `Host`. Of a repeated header, the first value.
 *
 * @param name - the header name, in any case
 * @returns the value, or `undefined` when the header is absent or empty
 * @example
 * ```ts
 * const backend = lb.pick(headerKey(req, 'x-tenant') ?? clientIpKey(req))
 * ```
 */
export function headerKey(req: HttpRequestLike, name: string): string | undefined {
  const headers = req.headers
  return nonEmpty(firstValue(headers[name] ?? headers[name.toLowerCase()]))
}

/**
 * A cookie's value as an affinity key (a session id: keyed placement without a session table).
 * The `Cookie` header is scanned in place, and only the value is copied out.
 *
 * @returns the first cookie of that name's value (surrounding double quotes removed), or
 *   `undefined` when there is no such cookie or its value is empty
 * @example
 * ```ts
 * const backend = lb.pick(cookieKey(req, 'session') ?? clientIpKey(req))
 * ```
 */
export function cookieKey(req: HttpRequestLike, name: string): string | undefined {
  const header = req.headers.cookie
  if (typeof header === 'string') return findCookie(header, name)
  if (header === undefined) return undefined
  for (const line of header) {
    const value = findCookie(line, name)
    if (value !== undefined) return value
  }
  return undefined
}

/**
 * The request path as an affinity key, for caches (HAProxy `balance uri … path-only`): the
 * path without the query string unless `whole`, the scheme and authority of an absolute URL left
 * out, cut to `depth` segments and `len` characters.
 *
 * @returns the key, or `undefined` when the request has no URL
 * @example
 * ```ts
 * // /videos/42/chunk-7.ts?sig=… → /videos/42
 * const backend = lb.pick(pathKey(req, { depth: 2 }))
 * ```
 */
export function pathKey(req: HttpRequestLike, options: PathKeyOptions = {}): string | undefined {
  const { depth, whole = false, len } = options
  if (depth !== undefined && (!Number.isInteger(depth) || depth < 0))
    throw invalidArgument(`pathKey depth must be a non-negative integer, got ${depth}`)
  if (len !== undefined && (!Number.isInteger(len) || len < 1))
    throw invalidArgument(`pathKey len must be a positive integer, got ${len}`)
  const url = req.url
  if (url === undefined || url === '') return undefined
  const start = pathStart(url)
  let end = url.length
  const query = url.indexOf('?', start)
  if (!whole && query >= 0) end = query
  if (depth !== undefined) {
    // the (depth + 1)-th slash of the path ends the key; the query's slashes do not count
    const pathEnd = query >= 0 ? query : url.length
    let slashes = 0
    for (let i = start; i < pathEnd; i++) {
      if (url.charCodeAt(i) === 47 && ++slashes > depth) {
        end = Math.max(i, start + 1)
        break
      }
    }
  }
  if (len !== undefined && end - start > len) end = start + len
  if (start === 0 && end === url.length) return url
  return start === end ? '/' : url.slice(start, end)
}

/**
 * A query parameter's value as an affinity key (HAProxy `balance url_param`), raw as it appears
 * in the URL (not percent-decoded, so equal URLs give equal keys at no cost).
 *
 * @returns the first value of `param`, or `undefined` when it is absent or empty
 * @example
 * ```ts
 * // /search?user=ada&q=x → "ada"
 * const backend = lb.pick(queryKey(req, 'user') ?? clientIpKey(req))
 * ```
 */
export function queryKey(req: HttpRequestLike, param: string): string | undefined {
  const url = req.url
  if (url === undefined) return undefined
  const query = url.indexOf('?')
  if (query < 0) return undefined
  let end = url.indexOf('#', query)
  if (end < 0) end = url.length
  let from = query + 1
  while (from < end) {
    let next = url.indexOf('&', from)
    if (next < 0 || next > end) next = end
    if (
      url.charCodeAt(from + param.length) === 61 &&
      url.startsWith(param, from) &&
      from + param.length < next
    )
      return nonEmpty(url.slice(from + param.length + 1, next))
    from = next + 1
  }
  return undefined
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' || value === undefined ? value : value[0]
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value
}

/** The value of cookie `name` in one `Cookie` header, scanned in place. */
function findCookie(header: string, name: string): string | undefined {
  const length = header.length
  let from = 0
  while (from < length) {
    while (isSpace(header.charCodeAt(from))) from++
    let end = header.indexOf(';', from)
    if (end < 0) end = length
    if (header.startsWith(name, from)) {
      let start = from + name.length
      while (isSpace(header.charCodeAt(start))) start++
      if (start < end && header.charCodeAt(start) === 61) {
        start++
        let stop = end
        while (start < stop && isSpace(header.charCodeAt(start))) start++
        while (stop > start && isSpace(header.charCodeAt(stop - 1))) stop--
        if (stop - start >= 2 && header.charCodeAt(start) === 34 && header.charCodeAt(stop - 1) === 34) {
          start++
          stop--
        }
        return start === stop ? undefined : header.slice(start, stop)
      }
    }
    from = end + 1
  }
  return undefined
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9
}

/** Where the path of a request target begins: after the scheme and authority of an absolute URL. */
function pathStart(url: string): number {
  if (url.charCodeAt(0) === 47) return 0
  const scheme = url.indexOf('://')
  if (scheme < 0) return 0
  for (let i = scheme + 3; i < url.length; i++) {
    const c = url.charCodeAt(i)
    if (c === 47 || c === 63 || c === 35) return i
  }
  return url.length
}

function clientAddress(req: HttpRequestLike, trustForwarded: boolean): string | undefined {
  if (trustForwarded) {
    const forwarded = firstValue(req.headers['x-forwarded-for'])
    if (forwarded !== undefined) {
      const comma = forwarded.indexOf(',')
      const first = (comma < 0 ? forwarded : forwarded.slice(0, comma)).trim()
      if (first !== '') return first
    }
  }
  return nonEmpty(req.socket?.remoteAddress)
}

/** The address alone: no brackets, port or zone. */
function bareAddress(address: string | undefined): string | undefined {
  if (address === undefined) return undefined
  let bare = address
  if (bare.charCodeAt(0) === 91) {
    const close = bare.indexOf(']')
    bare = bare.slice(1, close < 0 ? bare.length : close)
  } else {
    const colon = bare.indexOf(':')
    // one colon: IPv4 with a port (X-Forwarded-For from some proxies)
    if (colon >= 0 && bare.indexOf(':', colon + 1) < 0) bare = bare.slice(0, colon)
  }
  const zone = bare.indexOf('%')
  if (zone >= 0) bare = bare.slice(0, zone)
  return nonEmpty(bare)
}

function ipv4Key(value: number, prefix: number): string {
  const network = prefix === 0 ? 0 : (value & (-1 << (32 - prefix))) >>> 0
  const dotted = `${network >>> 24}.${(network >>> 16) & 255}.${(network >>> 8) & 255}.${network & 255}`
  return prefix === 32 ? dotted : `${dotted}/${prefix}`
}

/** A dotted quad in `text[from, to)` as an unsigned 32-bit number, -1 when it is not one. */
function parseIpv4(text: string, from: number, to: number): number {
  let value = 0
  let octet = 0
  let digits = 0
  let dots = 0
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1
      value = value * 256 + octet
      octet = 0
      digits = 0
    } else if (c >= 48 && c <= 57 && digits < 3) {
      octet = octet * 10 + (c - 48)
      digits++
      if (octet > 255) return -1
    } else return -1
  }
  if (dots !== 3 || digits === 0) return -1
  return value * 256 + octet
}

const groups = new Uint16Array(8)
const tail = new Uint16Array(8)

/** The address parsed into {@link groups}, masked to `prefix` bits, in uncompressed form. */
function ipv6Key(prefix: number): string {
  let key = ''
  for (let g = 0; g < 8; g++) {
    const bits = Math.min(16, Math.max(0, prefix - 16 * g))
    const value = bits === 0 ? 0 : (groups[g] as number) & (0xffff << (16 - bits)) & 0xffff
    key += g === 0 ? value.toString(16) : `:${value.toString(16)}`
  }
  return prefix === 128 ? key : `${key}/${prefix}`
}

/** Parses an IPv6 address into {@link groups}; false when it is not one. */
function parseIpv6(text: string): boolean {
  const gap = text.indexOf('::')
  if (gap < 0) return parseGroups(text, 0, text.length, groups) === 8
  if (text.indexOf('::', gap + 1) >= 0) return false
  const head = gap === 0 ? 0 : parseGroups(text, 0, gap, groups)
  const after = gap + 2
  const tailCount = after === text.length ? 0 : parseGroups(text, after, text.length, tail)
  // "::" stands for at least one group of zeros
  if (head < 0 || tailCount < 0 || head + tailCount > 7) return false
  groups.fill(0, head)
  groups.set(tail.subarray(0, tailCount), 8 - tailCount)
  return true
}

/** True when {@link groups} hold an IPv4-mapped address (`::ffff:0:0/96`). */
function isIpv4Mapped(): boolean {
  for (let g = 0; g < 5; g++) if (groups[g] !== 0) return false
  return groups[5] === 0xffff
}

/**
 * Parses the colon-separated hex groups of `text[from, to)` (the last may be a dotted quad) into
 * `out`; returns how many groups there were, -1 on a syntax error.
 */
function parseGroups(text: string, from: number, to: number, out: Uint16Array): number {
  let count = 0
  let start = from
  for (let i = from; i <= to; i++) {
    if (i < to && text.charCodeAt(i) !== 58) continue
    const length = i - start
    if (length === 0 || count >= 8) return -1
    const dot = text.indexOf('.', start)
    if (dot >= 0 && dot < i) {
      const quad = i === to && count <= 6 ? parseIpv4(text, start, to) : -1
      if (quad < 0) return -1
      out[count++] = quad >>> 16
      out[count++] = quad & 0xffff
      return count
    }
    if (length > 4) return -1
    let value = 0
    for (let j = start; j < i; j++) {
      const digit = hexDigit(text.charCodeAt(j))
      if (digit < 0) return -1
      value = value * 16 + digit
    }
    out[count++] = value
    start = i + 1
  }
  return count
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  const lower = c | 32
  return lower >= 97 && lower <= 102 ? lower - 87 : -1
}
