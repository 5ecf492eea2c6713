import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'
import { type Clock, type Logger, ShoalError, type TimerHandle } from '@shoal/core'
import { formatHostPort, parseHostPort } from './address.js'

/**
 * The largest frame a stream carries: 12 MiB, above the largest push-pull (10,000 members with
 * full names, addresses and metadata, about 10.3 MB).
 */
export const MAX_FRAME_BYTES = 12 * 1024 * 1024

/** The prefix of the handles that name an incoming connection as a `from` address (`tcp#17`). */
export const CONNECTION_PREFIX = 'tcp#'

const LENGTH_BYTES = 4

/** Counters of the TCP transport that carries push-pull exchanges. */
export interface StreamTransportStats {
  /** Outgoing connections opened. */
  tcpConnects: number
  /** Incoming connections accepted. */
  tcpAccepted: number
  /** Outgoing exchanges that failed: refused, reset, closed without a reply, bad address. */
  tcpFailures: number
  /** Connections (either way) closed because their frame did not arrive in time. */
  tcpTimeouts: number
  /** Connections refused because the concurrency bound was reached (either way). */
  tcpRefused: number
  /** Frames refused: announced larger than {@link MAX_FRAME_BYTES}, to send or to receive. */
  framesRefused: number
  /** Incoming connections closed without an answer (the frame was not for us). */
  tcpUnanswered: number
}

/** Options of {@link StreamTransport.listen}. */
export interface StreamTransportOptions {
  /** The IP address to listen on. */
  readonly host: string
  /** The port to listen on (0: one the system picks). */
  readonly port: number
  /** How long a connection may take to deliver its frame. */
  readonly timeoutMs: number
  /** The most incoming connections open at once. */
  readonly maxIncoming: number
  /** The most outgoing connections open at once. */
  readonly maxOutgoing: number
  /** Timeouts are set through it. */
  readonly clock: Clock
  /** Where failures are reported (debug level). */
  readonly logger: Logger
  /**
   * Called with each frame received: from an incoming connection with `from` its handle
   * (`tcp#17`, answer with {@link StreamTransport.send} to it), or the reply to an outgoing
   * exchange with `from` the address it was sent to. Called synchronously; it must not throw.
   */
  readonly onFrame: (from: string, data: Uint8Array) => void
}

/** Reassembles one length-prefixed frame (u32 big-endian length, then the bytes) from chunks. */
class FrameReader {
  #chunks: Buffer[] = []
  #length = 0
  #need = -1

  /** Adds a chunk: returns the frame once complete, `'too-large'` for an oversized one, else `undefined`. */
  push(chunk: Buffer): Uint8Array | 'too-large' | undefined {
    this.#chunks.push(chunk)
    this.#length += chunk.length
    if (this.#need < 0) {
      if (this.#length < LENGTH_BYTES) return undefined
      const head = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks)
      this.#chunks = [head]
      this.#need = head.readUInt32BE(0)
      if (this.#need > MAX_FRAME_BYTES) return 'too-large'
    }
    if (this.#length < LENGTH_BYTES + this.#need) return undefined
    const all = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks)
    this.#chunks = []
    return all.subarray(LENGTH_BYTES, LENGTH_BYTES + this.#need)
  }
}

interface Connection {
  readonly socket: Socket
  readonly reader: FrameReader
  timer: TimerHandle | undefined
  /** Incoming: its handle; outgoing: the address it was opened to. */
  readonly name: string
  readonly incoming: boolean
  /** An incoming connection has been answered, or an outgoing one has its reply. */
  done: boolean
}

function frame(data: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(LENGTH_BYTES + data.length)
  out.writeUInt32BE(data.length, 0)
  out.set(data, LENGTH_BYTES)
  return out
}

/**
 * The stream side of the Node adapter: push-pull exchanges over TCP, one request frame and one
 * reply frame per connection. Bounded: connections in and out, frame size, and time. Nothing it
 * receives throws; failures are counted and logged at debug level. Sockets are unref'd.
 *
 * @example
 * ```ts
 * const streams = await StreamTransport.listen({
 *   host: '127.0.0.1', port: 7946, timeoutMs: 5000, maxIncoming: 64, maxOutgoing: 64,
 *   clock: systemClock, logger: silentLogger,
 *   onFrame: (from, data) => core.step(Date.now(), { type: 'datagram', from, data }),
 * })
 * streams.send('127.0.0.1:7947', pushPull)
 * ```
 */
export class StreamTransport {
  readonly #server: Server
  readonly #options: StreamTransportOptions
  readonly #incoming = new Map<string, Connection>()
  readonly #outgoing = new Set<Connection>()
  #next = 0
  #closed = false
  readonly #stats: StreamTransportStats = emptyStreamTransportStats()

  private constructor(server: Server, options: StreamTransportOptions) {
    this.#server = server
    this.#options = options
    server.on('connection', (socket) => this.#accept(socket))
    server.on('error', (error) => options.logger.debug('tcp server error: %s', error.message))
    server.unref()
  }

  /**
   * Listens on `host:port`.
   *
   * @throws `ERR_BIND_FAILED` when the port cannot be bound (in use, not permitted)
   */
  static listen(options: StreamTransportOptions): Promise<StreamTransport> {
    return new Promise((resolve, reject) => {
      const server = createServer({ pauseOnConnect: false })
      const onError = (error: NodeJS.ErrnoException): void => {
        server.close()
        reject(
          new ShoalError(
            'ERR_BIND_FAILED',
            `cannot bind TCP ${formatHostPort(options.host, options.port)}: ${error.message}`,
            { cause: error, details: { host: options.host, port: options.port, code: error.code } },
          ),
        )
      }
      server.once('error', onError)
      server.listen({ host: options.host, port: options.port, exclusive: true }, () => {
        server.off('error', onError)
        resolve(new StreamTransport(server, options))
      })
    })
  }

  /** The port listened on. */
  get port(): number {
    const address = this.#server.address()
    return typeof address === 'object' && address !== null ? address.port : 0
  }

  /** Counters (a live object). */
  get stats(): Readonly<StreamTransportStats> {
    return this.#stats
  }

  /**
   * Sends one frame: to an incoming connection's handle, as its answer (the connection then
   * ends); to an address, over a new connection whose reply frame comes to `onFrame`.
   * Never throws: failures are counted.
   */
  send(to: string, data: Uint8Array): void {
    if (this.#closed) return
    if (to.startsWith(CONNECTION_PREFIX)) {
      const c = this.#incoming.get(to)
      if (c === undefined || c.done) return
      if (data.length > MAX_FRAME_BYTES) {
        this.#stats.framesRefused++
        c.done = true
        c.socket.destroy()
        return
      }
      c.done = true
      c.socket.end(frame(data)) // the timer stays: it destroys a socket the peer never closes
      return
    }
    if (data.length > MAX_FRAME_BYTES) {
      this.#stats.framesRefused++
      return
    }
    this.#connect(to, data)
  }

  /** Closes the listener and every connection. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#closed = true
    for (const c of this.#incoming.values()) this.#drop(c)
    for (const c of this.#outgoing) this.#drop(c)
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }

  #connect(to: string, data: Uint8Array): void {
    const address = parseHostPort(to)
    if (address === undefined) {
      this.#stats.tcpFailures++
      this.#options.logger.debug('tcp: cannot connect to %s: not an IP address and port', to)
      return
    }
    if (this.#outgoing.size >= this.#options.maxOutgoing) {
      this.#stats.tcpRefused++
      return
    }
    this.#stats.tcpConnects++
    const socket = tcpConnect({ host: address.host, port: address.port })
    const c: Connection = {
      socket,
      reader: new FrameReader(),
      timer: undefined,
      name: to,
      incoming: false,
      done: false,
    }
    this.#outgoing.add(c)
    this.#watch(c)
    socket.write(frame(data))
  }

  #accept(socket: Socket): void {
    if (this.#closed || this.#incoming.size >= this.#options.maxIncoming) {
      this.#stats.tcpRefused++
      socket.on('error', () => {})
      socket.destroy()
      return
    }
    this.#stats.tcpAccepted++
    this.#next = this.#next >= Number.MAX_SAFE_INTEGER ? 1 : this.#next + 1
    const name = `${CONNECTION_PREFIX}${this.#next}`
    const c: Connection = {
      socket,
      reader: new FrameReader(),
      timer: undefined,
      name,
      incoming: true,
      done: false,
    }
    this.#incoming.set(name, c)
    this.#watch(c)
  }

  #watch(c: Connection): void {
    const { socket } = c
    socket.unref()
    socket.setNoDelay(true)
    c.timer = this.#options.clock.setTimeout(() => {
      c.timer = undefined
      if (!c.done) {
        this.#stats.tcpTimeouts++
        if (!c.incoming) this.#stats.tcpFailures++
        this.#options.logger.debug('tcp %s: no frame within %d ms', c.name, this.#options.timeoutMs)
      }
      this.#drop(c)
    }, this.#options.timeoutMs)
    socket.on('data', (chunk: Buffer) => this.#data(c, chunk))
    socket.on('error', (error) => {
      if (!c.incoming && !c.done) this.#stats.tcpFailures++
      this.#options.logger.debug('tcp %s: %s', c.name, error.message)
      this.#drop(c)
    })
    socket.on('close', () => {
      if (!c.incoming && !c.done) {
        // closed by the peer without a reply (it did not accept our frame)
        this.#stats.tcpFailures++
      }
      this.#forget(c)
    })
  }

  #data(c: Connection, chunk: Buffer): void {
    if (c.done) return
    const result = c.reader.push(chunk)
    if (result === undefined) return
    if (result === 'too-large') {
      this.#stats.framesRefused++
      if (!c.incoming) this.#stats.tcpFailures++
      this.#options.logger.debug('tcp %s: frame over %d bytes refused', c.name, MAX_FRAME_BYTES)
      this.#drop(c)
      return
    }
    if (c.incoming) {
      this.#options.onFrame(c.name, result)
      // The core answers synchronously or not at all: an unanswered frame was not for us.
      if (!c.done) {
        this.#stats.tcpUnanswered++
        this.#drop(c)
      }
    } else {
      c.done = true
      this.#drop(c)
      this.#options.onFrame(c.name, result)
    }
  }

  #clearTimer(c: Connection): void {
    if (c.timer !== undefined) {
      this.#options.clock.clearTimeout(c.timer)
      c.timer = undefined
    }
  }

  #drop(c: Connection): void {
    this.#clearTimer(c)
    c.done = true
    c.socket.destroy()
    this.#forget(c)
  }

  #forget(c: Connection): void {
    this.#clearTimer(c)
    if (c.incoming) this.#incoming.delete(c.name)
    else this.#outgoing.delete(c)
  }
}

/** Transport counters at zero (internal: the adapter reports them before start). */
export function emptyStreamTransportStats(): StreamTransportStats {
  return {
    tcpConnects: 0,
    tcpAccepted: 0,
    tcpFailures: 0,
    tcpTimeouts: 0,
    tcpRefused: 0,
    framesRefused: 0,
    tcpUnanswered: 0,
  }
}
