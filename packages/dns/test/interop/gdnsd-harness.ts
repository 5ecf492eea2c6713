// A real gdnsd 3.8 (Debian's `gdnsd` package) for differential tests and benchmarks: writes a config
// directory in a temporary directory (config, zones/, run and state directories of its own), starts
// `gdnsd -c <dir> start` in the foreground as a child process listening on 127.0.0.1 only, waits
// until it answers, and stops it (SIGTERM, then SIGKILL) and deletes the directory.

import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freeDnsPort, killOnExit, stopProcess, TOOLS } from './tools.js'

/** What gdnsd serves. */
export interface GdnsdSetup {
  /** Zone files by zone name (`example.com`), in gdnsd's RFC 1035 zone file syntax. */
  readonly zones: Readonly<Record<string, string>>
  /** The `plugins => { … }` hash's contents (gdnsd's vscf syntax), if any. */
  readonly plugins?: string
  /** Further `options => { … }` entries, e.g. `{ max_edns_response: '1232' }`. */
  readonly options?: Readonly<Record<string, string>>
  /** UDP and TCP listener threads (default 1 each). */
  readonly threads?: number
}

/** A running gdnsd. */
export interface Gdnsd {
  readonly port: number
  readonly dir: string
  readonly process: ChildProcess
  readonly pid: number
  /** Everything gdnsd logged so far (it logs to stderr in the foreground). */
  log(): string
  /** Stops gdnsd (if running) and deletes its directory. */
  stop(): Promise<void>
}

/** The `config` file: listeners on 127.0.0.1:`port`, every path gdnsd writes kept under `dir`. */
export function gdnsdConfig(dir: string, port: number, setup: GdnsdSetup): string {
  const threads = setup.threads ?? 1
  const options = {
    listen: `[ 127.0.0.1:${port} ]`,
    udp_threads: String(threads),
    tcp_threads: String(threads),
    run_dir: join(dir, 'run'),
    state_dir: join(dir, 'state'),
    ...setup.options,
  }
  const optionLines = Object.entries(options)
    .map(([key, value]) => `  ${key} => ${value}`)
    .join('\n')
  return `options => {\n${optionLines}\n}\n${setup.plugins === undefined ? '' : `plugins => {\n${setup.plugins}\n}\n`}`
}

const READY = 'DNS listeners started'
const START_TIMEOUT_MS = 10_000

/**
 * Starts gdnsd with `setup`, on a fresh free port each attempt (gdnsd cannot bind port 0, and a
 * port found free may be taken before it binds). Resolves once gdnsd logs that its listeners started.
 */
export async function startGdnsd(setup: GdnsdSetup): Promise<Gdnsd> {
  const dir = await mkdtemp(join(tmpdir(), 'shoal-dns-gdnsd-'))
  let lastLog = ''
  try {
    mkdirSync(join(dir, 'zones'))
    for (const [zone, text] of Object.entries(setup.zones)) await writeFile(join(dir, 'zones', zone), text)
    for (let attempt = 0; attempt < 5; attempt++) {
      const port = await freeDnsPort()
      await writeFile(join(dir, 'config'), gdnsdConfig(dir, port, setup))
      const started = await launch(dir, port)
      if ('gdnsd' in started) return started.gdnsd
      lastLog = started.log
      if (!/in use|EADDRINUSE|bind\(\)/i.test(lastLog)) break
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  await rm(dir, { recursive: true, force: true })
  throw new Error(`gdnsd did not start:\n${lastLog}`)
}

async function launch(dir: string, port: number): Promise<{ gdnsd: Gdnsd } | { log: string }> {
  const child = spawn(TOOLS.gdnsd.path, ['-c', dir, 'start'], { stdio: ['ignore', 'ignore', 'pipe'] })
  killOnExit(child)
  let log = ''
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), START_TIMEOUT_MS)
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      // bounded: gdnsd logs a few lines per start and one per reload
      if (log.length < 1_000_000) log += chunk
      if (log.includes(READY)) {
        clearTimeout(timer)
        resolve(true)
      }
    })
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(false)
    })
    child.once('error', (error) => {
      log += `\n${error.message}`
      clearTimeout(timer)
      resolve(false)
    })
  })
  if (!(await ready) || child.pid === undefined) {
    await stopProcess(child)
    return { log }
  }
  const pid = child.pid
  return {
    gdnsd: {
      port,
      dir,
      process: child,
      pid,
      log: () => log,
      async stop() {
        await stopProcess(child)
        await rm(dir, { recursive: true, force: true })
      },
    },
  }
}
