import { formatIPv6 } from '../wire/message.js'
import { decodeRdata } from './decode-rdata.js'
import { absolute } from './names.js'
import { knownType, type RecordData } from './record-data.js'

/**
 * A character-string in master-file form: double quotes, `\"` and `\\` escaped, bytes outside
 * printable ASCII as `\DDD`, so the text reads back to the same bytes.
 */
export function quoteString(bytes: Uint8Array): string {
  let out = '"'
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b)
    else out += `\\${String(b).padStart(3, '0')}`
  }
  return `${out}"`
}

function hex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

/**
 * The canonical text of a record's data, as a master file would write it: names absolute with
 * their case kept, addresses in their standard forms, strings quoted, unknown types as `\# len hex`.
 * `rdata` is the record's wire data (addresses are formatted from it).
 */
export function formatRecordData(data: RecordData, rdata: Uint8Array): string {
  switch (data.type) {
    case 'A':
      return rdata.join('.')
    case 'AAAA':
      return formatIPv6(rdata)
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return absolute(data.target)
    case 'MX':
      return `${data.preference} ${absolute(data.exchange)}`
    case 'SOA':
      return `${absolute(data.mname)} ${absolute(data.rname)} ${data.serial} ${data.refresh} ${data.retry} ${data.expire} ${data.minimum}`
    case 'TXT':
      return data.strings.map(quoteString).join(' ')
    case 'SRV':
      return `${data.priority} ${data.weight} ${data.port} ${absolute(data.target)}`
    case 'CAA':
      return `${data.flags} ${data.tag} ${quoteString(data.value)}`
    case 'GENERIC':
      return data.data.length === 0 ? '\\# 0' : `\\# ${data.data.length} ${hex(data.data)}`
  }
}

/**
 * The master-file text of any record's wire RDATA: the usual form for the types the zone parser
 * reads (A, AAAA, NS, CNAME, PTR, MX, SOA, TXT, SRV, CAA), RFC 3597 `\# len hex` for the others
 * and for data that is not valid for its type.
 *
 * @example
 * ```ts
 * formatRdata(RRType.MX, rrset.rdatas[0]) // '10 mail.example.com.'
 * ```
 */
export function formatRdata(type: number, rdata: Uint8Array): string {
  const known = knownType(type)
  const decoded = known === undefined ? undefined : decodeRdata(known, rdata)
  if (decoded === undefined || typeof decoded === 'string')
    return formatRecordData({ type: 'GENERIC', code: type, data: rdata }, rdata)
  return formatRecordData(decoded, rdata)
}
