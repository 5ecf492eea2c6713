export type { CookieVerdict, ServerCookiesOptions } from './cookies.js'
export { CLIENT_COOKIE_LENGTH, SERVER_COOKIE_LENGTH, ServerCookies } from './cookies.js'
export type { CountersSnapshot, CounterValues } from './counters.js'
export { COUNTER_NAMES, DnsCounters, mergeSnapshots, zeroValues } from './counters.js'
export type { BoundAddress, DnsHealthSource, DnsServerOptions, ReloadResult } from './dns-server.js'
export { configError, DnsServer } from './dns-server.js'
export type { ExplainedRecord, ExplainRequest, ExplainResult } from './explain.js'
export { explainAnswer, formatExplanation, parseSubnet, parseType } from './explain.js'
export type { FileHealthSourceOptions } from './file-health-source.js'
export { FileHealthSource } from './file-health-source.js'
export type { HealthReport, HttpEndpointOptions } from './http-endpoint.js'
export { HttpEndpoint } from './http-endpoint.js'
export { parseIpBytes } from './ip-bytes.js'
export type { ExtraMetric } from './prometheus.js'
export { escapeLabel, renderPrometheus } from './prometheus.js'
export type { ClientInfo, QueryHandler } from './query-handler.js'
export type { ResponderOptions } from './responder.js'
export { Responder } from './responder.js'
export type { RrlAction, RrlClass, RrlOptions, RrlStats } from './rrl.js'
export { clientPrefixKey, ResponseRateLimiter } from './rrl.js'
export type {
  CompileServingOptions,
  CompileServingResult,
  DynamicEntry,
  DynamicName,
  DynamicOutcome,
  ServingData,
} from './serving.js'
export { buildServing, compileServing, longestZone } from './serving.js'
export { SipHash24 } from './siphash.js'
export { CLOSE_FRAME, TcpFramer } from './tcp-framer.js'
export type { TcpLimits, TcpListenerOptions } from './tcp-listener.js'
export { TcpConnectionTable, TcpListener } from './tcp-listener.js'
export type { UdpListenerOptions } from './udp-listener.js'
export { UdpListener } from './udp-listener.js'
