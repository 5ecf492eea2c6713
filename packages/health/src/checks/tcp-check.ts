import { connect } from 'node:net'
import { invalidArgument } from '@shoal/core'
import { isPort, resolveAddress } from '../target-address.js'
import { type Check, checkFailed, onAbort } from './check.js'

/** Options of {@link tcpCheck}. */
export interface TcpCheckOptions {
  /** The host to connect to; default: the host of the target's name (`host:port`). */
  readonly host?: string | undefined
  /** The port; default: the port of the target's name. */
  readonly port?: number | undefined
}

/**
 * A TCP connect check (HAProxy's plain `check`, gdnsd's `tcp_connect`): passes when a connection
 * is established, then closes it at once without sending anything.
 *
 * @example
 * ```ts
 * health.add('10.0.0.5:5432', { check: tcpCheck() }) // the address comes from the target's name
 * health.add('db', { check: tcpCheck({ host: '10.0.0.5', port: 5432 }) })
 * ```
 */
export function tcpCheck(options: TcpCheckOptions = {}): Check {
  const { host, port } = options
  if (host !== undefined && (typeof host !== 'string' || host === ''))
    throw invalidArgument(`tcpCheck: host must be a non-empty string, got ${String(host)}`)
  if (port !== undefined && !isPort(port))
    throw invalidArgument(`tcpCheck: port must be an integer in 1–65535, got ${String(port)}`)
  return (target, { signal }) =>
    new Promise<void>((resolve, reject) => {
      const address = resolveAddress('tcp', target, host, port, undefined)
      const socket = connect({ host: address.host, port: address.port })
      socket.unref()
      const stop = onAbort(signal, (reason) => {
        socket.destroy()
        reject(reason)
      })
      socket.once('connect', () => {
        stop()
        socket.destroy()
        resolve()
      })
      socket.once('error', (error: NodeJS.ErrnoException) => {
        stop()
        socket.destroy()
        reject(
          checkFailed(`connect to ${address.host}:${address.port} failed: ${error.message}`, {
            code: error.code,
          }),
        )
      })
    })
}
