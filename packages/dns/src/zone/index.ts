export type { ZoneErrorCode, ZoneWarning } from './errors.js'
export { DEFAULT_MAX_ERRORS } from './errors.js'
export { formatRdata } from './format.js'
export type { LoadZoneOptions } from './load.js'
export { checkZoneFile, loadZoneFile, MAX_INCLUDE_FILES } from './load.js'
export type { ZoneCheck, ZoneOptions } from './parse.js'
export { checkZone, MAX_INCLUDE_DEPTH, parseZone } from './parse.js'
export { typeCode, typeName } from './record-data.js'
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
