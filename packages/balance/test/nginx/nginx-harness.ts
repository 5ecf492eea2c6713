// A real nginx (`hash $arg_key consistent`) in front of local node:http backends, for differential
// tests of the nginx-compatible ring: start it, route keys through it, read which backend answered.

import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { Agent, createServer, request, type Server } from 'node:http'
import { type AddressInfo, createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Where Debian's nginx-light (and nginx-full, nginx-core) install the binary. */
export const NGINX = '/usr/sbin/nginx'

/** Header every backend sets to its own id, and nginx's record of the upstream it used. */
const BACKEND_HEADER = 'x-backend'
const UPSTREAM_HEADER = 'x-upstream-addr'
/** nginx passes `$arg_key` to the backend in this header, which echoes it: proof of what nginx hashed. */
const KEY_HEADER = 'x-key'

/** A local backend: answers every request with its id, `"127.0.0.1:<port>"`, in the body and a header. */
export interface Backend {
  readonly id: string
  readonly server: Server
}

/** Starts `count` backends on 127.0.0.1, each on a port the kernel picks. */
export async function startBackends(count: number): Promise<Backend[]> {
  const backends: Backend[] = []
  try {
    for (let i = 0; i < count; i++) {
      let id = ''
      const server = createServer((req, res) => {
        req.resume()
        res.setHeader(BACKEND_HEADER, id)
        // header values are latin1 both ways, so the key's bytes come back as they were sent
        res.setHeader(KEY_HEADER, req.headers[KEY_HEADER] ?? '')
        res.setHeader('content-type', 'text/plain')
        // a Buffer: Node writes a string body and the headers in one go, in the body's encoding (UTF-8)
        res.end(Buffer.from(id))
      })
      server.keepAliveTimeout = 30_000
      id = `127.0.0.1:${await listenLocally(server)}`
      backends.push({ id, server })
    }
  } catch (error) {
    await closeBackends(backends)
    throw error
  }
  return backends
}

/** Listens on 127.0.0.1 at a port the kernel picks, and returns it. */
async function listenLocally(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return (server.address() as AddressInfo).port
}

/** Closes backends and their open keep-alive connections. */
export async function closeBackends(backends: readonly Backend[]): Promise<void> {
  await Promise.all(
    backends.map(
      ({ server }) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        }),
    ),
  )
}

/** A free TCP port on 127.0.0.1 (free when asked: nginx may still lose it to a race, so callers retry). */
export async function freePort(): Promise<number> {
  const server = createServer()
  const port = await listenLocally(server)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** One `server` line of the upstream block. */
export interface UpstreamServer {
  readonly id: string
  readonly weight: number
}

/**
 * The configuration: one worker, everything nginx writes kept under `dir`, and
 * `proxy_next_upstream off` so a failed backend gives a 502 instead of a silent second choice that
 * would look like a routing difference. nginx reports the upstream it used in a header.
 */
export function nginxConfig(dir: string, port: number, servers: readonly UpstreamServer[]): string {
  const upstream = servers.map(({ id, weight }) => `    server ${id} weight=${weight};`).join('\n')
  return `daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events {
  worker_connections 256;
}
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  upstream u {
    hash $arg_key consistent;
${upstream}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 100000;
    location / {
      # With a variable in proxy_pass the backend gets "GET /" without the query: Node's HTTP parser
      # refuses raw non-ASCII bytes in a request line, which nginx accepts and hashes as they are.
      set $backend_uri /;
      proxy_pass http://u$backend_uri;
      proxy_set_header ${KEY_HEADER} $arg_key;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream off;
      add_header ${UPSTREAM_HEADER} $upstream_addr always;
    }
  }
}
`
}

/** A running nginx. */
export interface Nginx {
  readonly port: number
  readonly dir: string
  readonly process: ChildProcess
}

/** The message a missing nginx gives: CI installs it, so its absence is a failure, not a skip. */
export function missingNginx(): string | undefined {
  return existsSync(NGINX)
    ? undefined
    : `${NGINX} is missing: install it with \`apt-get install nginx-light\` (or set SHOAL_SKIP_NGINX=1 to skip these tests)`
}

/** A fresh temporary directory for nginx's files. */
export function nginxDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'shoal-balance-nginx-'))
}

/**
 * Writes the configuration and starts nginx in the foreground, on a fresh port each attempt (nginx
 * cannot bind port 0, and a port found free may be taken before nginx binds it). Resolves once
 * nginx accepts connections.
 */
export async function startNginx(dir: string, servers: readonly UpstreamServer[]): Promise<Nginx> {
  const conf = join(dir, 'nginx.conf')
  const errorLog = join(dir, 'error.log')
  let lastError = ''
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort()
    await writeFile(conf, nginxConfig(dir, port, servers))
    const child = spawn(NGINX, ['-p', `${dir}/`, '-c', conf, '-e', errorLog], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.once('error', () => {})
    // should the test process end without the cleanup hooks, nginx must not outlive it
    const kill = () => child.kill('SIGKILL')
    process.once('exit', kill)
    child.once('exit', () => process.off('exit', kill))
    if (await acceptsConnections(port, exited)) return { port, dir, process: child }
    await stopProcess(child)
    const log = await readFile(errorLog, 'utf8').catch(() => '')
    lastError = `${stderr}${log}`.trim()
    if (!/Address already in use/.test(lastError)) break
  }
  throw new Error(`nginx did not start:\n${lastError}`)
}

/** Polls the port (up to 5 s) until it accepts a connection; false if the process exits first. */
async function acceptsConnections(port: number, exited: Promise<void>): Promise<boolean> {
  let gone = false
  void exited.then(() => {
    gone = true
  })
  for (let i = 0; i < 250 && !gone; i++) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port })
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (connected) return !gone
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return false
}

/** Stops a child: SIGTERM, then SIGKILL after a second; resolves when it has exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 1_000)
  await exited
  clearTimeout(timer)
}

/** Stops nginx, if running. */
export async function stopNginx(nginx: Nginx | undefined): Promise<void> {
  if (nginx !== undefined) await stopProcess(nginx.process)
}

/** Deletes nginx's directory. */
export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true })
}

/**
 * Sends `GET /?key=<raw>` for each key through nginx (keep-alive, `concurrency` requests at a time)
 * and returns the id of the backend that answered each. `raw` is the query value exactly as it goes
 * on the wire, which is what nginx's `$arg_key` holds: percent-escapes are not decoded. A key may
 * hold bytes 0x80–0xff as one character each (a latin1 string), which Node writes as those bytes.
 */
export async function route(port: number, keys: readonly string[], concurrency = 32): Promise<string[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const answers: string[] = new Array(keys.length)
  let next = 0
  const worker = async () => {
    while (next < keys.length) {
      const i = next++
      answers[i] = await get(agent, port, keys[i] as string)
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, keys.length) }, worker))
  } finally {
    agent.destroy()
  }
  return answers
}

function get(agent: Agent, port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, path: `/?key=${raw}`, timeout: 5_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => {
        const backend = res.headers[BACKEND_HEADER]
        const upstream = res.headers[UPSTREAM_HEADER]
        const key = res.headers[KEY_HEADER]
        if (res.statusCode !== 200 || backend !== body || upstream !== body || key !== raw)
          reject(
            new Error(
              `key ${JSON.stringify(raw)}: status ${res.statusCode}, body ${JSON.stringify(body)}, ${BACKEND_HEADER} ${String(backend)}, ${UPSTREAM_HEADER} ${String(upstream)}, ${KEY_HEADER} ${JSON.stringify(key)}`,
            ),
          )
        else resolve(body)
      })
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`key ${JSON.stringify(raw)}: no answer in 5 s`)))
    req.on('error', reject)
    req.end()
  })
}
