/**
 * The `shoal-dns` configuration file: JSON, every key optional except `zones`. Relative paths
 * are relative to the file's own directory.
 *
 * @example
 * ```json
 * {
 *   "listen": ["127.0.0.1:5353", "[::1]:5353"],
 *   "node": { "id": "ns1", "site": "ams" },
 *   "zones": [{ "origin": "example.com", "file": "example.com.zone" }],
 *   "pools": { "web": { "answers": [{ "id": "web-1", "value": "192.0.2.10" }] } },
 *   "dynamic": [{ "name": "www.example.com", "type": "A", "pool": "web" }],
 *   "rrl": { "responsesPerSecond": 20 },
 *   "http": "127.0.0.1:9153"
 * }
 * ```
 */
export interface DnsConfigFile {
  /** Where to answer, `"address:port"` (`"[v6]:port"`) or `{ address, port }`; default `["127.0.0.1:53", "[::1]:53"]`. */
  readonly listen?: readonly (string | { readonly address: string; readonly port?: number })[]
  /** This node: `id` names it (and is the default NSID), `site` is what `preferSite` filters compare. */
  readonly node?: { readonly id?: string; readonly site?: string }
  /** The zones served: each an origin and a master file. */
  readonly zones: readonly { readonly origin: string; readonly file: string }[]
  /** Answer pools, by name, in the selection pipeline's JSON form. */
  readonly pools?: Readonly<Record<string, unknown>>
  /** Names answered from a pool instead of the zone file. */
  readonly dynamic?: readonly {
    readonly name: string
    readonly type: 'A' | 'AAAA' | 'CNAME'
    readonly pool: string
  }[]
  /** EDNS: the largest UDP reply sent (default 1232, range 512–4096). */
  readonly edns?: { readonly maxUdpPayload?: number }
  /** NSID (RFC 5001) sent to queries that ask: a string, `{ "hex": "…" }`, or `false` (default: the node id, when set). */
  readonly nsid?: string | { readonly hex: string } | false
  /** Response rate limiting, or `false` to turn it off (default on: 200 per second, window 15, slip 2). */
  readonly rrl?: Readonly<Record<string, unknown>> | false
  /** DNS cookies, or `false` to ignore COOKIE options (default on with a secret made at start). */
  readonly cookies?:
    | {
        readonly secret?: string
        readonly previousSecrets?: readonly string[]
        readonly maxNoCookieResponse?: number
        readonly badCookie?: boolean
      }
    | false
  /** TCP limits. */
  readonly tcp?: {
    readonly idleTimeoutMs?: number
    readonly maxConnections?: number
    readonly maxConnectionsPerClient?: number
  }
  /** UDP socket settings. */
  readonly udp?: { readonly recvBufferSize?: number; readonly sendBufferSize?: number }
  /** An external health feed file (`target up|down|drain` lines, or JSON). */
  readonly health?: { readonly file: string; readonly pollMs?: number }
  /** Where `/metrics` and `/healthz` are served, `"address:port"`; absent for none. */
  readonly http?: string | { readonly address: string; readonly port: number }
}

/** One socket address to listen on. */
export interface ListenAddress {
  /** The IP address. */
  readonly address: string
  /** The port (0 picks a free one). */
  readonly port: number
  /** 4 or 6. */
  readonly family: 4 | 6
}

/** Cookie settings with the secrets decoded. */
export interface CookieSettings {
  /** The 16-byte secret, or `undefined` to make one at start. */
  readonly secret: Uint8Array | undefined
  /** Retiring secrets still accepted. */
  readonly previousSecrets: readonly Uint8Array[]
  /**
   * gdnsd's `max_nocookie_response`: a UDP reply to a query without a valid server cookie is
   * truncated (TC) above this size, 512 to 4096; `undefined` (0 in the file) for no cap.
   */
  readonly maxNoCookieResponse: number | undefined
  /** Answer BADCOOKIE (RFC 7873 §5.2.4) to a UDP query whose server cookie is invalid (default false). */
  readonly badCookie: boolean
}

/** TCP limits (RFC 7766). */
export interface TcpSettings {
  /** Close a connection idle this long, in ms (default 10 000); advertised with edns-tcp-keepalive. */
  readonly idleTimeoutMs: number
  /** Connections open at once per server (default 256, gdnsd's `tcp_clients_per_thread`). */
  readonly maxConnections: number
  /** Connections open at once from one client address (default 16). */
  readonly maxConnectionsPerClient: number
}

/** RRL settings as `ResponseRateLimiter` takes them. */
export interface RrlSettings {
  readonly responsesPerSecond: number
  readonly nodataPerSecond?: number | undefined
  readonly nxdomainsPerSecond?: number | undefined
  readonly referralsPerSecond?: number | undefined
  readonly errorsPerSecond?: number | undefined
  readonly window: number
  readonly slip: number
  readonly ipv4PrefixLength: number
  readonly ipv6PrefixLength: number
  readonly logOnly: boolean
  readonly maxEntries: number
}

/** The configuration after validation: defaults filled, paths absolute, secrets decoded. */
export interface DnsConfig {
  /** The file it was read from, when it was. */
  readonly file: string | undefined
  /** Where to answer. */
  readonly listen: readonly ListenAddress[]
  /** This node. */
  readonly node: { readonly id: string; readonly site: string | undefined }
  /** Zones: origin (lower case, no final dot) and absolute file path. */
  readonly zones: readonly { readonly origin: string; readonly file: string }[]
  /** Pools in the selection pipeline's JSON form, not yet compiled. */
  readonly pools: Readonly<Record<string, unknown>>
  /** Dynamic names (lower case, no final dot). */
  readonly dynamic: readonly {
    readonly name: string
    readonly type: 'A' | 'AAAA' | 'CNAME'
    readonly pool: string
  }[]
  /** Largest UDP reply. */
  readonly maxUdpPayload: number
  /** NSID bytes, or `undefined`. */
  readonly nsid: Uint8Array | undefined
  /** RRL, or `undefined` when off. */
  readonly rrl: RrlSettings | undefined
  /** Cookies, or `undefined` when off. */
  readonly cookies: CookieSettings | undefined
  /** TCP limits. */
  readonly tcp: TcpSettings
  /** UDP socket buffer sizes (`undefined`: the system's). */
  readonly udp: { readonly recvBufferSize: number | undefined; readonly sendBufferSize: number | undefined }
  /** The health feed, or `undefined`. */
  readonly health: { readonly file: string; readonly pollMs: number } | undefined
  /** The metrics and health endpoint, or `undefined`. */
  readonly http: { readonly address: string; readonly port: number } | undefined
}

/** One thing wrong with a configuration: where (a JSON path, and the file and line when known) and what to do. */
export interface ConfigIssue {
  /** The JSON path of the value, `$.zones[0].file`, or `$` for the whole file. */
  readonly path: string
  /** What is wrong and what to do about it. */
  readonly message: string
  /** The file the problem is in (the config file, or a zone file). */
  readonly file?: string | undefined
  /** The line in that file, when known. */
  readonly line?: number | undefined
}
