import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import type { AddressInfo } from 'node:net'
import type { Logger } from '@shoal/core'
import type { DnsCounters } from './counters.js'
import type { ClientInfo, QueryHandler } from './query-handler.js'

/** Settings of a {@link UdpListener}. */
export interface UdpListenerOptions {
  /** The address to bind. */
  readonly address: string
  /** The port (0 picks one). */
  readonly port: number
  /** 4 or 6; an IPv6 socket is IPv6-only, so `::` and `0.0.0.0` can both be bound. */
  readonly family: 4 | 6
  /** SO_RCVBUF: bigger absorbs bursts, at the cost of queueing latency (research §4). */
  readonly recvBufferSize?: number | undefined
  /** SO_SNDBUF. */
  readonly sendBufferSize?: number | undefined
  /** Who answers; read for every datagram, so a reload swaps it between two datagrams. */
  readonly handler: () => QueryHandler
  /** Where errors are counted. */
  readonly counters: DnsCounters
  /** Where socket errors are reported. */
  readonly logger: Logger
}

/**
 * One UDP socket answering DNS queries: each datagram goes to the handler, synchronously, and
 * the reply (if any) is copied and sent back to the datagram's source. In a `node:cluster`
 * worker the socket is shared with the other workers (Node 20 has no `reusePort`), so the
 * kernel spreads datagrams over them.
 *
 * @example
 * ```ts
 * const udp = new UdpListener({ address: '::1', port: 5353, family: 6, handler: () => responder, counters, logger })
 * await udp.start()
 * ```
 */
export class UdpListener {
  readonly #options: UdpListenerOptions
  #socket: Socket | undefined
  readonly #client: ClientInfo = { address: '', port: 0, transport: 'udp' }
  readonly #onSent: (error: Error | null) => void

  /** @param options - where to bind and who answers */
  constructor(options: UdpListenerOptions) {
    this.#options = options
    const counters = options.counters
    this.#onSent = (error) => {
      if (error !== null) counters.values.udpSendErrors++
    }
  }

  /** The bound address, once started. */
  get address(): AddressInfo | undefined {
    return this.#socket?.address()
  }

  /** Binds the socket. Rejects when the address cannot be bound. */
  async start(): Promise<void> {
    if (this.#socket !== undefined) return
    const o = this.#options
    const socket = createSocket({
      type: o.family === 6 ? 'udp6' : 'udp4',
      ipv6Only: o.family === 6,
      ...(o.recvBufferSize === undefined ? {} : { recvBufferSize: o.recvBufferSize }),
      ...(o.sendBufferSize === undefined ? {} : { sendBufferSize: o.sendBufferSize }),
    })
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => {
        socket.close()
        reject(error)
      }
      socket.once('error', onError)
      socket.bind({ address: o.address, port: o.port }, () => {
        socket.off('error', onError)
        resolve()
      })
    })
    socket.on('error', (error) => {
      o.counters.values.udpRecvErrors++
      o.logger.warn('udp %s:%d: %s', o.address, o.port, error.message)
    })
    socket.on('message', (packet, remote) => this.#onMessage(socket, packet, remote))
    this.#socket = socket
  }

  /** Closes the socket. */
  async stop(): Promise<void> {
    const socket = this.#socket
    if (socket === undefined) return
    this.#socket = undefined
    await new Promise<void>((resolve) => socket.close(() => resolve()))
  }

  #onMessage(socket: Socket, packet: Buffer, remote: RemoteInfo): void {
    const client = this.#client
    client.address = remote.address
    client.port = remote.port
    const reply = this.#options.handler().answer(packet, client)
    if (reply === undefined) return
    // the handler's buffer is reused by the next query; a send that cannot complete at once
    // (EAGAIN) would still be reading it
    const copy = Buffer.allocUnsafe(reply.length)
    copy.set(reply)
    socket.send(copy, remote.port, remote.address, this.#onSent)
  }
}
