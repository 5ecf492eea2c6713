import { isIP } from 'node:net'
import { invalidArgument } from '@shoal/core'

/** A host and port to probe. */
export interface TargetAddress {
  /** A host name or an IP address (IPv6 without brackets). */
  readonly host: string
  /** A TCP or UDP port, 1–65535. */
  readonly port: number
}

/**
 * Splits a target name of the form `host:port`, `[v6]:port`, `host` or `v6` (the last two with
 * `defaultPort`) into a host and a port; `undefined` when it is not one.
 */
export function parseTargetAddress(target: string, defaultPort?: number): TargetAddress | undefined {
  let host: string
  let portText: string | undefined
  if (target.startsWith('[')) {
    const close = target.indexOf(']')
    if (close < 0) return undefined
    host = target.slice(1, close)
    const rest = target.slice(close + 1)
    if (rest !== '' && !rest.startsWith(':')) return undefined
    portText = rest === '' ? undefined : rest.slice(1)
    if (isIP(host) !== 6) return undefined
  } else if (isIP(target) === 6) {
    host = target
  } else {
    const colon = target.lastIndexOf(':')
    host = colon < 0 ? target : target.slice(0, colon)
    portText = colon < 0 ? undefined : target.slice(colon + 1)
  }
  if (host === '' || /[\s/?#@]/.test(host)) return undefined
  const port =
    portText === undefined ? defaultPort : /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN
  if (port === undefined || !isPort(port)) return undefined
  return { host, port }
}

/** Whether `port` is an integer in 1–65535. */
export function isPort(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535
}

/**
 * The address a check probes: `host`/`port` from the check's options when given, the rest from
 * the target's name (`host:port`). Throws `ERR_INVALID_ARGUMENT` naming the check when neither
 * gives an address, so a misconfigured target fails its check with a message that says why.
 */
export function resolveAddress(
  kind: string,
  target: string,
  host: string | undefined,
  port: number | undefined,
  defaultPort: number | undefined,
): TargetAddress {
  const parsed =
    host === undefined || port === undefined ? parseTargetAddress(target, defaultPort) : undefined
  const h = host ?? parsed?.host
  const p = port ?? parsed?.port ?? defaultPort
  if (h === undefined || p === undefined)
    throw invalidArgument(
      `${kind} check of target '${target}': no address to probe; name the target 'host:port' or give the check a host and port`,
      { target },
    )
  return { host: h, port: p }
}
