// Clients for the server tests: one UDP exchange, and a TCP connection that collects framed replies.
import { createSocket } from 'node:dgram'
import { connect, type Socket } from 'node:net'

/** Sends one datagram and resolves with the first reply, or `undefined` after `timeoutMs`. */
export function udpExchange(
  address: string,
  port: number,
  packet: Uint8Array,
  timeoutMs = 2000,
): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4')
    const timer = setTimeout(() => {
      socket.close()
      resolve(undefined)
    }, timeoutMs)
    socket.once('message', (message) => {
      clearTimeout(timer)
      socket.close()
      resolve(Uint8Array.from(message))
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      socket.close()
      reject(error)
    })
    socket.send(packet, port, address)
  })
}

/** A TCP connection to the server that splits what it receives into DNS messages. */
export class TcpClient {
  readonly socket: Socket
  readonly replies: Uint8Array[] = []
  readonly closed: Promise<void>
  readonly #waiters: { count: number; resolve: () => void }[] = []
  #buffer = Buffer.alloc(0)

  private constructor(socket: Socket) {
    this.socket = socket
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
    socket.on('error', () => {})
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk])
      while (this.#buffer.length >= 2) {
        const length = this.#buffer.readUInt16BE(0)
        if (this.#buffer.length < 2 + length) break
        this.replies.push(Uint8Array.from(this.#buffer.subarray(2, 2 + length)))
        this.#buffer = this.#buffer.subarray(2 + length)
      }
      for (const waiter of [...this.#waiters]) {
        if (this.replies.length >= waiter.count) {
          this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
          waiter.resolve()
        }
      }
    })
  }

  /** Connects; resolves once connected. */
  static connect(address: string, port: number): Promise<TcpClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: address, port })
      socket.once('connect', () => resolve(new TcpClient(socket)))
      socket.once('error', reject)
    })
  }

  /** Writes raw bytes. */
  write(bytes: Uint8Array): void {
    this.socket.write(bytes)
  }

  /** Writes one message with its length prefix. */
  send(message: Uint8Array): void {
    this.write(framed(message))
  }

  /** Resolves once `count` replies have arrived in all (rejects if the connection closes first). */
  waitFor(count: number): Promise<void> {
    if (this.replies.length >= count) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.#waiters.push({ count, resolve })
      this.closed.then(() => {
        if (this.replies.length < count)
          reject(new Error(`connection closed after ${this.replies.length} replies`))
      })
    })
  }

  close(): void {
    this.socket.destroy()
  }
}

/** A message with its 2-byte length prefix. */
export function framed(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(message.length + 2)
  out[0] = message.length >> 8
  out[1] = message.length & 0xff
  out.set(message, 2)
  return out
}
