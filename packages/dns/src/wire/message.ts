/**
 * A whole-message decoder for tests, tools and interoperability checks: every section of a
 * query or a reply, into plain objects. It is as strict and as bounded as `decodeQuery` (names
 * of at most 255 bytes, compression pointers only backwards, every record inside the packet,
 * nothing after the last one) but allocates freely: the server's hot path uses `decodeQuery`.
 */
import { EdnsOption, RRType } from './constants.js'
import { DnsDecodeError } from './errors.js'
import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH, presentName } from './name.js'
import { HEADER_LENGTH } from './query.js'

/** A question as {@link decodeMessage} reads it. */
export interface DecodedQuestion {
  /** The name as sent (case kept), no final dot, `''` for the root. */
  readonly name: string
  readonly type: number
  readonly class: number
}

/** The fields of an SOA record as {@link decodeMessage} reads them. */
export interface DecodedSoa {
  readonly mname: string
  readonly rname: string
  readonly serial: number
  readonly refresh: number
  readonly retry: number
  readonly expire: number
  readonly minimum: number
}

/** RDATA read into values, for the types {@link decodeMessage} knows. */
export type DecodedData =
  | string // A, AAAA (address text); NS, CNAME, PTR (name)
  | readonly string[] // TXT
  | { readonly preference: number; readonly exchange: string } // MX
  | DecodedSoa
  | { readonly priority: number; readonly weight: number; readonly port: number; readonly target: string } // SRV
  | { readonly flags: number; readonly tag: string; readonly value: string } // CAA
  | { readonly cpu: string; readonly os: string } // HINFO

/** A resource record as {@link decodeMessage} reads it. */
export interface DecodedRecord {
  /** The owner name as sent (case kept), no final dot, `''` for the root. */
  readonly name: string
  readonly type: number
  readonly class: number
  readonly ttl: number
  /** The RDATA, with compressed names written out in full (a copy). */
  readonly rdata: Uint8Array
  /** The RDATA as values for A, AAAA, NS, CNAME, PTR, MX, SOA, TXT, SRV, CAA and HINFO. */
  readonly data: DecodedData | undefined
}

/** An EDNS option as sent. */
export interface DecodedOption {
  readonly code: number
  readonly data: Uint8Array
}

/** The OPT record of a message. */
export interface DecodedEdns {
  readonly payloadSize: number
  readonly version: number
  readonly dnssecOk: boolean
  /** The high 8 bits of the extended rcode. */
  readonly extendedRcode: number
  /** Every option, in order. */
  readonly options: readonly DecodedOption[]
  /** The client-subnet option read into values, when there is one. */
  readonly ecs:
    | {
        readonly family: number
        readonly sourcePrefix: number
        readonly scopePrefix: number
        readonly address: string
      }
    | undefined
  /** The cookie option split into client and server parts, when there is one. */
  readonly cookie: { readonly client: Uint8Array; readonly server: Uint8Array | undefined } | undefined
  /** The NSID option's data, when there is one (empty in a query). */
  readonly nsid: Uint8Array | undefined
  /** The edns-tcp-keepalive timeout in units of 100 ms; `null` for the option without data. */
  readonly keepalive: number | null | undefined
}

/** A whole DNS message as {@link decodeMessage} reads it. */
export interface DecodedMessage {
  readonly id: number
  /** QR: a response. */
  readonly qr: boolean
  readonly opcode: number
  readonly aa: boolean
  readonly tc: boolean
  readonly rd: boolean
  readonly ra: boolean
  readonly ad: boolean
  readonly cd: boolean
  /** The response code, with the OPT record's extended bits when there is one. */
  readonly rcode: number
  readonly questions: readonly DecodedQuestion[]
  readonly answers: readonly DecodedRecord[]
  readonly authorities: readonly DecodedRecord[]
  /** The additional records, the OPT record left out (it is `edns`). */
  readonly additionals: readonly DecodedRecord[]
  /** The OPT record, or `undefined`. */
  readonly edns: DecodedEdns | undefined
}

/**
 * Decodes a whole DNS message. Throws only `DnsDecodeError` (its `rcode` is 1 once the header is
 * read) for anything malformed: names or records past the end, a forward or looping pointer, a
 * label over 63 or a name over 255 bytes, RDATA that does not fit its type, two OPT records,
 * trailing bytes.
 *
 * @example
 * ```ts
 * const reply = decodeMessage(bytes)
 * const addresses = reply.answers.filter((rr) => rr.type === RRType.A).map((rr) => rr.data)
 * ```
 */
export function decodeMessage(packet: Uint8Array): DecodedMessage {
  const n = packet.length
  if (n < HEADER_LENGTH)
    throw new DnsDecodeError(`message of ${n} bytes is shorter than a DNS header`, undefined, 0)
  const reader = new Reader(packet)
  const id = reader.u16(0)
  const flags = reader.u16(2)
  const counts = [reader.u16(4), reader.u16(6), reader.u16(8), reader.u16(10)] as const
  reader.at = HEADER_LENGTH
  const questions: DecodedQuestion[] = []
  for (let i = 0; i < counts[0]; i++) {
    const name = reader.name()
    reader.need(4)
    questions.push({ name, type: reader.u16(reader.at), class: reader.u16(reader.at + 2) })
    reader.at += 4
  }
  const answers = readRecords(reader, counts[1])
  const authorities = readRecords(reader, counts[2])
  const additionals = readRecords(reader, counts[3])
  if (reader.at !== n) throw reader.fail(`${n - reader.at} bytes after the last record`)
  let edns: DecodedEdns | undefined
  const rest: DecodedRecord[] = []
  for (const rr of additionals) {
    if (rr.type !== RRType.OPT) {
      rest.push(rr)
      continue
    }
    if (edns !== undefined) throw reader.fail('more than one OPT record')
    if (rr.name !== '') throw reader.fail('OPT record not owned by the root')
    edns = readOpt(reader, rr)
  }
  return {
    id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    ad: (flags & 0x0020) !== 0,
    cd: (flags & 0x0010) !== 0,
    rcode: (flags & 0xf) | ((edns?.extendedRcode ?? 0) << 4),
    questions,
    answers,
    authorities,
    additionals: rest,
    edns,
  }
}

// Reads names (following pointers backwards only) and fixed fields, with bounds checked.
class Reader {
  at = 0
  readonly #name = new Uint8Array(MAX_NAME_LENGTH)
  #nameLength = 0

  constructor(readonly packet: Uint8Array) {}

  fail(message: string): DnsDecodeError {
    return new DnsDecodeError(message, 1, this.at)
  }

  need(bytes: number, end = this.packet.length): void {
    if (this.at + bytes > end) throw this.fail('record runs past the end of its data')
  }

  u16(at: number): number {
    return ((this.packet[at] as number) << 8) | (this.packet[at + 1] as number)
  }

  u32(at: number): number {
    return this.u16(at) * 65536 + this.u16(at + 2)
  }

  // Reads the name at `at` into #name (uncompressed) and returns its presentation form.
  name(compressed = true, end = this.packet.length): string {
    const p = this.packet
    let at = this.at
    let limit = at
    let next = -1
    let length = 0
    const out = this.#name
    for (;;) {
      if (at >= end) throw this.fail('name runs past the end of its data')
      const len = p[at] as number
      if (len >= 0xc0 && compressed) {
        if (at + 1 >= end) throw this.fail('compression pointer runs past the end of its data')
        const target = ((len & 0x3f) << 8) | (p[at + 1] as number)
        if (target >= limit) throw this.fail(`compression pointer to ${target} does not point backwards`)
        if (next < 0) next = at + 2
        limit = target
        at = target
        continue
      }
      if (len > MAX_LABEL_LENGTH)
        throw this.fail(`label type 0x${(len & 0xc0).toString(16)} where a name belongs`)
      if (length + 1 + len > MAX_NAME_LENGTH) throw this.fail('name is longer than 255 bytes')
      if (at + 1 + len > end) throw this.fail('label runs past the end of its data')
      for (let i = 0; i <= len; i++) out[length++] = p[at + i] as number
      at += 1 + len
      if (len === 0) break
    }
    this.at = next < 0 ? at : next
    this.#nameLength = length
    return presentName(out, 0, false)
  }

  // The wire form of the name last read.
  lastName(): Uint8Array {
    return this.#name.slice(0, this.#nameLength)
  }
}

function readRecords(reader: Reader, count: number): DecodedRecord[] {
  const records: DecodedRecord[] = []
  for (let i = 0; i < count; i++) {
    const name = reader.name()
    reader.need(10)
    const at = reader.at
    const type = reader.u16(at)
    const rrclass = reader.u16(at + 2)
    const ttl = reader.u32(at + 4)
    const rdlength = reader.u16(at + 8)
    reader.at += 10
    reader.need(rdlength)
    const end = reader.at + rdlength
    const { rdata, data } = readRdata(reader, type, end)
    if (reader.at !== end)
      throw reader.fail(
        `RDATA of type ${type} is ${rdlength} bytes, its fields fill ${reader.at - end + rdlength}`,
      )
    records.push({ name, type, class: rrclass, ttl, rdata, data })
  }
  return records
}

function readRdata(
  reader: Reader,
  type: number,
  end: number,
): { rdata: Uint8Array; data: DecodedData | undefined } {
  const p = reader.packet
  const start = reader.at
  const length = end - start
  const raw = () => p.slice(start, end)
  switch (type) {
    case RRType.A: {
      if (length !== 4) throw reader.fail(`A record of ${length} bytes`)
      reader.at = end
      return { rdata: raw(), data: `${p[start]}.${p[start + 1]}.${p[start + 2]}.${p[start + 3]}` }
    }
    case RRType.AAAA: {
      if (length !== 16) throw reader.fail(`AAAA record of ${length} bytes`)
      reader.at = end
      return { rdata: raw(), data: formatIPv6(p.subarray(start, end)) }
    }
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR: {
      const name = reader.name(true, end)
      return { rdata: reader.lastName(), data: name }
    }
    case RRType.MX: {
      reader.need(2, end)
      const preference = reader.u16(start)
      reader.at += 2
      const exchange = reader.name(true, end)
      return {
        rdata: concat(p.subarray(start, start + 2), reader.lastName()),
        data: { preference, exchange },
      }
    }
    case RRType.SOA: {
      const mname = reader.name(true, end)
      const mwire = reader.lastName()
      const rname = reader.name(true, end)
      const rwire = reader.lastName()
      reader.need(20, end)
      const f = reader.at
      const data: DecodedSoa = {
        mname,
        rname,
        serial: reader.u32(f),
        refresh: reader.u32(f + 4),
        retry: reader.u32(f + 8),
        expire: reader.u32(f + 12),
        minimum: reader.u32(f + 16),
      }
      reader.at += 20
      return { rdata: concat(mwire, rwire, p.subarray(f, f + 20)), data }
    }
    case RRType.SRV: {
      reader.need(6, end)
      const f = reader.at
      reader.at += 6
      const target = reader.name(false, end)
      return {
        rdata: raw(),
        data: { priority: reader.u16(f), weight: reader.u16(f + 2), port: reader.u16(f + 4), target },
      }
    }
    case RRType.TXT: {
      if (length === 0) throw reader.fail('TXT record without a string')
      const strings: string[] = []
      while (reader.at < end) strings.push(characterString(reader, end))
      return { rdata: raw(), data: strings }
    }
    case RRType.HINFO: {
      const cpu = characterString(reader, end)
      const os = characterString(reader, end)
      return { rdata: raw(), data: { cpu, os } }
    }
    case RRType.CAA: {
      reader.need(2, end)
      const flags = p[start] as number
      const tagLength = p[start + 1] as number
      if (tagLength === 0 || start + 2 + tagLength > end) throw reader.fail('CAA tag runs past the record')
      const tag = Buffer.from(p.buffer, p.byteOffset + start + 2, tagLength).toString('latin1')
      const value = Buffer.from(
        p.buffer,
        p.byteOffset + start + 2 + tagLength,
        end - start - 2 - tagLength,
      ).toString()
      reader.at = end
      return { rdata: raw(), data: { flags, tag, value } }
    }
    default:
      reader.at = end
      return { rdata: raw(), data: undefined }
  }
}

function characterString(reader: Reader, end: number): string {
  reader.need(1, end)
  const length = reader.packet[reader.at] as number
  reader.at += 1
  reader.need(length, end)
  const p = reader.packet
  const text = Buffer.from(p.buffer, p.byteOffset + reader.at, length).toString()
  reader.at += length
  return text
}

function readOpt(reader: Reader, rr: DecodedRecord): DecodedEdns {
  const options: DecodedOption[] = []
  const d = rr.rdata
  let ecs: DecodedEdns['ecs']
  let cookie: DecodedEdns['cookie']
  let nsid: Uint8Array | undefined
  let keepalive: number | null | undefined
  for (let at = 0; at < d.length; ) {
    if (at + 4 > d.length) throw reader.fail('EDNS option header runs past the OPT record')
    const code = ((d[at] as number) << 8) | (d[at + 1] as number)
    const length = ((d[at + 2] as number) << 8) | (d[at + 3] as number)
    if (at + 4 + length > d.length) throw reader.fail(`EDNS option ${code} runs past the OPT record`)
    const data = d.slice(at + 4, at + 4 + length)
    options.push({ code, data })
    at += 4 + length
    if (code === EdnsOption.CLIENT_SUBNET && length >= 4) {
      const family = ((data[0] as number) << 8) | (data[1] as number)
      const full = new Uint8Array(family === 2 ? 16 : 4)
      full.set(data.subarray(4, 4 + Math.min(full.length, length - 4)))
      ecs = {
        family,
        sourcePrefix: data[2] as number,
        scopePrefix: data[3] as number,
        address: family === 2 ? formatIPv6(full) : full.join('.'),
      }
    } else if (code === EdnsOption.COOKIE && length >= 8) {
      cookie = { client: data.subarray(0, 8), server: length > 8 ? data.subarray(8) : undefined }
    } else if (code === EdnsOption.NSID) {
      nsid = data
    } else if (code === EdnsOption.TCP_KEEPALIVE) {
      keepalive = length >= 2 ? ((data[0] as number) << 8) | (data[1] as number) : null
    }
  }
  return {
    payloadSize: rr.class,
    extendedRcode: rr.ttl >>> 24,
    version: (rr.ttl >>> 16) & 0xff,
    dnssecOk: (rr.ttl & 0x8000) !== 0,
    options,
    ecs,
    cookie,
    nsid,
    keepalive,
  }
}

/**
 * An IPv6 address in RFC 5952 text form: lower case, the longest run of two or more zero groups
 * (the first of equals) written `::`.
 *
 * @example
 * ```ts
 * formatIPv6(encodeAAAA('2001:DB8:0:0:0:0:0:1')) // '2001:db8::1'
 * ```
 */
export function formatIPv6(bytes: Uint8Array): string {
  const groups: number[] = []
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number))
  let best = -1
  let bestLength = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) {
      best = i
      bestLength = j - i
    }
    i = j
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':')
  return best < 0 ? hex(0, 8) : `${hex(0, best)}::${hex(best + bestLength, 8)}`
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let size = 0
  for (const part of parts) size += part.length
  const out = new Uint8Array(size)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
