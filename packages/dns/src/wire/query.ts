/**
 * The strict query decoder of an authoritative server (RFC 1035 §4, RFC 6891, RFC 7871,
 * RFC 7873, RFC 5001, RFC 7828, RFC 9267). It reads the packet in place: the decoded query
 * points into the packet (the question's bytes are echoed from there) and copies nothing but the
 * lower-cased name and the client-subnet address.
 *
 * Every loop advances through the packet or along a strictly falling limit, so a decode costs
 * time in proportion to the packet's length whatever the bytes say.
 */
import { EdnsOption, MIN_UDP_PAYLOAD, Opcode, RRType } from './constants.js'
import { DnsDecodeError } from './errors.js'
import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH, presentName } from './name.js'

/** The header's length, and the reply offset where the question starts. */
export const HEADER_LENGTH = 12

/** EDNS (RFC 6891) as the query's OPT record carried it. */
export interface EdnsInfo {
  /** The requester's UDP payload size as sent (values below 512 mean 512). */
  readonly payloadSize: number
  /** The EDNS version; anything but 0 is answered BADVERS, and its options are not read. */
  readonly version: number
  /** The DO bit (RFC 3225), copied into the reply's OPT. */
  readonly dnssecOk: boolean
  /** The extended rcode bits of the OPT TTL (zero in a well-formed query). */
  readonly extendedRcode: number
  /** Where the OPT record's options start in the packet. */
  readonly optionsStart: number
  /** Where they end. */
  readonly optionsEnd: number
}

/** An EDNS client-subnet option (RFC 7871), validated. */
export interface ClientSubnet {
  /** Address family: 1 for IPv4, 2 for IPv6. */
  readonly family: number
  /** SOURCE PREFIX-LENGTH: how many leading bits of the address the resolver sent. */
  readonly sourcePrefix: number
  /** SCOPE PREFIX-LENGTH: always 0, a query with another scope gets FORMERR (RFC 7871 §6). */
  readonly scopePrefix: number
  /** The whole address (4 or 16 bytes), zero beyond the source prefix; a copy. */
  readonly address: Uint8Array
  /** Where the option's data (its FAMILY field) starts in the packet, for the reply's echo. */
  readonly offset: number
  /** The option data's length: 4 + the address bytes sent. */
  readonly length: number
}

/** An EDNS cookie option (RFC 7873, RFC 9018): views into the packet. */
export interface Cookie {
  /** The 8-byte client cookie. */
  readonly client: Uint8Array
  /** The 8–32-byte server cookie the client echoes, if it sent one. */
  readonly server: Uint8Array | undefined
}

/**
 * A query decoded by {@link decodeQuery}. For an opcode other than QUERY only the header is
 * read: `qname` is `''`, `qtype` and `qclass` are 0 and `questionEnd` is 12, and the reply is
 * NOTIMP with no question.
 */
export interface DnsQuery {
  /** The packet this query points into (not copied: keep it unchanged while the query is used). */
  readonly packet: Uint8Array
  /** The message ID, echoed in the reply. */
  readonly id: number
  /** The header's second 16-bit word as sent (opcode, flags, rcode). */
  readonly flags: number
  /** The opcode (see `Opcode`). */
  readonly opcode: number
  /** RD: recursion desired, copied into the reply. */
  readonly rd: boolean
  /** CD: checking disabled (RFC 4035 §3.1.6), copied into the reply. */
  readonly cd: boolean
  /** The question name's lookup key: lower case, no final dot, `''` for the root (see `nameKey`). */
  readonly qname: string
  /** The question type (see `RRType`). */
  readonly qtype: number
  /** The question class (see `RRClass`). */
  readonly qclass: number
  /** The question's bytes are `packet[12, questionEnd)`: the name as sent, type and class. */
  readonly questionEnd: number
  /** The question name's length on the wire. */
  readonly qnameLength: number
  /** QDCOUNT from the header (1 for an opcode-QUERY query). */
  readonly qdcount: number
  /** ANCOUNT from the header (0 for an opcode-QUERY query). */
  readonly ancount: number
  /** NSCOUNT from the header (0 for an opcode-QUERY query). */
  readonly nscount: number
  /** ARCOUNT from the header: the OPT record and any others. */
  readonly arcount: number
  /** The OPT record, or `undefined` when the query has no EDNS. */
  readonly edns: EdnsInfo | undefined
  /** The client-subnet option, or `undefined`. */
  readonly ecs: ClientSubnet | undefined
  /** The cookie option, or `undefined`. */
  readonly cookie: Cookie | undefined
  /** Whether the query asks for the server's NSID (RFC 5001). */
  readonly nsid: boolean
  /** Whether the query carries edns-tcp-keepalive (RFC 7828; meaningful over TCP only). */
  readonly keepalive: boolean
}

/**
 * Decodes a packet received as a query, strictly. Throws only {@link DnsDecodeError}: with
 * `rcode` `undefined` (drop, no reply) for a packet shorter than a header or one with QR set,
 * with `rcode` 1 (reply FORMERR) for a query that breaks the rules: QDCOUNT other than 1,
 * answer or authority records, a compressed, over-long or truncated question name, more than
 * one OPT or an OPT not owned by the root, records or options running past their bounds,
 * trailing bytes, a malformed client-subnet option (unknown family, prefix too long, address of
 * the wrong length, bits set beyond the prefix or a non-zero scope), a malformed or repeated cookie, or a
 * keepalive option with data. A FORMERR error carries what was read before the fault: the
 * question's end (when QDCOUNT is not 0 and the first question is well formed) and the OPT
 * record (when one was read). Unknown options are ignored; an EDNS version above 0 is returned
 * for the caller to answer BADVERS.
 *
 * @example
 * ```ts
 * const query = decodeQuery(packet)
 * const rrsets = zone.lookup(query.qname)
 * ```
 */
export function decodeQuery(packet: Uint8Array): DnsQuery {
  const n = packet.length
  if (n < HEADER_LENGTH)
    throw new DnsDecodeError(`packet of ${n} bytes is shorter than a DNS header`, undefined, 0)
  const p = packet
  const flags = ((p[2] as number) << 8) | (p[3] as number)
  if ((flags & 0x8000) !== 0) throw new DnsDecodeError('packet is a response (QR set)', undefined, 2)
  const id = ((p[0] as number) << 8) | (p[1] as number)
  const opcode = (flags >> 11) & 0xf
  const qdcount = ((p[4] as number) << 8) | (p[5] as number)
  const ancount = ((p[6] as number) << 8) | (p[7] as number)
  const nscount = ((p[8] as number) << 8) | (p[9] as number)
  const arcount = ((p[10] as number) << 8) | (p[11] as number)
  const rd = (flags & 0x0100) !== 0
  const cd = (flags & 0x0010) !== 0
  if (opcode !== Opcode.QUERY) {
    return {
      packet,
      id,
      flags,
      opcode,
      rd,
      cd,
      qname: '',
      qtype: 0,
      qclass: 0,
      questionEnd: HEADER_LENGTH,
      qnameLength: 0,
      qdcount,
      ancount,
      nscount,
      arcount,
      edns: undefined,
      ecs: undefined,
      cookie: undefined,
      nsid: false,
      keepalive: false,
    }
  }
  if (qdcount === 0) throw formerr('QDCOUNT is 0, a query asks one question', 4)

  // The question name: uncompressed, labels of at most 63 bytes, at most 255 bytes in all.
  let at = HEADER_LENGTH
  for (;;) {
    if (at >= n) throw formerr('question name runs past the end of the packet', at)
    const len = p[at] as number
    if (len === 0) break
    if (len > MAX_LABEL_LENGTH)
      throw formerr(
        len >= 0xc0
          ? 'compression pointer in the question name'
          : `label type 0x${(len & 0xc0).toString(16)} or label longer than 63 bytes`,
        at,
      )
    at += 1 + len
    if (at - HEADER_LENGTH >= MAX_NAME_LENGTH) throw formerr('question name is longer than 255 bytes', at)
  }
  const nameEnd = at + 1
  if (nameEnd + 4 > n) throw formerr('question type and class run past the end of the packet', nameEnd)
  const qtype = ((p[nameEnd] as number) << 8) | (p[nameEnd + 1] as number)
  const qclass = ((p[nameEnd + 2] as number) << 8) | (p[nameEnd + 3] as number)
  const questionEnd = nameEnd + 4
  // The first question read, wrong counts get a FORMERR that echoes it, as gdnsd's does.
  if (qdcount !== 1)
    throw new DnsDecodeError(`QDCOUNT is ${qdcount}, a query asks one question`, 1, 4, questionEnd)
  if (ancount !== 0 || nscount !== 0)
    throw new DnsDecodeError(
      `a query carries no answer or authority records (ANCOUNT ${ancount}, NSCOUNT ${nscount})`,
      1,
      6,
      questionEnd,
    )
  const qname = presentName(p, HEADER_LENGTH, true)

  // The additional section: at most one OPT (owned by the root), other records skipped.
  let edns: EdnsInfo | undefined
  let ecs: ClientSubnet | undefined
  let cookie: Cookie | undefined
  let nsid = false
  let keepalive = false
  at = questionEnd
  try {
    for (let i = 0; i < arcount; i++) {
      const owner = at
      at = skipName(p, at)
      if (at + 10 > n) throw formerr('additional record runs past the end of the packet', at)
      const type = ((p[at] as number) << 8) | (p[at + 1] as number)
      const rdlength = ((p[at + 8] as number) << 8) | (p[at + 9] as number)
      const rdata = at + 10
      const end = rdata + rdlength
      if (end > n) throw formerr(`record data of ${rdlength} bytes runs past the end of the packet`, at + 8)
      if (type === RRType.OPT) {
        if (edns !== undefined) throw formerr('more than one OPT record', owner)
        if (p[owner] !== 0) throw formerr('OPT record not owned by the root', owner)
        const version = p[at + 5] as number
        edns = {
          payloadSize: ((p[at + 2] as number) << 8) | (p[at + 3] as number),
          version,
          dnssecOk: ((p[at + 6] as number) & 0x80) !== 0,
          extendedRcode: p[at + 4] as number,
          optionsStart: rdata,
          optionsEnd: end,
        }
        // Options: walked (their lengths must add up) whatever the version, read for version 0.
        let o = rdata
        while (o < end) {
          if (o + 4 > end) throw formerr('EDNS option header runs past the OPT record', o)
          const code = ((p[o] as number) << 8) | (p[o + 1] as number)
          const length = ((p[o + 2] as number) << 8) | (p[o + 3] as number)
          const data = o + 4
          o = data + length
          if (o > end)
            throw formerr(`EDNS option ${code} of ${length} bytes runs past the OPT record`, o - length - 2)
          if (version !== 0) continue
          if (code === EdnsOption.CLIENT_SUBNET) {
            if (ecs !== undefined) throw formerr('more than one client-subnet option', data - 4)
            ecs = clientSubnet(p, data, length)
          } else if (code === EdnsOption.COOKIE) {
            if (cookie !== undefined) throw formerr('more than one cookie option', data - 4)
            if (length !== 8 && (length < 16 || length > 40))
              throw formerr(`cookie option of ${length} bytes (8, or 16 to 40, allowed)`, data - 2)
            cookie = {
              client: p.subarray(data, data + 8),
              server: length === 8 ? undefined : p.subarray(data + 8, data + length),
            }
          } else if (code === EdnsOption.NSID) {
            nsid = true
          } else if (code === EdnsOption.TCP_KEEPALIVE) {
            if (length !== 0) throw formerr('edns-tcp-keepalive option with data in a query', data - 2)
            keepalive = true
          }
        }
      }
      at = end
    }
    if (at !== n) throw formerr(`${n - at} byte${n - at === 1 ? '' : 's'} after the last record`, at)
  } catch (error) {
    // only formerr() throws in here: say what was read, for the reply to echo
    const e = error as DnsDecodeError
    throw new DnsDecodeError(e.message, 1, e.offset, questionEnd, edns)
  }
  return {
    packet,
    id,
    flags,
    opcode,
    rd,
    cd,
    qname,
    qtype,
    qclass,
    questionEnd,
    qnameLength: nameEnd - HEADER_LENGTH,
    qdcount,
    ancount,
    nscount,
    arcount,
    edns,
    ecs,
    cookie,
    nsid,
    keepalive,
  }
}

/**
 * The size limit of a UDP reply to `query` (RFC 6891 §6.2.5): 512 bytes without EDNS, else the
 * requester's payload size, at least 512 and at most `max` (default 1232, DNS Flag Day 2020).
 *
 * @example
 * ```ts
 * writer.begin(query, transport === 'tcp' ? 65535 : udpLimit(query))
 * ```
 */
export function udpLimit(query: DnsQuery, max = 1232): number {
  const edns = query.edns
  if (edns === undefined) return MIN_UDP_PAYLOAD
  return Math.max(Math.min(edns.payloadSize, max), MIN_UDP_PAYLOAD)
}

function formerr(message: string, offset: number): DnsDecodeError {
  return new DnsDecodeError(message, 1, offset)
}

// The end of a possibly compressed name at `start`. Pointers must point before the stretch they
// are in, so the limit falls at each jump and the walk ends.
function skipName(p: Uint8Array, start: number): number {
  const n = p.length
  let at = start
  let limit = start
  let end = -1
  let wire = 1
  for (;;) {
    if (at >= n) throw formerr('record name runs past the end of the packet', at)
    const len = p[at] as number
    if (len === 0) return end < 0 ? at + 1 : end
    if (len >= 0xc0) {
      if (at + 1 >= n) throw formerr('compression pointer runs past the end of the packet', at)
      const target = ((len & 0x3f) << 8) | (p[at + 1] as number)
      if (target >= limit) throw formerr(`compression pointer to ${target} does not point backwards`, at)
      if (end < 0) end = at + 2
      limit = target
      at = target
      continue
    }
    if (len > MAX_LABEL_LENGTH) throw formerr(`label type 0x${(len & 0xc0).toString(16)}`, at)
    wire += 1 + len
    if (wire > MAX_NAME_LENGTH) throw formerr('record name is longer than 255 bytes', at)
    at += 1 + len
  }
}

function clientSubnet(p: Uint8Array, data: number, length: number): ClientSubnet {
  if (length < 4) throw formerr(`client-subnet option of ${length} bytes (at least 4)`, data - 2)
  const family = ((p[data] as number) << 8) | (p[data + 1] as number)
  const sourcePrefix = p[data + 2] as number
  const scopePrefix = p[data + 3] as number
  const bits = family === 1 ? 32 : family === 2 ? 128 : 0
  if (bits === 0) throw formerr(`client-subnet family ${family} (1 or 2 allowed)`, data)
  if (sourcePrefix > bits)
    throw formerr(`client-subnet source prefix /${sourcePrefix} is longer than ${bits}`, data + 2)
  // RFC 7871 §6: SCOPE PREFIX-LENGTH MUST be 0 in a query
  if (scopePrefix !== 0)
    throw formerr(`client-subnet scope /${scopePrefix} in a query (0 required)`, data + 3)
  const bytes = (sourcePrefix + 7) >> 3
  if (length !== 4 + bytes)
    throw formerr(
      `client-subnet address of ${length - 4} bytes for a /${sourcePrefix} (${bytes} expected)`,
      data,
    )
  const address = new Uint8Array(bits >> 3)
  for (let i = 0; i < bytes; i++) address[i] = p[data + 4 + i] as number
  if (bytes > 0 && (sourcePrefix & 7) !== 0) {
    const last = address[bytes - 1] as number
    if ((last & (0xff >> (sourcePrefix & 7))) !== 0)
      throw formerr(`client-subnet address has bits set beyond its /${sourcePrefix}`, data + 3 + bytes)
  }
  return { family, sourcePrefix, scopePrefix, address, offset: data, length }
}
