export type {
  ConfigIssue,
  CookieSettings,
  DnsConfig,
  DnsConfigFile,
  ListenAddress,
  RrlSettings,
  TcpSettings,
} from './config-types.js'
export { jsonErrorOffset, jsonPathLines } from './json-lines.js'
export { formatIssue, loadConfig, parseConfig } from './load-config.js'
export type { ValidateConfigOptions, ValidateConfigResult } from './validate-config.js'
export { CONFIG_DEFAULTS, normalizeName, parseListenAddress, validateConfig } from './validate-config.js'
