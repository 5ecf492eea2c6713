import { isIP } from 'node:net'
import { isAbsolute, resolve } from 'node:path'
import { canonicalName } from '../wire/name.js'
import type {
  ConfigIssue,
  CookieSettings,
  DnsConfig,
  ListenAddress,
  RrlSettings,
  TcpSettings,
} from './config-types.js'
import { pathOf } from './json-lines.js'

/** Options of {@link validateConfig}. */
export interface ValidateConfigOptions {
  /** The file the data came from (named in issues). */
  readonly file?: string | undefined
  /** The directory relative paths are resolved against (default: the file's, else the working directory). */
  readonly baseDir?: string | undefined
  /**
   * Checks the `pools` object in the selection pipeline's terms; returns issues with paths
   * under `$.pools`. Without it the pools are only checked to be an object of objects.
   */
  readonly validatePools?: ((pools: Readonly<Record<string, unknown>>) => readonly ConfigIssue[]) | undefined
}

/** What {@link validateConfig} found: the configuration when there are no issues. */
export type ValidateConfigResult =
  | { readonly ok: true; readonly config: DnsConfig; readonly issues: readonly [] }
  | { readonly ok: false; readonly config: undefined; readonly issues: readonly ConfigIssue[] }

const TOP_KEYS = new Set([
  'listen',
  'node',
  'zones',
  'pools',
  'dynamic',
  'edns',
  'nsid',
  'rrl',
  'cookies',
  'tcp',
  'udp',
  'health',
  'http',
  '$schema',
  'comment',
])
const RRL_KEYS = new Set([
  'responsesPerSecond',
  'nodataPerSecond',
  'nxdomainsPerSecond',
  'referralsPerSecond',
  'errorsPerSecond',
  'window',
  'slip',
  'ipv4PrefixLength',
  'ipv6PrefixLength',
  'logOnly',
  'maxEntries',
])

/** Defaults of the settings that have one. */
export const CONFIG_DEFAULTS = {
  listen: ['127.0.0.1:53', '[::1]:53'],
  maxUdpPayload: 1232,
  rrl: { responsesPerSecond: 200, window: 15, slip: 2, ipv4PrefixLength: 24, ipv6PrefixLength: 56 },
  tcp: { idleTimeoutMs: 10_000, maxConnections: 256, maxConnectionsPerClient: 16 },
  healthPollMs: 1000,
} as const

/**
 * Validates a parsed configuration file (see {@link DnsConfigFile}) and resolves it: defaults
 * filled, relative paths made absolute, names lower-cased, secrets decoded. Collects every
 * issue instead of stopping at the first, each with its JSON path and what to do.
 *
 * @example
 * ```ts
 * const result = validateConfig(JSON.parse(text), { file: 'shoal-dns.json' })
 * if (!result.ok) for (const issue of result.issues) report(`${issue.path}: ${issue.message}`)
 * ```
 */
export function validateConfig(data: unknown, options: ValidateConfigOptions = {}): ValidateConfigResult {
  const v = new Validator(options.file)
  const baseDir =
    options.baseDir ?? (options.file === undefined ? process.cwd() : resolve(options.file, '..'))
  if (!isObject(data)) {
    v.issue('$', 'the configuration must be a JSON object, e.g. { "zones": [...] }')
    return v.result(undefined)
  }
  for (const key of Object.keys(data)) {
    if (!TOP_KEYS.has(key))
      v.issue(
        pathOf('$', key),
        `unknown setting "${key}"; the settings are ${[...TOP_KEYS].slice(0, 13).join(', ')}`,
      )
  }

  const listen = v.listen(data.listen)
  const node = v.node(data.node)
  const zones = v.zones(data.zones, baseDir)
  const pools = v.pools(data.pools, options.validatePools)
  const dynamic = v.dynamic(data.dynamic, zones, pools)
  const maxUdpPayload = v.edns(data.edns)
  const nsid = v.nsid(data.nsid, node.id)
  const rrl = v.rrl(data.rrl)
  const cookies = v.cookies(data.cookies)
  const tcp = v.tcp(data.tcp)
  const udp = v.udp(data.udp)
  const health = v.health(data.health, baseDir)
  const http = v.http(data.http)

  return v.result({
    file: options.file === undefined ? undefined : resolve(options.file),
    listen,
    node,
    zones,
    pools,
    dynamic,
    maxUdpPayload,
    nsid,
    rrl,
    cookies,
    tcp,
    udp,
    health,
    http,
  })
}

/**
 * Reads `"address:port"`, `"[v6]:port"`, a bare address (port 53) or `{ address, port }`.
 *
 * @returns the address, or a message saying what is wrong
 *
 * @example
 * ```ts
 * parseListenAddress('[::1]:5353') // { address: '::1', port: 5353, family: 6 }
 * ```
 */
export function parseListenAddress(value: unknown, defaultPort = 53): ListenAddress | string {
  let address: string
  let port: unknown = defaultPort
  if (typeof value === 'string') {
    const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(value)
    if (bracket !== null) {
      address = bracket[1] as string
      if (bracket[2] !== undefined) port = portNumber(bracket[2])
    } else if (isIP(value) !== 0) address = value
    else {
      const colon = value.lastIndexOf(':')
      address = colon < 0 ? value : value.slice(0, colon)
      if (colon >= 0) port = portNumber(value.slice(colon + 1))
    }
  } else if (isObject(value) && typeof value.address === 'string') {
    address = value.address
    if (value.port !== undefined) port = value.port
  } else return 'give "address:port" (e.g. "127.0.0.1:53" or "[::1]:53") or { "address": "…", "port": 53 }'
  const family = isIP(address)
  if (family === 0)
    return `"${address}" is not an IP address; listen on an address such as 127.0.0.1, ::1 or 0.0.0.0`
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)
    return `the port must be an integer from 0 to 65535, got ${JSON.stringify(port)}`
  return { address, port, family: family as 4 | 6 }
}

function portNumber(text: string): number | string {
  return /^\d{1,5}$/.test(text) ? Number(text) : text
}

/**
 * A domain name as lookups key it (the codec's `canonicalName`: ASCII lower case, no final dot,
 * `''` for the root), or `undefined` when it is not a valid name.
 *
 * @example
 * ```ts
 * normalizeName('WWW.Example.COM.') // 'www.example.com'
 * ```
 */
export function normalizeName(name: string): string | undefined {
  try {
    return canonicalName(name)
  } catch {
    return undefined
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

class Validator {
  readonly #file: string | undefined
  readonly issues: ConfigIssue[] = []

  constructor(file: string | undefined) {
    this.#file = file
  }

  issue(path: string, message: string): void {
    this.issues.push({ path, message, file: this.#file })
  }

  result(config: DnsConfig | undefined): ValidateConfigResult {
    if (this.issues.length === 0 && config !== undefined) return { ok: true, config, issues: [] }
    return { ok: false, config: undefined, issues: this.issues }
  }

  /** An integer in [min, max], or the default when absent. */
  int(value: unknown, path: string, min: number, max: number, fallback: number): number {
    if (value === undefined) return fallback
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.issue(path, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`)
      return fallback
    }
    return value
  }

  positive(value: unknown, path: string, max: number): number | undefined {
    if (value === undefined) return undefined
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
      this.issue(path, `must be a number above 0 and at most ${max}, got ${JSON.stringify(value)}`)
      return undefined
    }
    return value
  }

  bool(value: unknown, path: string, fallback: boolean): boolean {
    if (value === undefined) return fallback
    if (typeof value !== 'boolean') {
      this.issue(path, `must be true or false, got ${JSON.stringify(value)}`)
      return fallback
    }
    return value
  }

  object(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> | undefined {
    if (value === undefined) return undefined
    if (!isObject(value)) {
      this.issue(path, `must be an object with ${keys.join(', ')}`)
      return undefined
    }
    for (const key of Object.keys(value))
      if (!keys.includes(key))
        this.issue(pathOf(path, key), `unknown setting "${key}"; expected ${keys.join(', ')}`)
    return value
  }

  listen(value: unknown): ListenAddress[] {
    const list = value === undefined ? CONFIG_DEFAULTS.listen : value
    if (!Array.isArray(list) || list.length === 0) {
      this.issue('$.listen', 'must be a non-empty array such as ["127.0.0.1:53", "[::1]:53"]')
      return []
    }
    const out: ListenAddress[] = []
    const seen = new Set<string>()
    list.forEach((item: unknown, i: number) => {
      const parsed = parseListenAddress(item)
      if (typeof parsed === 'string') this.issue(`$.listen[${i}]`, parsed)
      else {
        const key = `${parsed.address}|${parsed.port}`
        if (seen.has(key) && parsed.port !== 0)
          this.issue(`$.listen[${i}]`, `${parsed.address} port ${parsed.port} is listed twice; remove one`)
        seen.add(key)
        out.push(parsed)
      }
    })
    return out
  }

  node(value: unknown): DnsConfig['node'] {
    const node = this.object(value, '$.node', ['id', 'site'])
    if (node === undefined) return { id: '', site: undefined }
    const id = node.id ?? ''
    if (typeof id !== 'string' || id.length > 128)
      this.issue('$.node.id', 'must be a string of at most 128 characters')
    const site = node.site
    if (site !== undefined && (typeof site !== 'string' || site === ''))
      this.issue(
        '$.node.site',
        'must be a non-empty string naming this node’s site (as pools’ answers name theirs)',
      )
    return {
      id: typeof id === 'string' ? id : '',
      site: typeof site === 'string' && site !== '' ? site : undefined,
    }
  }

  zones(value: unknown, baseDir: string): DnsConfig['zones'] {
    if (!Array.isArray(value) || value.length === 0) {
      this.issue(
        '$.zones',
        'must list at least one zone: [{ "origin": "example.com", "file": "example.com.zone" }]',
      )
      return []
    }
    const out: { origin: string; file: string }[] = []
    const origins = new Map<string, number>()
    value.forEach((zone: unknown, i: number) => {
      const path = `$.zones[${i}]`
      const z = this.object(zone, path, ['origin', 'file'])
      if (z === undefined) return
      const origin = typeof z.origin === 'string' ? normalizeName(z.origin) : undefined
      if (origin === undefined)
        this.issue(
          `${path}.origin`,
          'must be a domain name such as "example.com" (labels of letters, digits, "-")',
        )
      if (typeof z.file !== 'string' || z.file === '')
        this.issue(`${path}.file`, 'must name the zone’s master file, relative to this configuration file')
      if (origin !== undefined) {
        const first = origins.get(origin)
        if (first !== undefined)
          this.issue(
            `${path}.origin`,
            `zone "${origin}" is already listed at $.zones[${first}]; list each zone once`,
          )
        else origins.set(origin, i)
      }
      if (origin !== undefined && typeof z.file === 'string' && z.file !== '')
        out.push({ origin, file: isAbsolute(z.file) ? z.file : resolve(baseDir, z.file) })
    })
    return out
  }

  pools(
    value: unknown,
    validatePools: ((pools: Readonly<Record<string, unknown>>) => readonly ConfigIssue[]) | undefined,
  ): Readonly<Record<string, unknown>> {
    if (value === undefined) return {}
    if (!isObject(value)) {
      this.issue('$.pools', 'must be an object of pool name → pool')
      return {}
    }
    for (const [name, pool] of Object.entries(value)) {
      if (!isObject(pool)) this.issue(pathOf('$.pools', name), 'must be a pool object')
    }
    if (validatePools !== undefined) {
      for (const issue of validatePools(value)) this.issues.push({ ...issue, file: issue.file ?? this.#file })
    }
    return value
  }

  dynamic(
    value: unknown,
    zones: DnsConfig['zones'],
    pools: Readonly<Record<string, unknown>>,
  ): DnsConfig['dynamic'] {
    if (value === undefined) return []
    if (!Array.isArray(value)) {
      this.issue('$.dynamic', 'must be an array of { "name", "type", "pool" }')
      return []
    }
    const out: { name: string; type: 'A' | 'AAAA' | 'CNAME'; pool: string }[] = []
    const seen = new Map<string, string>()
    value.forEach((entry: unknown, i: number) => {
      const path = `$.dynamic[${i}]`
      const d = this.object(entry, path, ['name', 'type', 'pool'])
      if (d === undefined) return
      const name = typeof d.name === 'string' ? normalizeName(d.name) : undefined
      if (name === undefined) this.issue(`${path}.name`, 'must be a domain name such as "www.example.com"')
      const type = d.type
      if (type !== 'A' && type !== 'AAAA' && type !== 'CNAME')
        this.issue(`${path}.type`, `must be "A", "AAAA" or "CNAME", got ${JSON.stringify(type)}`)
      const pool = d.pool
      if (typeof pool !== 'string' || !(pool in pools))
        this.issue(
          `${path}.pool`,
          `must name a pool defined under "pools"${typeof pool === 'string' ? `; "${pool}" is not one` : ''}`,
        )
      if (
        name === undefined ||
        (type !== 'A' && type !== 'AAAA' && type !== 'CNAME') ||
        typeof pool !== 'string'
      )
        return
      if (!zones.some((z) => name === z.origin || name.endsWith(`.${z.origin}`) || z.origin === ''))
        this.issue(
          `${path}.name`,
          `"${name}" is in none of the zones served; add its zone under "zones" or fix the name`,
        )
      const previous = seen.get(name)
      if (previous !== undefined && (previous === type || previous === 'CNAME' || type === 'CNAME'))
        this.issue(
          `${path}.name`,
          previous === type
            ? `"${name}" ${type} is already dynamic; give each name and type one pool`
            : `"${name}" has a CNAME and other data (RFC 1034 §3.6.2); keep the CNAME or the addresses`,
        )
      seen.set(name, type)
      out.push({ name, type, pool })
    })
    return out
  }

  edns(value: unknown): number {
    const edns = this.object(value, '$.edns', ['maxUdpPayload'])
    return this.int(edns?.maxUdpPayload, '$.edns.maxUdpPayload', 512, 4096, CONFIG_DEFAULTS.maxUdpPayload)
  }

  nsid(value: unknown, nodeId: string): Uint8Array | undefined {
    if (value === false) return undefined
    if (value === undefined) return nodeId === '' ? undefined : new TextEncoder().encode(nodeId)
    if (typeof value === 'string') {
      if (value.length === 0 || value.length > 128) this.issue('$.nsid', 'must be 1 to 128 characters')
      return new TextEncoder().encode(value)
    }
    if (isObject(value) && typeof value.hex === 'string' && /^(?:[0-9a-fA-F]{2}){1,128}$/.test(value.hex))
      return Uint8Array.from(Buffer.from(value.hex, 'hex'))
    this.issue('$.nsid', 'must be a string, { "hex": "even number of hex digits" } or false')
    return undefined
  }

  rrl(value: unknown): RrlSettings | undefined {
    if (value === false) return undefined
    const defaults = CONFIG_DEFAULTS.rrl
    if (value === undefined) return { ...defaults, logOnly: false, maxEntries: 100_000 }
    const r = this.object(value, '$.rrl', [...RRL_KEYS])
    if (r === undefined) return undefined
    const rate =
      this.positive(r.responsesPerSecond, '$.rrl.responsesPerSecond', 1e6) ?? defaults.responsesPerSecond
    const settings: RrlSettings = {
      responsesPerSecond: rate,
      nodataPerSecond: this.positive(r.nodataPerSecond, '$.rrl.nodataPerSecond', 1e6),
      nxdomainsPerSecond: this.positive(r.nxdomainsPerSecond, '$.rrl.nxdomainsPerSecond', 1e6),
      referralsPerSecond: this.positive(r.referralsPerSecond, '$.rrl.referralsPerSecond', 1e6),
      errorsPerSecond: this.positive(r.errorsPerSecond, '$.rrl.errorsPerSecond', 1e6),
      window: this.int(r.window, '$.rrl.window', 1, 3600, defaults.window),
      slip: this.int(r.slip, '$.rrl.slip', 0, 10, defaults.slip),
      ipv4PrefixLength: this.int(
        r.ipv4PrefixLength,
        '$.rrl.ipv4PrefixLength',
        8,
        32,
        defaults.ipv4PrefixLength,
      ),
      ipv6PrefixLength: this.int(
        r.ipv6PrefixLength,
        '$.rrl.ipv6PrefixLength',
        16,
        128,
        defaults.ipv6PrefixLength,
      ),
      logOnly: this.bool(r.logOnly, '$.rrl.logOnly', false),
      maxEntries: this.int(r.maxEntries, '$.rrl.maxEntries', 1, 10_000_000, 100_000),
    }
    return settings
  }

  cookies(value: unknown): CookieSettings | undefined {
    if (value === false) return undefined
    const c = this.object(value ?? {}, '$.cookies', [
      'secret',
      'previousSecrets',
      'maxNoCookieResponse',
      'badCookie',
    ])
    if (c === undefined) return undefined
    const secret = (v: unknown, path: string): Uint8Array | undefined => {
      if (typeof v === 'string' && /^[0-9a-fA-F]{32}$/.test(v)) return Uint8Array.from(Buffer.from(v, 'hex'))
      this.issue(
        path,
        'must be 32 hex digits (16 bytes), the same on every server of an anycast set; e.g. `openssl rand -hex 16`',
      )
      return undefined
    }
    const previous: Uint8Array[] = []
    if (c.previousSecrets !== undefined) {
      if (!Array.isArray(c.previousSecrets))
        this.issue('$.cookies.previousSecrets', 'must be an array of secrets')
      else
        c.previousSecrets.forEach((s: unknown, i: number) => {
          const bytes = secret(s, `$.cookies.previousSecrets[${i}]`)
          if (bytes !== undefined) previous.push(bytes)
        })
    }
    const max = c.maxNoCookieResponse
    return {
      secret: c.secret === undefined ? undefined : secret(c.secret, '$.cookies.secret'),
      previousSecrets: previous,
      maxNoCookieResponse:
        max === undefined || max === 0
          ? undefined
          : this.int(max, '$.cookies.maxNoCookieResponse', 512, 4096, 0),
      badCookie: this.bool(c.badCookie, '$.cookies.badCookie', false),
    }
  }

  tcp(value: unknown): TcpSettings {
    const t =
      this.object(value, '$.tcp', ['idleTimeoutMs', 'maxConnections', 'maxConnectionsPerClient']) ?? {}
    const d = CONFIG_DEFAULTS.tcp
    const maxConnections = this.int(t.maxConnections, '$.tcp.maxConnections', 1, 65_535, d.maxConnections)
    const perClient = this.int(
      t.maxConnectionsPerClient,
      '$.tcp.maxConnectionsPerClient',
      1,
      65_535,
      Math.min(d.maxConnectionsPerClient, maxConnections),
    )
    if (perClient > maxConnections)
      this.issue('$.tcp.maxConnectionsPerClient', `must not exceed maxConnections (${maxConnections})`)
    return {
      idleTimeoutMs: this.int(t.idleTimeoutMs, '$.tcp.idleTimeoutMs', 100, 600_000, d.idleTimeoutMs),
      maxConnections,
      maxConnectionsPerClient: perClient,
    }
  }

  udp(value: unknown): DnsConfig['udp'] {
    const u = this.object(value, '$.udp', ['recvBufferSize', 'sendBufferSize']) ?? {}
    const size = (v: unknown, path: string): number | undefined =>
      v === undefined ? undefined : this.int(v, path, 4096, 256 * 1024 * 1024, 0)
    return {
      recvBufferSize: size(u.recvBufferSize, '$.udp.recvBufferSize'),
      sendBufferSize: size(u.sendBufferSize, '$.udp.sendBufferSize'),
    }
  }

  health(value: unknown, baseDir: string): DnsConfig['health'] {
    const h = this.object(value, '$.health', ['file', 'pollMs'])
    if (h === undefined) return undefined
    if (typeof h.file !== 'string' || h.file === '') {
      this.issue('$.health.file', 'must name the health feed file (lines of "target up|down|drain")')
      return undefined
    }
    return {
      file: isAbsolute(h.file) ? h.file : resolve(baseDir, h.file),
      pollMs: this.int(h.pollMs, '$.health.pollMs', 50, 3_600_000, CONFIG_DEFAULTS.healthPollMs),
    }
  }

  http(value: unknown): DnsConfig['http'] {
    if (value === undefined) return undefined
    const parsed = parseListenAddress(value, 9153)
    if (typeof parsed === 'string') {
      this.issue('$.http', parsed)
      return undefined
    }
    return { address: parsed.address, port: parsed.port }
  }
}
