/**
 * The one place where a parsed record's fields become wire RDATA, through the codec's encoders
 * (`src/wire/rdata.ts`). Everything else in the zone parser works on {@link RecordData}.
 */
import { isShoalError } from '@shoal/core'
import {
  encodeA,
  encodeAAAA,
  encodeCAA,
  encodeMX,
  encodeName,
  encodeSOA,
  encodeSRV,
  encodeTXT,
} from '../wire/rdata.js'
import type { RecordData } from './record-data.js'

/** Why a record's fields cannot be encoded (a bad address), for the parser to report. */
export class RdataError extends Error {}

function encode(data: RecordData): Uint8Array {
  switch (data.type) {
    case 'A':
      return encodeA(data.address)
    case 'AAAA':
      return encodeAAAA(data.address)
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return encodeName(data.target.text)
    case 'MX':
      return encodeMX(data.preference, data.exchange.text)
    case 'SOA':
      return encodeSOA({ ...data, mname: data.mname.text, rname: data.rname.text })
    case 'TXT':
      return encodeTXT(data.strings)
    case 'SRV':
      return encodeSRV(data.priority, data.weight, data.port, data.target.text)
    case 'CAA':
      return encodeCAA(data.flags, data.tag, data.value)
    case 'GENERIC':
      return data.data
  }
}

/**
 * The wire RDATA of a record, names uncompressed and in the case written. Throws
 * {@link RdataError}, with a message for the zone file's author, when the encoder refuses the
 * fields (an address that is not one).
 */
export function encodeRecordData(data: RecordData): Uint8Array {
  try {
    return encode(data)
  } catch (err) {
    if (!isShoalError(err, 'ERR_INVALID_ARGUMENT')) throw err
    if (data.type === 'A')
      throw new RdataError(
        `'${data.address}' is not an IPv4 address (four numbers 0–255 without leading zeros, like 192.0.2.1)`,
      )
    if (data.type === 'AAAA')
      throw new RdataError(
        `'${data.address}' is not an IPv6 address (like 2001:db8::1, without brackets or a zone)`,
      )
    throw new RdataError(err.message)
  }
}
