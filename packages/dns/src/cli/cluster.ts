import cluster, { type Worker } from 'node:cluster'
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { EXIT_CODES } from '@shoal/core'
import type { ConfigIssue } from '../config/config-types.js'
import { loadConfig } from '../config/load-config.js'
import { type CountersSnapshot, mergeSnapshots } from '../server/counters.js'
import { type BoundAddress, configError, DnsServer, type ReloadResult } from '../server/dns-server.js'
import { type HealthReport, HttpEndpoint } from '../server/http-endpoint.js'
import { type ExtraMetric, renderPrometheus } from '../server/prometheus.js'
import { compileServing } from '../server/serving.js'
import type { CliIo } from './cli-io.js'
import type { CliOptions } from './cli-options.js'
import { FileWatcher } from './file-watcher.js'
import { cliLogger, reporter, untilAborted, watchedFiles } from './serve-report.js'

/** Set in a worker's environment: the configuration file, and the cookie secret every worker shares. */
const ENV_CONFIG = 'SHOAL_DNS_WORKER_CONFIG'
const ENV_SECRET = 'SHOAL_DNS_COOKIE_SECRET'
/** How long the primary waits for a worker's answer to a metrics or reload request. */
const REQUEST_TIMEOUT_MS = 5000
/** Restarts allowed per minute before the primary stops replacing dead workers. */
const MAX_RESTARTS_PER_MINUTE = 10

/** Messages between the primary and its workers. */
type ToWorker = { type: 'reload'; id: number } | { type: 'stats'; id: number } | { type: 'stop' }
type FromWorker =
  | { type: 'ready'; addresses: BoundAddress[] }
  | { type: 'failed'; message: string; issues?: readonly ConfigIssue[] }
  | { type: 'reloaded'; id: number; result: ReloadResult }
  | { type: 'stats'; id: number; snapshot: CountersSnapshot; extra: ExtraMetric[]; health: HealthReport }

/** Whether this process is a `shoal-dns serve --workers` worker. */
export function isDnsWorker(): boolean {
  return cluster.isWorker && process.env[ENV_CONFIG] !== undefined
}

/**
 * `serve --workers N`: N processes answering from the same sockets (Node 20's `dgram` has no
 * `reusePort`, so the workers share the primary's UDP handle and the kernel hands each datagram
 * to one of them). The primary checks the configuration first, serves `/metrics` (the workers'
 * counters summed) and `/healthz` (healthy when every worker is), relays reloads, and replaces a
 * worker that dies.
 */
export async function serveCluster(options: CliOptions, io: CliIo): Promise<number> {
  const report = reporter(options, io)
  const configFile = resolve(options.config)
  const loaded = await loadConfig(configFile)
  if (!loaded.ok) {
    await report.failure(configError(loaded.issues))
    return EXIT_CODES.failure
  }
  const compiled = await compileServing(loaded.config)
  if (!compiled.ok) {
    await report.failure(configError(compiled.issues))
    return EXIT_CODES.failure
  }
  compiled.serving.close()
  const secret = Buffer.from(loaded.config.cookies?.secret ?? randomBytes(16)).toString('hex')

  const workers = new Map<Worker, { ready: boolean }>()
  const pending = new Map<number, (message: FromWorker) => void>()
  let nextId = 1
  let stopping = false
  const restarts: number[] = []
  cluster.setupPrimary({ exec: process.argv[1] as string, args: [], execArgv: process.execArgv })

  const fork = (): Promise<FromWorker> => {
    const worker = cluster.fork({ [ENV_CONFIG]: configFile, [ENV_SECRET]: secret })
    workers.set(worker, { ready: false })
    return new Promise((done) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready' || message.type === 'failed') {
          const state = workers.get(worker)
          if (state !== undefined) state.ready = message.type === 'ready'
          done(message)
        } else pending.get(message.id)?.(message)
      })
      worker.once('exit', (code, signal) => {
        workers.delete(worker)
        done({ type: 'failed', message: `worker ${worker.process.pid} exited (${signal ?? code})` })
        if (stopping) return
        const now = Date.now()
        while (restarts.length > 0 && (restarts[0] as number) < now - 60_000) restarts.shift()
        if (restarts.length >= MAX_RESTARTS_PER_MINUTE) {
          void report.event(
            'error',
            `worker ${worker.process.pid} exited (${signal ?? code}); too many restarts, not replacing it`,
          )
          return
        }
        restarts.push(now)
        void report.event(
          'warning',
          `worker ${worker.process.pid} exited (${signal ?? code}); starting another`,
        )
        void fork()
      })
    })
  }

  /** Sends a request to every live worker and collects their answers (missing ones after a timeout). */
  const ask = async <T extends FromWorker>(make: (id: number) => ToWorker): Promise<T[]> => {
    const answers = [...workers.keys()].map(
      (worker) =>
        new Promise<T | undefined>((done) => {
          const request = make(nextId++)
          const id = (request as { id: number }).id
          const timer = setTimeout(() => {
            pending.delete(id)
            done(undefined)
          }, REQUEST_TIMEOUT_MS)
          pending.set(id, (message) => {
            clearTimeout(timer)
            pending.delete(id)
            done(message as T)
          })
          worker.send(request)
        }),
    )
    const out: T[] = []
    for (const answer of await Promise.all(answers)) if (answer !== undefined) out.push(answer as T)
    return out
  }

  const stopAll = async (): Promise<void> => {
    stopping = true
    await Promise.all(
      [...workers.keys()].map(
        (worker) =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => worker.process.kill('SIGKILL'), REQUEST_TIMEOUT_MS)
            worker.once('exit', () => {
              clearTimeout(timer)
              done()
            })
            if (worker.isConnected()) worker.send({ type: 'stop' } satisfies ToWorker)
            else worker.process.kill('SIGTERM')
          }),
      ),
    )
  }

  const started = await Promise.all(Array.from({ length: options.workers }, () => fork()))
  const failed = started.find((m) => m.type === 'failed')
  if (failed !== undefined && failed.type === 'failed') {
    await stopAll()
    await report.failure(failed.issues === undefined ? new Error(failed.message) : configError(failed.issues))
    return EXIT_CODES.failure
  }

  const stats = async () => ask<Extract<FromWorker, { type: 'stats' }>>((id) => ({ type: 'stats', id }))
  let http: HttpEndpoint | undefined
  if (loaded.config.http !== undefined) {
    http = new HttpEndpoint({
      ...loaded.config.http,
      metrics: async () => {
        const answers = await stats()
        const extra = mergeExtra(answers.map((a) => a.extra))
        extra.push({
          name: 'shoal_dns_workers',
          help: 'Worker processes answering.',
          type: 'gauge',
          samples: [{ value: workers.size }],
        })
        return renderPrometheus(mergeSnapshots(answers.map((a) => a.snapshot)), extra)
      },
      health: async () => {
        const answers = await stats()
        if (answers.length < options.workers)
          return { ok: false, reason: `${answers.length} of ${options.workers} workers answering` }
        const sick = answers.find((a) => !a.health.ok)
        return sick === undefined
          ? { ok: true, reason: `${options.workers} workers; ${answers[0]?.health.reason ?? ''}` }
          : sick.health
      },
      logger: cliLogger(report),
    })
    try {
      await http.start()
    } catch (error) {
      await stopAll()
      await report.failure(error)
      return EXIT_CODES.failure
    }
  }
  const reload = async (why: string): Promise<void> => {
    const answers = await ask<Extract<FromWorker, { type: 'reloaded' }>>((id) => ({ type: 'reload', id }))
    const refused = answers.find((a) => !a.result.ok)
    await report.reloaded(
      why,
      (refused ?? answers[0])?.result ?? {
        ok: false,
        issues: [{ path: '$', message: 'no worker answered' }],
      },
    )
    const fresh = await loadConfig(configFile)
    if (fresh.ok) await watcher?.watch(watchedFiles(configFile, fresh.config))
  }
  const watcher = options.watch ? new FileWatcher(() => void reload('files changed')) : undefined
  await watcher?.watch(watchedFiles(configFile, loaded.config))
  const unsubscribe = io.onReloadRequest?.(() => void reload('SIGHUP'))
  const first = started[0] as Extract<FromWorker, { type: 'ready' }>
  const httpAddress = http?.address
  await report.listening(
    [
      ...first.addresses,
      ...(httpAddress === undefined
        ? []
        : [{ transport: 'http' as const, address: httpAddress.address, port: httpAddress.port }]),
    ],
    options.workers,
  )

  await untilAborted(io.signal)
  unsubscribe?.()
  watcher?.close()
  await stopAll()
  await http?.stop()
  await report.event('stopped', 'stopped')
  return EXIT_CODES.ok
}

/**
 * A worker's life: serve the configuration the primary named, with the primary's cookie secret,
 * and answer the primary's requests. SIGINT and SIGTERM (a Ctrl-C reaches the whole process
 * group) are left to the primary, which stops the workers itself.
 */
export async function runDnsWorker(): Promise<void> {
  const send = (message: FromWorker): void => {
    if (process.connected) process.send?.(message)
  }
  const secret = process.env[ENV_SECRET]
  const server = new DnsServer({
    configFile: process.env[ENV_CONFIG] as string,
    http: false,
    cookieSecret: secret === undefined ? undefined : Uint8Array.from(Buffer.from(secret, 'hex')),
    logger: {
      debug() {},
      info() {},
      warn: (message, ...args) =>
        process.stderr.write(`shoal-dns worker ${process.pid}: ${format(message, args)}\n`),
      error: (message, ...args) =>
        process.stderr.write(`shoal-dns worker ${process.pid}: ${format(message, args)}\n`),
    },
  })
  process.on('SIGINT', () => {})
  process.on('SIGTERM', () => void server.stop().then(() => process.disconnect()))
  try {
    await server.start()
  } catch (error) {
    const issues = (error as { details?: { issues?: readonly ConfigIssue[] } }).details?.issues
    send({ type: 'failed', message: (error as Error).message, ...(issues === undefined ? {} : { issues }) })
    process.exitCode = EXIT_CODES.failure
    process.disconnect()
    return
  }
  process.on('message', (message: ToWorker) => {
    if (message.type === 'stop') {
      void server.stop().then(() => process.disconnect())
    } else if (message.type === 'reload') {
      void server.reload().then((result) => send({ type: 'reloaded', id: message.id, result }))
    } else if (message.type === 'stats') {
      send({
        type: 'stats',
        id: message.id,
        snapshot: server.counters.snapshot(),
        extra: server.extraMetrics(),
        health: server.healthReport(),
      })
    }
  })
  send({ type: 'ready', addresses: server.addresses() })
}

/** Metrics summed across workers where a sum means something (connections, table sizes), else the largest value. */
function mergeExtra(lists: readonly ExtraMetric[][]): ExtraMetric[] {
  const SUMMED = new Set(['shoal_dns_tcp_open_connections', 'shoal_dns_rrl_entries'])
  const LEAST = new Set(['shoal_dns_healthy'])
  const byName = new Map<string, ExtraMetric>()
  for (const list of lists) {
    for (const metric of list) {
      const seen = byName.get(metric.name)
      if (seen === undefined) {
        byName.set(metric.name, { ...metric, samples: metric.samples.map((s) => ({ ...s })) })
        continue
      }
      const samples = seen.samples.map((sample, i) => {
        const other = metric.samples[i]?.value ?? 0
        return {
          ...sample,
          value: SUMMED.has(metric.name)
            ? sample.value + other
            : LEAST.has(metric.name)
              ? Math.min(sample.value, other)
              : Math.max(sample.value, other),
        }
      })
      byName.set(metric.name, { ...seen, samples })
    }
  }
  return [...byName.values()]
}

function format(message: string, args: unknown[]): string {
  let i = 0
  return message.replace(/%[sd]/g, () => String(args[i++]))
}
