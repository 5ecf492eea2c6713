import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { isIPv4, isIPv6 } from 'node:net'
import type { DatagramAddress, DatagramHandler, DatagramPort } from './datagram-port.js'
import { invalidArgument, ShoalError } from './errors.js'
import { createLogger, type Logger } from './logger.js'

/** The largest UDP payload that fits in one IPv4 datagram (65,535 − 20 − 8 bytes). */
export const MAX_UDP_PAYLOAD = 65_507

/** How many parsed destination addresses a {@link UdpPort} keeps for reuse. */
const ADDRESS_CACHE_SIZE = 1024

/** Options of {@link openUdpPort}. */
export interface UdpPortOptions {
  /**
   * The IP address to bind, IPv4 or IPv6 (brackets optional); it chooses the socket family.
   * Default `127.0.0.1`; `0.0.0.0` or `::` listen on every interface.
   */
  readonly host?: string | undefined
  /** The port to bind, 0 (the default) for one the system picks. */
  readonly port?: number | undefined
  /**
   * The `"host:port"` peers should send to, when it differs from the bound address (behind NAT,
   * in a container); it becomes {@link UdpPort.address}. Default: the bound address.
   */
  readonly advertise?: DatagramAddress | undefined
  /** The socket's receive buffer (`SO_RCVBUF`) in bytes; default: the system's. */
  readonly recvBufferSize?: number | undefined
  /** The socket's send buffer (`SO_SNDBUF`) in bytes; default: the system's. */
  readonly sendBufferSize?: number | undefined
  /** Where send and handler failures are reported; default `util.debuglog('shoal:core')`. */
  readonly logger?: Logger | undefined
  /** Aborts opening, and closes the port when it aborts later. */
  readonly signal?: AbortSignal | undefined
}

/** The counters of a {@link UdpPort}, since it opened. */
export interface UdpPortStats {
  /** Datagrams the system accepted for sending. */
  readonly sent: number
  /** Datagrams received (including those dropped for want of a handler). */
  readonly received: number
  /** Sends that failed (unreachable, wrong family, socket errors); those datagrams are dropped. */
  readonly sendErrors: number
  /** Datagrams whose handler threw; the error is caught and the port keeps receiving. */
  readonly handlerErrors: number
  /** Datagrams dropped: outgoing ones over {@link MAX_UDP_PAYLOAD}, incoming ones with no handler. */
  readonly dropped: number
}

/** A {@link DatagramPort} on a real UDP socket, as {@link openUdpPort} returns it. */
export interface UdpPort extends DatagramPort, AsyncDisposable {
  /** The address the socket is bound to, `"host:port"` (`"[::1]:7946"` for IPv6). */
  readonly boundAddress: DatagramAddress
  /** Whether {@link DatagramPort.close} has been called (or the signal aborted). */
  readonly closed: boolean
  /** A snapshot of the counters. */
  stats(): UdpPortStats
}

interface Destination {
  readonly host: string
  readonly port: number
}

/**
 * Opens a UDP port with `node:dgram`: the {@link DatagramPort} that protocol adapters use on a
 * real network, IPv4 or IPv6 after the bind host. The socket is unref'd, so an open port never
 * keeps the process alive on its own.
 *
 * `send` takes `"a.b.c.d:port"` or `"[v6]:port"` with an IP literal (no name lookups) and throws
 * `ERR_INVALID_ARGUMENT` for a malformed address and `ERR_PORT_CLOSED` after `close()`; network
 * problems never throw: failed sends and datagrams over {@link MAX_UDP_PAYLOAD} bytes are counted
 * and dropped. An IPv6 socket bound to `::` reaches IPv4 peers too, and reports them as IPv4.
 * A handler that throws is counted and the port goes on receiving.
 *
 * @example
 * ```ts
 * const port = await openUdpPort({ host: '0.0.0.0', port: 7946, advertise: '203.0.113.7:7946' })
 * port.onDatagram((data, from) => port.send(from, data)) // echo
 * port.address // '203.0.113.7:7946'; port.boundAddress is '0.0.0.0:7946'
 * await port.close()
 * ```
 */
export async function openUdpPort(options: UdpPortOptions = {}): Promise<UdpPort> {
  const { signal } = options
  signal?.throwIfAborted()
  const host = bindHost(options.host)
  const port = options.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw invalidArgument(`port must be an integer from 0 to 65535, got ${String(port)}`, { port })
  const recvBufferSize = bufferSize('recvBufferSize', options.recvBufferSize)
  const sendBufferSize = bufferSize('sendBufferSize', options.sendBufferSize)
  if (options.advertise !== undefined) parseAddress(options.advertise, 'advertise')

  const ipv6 = isIPv6(host)
  const socket = createSocket({
    type: ipv6 ? 'udp6' : 'udp4',
    ...(recvBufferSize === undefined ? {} : { recvBufferSize }),
    ...(sendBufferSize === undefined ? {} : { sendBufferSize }),
  })
  let bound = false
  const onError = (error: Error): void => {
    if (bound) return // the port counts errors from here on
    signal?.removeEventListener('abort', onAbort)
    socket.close()
    fail(
      new ShoalError('ERR_BIND_FAILED', `cannot bind UDP ${formatAddress(host, port)}: ${error.message}`, {
        cause: error,
        details: { host, port },
      }),
    )
  }
  const onAbort = (): void => {
    socket.off('error', onError)
    socket.close()
    fail(signal?.reason)
  }
  let fail: (reason: unknown) => void = () => {}
  socket.on('error', onError)
  signal?.addEventListener('abort', onAbort, { once: true })
  await new Promise<void>((resolve, reject) => {
    fail = reject
    socket.bind({ address: host, port }, () => {
      bound = true
      signal?.removeEventListener('abort', onAbort)
      resolve()
    })
  })
  const udpPort = new NodeUdpPort(
    socket,
    ipv6,
    options.advertise,
    options.logger ?? createLogger('core'),
    signal,
  )
  socket.off('error', onError)
  return udpPort
}

class NodeUdpPort implements UdpPort {
  readonly address: DatagramAddress
  readonly boundAddress: DatagramAddress
  #closing: Promise<void> | undefined
  #handler: DatagramHandler | undefined
  #sent = 0
  #received = 0
  #sendErrors = 0
  #handlerErrors = 0
  #dropped = 0
  readonly #socket: Socket
  readonly #ipv6: boolean
  readonly #cache = new Map<string, Destination>()
  readonly #logger: Logger
  readonly #signal: AbortSignal | undefined
  readonly #onAbort = (): void => void this.close()
  // One callback for every send, so that sending allocates no closure.
  readonly #afterSend = (error: Error | null): void => {
    if (error === null) {
      this.#sent++
    } else {
      this.#sendErrors++
      this.#logger.debug('udp send failed: %s', error.message)
    }
  }

  constructor(
    socket: Socket,
    ipv6: boolean,
    advertise: string | undefined,
    logger: Logger,
    signal?: AbortSignal,
  ) {
    this.#socket = socket
    this.#ipv6 = ipv6
    this.#logger = logger
    const bound = socket.address()
    this.boundAddress = formatAddress(bound.address, bound.port)
    this.address = advertise ?? this.boundAddress
    socket.on('message', (data, from) => this.#receive(data, from))
    socket.on('error', (error) => {
      this.#sendErrors++
      logger.debug('udp socket error: %s', error.message)
    })
    socket.unref()
    this.#signal = signal
    if (signal?.aborted) void this.close()
    else signal?.addEventListener('abort', this.#onAbort, { once: true })
  }

  get closed(): boolean {
    return this.#closing !== undefined
  }

  send(to: DatagramAddress, data: Uint8Array): void {
    if (this.#closing !== undefined)
      throw new ShoalError('ERR_PORT_CLOSED', `the UDP port ${this.address} is closed`)
    let destination = this.#cache.get(to)
    if (destination === undefined) {
      destination = parseAddress(to, 'to')
      if (this.#ipv6 && isIPv4(destination.host))
        destination = { host: `::ffff:${destination.host}`, port: destination.port }
      if (this.#cache.size >= ADDRESS_CACHE_SIZE)
        this.#cache.delete(this.#cache.keys().next().value as string)
      this.#cache.set(to, destination)
    }
    if (data.byteLength > MAX_UDP_PAYLOAD) {
      this.#dropped++
      return
    }
    try {
      this.#socket.send(data, destination.port, destination.host, this.#afterSend)
    } catch (error) {
      this.#sendErrors++
      this.#logger.debug('udp send failed: %s', (error as Error).message)
    }
  }

  onDatagram(handler: DatagramHandler): void {
    this.#handler = handler
  }

  stats(): UdpPortStats {
    return {
      sent: this.#sent,
      received: this.#received,
      sendErrors: this.#sendErrors,
      handlerErrors: this.#handlerErrors,
      dropped: this.#dropped,
    }
  }

  close(): Promise<void> {
    if (this.#closing === undefined) {
      this.#signal?.removeEventListener('abort', this.#onAbort)
      this.#handler = undefined
      this.#closing = new Promise<void>((resolve) => {
        try {
          this.#socket.close(() => resolve())
        } catch {
          resolve() // already closed underneath
        }
      })
    }
    return this.#closing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  #receive(data: Buffer, from: RemoteInfo): void {
    this.#received++
    const handler = this.#handler
    if (handler === undefined) {
      this.#dropped++
      return
    }
    try {
      handler(data, formatAddress(from.address, from.port))
    } catch (error) {
      this.#handlerErrors++
      this.#logger.debug(
        'udp datagram handler threw: %s',
        error instanceof Error ? error.message : String(error),
      )
    }
  }
}

function bindHost(host: string | undefined): string {
  if (host === undefined) return '127.0.0.1'
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  if (!isIPv4(bare) && !isIPv6(bare))
    throw invalidArgument(`host must be an IPv4 or IPv6 address, got '${host}'`, { host })
  return bare
}

function bufferSize(name: string, size: number | undefined): number | undefined {
  if (size !== undefined && (!Number.isInteger(size) || size <= 0))
    throw invalidArgument(`${name} must be a positive integer (bytes), got ${String(size)}`, { [name]: size })
  return size
}

/** Parses `"a.b.c.d:port"` or `"[v6]:port"` (port 1–65535), throwing `ERR_INVALID_ARGUMENT`. */
function parseAddress(address: string, what: string): Destination {
  let host: string | undefined
  let portText: string | undefined
  if (typeof address === 'string') {
    if (address.startsWith('[')) {
      const close = address.indexOf(']:')
      if (close > 0) {
        const inner = address.slice(1, close)
        if (isIPv6(inner)) host = inner
        portText = address.slice(close + 2)
      }
    } else {
      const colon = address.lastIndexOf(':')
      if (colon > 0) {
        const inner = address.slice(0, colon)
        if (isIPv4(inner)) host = inner
        portText = address.slice(colon + 1)
      }
    }
  }
  const port = portText !== undefined && /^\d{1,5}$/.test(portText) ? Number(portText) : 0
  if (host === undefined || port < 1 || port > 65_535)
    throw invalidArgument(
      `${what} must be "a.b.c.d:port" or "[ipv6]:port" with an IP address and a port from 1 to 65535, got ${JSON.stringify(address)}`,
      { [what]: address },
    )
  return { host, port }
}

/** Formats an address as `"host:port"`, IPv6 in brackets, IPv4-mapped IPv6 as plain IPv4. */
function formatAddress(host: string, port: number): DatagramAddress {
  if (host.includes(':')) {
    if (host.startsWith('::ffff:') && isIPv4(host.slice(7))) return `${host.slice(7)}:${port}`
    return `[${host}]:${port}`
  }
  return `${host}:${port}`
}
