export type { ZoneErrorCode, ZoneWarning } from './errors.js'
export { DEFAULT_MAX_ERRORS } from './errors.js'
export type { LoadZoneOptions } from './load.js'
export { checkZoneFile, loadZoneFile, MAX_INCLUDE_FILES } from './load.js'
export type { ZoneCheck, ZoneOptions } from './parse.js'
export { checkZone, MAX_INCLUDE_DEPTH, parseZone } from './parse.js'
export type { RRset } from './rrset.js'
export { rrsetLines } from './rrset.js'
export { MAX_TTL } from './ttl.js'
export type {
  Zone,
  ZoneAnswer,
  ZoneDelegation,
  ZoneLookup,
  ZoneNodata,
  ZoneNxdomain,
  ZoneOutside,
  ZoneWildcard,
} from './zone.js'
