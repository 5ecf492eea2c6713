import { typeName } from './record-data.js'

/**
 * The records of one type at one name (RFC 2181 §5), ready to serve: one TTL, the owner name as
 * the zone file wrote it, and each record's data already in wire form.
 */
export interface RRset {
  /** The owner name as written (case kept), presentation form without the final dot. */
  readonly owner: string
  /** The owner name in uncompressed wire form, case kept. */
  readonly ownerWire: Uint8Array
  /** The record type code. */
  readonly type: number
  /** The TTL in seconds, one for the whole set (the lowest written, RFC 2181 §5.2). */
  readonly ttl: number
  /** Each record's RDATA in wire form, names uncompressed and in the case written. */
  readonly rdatas: readonly Uint8Array[]
  /** Each record's data in canonical master-file text, in the order of {@link RRset.rdatas}. */
  readonly texts: readonly string[]
  /** Where each record was written, as `file:line`, in the same order. */
  readonly sources: readonly string[]
}

/**
 * The records of an RRset as master-file lines (`owner. ttl IN TYPE data`), for `explain` output,
 * debugging and dumps.
 *
 * @example
 * ```ts
 * const lines = rrsetLines(zone.soa) // ['example.com. 3600 IN SOA ns1.example.com. …']
 * ```
 */
export function rrsetLines(rrset: RRset): string[] {
  const head = `${rrset.owner === '' ? '.' : `${rrset.owner}.`} ${rrset.ttl} IN ${typeName(rrset.type)}`
  return rrset.texts.map((text) => `${head} ${text}`)
}
