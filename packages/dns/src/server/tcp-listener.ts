import { type AddressInfo, createServer, type Server, type Socket } from 'node:net'
import type { Logger } from '@shoal/core'
import type { DnsCounters } from './counters.js'
import type { ClientInfo, QueryHandler } from './query-handler.js'
import { CLOSE_FRAME, TcpFramer } from './tcp-framer.js'

/** Settings of a {@link TcpListener}. */
export interface TcpListenerOptions {
  /** The address to bind. */
  readonly address: string
  /** The port (0 picks one). */
  readonly port: number
  /** 4 or 6; an IPv6 listener is IPv6-only. */
  readonly family: 4 | 6
  /** Who answers; read for every message, so a reload swaps it between two messages. */
  readonly handler: () => QueryHandler
  /** The current limits; read at each accept, so a reload applies to new connections. */
  readonly limits: () => TcpLimits
  /** Where connections are counted. */
  readonly counters: DnsCounters
  /** The open connections the caps count, shared by every listener of a server (default: this listener's own). */
  readonly table?: TcpConnectionTable | undefined
  /** Where errors are reported. */
  readonly logger: Logger
}

/** The limits a {@link TcpListener} enforces. */
export interface TcpLimits {
  /** Idle time after which a connection is closed, in ms. */
  readonly idleTimeoutMs: number
  /** Connections open at once. */
  readonly maxConnections: number
  /** Connections open at once from one address. */
  readonly maxConnectionsPerClient: number
}

/**
 * The TCP connections open across a server's listeners, in all and per client address: what the
 * connection caps count. Every listener of one server shares one table.
 *
 * @example
 * ```ts
 * const table = new TcpConnectionTable()
 * if (table.open('192.0.2.1', limits)) table.close('192.0.2.1')
 * ```
 */
export class TcpConnectionTable {
  readonly #perClient = new Map<string, number>()
  #size = 0

  /** Connections open now. */
  get size(): number {
    return this.#size
  }

  /** Opens a connection from `address` if the limits allow one more; false when they do not. */
  open(address: string, limits: TcpLimits): boolean {
    const fromClient = this.#perClient.get(address) ?? 0
    if (this.#size >= limits.maxConnections || fromClient >= limits.maxConnectionsPerClient) return false
    this.#size++
    this.#perClient.set(address, fromClient + 1)
    return true
  }

  /** Closes a connection {@link TcpConnectionTable.open} allowed. */
  close(address: string): void {
    this.#size--
    const left = (this.#perClient.get(address) ?? 1) - 1
    if (left <= 0) this.#perClient.delete(address)
    else this.#perClient.set(address, left)
  }
}

interface Connection {
  readonly socket: Socket
  readonly framer: TcpFramer
  readonly client: ClientInfo
  /** reading is paused until the socket drains */
  waiting: boolean
  closing: boolean
}

/**
 * DNS over TCP (RFC 7766): 2-byte framing across chunk boundaries, pipelined queries answered in
 * order as they complete (here, synchronously), an idle timeout, a cap on connections in all and
 * per client address, a zero-length frame or a message that gets no reply closes the connection,
 * and backpressure: while the socket's buffer is over its high-water mark (`writableNeedDrain`)
 * no further frames are read.
 *
 * @example
 * ```ts
 * const tcp = new TcpListener({ address: '127.0.0.1', port: 5353, family: 4, handler: () => responder, limits: () => config.tcp, counters, logger })
 * await tcp.start()
 * ```
 */
export class TcpListener {
  readonly #options: TcpListenerOptions
  #server: Server | undefined
  readonly #connections = new Set<Connection>()
  readonly #table: TcpConnectionTable

  /** @param options - where to bind, who answers, the limits */
  constructor(options: TcpListenerOptions) {
    this.#options = options
    this.#table = options.table ?? new TcpConnectionTable()
  }

  /** The bound address, once started. */
  get address(): AddressInfo | undefined {
    const address = this.#server?.address()
    return address !== null && typeof address === 'object' ? address : undefined
  }

  /** Connections open now on this listener. */
  get connections(): number {
    return this.#connections.size
  }

  /** Starts listening. Rejects when the address cannot be bound. */
  async start(): Promise<void> {
    if (this.#server !== undefined) return
    const o = this.#options
    const server = createServer({ noDelay: true }, (socket) => this.#accept(socket))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host: o.address, port: o.port, ipv6Only: o.family === 6, backlog: 511 }, () => {
        server.off('error', reject)
        resolve()
      })
    })
    server.on('error', (error) => o.logger.warn('tcp %s:%d: %s', o.address, o.port, error.message))
    this.#server = server
  }

  /** Stops listening and closes every connection. */
  async stop(): Promise<void> {
    const server = this.#server
    if (server === undefined) return
    this.#server = undefined
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    for (const connection of this.#connections) connection.socket.destroy()
    await closed
  }

  #accept(socket: Socket): void {
    const o = this.#options
    const limits = o.limits()
    const address = socket.remoteAddress ?? ''
    if (!this.#table.open(address, limits)) {
      o.counters.values.tcpRejected++
      socket.on('error', () => {})
      socket.destroy()
      return
    }
    o.counters.values.tcpConnections++
    const connection: Connection = {
      socket,
      framer: new TcpFramer(),
      client: { address, port: socket.remotePort ?? 0, transport: 'tcp' },
      waiting: false,
      closing: false,
    }
    this.#connections.add(connection)
    socket.setTimeout(limits.idleTimeoutMs)
    socket.on('timeout', () => {
      o.counters.values.tcpTimeouts++
      socket.destroy()
    })
    socket.on('data', (chunk: Buffer) => {
      connection.framer.push(chunk)
      this.#serve(connection)
    })
    socket.on('drain', () => {
      if (!connection.waiting) return
      connection.waiting = false
      this.#serve(connection)
      if (!connection.waiting && !connection.closing) socket.resume()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      this.#connections.delete(connection)
      this.#table.close(address)
    })
  }

  // Answers every whole frame held, unless the socket must drain first.
  #serve(connection: Connection): void {
    const { socket, framer, client } = connection
    if (connection.closing || connection.waiting) return
    const handler = this.#options.handler()
    for (let frame = framer.next(); frame !== undefined; frame = framer.next()) {
      if (frame === CLOSE_FRAME) {
        this.#close(connection)
        return
      }
      const reply = handler.answer(frame, client)
      if (reply === undefined) {
        this.#close(connection)
        return
      }
      const out = Buffer.allocUnsafe(reply.length + 2)
      out[0] = reply.length >>> 8
      out[1] = reply.length & 0xff
      out.set(reply, 2)
      socket.write(out)
      if (socket.writableNeedDrain) {
        connection.waiting = true
        socket.pause()
        return
      }
    }
  }

  #close(connection: Connection): void {
    connection.closing = true
    connection.socket.pause()
    connection.socket.end()
  }
}
