import { RRType } from '../wire/constants.js'
import type { ZoneName } from './names.js'

/** The record types the zone parser reads in their usual presentation form. */
export type KnownType = 'A' | 'AAAA' | 'NS' | 'CNAME' | 'PTR' | 'MX' | 'SOA' | 'TXT' | 'SRV' | 'CAA'

/**
 * The fields of one record's data, as read from a master file: what the RDATA encoder turns into
 * wire bytes and the formatter into canonical text. Names are absolute, case kept.
 */
export type RecordData =
  | { readonly type: 'A'; readonly address: string }
  | { readonly type: 'AAAA'; readonly address: string }
  | { readonly type: 'NS' | 'CNAME' | 'PTR'; readonly target: ZoneName }
  | { readonly type: 'MX'; readonly preference: number; readonly exchange: ZoneName }
  | {
      readonly type: 'SOA'
      readonly mname: ZoneName
      readonly rname: ZoneName
      readonly serial: number
      readonly refresh: number
      readonly retry: number
      readonly expire: number
      readonly minimum: number
    }
  | { readonly type: 'TXT'; readonly strings: readonly Uint8Array[] }
  | {
      readonly type: 'SRV'
      readonly priority: number
      readonly weight: number
      readonly port: number
      readonly target: ZoneName
    }
  | { readonly type: 'CAA'; readonly flags: number; readonly tag: string; readonly value: Uint8Array }
  | { readonly type: 'GENERIC'; readonly code: number; readonly data: Uint8Array }

/** The type code of each {@link KnownType}. */
export const KNOWN_TYPES: Readonly<Record<KnownType, number>> = {
  A: RRType.A,
  NS: RRType.NS,
  CNAME: RRType.CNAME,
  SOA: RRType.SOA,
  PTR: RRType.PTR,
  MX: RRType.MX,
  TXT: RRType.TXT,
  AAAA: RRType.AAAA,
  SRV: RRType.SRV,
  CAA: RRType.CAA,
}

const BY_CODE = new Map<number, KnownType>(
  Object.entries(KNOWN_TYPES).map(([name, code]) => [code, name as KnownType]),
)

/** The {@link KnownType} of a type code, if it is one. */
export function knownType(code: number): KnownType | undefined {
  return BY_CODE.get(code)
}

// Mnemonics of types this parser does not read in their own form, so an error can name the
// RFC 3597 spelling that does work.
const OTHER_MNEMONICS: Readonly<Record<string, number>> = {
  HINFO: 13,
  RP: 17,
  AFSDB: 18,
  LOC: 29,
  NAPTR: 35,
  CERT: 37,
  DNAME: 39,
  DS: 43,
  SSHFP: 44,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  DHCID: 49,
  NSEC3: 50,
  NSEC3PARAM: 51,
  TLSA: 52,
  SMIMEA: 53,
  CDS: 59,
  CDNSKEY: 60,
  OPENPGPKEY: 61,
  CSYNC: 62,
  ZONEMD: 63,
  SVCB: 64,
  HTTPS: 65,
  SPF: 99,
  URI: 256,
}

/** The code of a type mnemonic another parser might accept, for a helpful error. */
export function otherMnemonic(word: string): number | undefined {
  return OTHER_MNEMONICS[word.toUpperCase()]
}

/**
 * The name of a type code in presentation form: its mnemonic for the types the zone parser reads,
 * `TYPEnnn` for the others (RFC 3597 §5).
 *
 * @example
 * ```ts
 * typeName(15) // 'MX'
 * typeName(65534) // 'TYPE65534'
 * ```
 */
export function typeName(code: number): string {
  return BY_CODE.get(code) ?? `TYPE${code}`
}

/**
 * The type code a word names, in any case: a mnemonic the zone parser reads, another common one
 * (`HINFO`, `DS`, `HTTPS`…), or `TYPEnnn`; `undefined` for anything else.
 *
 * @example
 * ```ts
 * typeCode('aaaa') // 28
 * typeCode('TYPE65534') // 65534
 * ```
 */
export function typeCode(word: string): number | undefined {
  const upper = word.toUpperCase()
  const known = KNOWN_TYPES[upper as KnownType] ?? OTHER_MNEMONICS[upper]
  if (known !== undefined) return known
  const generic = /^TYPE([0-9]{1,5})$/.exec(upper)
  const code = generic === null ? undefined : Number(generic[1])
  return code !== undefined && code <= 65_535 ? code : undefined
}

/**
 * Whether a type code may not appear in zone data: 0 (reserved), OPT (41, a pseudo-record) and
 * the query-only and meta types 128–255 (RFC 6895 §3.1).
 */
export function isMetaType(code: number): boolean {
  return code === 0 || code === 41 || (code >= 128 && code <= 255)
}
