import { randomInt } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { isIP } from 'node:net'
import { invalidArgument } from '@shoal/core'
import {
  encodeQuery,
  normalizeName,
  QUERY_TYPES,
  type QueryTypeName,
  RCODES,
  type RcodeName,
  rcodeName,
  readReply,
} from '../dns-message.js'
import { isPort, resolveAddress } from '../target-address.js'
import { type Check, checkFailed, onAbort } from './check.js'

/** Options of {@link dnsCheck}. */
export interface DnsCheckOptions {
  /** The name to ask for, e.g. `example.com`. */
  readonly name: string
  /** The query type, by name or number; default `A`. */
  readonly type?: QueryTypeName | number | undefined
  /** The response codes that pass, by name or number; default `NOERROR`. */
  readonly rcode?: RcodeName | number | readonly (RcodeName | number)[] | undefined
  /** Also require at least one answer record (default `false`). */
  readonly nonEmpty?: boolean | undefined
  /** Sets the RD bit (default `true`, as `dig` does); clear it to probe an authoritative server. */
  readonly recursionDesired?: boolean | undefined
  /** The server to ask; default: the host of the target's name (`host:port`). */
  readonly host?: string | undefined
  /** The server's port; default: the port of the target's name, else 53. */
  readonly port?: number | undefined
}

/**
 * A DNS check: sends one query over UDP to the target and passes when a well-formed reply to that
 * query comes back with an accepted response code (and, with `nonEmpty`, an answer). Malformed or
 * foreign replies fail the check with the reason; they never throw out of it.
 *
 * @example
 * ```ts
 * health.add('192.0.2.53:53', { check: dnsCheck({ name: 'example.com', type: 'A', nonEmpty: true }) })
 * ```
 */
export function dnsCheck(options: DnsCheckOptions): Check {
  if (options === null || typeof options !== 'object')
    throw invalidArgument("dnsCheck: options with a name to query are required, e.g. { name: 'example.com' }")
  const name = normalizeName(options.name)
  const type = queryType(options.type ?? 'A')
  const rcodes = new Set(
    (Array.isArray(options.rcode) ? options.rcode : [options.rcode ?? 'NOERROR']).map((r) =>
      responseCode(r as RcodeName | number),
    ),
  )
  if (rcodes.size === 0) throw invalidArgument('dnsCheck: rcode must name at least one response code')
  const nonEmpty = options.nonEmpty ?? false
  const recursionDesired = options.recursionDesired ?? true
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === ''))
    throw invalidArgument(`dnsCheck: host must be a non-empty string, got ${String(options.host)}`)
  if (options.port !== undefined && !isPort(options.port))
    throw invalidArgument(`dnsCheck: port must be an integer in 1–65535, got ${String(options.port)}`)

  return (target, { signal }) =>
    new Promise<void>((resolve, reject) => {
      const { host, port } = resolveAddress('dns', target, options.host, options.port, 53)
      const query = { id: randomInt(0x10000), name, type }
      const packet = encodeQuery(query, recursionDesired)
      const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4')
      socket.unref()
      let settled = false
      let stop = (): void => {}
      const finish = (error?: unknown): void => {
        if (settled) return
        settled = true
        stop()
        try {
          socket.close()
        } catch {
          // already closed by a failed connect
        }
        if (error === undefined) resolve()
        else reject(error)
      }
      stop = onAbort(signal, (reason) => finish(reason))
      socket.on('error', (error: NodeJS.ErrnoException) =>
        finish(checkFailed(`DNS query to ${host}:${port} failed: ${error.message}`, { code: error.code })),
      )
      socket.on('message', (message: Buffer) => {
        const result = readReply(message, query)
        if (!result.ok) {
          finish(checkFailed(`DNS reply from ${host}:${port}: ${result.reason}`))
          return
        }
        const { reply } = result
        if (!rcodes.has(reply.rcode))
          finish(
            checkFailed(`DNS reply ${rcodeName(reply.rcode)} for ${name || '.'}`, { rcode: reply.rcode }),
          )
        else if (nonEmpty && reply.answers === 0)
          finish(checkFailed(`DNS reply ${rcodeName(reply.rcode)} for ${name || '.'} has no answer`))
        else finish()
      })
      if (settled) return
      // connect() filters datagrams from anyone but the server, and surfaces ICMP port unreachable
      socket.connect(port, host, () => {
        if (!settled)
          socket.send(packet, (error) => error && finish(checkFailed(`DNS send failed: ${error.message}`)))
      })
    })
}

function queryType(type: QueryTypeName | number): number {
  if (typeof type === 'number') {
    if (Number.isInteger(type) && type >= 1 && type <= 0xffff) return type
  } else if (Object.hasOwn(QUERY_TYPES, type)) return QUERY_TYPES[type]
  throw invalidArgument(
    `dnsCheck: type must be one of ${Object.keys(QUERY_TYPES).join(', ')} or a number in 1–65535, got ${String(type)}`,
  )
}

function responseCode(rcode: RcodeName | number): number {
  if (typeof rcode === 'number') {
    if (Number.isInteger(rcode) && rcode >= 0 && rcode <= 15) return rcode
  } else if (Object.hasOwn(RCODES, rcode)) return RCODES[rcode]
  throw invalidArgument(
    `dnsCheck: rcode must be one of ${Object.keys(RCODES).join(', ')} or a number in 0–15, got ${String(rcode)}`,
  )
}
