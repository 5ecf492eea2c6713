import { formatIPv6 } from '../wire/message.js'
import { nameLength } from '../wire/name.js'
import { type ZoneName, zoneName } from './names.js'
import type { KnownType, RecordData } from './record-data.js'

/**
 * Reads the wire RDATA of a known type back into its fields, for data written in RFC 3597 form
 * (`A \# 4 c0000201`): RFC 3597 §5 lets a master file spell any type that way, and the data must
 * then be valid for the type. Returns what is wrong as a string instead of throwing.
 */
export function decodeRdata(type: KnownType, data: Uint8Array): RecordData | string {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  let at = 0
  const name = (): ZoneName | string => {
    const length = nameLength(data, at)
    if (length < 0) return `no valid uncompressed name at byte ${at}`
    const wire = data.slice(at, at + length)
    at += length
    return zoneName(wire)
  }
  const end = (result: RecordData): RecordData | string =>
    at === data.length
      ? result
      : `${data.length - at} byte${data.length - at === 1 ? '' : 's'} left over after the ${type} data`
  const need = (n: number): string | undefined =>
    data.length - at < n ? `the data ends early (${data.length} bytes)` : undefined
  switch (type) {
    case 'A':
      return data.length === 4 ? { type, address: data.join('.') } : `A data is 4 bytes, not ${data.length}`
    case 'AAAA':
      return data.length === 16
        ? { type, address: formatIPv6(data) }
        : `AAAA data is 16 bytes, not ${data.length}`
    case 'NS':
    case 'CNAME':
    case 'PTR': {
      const target = name()
      return typeof target === 'string' ? target : end({ type, target })
    }
    case 'MX': {
      const short = need(2)
      if (short !== undefined) return short
      const preference = view.getUint16(0)
      at = 2
      const exchange = name()
      return typeof exchange === 'string' ? exchange : end({ type, preference, exchange })
    }
    case 'SOA': {
      const mname = name()
      if (typeof mname === 'string') return mname
      const rname = name()
      if (typeof rname === 'string') return rname
      const short = need(20)
      if (short !== undefined) return short
      const u = (i: number) => view.getUint32(at + 4 * i)
      const fields = { serial: u(0), refresh: u(1), retry: u(2), expire: u(3), minimum: u(4) }
      at += 20
      if (
        fields.refresh > 0x7fffffff ||
        fields.retry > 0x7fffffff ||
        fields.expire > 0x7fffffff ||
        fields.minimum > 0x7fffffff
      )
        return 'an SOA timer is above 2147483647 seconds'
      return end({ type, mname, rname, ...fields })
    }
    case 'TXT': {
      if (data.length === 0) return 'TXT data holds at least one string'
      const strings: Uint8Array[] = []
      while (at < data.length) {
        const length = data[at] as number
        if (at + 1 + length > data.length) return `the TXT string at byte ${at} runs past the end`
        strings.push(data.slice(at + 1, at + 1 + length))
        at += 1 + length
      }
      return { type, strings }
    }
    case 'SRV': {
      const short = need(6)
      if (short !== undefined) return short
      const priority = view.getUint16(0)
      const weight = view.getUint16(2)
      const port = view.getUint16(4)
      at = 6
      const target = name()
      return typeof target === 'string' ? target : end({ type, priority, weight, port, target })
    }
    case 'CAA': {
      const short = need(2)
      if (short !== undefined) return short
      const flags = data[0] as number
      const tagLength = data[1] as number
      if (tagLength === 0 || 2 + tagLength > data.length)
        return 'the CAA tag length is 0 or runs past the end'
      const tag = String.fromCharCode(...data.subarray(2, 2 + tagLength))
      if (!/^[A-Za-z0-9]+$/.test(tag)) return 'the CAA tag must be letters and digits'
      return { type, flags, tag, value: data.slice(2 + tagLength) }
    }
  }
}
