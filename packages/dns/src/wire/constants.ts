/**
 * Numbers of the DNS protocol that the codec and its callers name: record types, classes,
 * response codes, opcodes, EDNS option codes and message sections.
 */

/**
 * Record types by name (RFC 1035 §3.2.2, RFC 3596, RFC 2782, RFC 6891, RFC 8659, RFC 9460).
 *
 * @example
 * ```ts
 * const isAddress = query.qtype === RRType.A || query.qtype === RRType.AAAA
 * ```
 */
export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  NAPTR: 35,
  DS: 43,
  OPT: 41,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  SVCB: 64,
  HTTPS: 65,
  AXFR: 252,
  ANY: 255,
  CAA: 257,
} as const

/** The name of a record type in {@link RRType}. */
export type RRTypeName = keyof typeof RRType

/**
 * Classes by name (RFC 1035 §3.2.4, RFC 2136 §1). Authoritative data is `IN`; `CH` carries
 * `version.bind` and `id.server`.
 *
 * @example
 * ```ts
 * const chaos = query.qclass === RRClass.CH
 * ```
 */
export const RRClass = {
  IN: 1,
  CH: 3,
  HS: 4,
  NONE: 254,
  ANY: 255,
} as const

/**
 * Response codes by name (RFC 1035 §4.1.1, RFC 2136, RFC 6891 §9, RFC 7873 §8). Codes above 15
 * are extended: their high 8 bits travel in the OPT record, so they need a query with EDNS.
 *
 * @example
 * ```ts
 * writer.rcode = query.edns !== undefined && query.edns.version > 0 ? Rcode.BADVERS : Rcode.NOERROR
 * ```
 */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADVERS: 16,
  BADCOOKIE: 23,
} as const

/** The name of a response code in {@link Rcode}. */
export type RcodeName = keyof typeof Rcode

/**
 * Opcodes by name (RFC 1035 §4.1.1, RFC 1996, RFC 2136, RFC 8490). An authoritative server
 * answers `QUERY` and replies NOTIMP to the rest.
 *
 * @example
 * ```ts
 * const supported = query.opcode === Opcode.QUERY
 * ```
 */
export const Opcode = {
  QUERY: 0,
  IQUERY: 1,
  STATUS: 2,
  NOTIFY: 4,
  UPDATE: 5,
  DSO: 6,
} as const

/** The name of an opcode in {@link Opcode}. */
export type OpcodeName = keyof typeof Opcode

/**
 * EDNS option codes by name (RFC 5001 NSID, RFC 7871 client subnet, RFC 7873 cookie, RFC 7828
 * TCP keepalive, RFC 7830 padding, RFC 8914 extended errors).
 *
 * @example
 * ```ts
 * const code = EdnsOption.COOKIE // 10
 * ```
 */
export const EdnsOption = {
  NSID: 3,
  CLIENT_SUBNET: 8,
  COOKIE: 10,
  TCP_KEEPALIVE: 11,
  PADDING: 12,
  EXTENDED_ERROR: 15,
} as const

/**
 * The sections a `ResponseWriter` fills, in the order they must be filled.
 *
 * @example
 * ```ts
 * writer.addRRset(Section.ANSWER, QUESTION_NAME, RRType.A, 300, [encodeA('192.0.2.1')])
 * ```
 */
export const Section = {
  ANSWER: 1,
  AUTHORITY: 2,
  ADDITIONAL: 3,
} as const

/** One of {@link Section}'s values. */
export type SectionNumber = (typeof Section)[keyof typeof Section]

/** The reply offset of the question name, for an owner written as the pointer `0xC00C`. */
export const QUESTION_NAME = 12

/** The smallest UDP payload every DNS speaker accepts, and the size limit without EDNS. */
export const MIN_UDP_PAYLOAD = 512

/** The UDP payload size DNS Flag Day 2020 recommends: no IP fragmentation on common paths. */
export const DEFAULT_UDP_PAYLOAD = 1232
