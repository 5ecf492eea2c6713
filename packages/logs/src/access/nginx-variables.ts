import { camelName, type FieldSpec, fieldSpec } from './field-spec.js'

type Known = readonly [name: string, kind: FieldSpec['kind'], extra?: Partial<FieldSpec>]

/** nginx variables that have a canonical record name or a typed value. */
const KNOWN: Readonly<Record<string, Known>> = {
  remote_addr: ['remoteHost', 'string'],
  binary_remote_addr: ['remoteHostBinary', 'string'],
  realip_remote_addr: ['peerIp', 'string'],
  remote_user: ['remoteUser', 'string'],
  remote_port: ['remotePort', 'int'],
  time_local: ['time', 'clf-time'],
  time_iso8601: ['time', 'iso-time'],
  msec: ['time', 'epoch', { scale: 1000 }],
  request: ['request', 'request'],
  request_method: ['method', 'string'],
  request_uri: ['target', 'string'],
  uri: ['path', 'string'],
  document_uri: ['path', 'string'],
  args: ['query', 'string'],
  query_string: ['query', 'string'],
  server_protocol: ['protocol', 'string'],
  status: ['status', 'int'],
  body_bytes_sent: ['bytes', 'int'],
  bytes_sent: ['bytesSent', 'int'],
  request_length: ['bytesReceived', 'int'],
  request_time: ['duration', 'duration', { scale: 1_000_000 }],
  upstream_response_time: ['upstreamResponseTime', 'durations', { scale: 1_000_000 }],
  upstream_connect_time: ['upstreamConnectTime', 'durations', { scale: 1_000_000 }],
  upstream_header_time: ['upstreamHeaderTime', 'durations', { scale: 1_000_000 }],
  upstream_addr: ['upstreamAddr', 'string'],
  upstream_status: ['upstreamStatus', 'string'],
  host: ['host', 'string'],
  hostname: ['hostname', 'string'],
  server_name: ['serverName', 'string'],
  server_addr: ['localIp', 'string'],
  server_port: ['port', 'int'],
  pid: ['pid', 'int'],
  connection: ['connection', 'int'],
  connection_requests: ['keepAliveRequests', 'int'],
  request_id: ['requestId', 'string'],
  gzip_ratio: ['gzipRatio', 'number'],
  http_referer: ['referer', 'string'],
  http_user_agent: ['userAgent', 'string'],
}

const PREFIXES: readonly (readonly [string, string])[] = [
  ['http_', ''],
  ['sent_http_', 'response'],
  ['sent_trailer_', 'responseTrailer'],
  ['cookie_', 'cookie'],
  ['arg_', 'arg'],
  ['upstream_http_', 'upstream'],
  ['upstream_cookie_', 'upstreamCookie'],
]

/**
 * The field of an nginx variable. Variables without a typed meaning are strings named in
 * camelCase (`$ssl_protocol` → `sslProtocol`, `$http_x_forwarded_for` → `xForwardedFor`).
 */
export function nginxVariable(variable: string): FieldSpec {
  const written = `$${variable}`
  const known = KNOWN[variable]
  if (known !== undefined) return fieldSpec(known[0], known[1], written, known[2])
  for (const [prefix, namePrefix] of PREFIXES) {
    if (variable.startsWith(prefix) && variable.length > prefix.length) {
      return fieldSpec(camelName(variable.slice(prefix.length), namePrefix), 'string', written)
    }
  }
  return fieldSpec(camelName(variable), 'string', written)
}
