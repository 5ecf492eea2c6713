import { randomBytes } from 'node:crypto'
import {
  type Clock,
  createLogger,
  type HealthSource,
  type Logger,
  type Random,
  ShoalError,
  type Startable,
  systemClock,
} from '@shoal/core'
import type { ConfigIssue, DnsConfig } from '../config/config-types.js'
import { formatIssue, loadConfig } from '../config/load-config.js'
import type { GeoLookup } from '../select/geo.js'
import { ServerCookies } from './cookies.js'
import { DnsCounters } from './counters.js'
import { FileHealthSource } from './file-health-source.js'
import { type HealthReport, HttpEndpoint } from './http-endpoint.js'
import { type ExtraMetric, renderPrometheus } from './prometheus.js'
import { Responder } from './responder.js'
import { ResponseRateLimiter } from './rrl.js'
import { compileServing, type ServingData } from './serving.js'
import { TcpConnectionTable, TcpListener } from './tcp-listener.js'
import { UdpListener } from './udp-listener.js'

/** A health source, with the `ready()` of `@shoal/health`'s checker when it has one. */
export type DnsHealthSource = HealthSource & { ready?: (() => Promise<void>) | undefined }

/** Settings of a {@link DnsServer}: a configuration, or a file to load it from (and reload). */
export interface DnsServerOptions {
  /** The configuration file; `reload()` reads it again. */
  readonly configFile?: string | undefined
  /** A validated configuration, when there is no file (see `validateConfig`). */
  readonly config?: DnsConfig | undefined
  /**
   * Health of the pools' answers: `@shoal/health`'s `HealthChecker`, or any `HealthSource`. When
   * absent and the configuration names a health feed file, the server follows that file.
   */
  readonly health?: DnsHealthSource | undefined
  /** The GeoIP lookup for geofence and geotarget filters (e.g. `mmdbGeoLookup(reader)`). */
  readonly geo?: GeoLookup | undefined
  /** The random source of the selection (default: seeded from the system). */
  readonly random?: Random | undefined
  /** Time (default the system clock). */
  readonly clock?: Clock | undefined
  /** Where the server says what it does (default `NODE_DEBUG=shoal:dns`). */
  readonly logger?: Logger | undefined
  /** Serve `/metrics` and `/healthz` when the configuration names an address (default true; cluster workers leave it to the primary). */
  readonly http?: boolean | undefined
  /** The cookie secret when the configuration has none (cluster workers get the primary's); default random. */
  readonly cookieSecret?: Uint8Array | undefined
}

/** What {@link DnsServer.reload} did. */
export type ReloadResult =
  | { readonly ok: true; readonly warnings: readonly ConfigIssue[] }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] }

/** A bound socket of a running server. */
export interface BoundAddress {
  readonly transport: 'udp' | 'tcp' | 'http'
  readonly address: string
  readonly port: number
}

/** Fresh UDP ports tried for a port-0 address whose TCP twin is taken. */
const PORT_ATTEMPTS = 8

/**
 * The authoritative DNS server: UDP and TCP listeners on every configured address (IPv4 and
 * IPv6), one {@link Responder} over the compiled zones and pools, and the `/metrics` and
 * `/healthz` endpoint. `reload()` validates the new configuration, zones and pools fully, then
 * swaps in the new responder in one assignment; on any error the old one keeps serving and the
 * errors are returned. Counters, RRL state and cookies carry over a reload.
 *
 * @example
 * ```ts
 * await using server = new DnsServer({ configFile: '/etc/shoal-dns.json' })
 * await server.start()
 * const result = await server.reload() // after editing the file
 * ```
 */
export class DnsServer implements Startable {
  readonly #options: DnsServerOptions
  readonly #logger: Logger
  readonly #clock: Clock
  readonly counters = new DnsCounters()
  #config: DnsConfig | undefined
  #serving: ServingData | undefined
  #responder: Responder | undefined
  #rrl: ResponseRateLimiter | undefined
  #rrlKey = ''
  #cookies: ServerCookies | undefined
  #cookieKey = ''
  readonly #generatedSecret: Uint8Array
  #health: DnsHealthSource | undefined
  #ownedHealth: FileHealthSource | undefined
  #healthReady = false
  #udp: UdpListener[] = []
  #tcp: TcpListener[] = []
  readonly #tcpTable = new TcpConnectionTable()
  #http: HttpEndpoint | undefined
  #running = false
  #reloads = { ok: 0, failed: 0 }
  #lastReload = 0
  #reloading: Promise<ReloadResult> | undefined

  /** @param options - the configuration (or its file) and what the server needs from outside */
  constructor(options: DnsServerOptions) {
    if (options.config === undefined && options.configFile === undefined)
      throw new ShoalError('ERR_INVALID_ARGUMENT', 'give a DnsServer a config or a configFile')
    this.#options = options
    this.#logger = options.logger ?? createLogger('dns')
    this.#clock = options.clock ?? systemClock
    this.#generatedSecret = options.cookieSecret ?? Uint8Array.from(randomBytes(16))
  }

  /** The configuration being served (after `start`). */
  get config(): DnsConfig | undefined {
    return this.#config
  }

  /** The responder answering now (after `start`); a reload replaces it. */
  get responder(): Responder | undefined {
    return this.#responder
  }

  /** The sockets bound, with their ports (port 0 in the configuration picks one). */
  addresses(): BoundAddress[] {
    const out: BoundAddress[] = []
    for (const l of this.#udp)
      if (l.address) out.push({ transport: 'udp', address: l.address.address, port: l.address.port })
    for (const l of this.#tcp)
      if (l.address) out.push({ transport: 'tcp', address: l.address.address, port: l.address.port })
    const http = this.#http?.address
    if (http !== undefined) out.push({ transport: 'http', address: http.address, port: http.port })
    return out
  }

  /**
   * Loads and compiles the configuration, binds every listener and starts answering. Rejects
   * with `ERR_DNS_CONFIG` (every issue in `details.issues` and in the message, each with file and
   * line) when the configuration, a zone or a pool is wrong, and with the socket error when an
   * address cannot be bound; nothing is left running then.
   */
  async start(): Promise<void> {
    if (this.#running) return
    const config = await this.#load()
    if (!config.ok) throw configError(config.issues)
    this.#config = config.config
    this.#setHealth(config.config)
    if (this.#ownedHealth !== undefined) await this.#ownedHealth.start()
    const compiled = await this.#compile(config.config)
    if (!compiled.ok) {
      await this.#ownedHealth?.stop()
      throw configError(compiled.issues)
    }
    for (const warning of compiled.warnings) this.#logger.warn('%s', formatIssue(warning))
    this.#install(config.config, compiled.serving)
    this.#running = true
    try {
      await this.#listen(config.config)
    } catch (error) {
      await this.stop()
      throw error
    }
    this.#logger.info(
      'serving %d zones (%d records, %d dynamic names) on %s',
      compiled.serving.stats.zones,
      compiled.serving.stats.records,
      compiled.serving.stats.dynamic,
      this.addresses()
        .map((a) => `${a.transport} ${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`)
        .join(', '),
    )
  }

  /** Closes every socket and stops following health. */
  async stop(): Promise<void> {
    if (!this.#running) return
    this.#running = false
    await Promise.all([
      ...this.#udp.map((l) => l.stop()),
      ...this.#tcp.map((l) => l.stop()),
      this.#http?.stop(),
      this.#ownedHealth?.stop(),
    ])
    this.#udp = []
    this.#tcp = []
    this.#http = undefined
    this.#serving?.close()
  }

  /** Same as {@link DnsServer.stop}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }

  /**
   * Reads the configuration again (from its file, or `config` when given), loads its zones and
   * compiles its pools; when all of it is valid, the new responder replaces the old in one
   * assignment. When anything is wrong, the old configuration keeps serving and the issues are
   * returned. Listen addresses and the HTTP address apply at the next start (a warning says so).
   * Concurrent calls share one reload.
   */
  reload(config?: DnsConfig): Promise<ReloadResult> {
    this.#reloading ??= this.#reload(config).finally(() => {
      this.#reloading = undefined
    })
    return this.#reloading
  }

  /** What `/healthz` says: healthy when every zone is loaded and health's first round is done. */
  healthReport(): HealthReport {
    const config = this.#config
    const serving = this.#serving
    if (!this.#running || config === undefined || serving === undefined)
      return { ok: false, reason: 'not serving' }
    if (serving.zones.size < config.zones.length)
      return { ok: false, reason: `${serving.zones.size} of ${config.zones.length} zones loaded` }
    if (this.#health !== undefined && !this.#healthReady)
      return { ok: false, reason: 'waiting for the first round of health checks' }
    return {
      ok: true,
      reason: `${serving.stats.zones} zones, ${serving.stats.records} records, ${serving.stats.dynamic} dynamic names`,
    }
  }

  /** The Prometheus text of `/metrics`. */
  metrics(): string {
    return renderPrometheus(this.counters.snapshot(), this.extraMetrics())
  }

  /** The gauges and counters beyond the responder's: zones, reloads, connections, RRL table, health. */
  extraMetrics(): ExtraMetric[] {
    const serving = this.#serving
    const health = this.healthReport()
    return [
      {
        name: 'shoal_dns_zones',
        help: 'Zones loaded.',
        type: 'gauge',
        samples: [{ value: serving?.stats.zones ?? 0 }],
      },
      {
        name: 'shoal_dns_records',
        help: 'Records in the zones loaded.',
        type: 'gauge',
        samples: [{ value: serving?.stats.records ?? 0 }],
      },
      {
        name: 'shoal_dns_reloads_total',
        help: 'Configuration reloads, by result.',
        type: 'counter',
        samples: [
          { labels: { result: 'ok' }, value: this.#reloads.ok },
          { labels: { result: 'failed' }, value: this.#reloads.failed },
        ],
      },
      {
        name: 'shoal_dns_config_loaded_timestamp_seconds',
        help: 'When the configuration being served was loaded.',
        type: 'gauge',
        samples: [{ value: Math.floor(this.#lastReload / 1000) }],
      },
      {
        name: 'shoal_dns_tcp_open_connections',
        help: 'TCP connections open now.',
        type: 'gauge',
        samples: [{ value: this.#tcpTable.size }],
      },
      {
        name: 'shoal_dns_rrl_entries',
        help: 'Accounts in the response rate limiting table.',
        type: 'gauge',
        samples: [{ value: this.#rrl?.stats().entries ?? 0 }],
      },
      {
        name: 'shoal_dns_healthy',
        help: 'Whether /healthz reports healthy (1) or not (0).',
        type: 'gauge',
        samples: [{ value: health.ok ? 1 : 0 }],
      },
      {
        name: 'shoal_dns_health_epoch',
        help: 'Health epochs the pools have been computed for.',
        type: 'counter',
        samples: [{ value: serving?.selector?.epoch ?? 0 }],
      },
    ]
  }

  async #reload(given: DnsConfig | undefined): Promise<ReloadResult> {
    const loaded = given === undefined ? await this.#load() : { ok: true as const, config: given, issues: [] }
    if (!loaded.ok) return this.#failed(loaded.issues)
    const config = loaded.config
    const previous = this.#config
    const warnings: ConfigIssue[] = []
    if (previous !== undefined && JSON.stringify(previous.listen) !== JSON.stringify(config.listen))
      warnings.push({
        path: '$.listen',
        message: 'listen addresses change at the next restart',
        file: config.file,
      })
    if (previous !== undefined && JSON.stringify(previous.http) !== JSON.stringify(config.http))
      warnings.push({
        path: '$.http',
        message: 'the HTTP address changes at the next restart',
        file: config.file,
      })
    // a new health feed is read once before the pools compile against it
    const oldHealth = this.#ownedHealth
    const healthChanged = JSON.stringify(previous?.health) !== JSON.stringify(config.health)
    if (healthChanged && this.#options.health === undefined) {
      this.#setHealth(config)
      await this.#ownedHealth?.start()
    }
    const compiled = await this.#compile(config)
    if (!compiled.ok) {
      if (healthChanged && this.#options.health === undefined) {
        await this.#ownedHealth?.stop()
        this.#ownedHealth = oldHealth
        this.#health = oldHealth
        this.#healthReady = oldHealth?.isReady ?? false
      }
      return this.#failed(compiled.issues)
    }
    if (healthChanged && oldHealth !== undefined && oldHealth !== this.#ownedHealth) await oldHealth.stop()
    const old = this.#serving
    this.#install(config, compiled.serving)
    old?.close()
    this.#reloads.ok++
    // returned to the caller, so logged at info only
    for (const warning of [...compiled.warnings, ...warnings]) this.#logger.info('%s', formatIssue(warning))
    this.#logger.info(
      'reloaded: %d zones, %d records',
      compiled.serving.stats.zones,
      compiled.serving.stats.records,
    )
    return { ok: true, warnings: [...warnings, ...compiled.warnings] }
  }

  #failed(issues: readonly ConfigIssue[]): ReloadResult {
    this.#reloads.failed++
    for (const issue of issues) this.#logger.info('reload refused: %s', formatIssue(issue))
    return { ok: false, issues }
  }

  async #load(): Promise<{ ok: true; config: DnsConfig } | { ok: false; issues: readonly ConfigIssue[] }> {
    const file = this.#options.configFile
    if (file === undefined) return { ok: true, config: this.#options.config as DnsConfig }
    const result = await loadConfig(file)
    return result.ok ? { ok: true, config: result.config } : { ok: false, issues: result.issues }
  }

  #setHealth(config: DnsConfig): void {
    if (this.#options.health !== undefined) {
      if (this.#health === undefined) {
        const health = this.#options.health
        this.#health = health
        if (typeof health.ready === 'function')
          health.ready().then(
            () => {
              this.#healthReady = true
            },
            () => undefined,
          )
        else this.#healthReady = true
      }
      return
    }
    if (config.health === undefined) {
      this.#ownedHealth = undefined
      this.#health = undefined
      return
    }
    const source = new FileHealthSource({
      file: config.health.file,
      pollMs: config.health.pollMs,
      clock: this.#clock,
      logger: this.#logger,
    })
    this.#ownedHealth = source
    this.#health = source
    this.#healthReady = false
    source.ready().then(
      () => {
        if (this.#ownedHealth === source) this.#healthReady = true
      },
      () => undefined,
    )
  }

  #compile(config: DnsConfig) {
    return compileServing(config, {
      health: this.#health,
      geo: this.#options.geo,
      random: this.#options.random,
    })
  }

  /** Builds the responder for `serving` and swaps it in: the one assignment a reload makes. */
  #install(config: DnsConfig, serving: ServingData): void {
    const rrlKey = JSON.stringify(config.rrl ?? null)
    if (rrlKey !== this.#rrlKey) {
      this.#rrl = config.rrl === undefined ? undefined : new ResponseRateLimiter(config.rrl)
      this.#rrlKey = rrlKey
    }
    const cookies = config.cookies
    const cookieKey =
      cookies === undefined
        ? ''
        : [cookies.secret, ...cookies.previousSecrets]
            .map((s) => (s === undefined ? '-' : Buffer.from(s).toString('hex')))
            .join(',')
    if (cookieKey !== this.#cookieKey || (cookies !== undefined && this.#cookies === undefined)) {
      this.#cookies =
        cookies === undefined
          ? undefined
          : new ServerCookies({
              secret: cookies.secret ?? this.#generatedSecret,
              previousSecrets: cookies.previousSecrets,
            })
      this.#cookieKey = cookieKey
    }
    this.#responder = new Responder({
      serving,
      maxUdpPayload: config.maxUdpPayload,
      nsid: config.nsid,
      tcpIdleTimeoutMs: config.tcp.idleTimeoutMs,
      rrl: this.#rrl,
      cookies: this.#cookies,
      maxNoCookieResponse: cookies?.maxNoCookieResponse,
      badCookie: cookies?.badCookie,
      counters: this.counters,
      clock: this.#clock,
    })
    this.#serving = serving
    this.#config = config
    this.#lastReload = this.#clock.now()
  }

  async #listen(config: DnsConfig): Promise<void> {
    const handler = (): Responder => this.#responder as Responder
    const limits = () => (this.#config as DnsConfig).tcp
    for (const listen of config.listen) {
      // port 0: TCP takes the port UDP got, so one address serves both; another process may hold
      // that TCP port already, so a few fresh UDP ports are tried before giving up
      for (let attempt = 1; ; attempt++) {
        const udp = new UdpListener({
          ...listen,
          recvBufferSize: config.udp.recvBufferSize,
          sendBufferSize: config.udp.sendBufferSize,
          handler,
          counters: this.counters,
          logger: this.#logger,
        })
        this.#udp.push(udp)
        await udp.start()
        const port = listen.port === 0 ? (udp.address?.port ?? 0) : listen.port
        const tcp = new TcpListener({
          ...listen,
          port,
          handler,
          limits,
          table: this.#tcpTable,
          counters: this.counters,
          logger: this.#logger,
        })
        try {
          await tcp.start()
        } catch (error) {
          const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
          if (listen.port !== 0 || !taken || attempt >= PORT_ATTEMPTS) throw error
          this.#udp.pop()
          await udp.stop()
          continue
        }
        this.#tcp.push(tcp)
        break
      }
    }
    if (config.http !== undefined && this.#options.http !== false) {
      this.#http = new HttpEndpoint({
        ...config.http,
        metrics: () => this.metrics(),
        health: () => this.healthReport(),
        logger: this.#logger,
      })
      await this.#http.start()
    }
  }
}

/**
 * The `ERR_DNS_CONFIG` error of a configuration that cannot be served, every issue in its message.
 *
 * @example
 * ```ts
 * throw configError([{ path: '$.zones', message: 'must list at least one zone' }])
 * ```
 */
export function configError(issues: readonly ConfigIssue[]): ShoalError {
  const lines = issues.map(formatIssue)
  return new ShoalError(
    'ERR_DNS_CONFIG',
    issues.length === 1
      ? (lines[0] as string)
      : `${issues.length} problems:\n${lines.map((l) => `  ${l}`).join('\n')}`,
    { details: { issues } },
  )
}
