import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net'
import type { TargetState, TargetStateChange } from '@shoal/core'
import type { HealthChecker } from '../src/health-checker.js'

/** Everything a test opened, closed in `afterEach` by {@link closeAll}. */
const open: Array<() => Promise<void>> = []

export async function closeAll(): Promise<void> {
  for (const close of open.splice(0).reverse()) await close()
}

/** Tracks a server's sockets so closing it also ends its connections, and counts them. */
function track(server: Server) {
  const sockets = new Set<Socket>()
  let accepted = 0
  let maxOpen = 0
  const waiters: { n: number; resolve: () => void }[] = []
  server.on('connection', (socket: Socket) => {
    accepted++
    sockets.add(socket)
    maxOpen = Math.max(maxOpen, sockets.size)
    socket.on('close', () => sockets.delete(socket))
    for (const waiter of waiters.filter((w) => accepted >= w.n)) {
      waiters.splice(waiters.indexOf(waiter), 1)
      waiter.resolve()
    }
  })
  /** Resolves once `n` connections have been accepted in all (rejects after `ms`). */
  const acceptedAtLeast = (n: number, ms = 5000): Promise<void> =>
    accepted >= n
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`only ${accepted} of ${n} connections in ${ms} ms`)),
            ms,
          )
          waiters.push({
            n,
            resolve: () => {
              clearTimeout(timer)
              resolve()
            },
          })
        })
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy()
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  open.push(close)
  return {
    close,
    acceptedAtLeast,
    get accepted() {
      return accepted
    },
    get open() {
      return sockets.size
    },
    get maxOpen() {
      return maxOpen
    },
  }
}

async function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<number> {
  server.listen(port, host)
  await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

/** A TCP server on 127.0.0.1 (port 0 unless given) that accepts connections and never answers. */
export async function tcpServer(port = 0, host = '127.0.0.1') {
  // reads and discards (never answers), so it sees the client close its side
  const server = createTcpServer((socket) => socket.on('error', () => {}).resume())
  const tracked = track(server)
  return Object.assign(pick(tracked), { port: await listen(server, port, host) })
}

/** A port on 127.0.0.1 with nothing listening (it was listened on, then closed). */
export async function closedPort(): Promise<number> {
  const server = createTcpServer()
  const port = await listen(server)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void

/** An HTTP server on 127.0.0.1:0 answering with `handler`; records every request's head. */
export async function httpServer(handler: Handler) {
  const requests: { method: string; url: string; headers: IncomingMessage['headers'] }[] = []
  const server = createHttpServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    handler(req, res)
  })
  const tracked = track(server)
  return Object.assign(pick(tracked), { port: await listen(server), requests })
}

/** The fixture key and certificate: self-signed, `CN=health.test`, SAN `DNS:health.test` only. */
export const TLS = {
  key: readFileSync(new URL('fixtures/health-test.key.pem', import.meta.url)),
  cert: readFileSync(new URL('fixtures/health-test.cert.pem', import.meta.url)),
}

/** An HTTPS server on 127.0.0.1:0 with the fixture certificate; `handler` sees the SNI name. */
export async function httpsServer(
  handler: (req: IncomingMessage, res: ServerResponse, sni: string | false | null) => void,
) {
  const server = createHttpsServer({ key: TLS.key, cert: TLS.cert }, (req, res) => {
    handler(req, res, (req.socket as import('node:tls').TLSSocket).servername)
  })
  server.on('tlsClientError', () => {})
  const tracked = track(server)
  return Object.assign(pick(tracked), { port: await listen(server) })
}

function pick(tracked: ReturnType<typeof track>) {
  return {
    close: tracked.close,
    acceptedAtLeast: tracked.acceptedAtLeast,
    get accepted() {
      return tracked.accepted
    },
    get maxOpen() {
      return tracked.maxOpen
    },
    get open() {
      return tracked.open
    },
  }
}

/** Registers something to close in `afterEach`. */
export function onClose(close: () => Promise<void> | void): void {
  open.push(async () => {
    await close()
  })
}

/**
 * Resolves with the next change of `target` to `state`, or rejects after `ms` milliseconds (a
 * bound, not a sleep: it resolves as soon as the change happens).
 */
export function nextState(
  checker: HealthChecker,
  target: string,
  state: TargetState,
  ms = 5000,
): Promise<TargetStateChange | undefined> {
  if (checker.stateOf(target) === state) return Promise.resolve(undefined)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop()
      reject(
        new Error(`${target} did not become ${state} within ${ms} ms (it is ${checker.stateOf(target)})`),
      )
    }, ms)
    const stop = checker.subscribe((change) => {
      if (change.target === target && change.state === state) {
        clearTimeout(timer)
        stop()
        resolve(change)
      }
    })
  })
}
