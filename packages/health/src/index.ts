export type { StateFileEntry, StateFileResult } from '@shoal/core'
export { MAX_STATE_FILE_ENTRIES, parseStateFile } from '@shoal/core'
export type { Check, CheckContext } from './checks/check.js'
export type { DnsCheckOptions } from './checks/dns-check.js'
export { dnsCheck } from './checks/dns-check.js'
export type { HttpCheckOptions } from './checks/http-check.js'
export { httpCheck } from './checks/http-check.js'
export type { TcpCheckOptions } from './checks/tcp-check.js'
export { tcpCheck } from './checks/tcp-check.js'
export type { DnsQuery, DnsReply, QueryTypeName, RcodeName, ReplyResult } from './dns-message.js'
export { encodeQuery, QUERY_TYPES, RCODES, readReply } from './dns-message.js'
export type { AdminState, ReasonedState } from './effective-state.js'
export type {
  Assume,
  FeedErrorEvent,
  HealthCheckerEvents,
  HealthCheckerOptions,
  HealthCheckerStats,
  ProbeResult,
  TargetRemovedEvent,
  TargetStatus,
} from './health-checker.js'
export { HealthChecker } from './health-checker.js'
export type {
  AntiFlapOptions,
  CheckSettings,
  PassiveOptions,
  RateLimitOptions,
  StateFileOptions,
  TargetOptions,
} from './options.js'
export { DEFAULTS } from './options.js'
export type { AntiFlapPolicy, RiseFallPolicy, ThresholdMachine, ThresholdPolicy } from './thresholds.js'
export { createThresholdMachine } from './thresholds.js'
