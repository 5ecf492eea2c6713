import { isIPv4, isIPv6 } from 'node:net'
import { networkInterfaces } from 'node:os'
import { invalidArgument } from '@shoal/core'

/** A parsed `host:port`: the host an IP literal without brackets. */
export interface HostPort {
  /** The IP address (IPv6 without brackets). */
  readonly host: string
  /** The port. */
  readonly port: number
  /** Whether the host is an IPv6 address. */
  readonly ipv6: boolean
}

/**
 * Reads `"a.b.c.d:port"` or `"[ipv6]:port"` (an IP literal: the protocol makes no name lookups).
 *
 * @param text - the address
 * @param allowZero - whether port 0 (a port the system picks) is allowed, as for a bind address
 * @returns the host and port, or `undefined` when `text` is not such an address
 * @example
 * ```ts
 * parseHostPort('[::1]:7946', true) // { host: '::1', port: 7946, ipv6: true }
 * ```
 */
export function parseHostPort(text: unknown, allowZero = false): HostPort | undefined {
  if (typeof text !== 'string') return undefined
  let host: string
  let portText: string
  if (text.startsWith('[')) {
    const close = text.indexOf(']:')
    if (close < 0) return undefined
    host = text.slice(1, close)
    portText = text.slice(close + 2)
    if (!isIPv6(host)) return undefined
  } else {
    const colon = text.lastIndexOf(':')
    if (colon < 0) return undefined
    host = text.slice(0, colon)
    portText = text.slice(colon + 1)
    if (!isIPv4(host)) return undefined
  }
  if (!/^\d{1,5}$/.test(portText)) return undefined
  const port = Number(portText)
  if (port > 65_535 || (port === 0 && !allowZero)) return undefined
  return { host, port, ipv6: host.includes(':') }
}

/**
 * {@link parseHostPort}, throwing `ERR_INVALID_ARGUMENT` with a message naming the option.
 *
 * @example
 * ```ts
 * const { host, port } = requireHostPort('127.0.0.1:0', 'bind', true)
 * ```
 */
export function requireHostPort(text: unknown, what: string, allowZero = false): HostPort {
  const parsed = parseHostPort(text, allowZero)
  if (parsed === undefined)
    throw invalidArgument(
      `${what} must be "a.b.c.d:port" or "[ipv6]:port" with an IP address and a port from ${allowZero ? 0 : 1} to 65535, got ${JSON.stringify(text)}`,
      { [what]: text },
    )
  return parsed
}

/**
 * Formats a host and port as `"host:port"`, an IPv6 host in brackets, an IPv4-mapped IPv6 host
 * as plain IPv4.
 *
 * @example
 * ```ts
 * formatHostPort('::1', 7946) // '[::1]:7946'
 * ```
 */
export function formatHostPort(host: string, port: number): string {
  if (host.includes(':')) {
    if (host.startsWith('::ffff:') && isIPv4(host.slice(7))) return `${host.slice(7)}:${port}`
    return `[${host}]:${port}`
  }
  return `${host}:${port}`
}

/**
 * The address to advertise for a socket bound to `host`: `host` itself, unless it is the
 * unspecified address (`0.0.0.0` or `::`), which peers cannot send to; then the first
 * non-internal address of the same family, or the loopback address when there is none.
 *
 * @example
 * ```ts
 * advertiseHost('0.0.0.0') // e.g. '10.0.0.5'
 * ```
 */
export function advertiseHost(host: string): string {
  const ipv6 = host.includes(':')
  if (host !== '0.0.0.0' && host !== '::' && host !== '0:0:0:0:0:0:0:0') return host
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.internal) continue
      if (!ipv6 && info.family === 'IPv4') return info.address
      if (ipv6 && info.family === 'IPv6' && !info.address.startsWith('fe80')) return info.address
    }
  }
  return ipv6 ? '::1' : '127.0.0.1'
}
