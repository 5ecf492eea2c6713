/**
 * RDATA in wire form for the record types an authoritative server holds (RFC 1035 §3.3,
 * RFC 3596, RFC 2782, RFC 8659). Zones and pools encode their data once with these, at load
 * time; a reply copies the bytes. Names inside RDATA are written uncompressed and with their
 * case kept: the `ResponseWriter` compresses them when it writes CNAME, NS, PTR, MX and SOA
 * records (RFC 3597 §4 allows compression for those types only).
 */
import { invalidArgument } from '@shoal/core'
import { nameToWire } from './name.js'

const DECIMAL_OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/

/**
 * The 4 bytes of a dotted-quad IPv4 address, or `undefined` when `text` is not one (leading
 * zeros are refused: `010.0.0.1` is octal to some parsers and decimal to others).
 *
 * @example
 * ```ts
 * parseIPv4('192.0.2.1') // Uint8Array [192, 0, 2, 1]
 * ```
 */
export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string
    if (!DECIMAL_OCTET.test(part)) return undefined
    out[i] = Number(part)
  }
  return out
}

/**
 * The 16 bytes of an IPv6 address in RFC 4291 §2.2 text form (`::` once at most, an IPv4 tail
 * allowed, no zone index), or `undefined` when `text` is not one.
 *
 * @example
 * ```ts
 * parseIPv6('2001:db8::1') // Uint8Array [32, 1, 13, 184, 0, …, 0, 1]
 * ```
 */
export function parseIPv6(text: string): Uint8Array | undefined {
  const gap = text.indexOf('::')
  if (gap !== text.lastIndexOf('::')) return undefined
  const head = groups(gap < 0 ? text : text.slice(0, gap), gap >= 0, gap < 0)
  const tail = gap < 0 ? [] : groups(text.slice(gap + 2), true, true)
  if (head === undefined || tail === undefined) return undefined
  const count = head.length + tail.length
  if (gap < 0 ? count !== 8 : count > 7) return undefined
  const out = new Uint8Array(16)
  for (let i = 0; i < head.length; i++) {
    out[2 * i] = (head[i] as number) >> 8
    out[2 * i + 1] = (head[i] as number) & 0xff
  }
  for (let i = 0; i < tail.length; i++) {
    const at = 16 - 2 * (tail.length - i)
    out[at] = (tail[i] as number) >> 8
    out[at + 1] = (tail[i] as number) & 0xff
  }
  return out
}

// The 16-bit groups of one side of `::`; an IPv4 tail counts as two. Only the last side may end
// in IPv4, and a side beside `::` may be empty.
function groups(part: string, mayBeEmpty: boolean, mayEndInV4: boolean): number[] | undefined {
  if (part === '') return mayBeEmpty ? [] : undefined
  const pieces = part.split(':')
  const out: number[] = []
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] as string
    if (mayEndInV4 && i === pieces.length - 1 && piece.includes('.')) {
      const v4 = parseIPv4(piece)
      if (v4 === undefined) return undefined
      out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number))
    } else if (HEX_GROUP.test(piece)) out.push(Number.parseInt(piece, 16))
    else return undefined
  }
  return out
}

/**
 * RDATA of an A record. Throws `ERR_INVALID_ARGUMENT` when `address` is not a dotted quad.
 *
 * @example
 * ```ts
 * encodeA('192.0.2.1') // Uint8Array [192, 0, 2, 1]
 * ```
 */
export function encodeA(address: string): Uint8Array {
  const bytes = typeof address === 'string' ? parseIPv4(address) : undefined
  if (bytes === undefined)
    throw invalidArgument(`A record address ${JSON.stringify(address)} is not an IPv4 address`)
  return bytes
}

/**
 * RDATA of an AAAA record. Throws `ERR_INVALID_ARGUMENT` when `address` is not an IPv6 address.
 *
 * @example
 * ```ts
 * encodeAAAA('2001:db8::1').length // 16
 * ```
 */
export function encodeAAAA(address: string): Uint8Array {
  const bytes = typeof address === 'string' ? parseIPv6(address) : undefined
  if (bytes === undefined)
    throw invalidArgument(`AAAA record address ${JSON.stringify(address)} is not an IPv6 address`)
  return bytes
}

/**
 * RDATA of a CNAME, NS or PTR record, or any other name on its own: the uncompressed wire name
 * (see `nameToWire` for the accepted text and the errors).
 *
 * @example
 * ```ts
 * encodeName('ns1.example.com.').length // 17
 * ```
 */
export function encodeName(name: string): Uint8Array {
  return nameToWire(name)
}

/**
 * RDATA of an MX record: preference (0–65535, lower is preferred) and mail exchanger.
 *
 * @example
 * ```ts
 * encodeMX(10, 'mail.example.com')
 * ```
 */
export function encodeMX(preference: number, exchange: string): Uint8Array {
  return concat([u16('MX preference', preference)], [nameToWire(exchange)])
}

/** The fields of an SOA record (RFC 1035 §3.3.13); times in seconds. */
export interface SoaData {
  /** The primary name server. */
  readonly mname: string
  /** The responsible person's mailbox as a name (`hostmaster.example.com`). */
  readonly rname: string
  /** The zone's serial number. */
  readonly serial: number
  /** How often secondaries check the serial. */
  readonly refresh: number
  /** How long a secondary waits to retry a failed refresh. */
  readonly retry: number
  /** How long a secondary serves the zone without a refresh. */
  readonly expire: number
  /** The TTL of negative answers (RFC 2308 §4). */
  readonly minimum: number
}

/**
 * RDATA of an SOA record.
 *
 * @example
 * ```ts
 * encodeSOA({ mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 2024010101,
 *   refresh: 7200, retry: 3600, expire: 1209600, minimum: 300 })
 * ```
 */
export function encodeSOA(soa: SoaData): Uint8Array {
  const tail = new Uint8Array(20)
  const view = new DataView(tail.buffer)
  view.setUint32(0, u32('SOA serial', soa.serial))
  view.setUint32(4, u32('SOA refresh', soa.refresh))
  view.setUint32(8, u32('SOA retry', soa.retry))
  view.setUint32(12, u32('SOA expire', soa.expire))
  view.setUint32(16, u32('SOA minimum', soa.minimum))
  return concat([], [nameToWire(soa.mname), nameToWire(soa.rname), tail])
}

/**
 * RDATA of a TXT record: one or more character strings of at most 255 bytes each; text is
 * written as UTF-8, bytes as they are. Throws `ERR_INVALID_ARGUMENT` for a longer string (split
 * it: resolvers join the strings of one record) or for no string at all.
 *
 * @example
 * ```ts
 * encodeTXT(['v=spf1 -all'])
 * ```
 */
export function encodeTXT(strings: readonly (string | Uint8Array)[] | string): Uint8Array {
  const list = typeof strings === 'string' ? [strings] : strings
  if (!Array.isArray(list) || list.length === 0)
    throw invalidArgument('a TXT record needs at least one string')
  return concat(
    [],
    list.map((s) => characterString('TXT string', s)),
  )
}

/**
 * RDATA of an SRV record (RFC 2782).
 *
 * @example
 * ```ts
 * encodeSRV(10, 60, 5060, 'sip.example.com')
 * ```
 */
export function encodeSRV(priority: number, weight: number, port: number, target: string): Uint8Array {
  return concat(
    [u16('SRV priority', priority), u16('SRV weight', weight), u16('SRV port', port)],
    [nameToWire(target)],
  )
}

/**
 * RDATA of a CAA record (RFC 8659): flags (128 = critical), a tag of 1–15 ASCII letters and
 * digits (`issue`, `issuewild`, `iodef`), and the value as it is written after the tag.
 *
 * @example
 * ```ts
 * encodeCAA(0, 'issue', 'letsencrypt.org')
 * ```
 */
export function encodeCAA(flags: number, tag: string, value: string | Uint8Array): Uint8Array {
  if (!Number.isInteger(flags) || flags < 0 || flags > 255)
    throw invalidArgument(`CAA flags must be an integer 0–255, got ${String(flags)}`)
  if (typeof tag !== 'string' || !/^[A-Za-z0-9]{1,15}$/.test(tag))
    throw invalidArgument(`CAA tag ${JSON.stringify(tag)} must be 1–15 ASCII letters and digits`)
  const valueBytes = typeof value === 'string' ? new TextEncoder().encode(value) : value
  const out = new Uint8Array(2 + tag.length + valueBytes.length)
  out[0] = flags
  out[1] = tag.length
  for (let i = 0; i < tag.length; i++) out[2 + i] = tag.charCodeAt(i)
  out.set(valueBytes, 2 + tag.length)
  return out
}

/**
 * RDATA of an HINFO record: two character strings. RFC 8482 answers ANY queries with one
 * synthetic HINFO (`encodeHINFO('RFC8482', '')`).
 *
 * @example
 * ```ts
 * encodeHINFO('RFC8482', '')
 * ```
 */
export function encodeHINFO(cpu: string, os: string): Uint8Array {
  return concat([], [characterString('HINFO cpu', cpu), characterString('HINFO os', os)])
}

function characterString(what: string, s: string | Uint8Array): Uint8Array {
  const bytes = typeof s === 'string' ? new TextEncoder().encode(s) : s
  if (!(bytes instanceof Uint8Array)) throw invalidArgument(`${what} must be a string or bytes`)
  if (bytes.length > 255)
    throw invalidArgument(`${what} is ${bytes.length} bytes; a character string holds at most 255 (split it)`)
  const out = new Uint8Array(1 + bytes.length)
  out[0] = bytes.length
  out.set(bytes, 1)
  return out
}

function u16(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff)
    throw invalidArgument(`${what} must be an integer 0–65535, got ${String(value)}`)
  return value
}

function u32(what: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw invalidArgument(`${what} must be an integer 0–4294967295, got ${String(value)}`)
  return value
}

// 16-bit fields, then byte strings, into one array.
function concat(fields16: readonly number[], parts: readonly Uint8Array[]): Uint8Array {
  let size = 2 * fields16.length
  for (const part of parts) size += part.length
  const out = new Uint8Array(size)
  let at = 0
  for (const field of fields16) {
    out[at++] = field >> 8
    out[at++] = field & 0xff
  }
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
