export type { OpcodeName, RcodeName, RRTypeName, SectionNumber } from './constants.js'
export {
  DEFAULT_UDP_PAYLOAD,
  EdnsOption,
  MIN_UDP_PAYLOAD,
  Opcode,
  QUESTION_NAME,
  Rcode,
  RRClass,
  RRType,
  Section,
} from './constants.js'
export { type DecodedOpt, DnsDecodeError } from './errors.js'
export type {
  DecodedData,
  DecodedEdns,
  DecodedMessage,
  DecodedOption,
  DecodedQuestion,
  DecodedRecord,
  DecodedSoa,
} from './message.js'
export { decodeMessage, formatIPv6 } from './message.js'
export {
  canonicalName,
  MAX_LABEL_LENGTH,
  MAX_NAME_LENGTH,
  nameKey,
  nameLength,
  namesEqual,
  nameToWire,
  wireToName,
} from './name.js'
export type { ClientSubnet, Cookie, DnsQuery, EdnsInfo } from './query.js'
export { decodeQuery, HEADER_LENGTH, udpLimit } from './query.js'
export type { SoaData } from './rdata.js'
export {
  encodeA,
  encodeAAAA,
  encodeCAA,
  encodeHINFO,
  encodeMX,
  encodeName,
  encodeSOA,
  encodeSRV,
  encodeTXT,
  parseIPv4,
  parseIPv6,
} from './rdata.js'
export type { ReplyOpt, ResponseWriterOptions } from './writer.js'
export { optSize, ResponseWriter } from './writer.js'
