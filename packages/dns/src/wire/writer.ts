/**
 * Builds replies into one reused buffer (RFC 1035 §4, RFC 2181 §9, RFC 6891 §7, RFC 7871
 * §7.2, RFC 7873 §5.2, RFC 5001, RFC 7828).
 *
 * A reply is begun from its query (ID, opcode, RD and CD copied, the question echoed byte for
 * byte), filled with whole RRsets section by section, and finished with the OPT record. An
 * RRset goes in whole or not at all: when it does not fit the size limit it is left out and
 * `addRRset` returns `false`, so the caller can set TC. Room for the OPT record is kept from the
 * start, so a truncated reply still carries it.
 *
 * Names are compressed (RFC 1035 §4.1.4): owners against the names already written (the
 * question's included), and names inside the RDATA of CNAME, NS, PTR, MX and SOA records, the
 * types RFC 3597 §4 allows. Matching ignores ASCII case; a compressed name takes the case of the
 * name it points at.
 */
import { invalidArgument } from '@shoal/core'
import { DEFAULT_UDP_PAYLOAD, EdnsOption, MIN_UDP_PAYLOAD, RRClass, RRType, Section } from './constants.js'
import type { DnsDecodeError } from './errors.js'
import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH } from './name.js'
import { type DnsQuery, HEADER_LENGTH } from './query.js'

/**
 * What the reply's OPT record says beyond what the writer takes from the query. Every field is
 * optional; one object can be reused from reply to reply.
 */
export interface ReplyOpt {
  /** The UDP payload size this server accepts, sent in the OPT's class (default 1232). */
  readonly payloadSize?: number | undefined
  /**
   * SCOPE PREFIX-LENGTH of the client-subnet echo (default 0: the answer does not depend on
   * the client's address). The option is echoed whenever the query carried one (RFC 7871 §7.2.1).
   */
  readonly ecsScope?: number | undefined
  /** The server cookie (8–32 bytes) sent after the client's cookie, when the query had a cookie. */
  readonly serverCookie?: Uint8Array | undefined
  /** This server's NSID, sent when the query asked for it. */
  readonly nsid?: Uint8Array | undefined
  /** The TCP idle timeout in units of 100 ms, sent when the query carried edns-tcp-keepalive. */
  readonly keepalive?: number | undefined
}

/** Options of a {@link ResponseWriter}. */
export interface ResponseWriterOptions {
  /** The buffer's size: the largest reply it can build (default 65535, the most TCP can carry). */
  readonly bufferSize?: number | undefined
}

const MAX_RRSETS = 256
const MAX_TABLE = 128
// Compression pointers hold 14 bits: names written past this offset cannot be pointed at.
const MAX_POINTER = 0x3fff
const NO_OPT: ReplyOpt = {}

/**
 * Builds replies into one buffer that it reuses: the bytes `finish` returns stay valid until
 * the next `begin` or `error`. Not for use by two replies at once; one writer per worker.
 *
 * @example
 * ```ts
 * const writer = new ResponseWriter()
 * const query = decodeQuery(packet)
 * writer.begin(query, udpLimit(query))
 * writer.authoritative = true
 * if (!writer.addRRset(Section.ANSWER, QUESTION_NAME, RRType.A, 300, [encodeA('192.0.2.1')])) writer.truncated = true
 * const reply = writer.finish({ ecsScope: 0 })
 * ```
 */
export class ResponseWriter {
  /** AA: the reply is authoritative. Reset by `begin`. */
  authoritative = false
  /** TC: the reply was truncated; set it when `addRRset` returns false for an answer. Reset by `begin`. */
  truncated = false
  /** RA: recursion available. Reset by `begin`. */
  recursionAvailable = false
  /**
   * The response code, extended ones (above 15) included: their high bits go into the OPT
   * record, so they need a query with EDNS. Reset to 0 by `begin`.
   */
  rcode = 0

  readonly #buf: Uint8Array
  #pos = 0
  #limit = 0 // the reply's size limit
  #recordLimit = 0 // the limit less the room kept for the OPT record
  #query: DnsQuery | undefined
  #opt: ReplyOpt = NO_OPT
  #section = 0
  readonly #counts = new Uint16Array(4)
  // Every suffix of every name written below MAX_POINTER: its offset and its length uncompressed.
  readonly #tableOffset = new Uint16Array(MAX_TABLE)
  readonly #tableLength = new Uint16Array(MAX_TABLE)
  #tableSize = 0
  // Where each RRset starts, its section and its record count, to take trailing ones out.
  readonly #rrsetStart = new Uint16Array(MAX_RRSETS)
  readonly #rrsetSection = new Uint8Array(MAX_RRSETS)
  readonly #rrsetRecords = new Uint16Array(MAX_RRSETS)
  #rrsets = 0

  /** @param options - the buffer size */
  constructor(options: ResponseWriterOptions = {}) {
    const size = options.bufferSize ?? 65535
    if (!Number.isInteger(size) || size < MIN_UDP_PAYLOAD || size > 65535)
      throw invalidArgument(`bufferSize must be an integer from 512 to 65535, got ${String(size)}`)
    this.#buf = new Uint8Array(size)
  }

  /** The reply's length so far. */
  get size(): number {
    return this.#pos
  }

  /** The bytes still free for records, room for the OPT record left aside. */
  get remaining(): number {
    return this.#recordLimit - this.#pos
  }

  /**
   * Starts the reply to `query`: header from the query, question echoed (none for an opcode other
   * than QUERY), flags and rcode cleared, sections empty.
   *
   * @param limit - the reply's size limit in bytes: `udpLimit(query)` over UDP, 65535 over TCP;
   *   at least 512, at most the buffer's size
   * @param opt - the OPT record's content as `finish` will get it; its size is kept free from
   *   the start (only the client-subnet scope may still change). Ignored for a query without EDNS.
   */
  begin(query: DnsQuery, limit: number, opt: ReplyOpt = NO_OPT): void {
    if (!(limit >= MIN_UDP_PAYLOAD && limit <= this.#buf.length))
      throw invalidArgument(`reply size limit must be from 512 to ${this.#buf.length}, got ${String(limit)}`)
    this.#query = query
    this.#opt = opt
    this.#limit = limit | 0
    this.authoritative = false
    this.truncated = false
    this.recursionAvailable = false
    this.rcode = 0
    this.#section = 0
    this.#counts.fill(0)
    this.#rrsets = 0
    this.#tableSize = 0
    const buf = this.#buf
    const packet = query.packet
    const end = query.questionEnd
    let pos = HEADER_LENGTH
    if (end > HEADER_LENGTH) {
      for (let i = HEADER_LENGTH; i < end; i++) buf[pos++] = packet[i] as number
      this.#counts[0] = 1
      // the question name's suffixes are the first compression targets
      const total = query.qnameLength
      for (
        let at = HEADER_LENGTH;
        buf[at] !== 0 && this.#tableSize < MAX_TABLE;
        at += 1 + (buf[at] as number)
      ) {
        this.#tableOffset[this.#tableSize] = at
        this.#tableLength[this.#tableSize++] = total - (at - HEADER_LENGTH)
      }
    }
    this.#pos = pos
    this.#recordLimit = this.#limit - optSize(query, opt)
  }

  /**
   * Adds an RRset to `section` whole, or nothing of it: returns `false`, leaving the reply as it
   * was, when it does not fit the size limit (or the reply already holds 256 RRsets). Sections
   * are filled in order: answer, authority, additional.
   *
   * @param owner - the owner's uncompressed wire name, compressed against the names written
   *   before; or the reply offset of a name already written, `QUESTION_NAME` (12) for the
   *   question's name (written as the pointer `0xC00C`)
   * @param ttl - seconds, the same for every record of the set (RFC 2181 §5.2)
   * @param rdatas - each record's RDATA, names uncompressed (see `encodeName`); those of CNAME,
   *   NS, PTR, MX and SOA records are compressed here
   * @param rrclass - the class, `RRClass.IN` unless given
   */
  addRRset(
    section: number,
    owner: Uint8Array | number,
    type: number,
    ttl: number,
    rdatas: readonly Uint8Array[],
    rrclass: number = RRClass.IN,
  ): boolean {
    if (this.#query === undefined) throw invalidArgument('addRRset before begin')
    if (section !== Section.ANSWER && section !== Section.AUTHORITY && section !== Section.ADDITIONAL)
      throw invalidArgument(
        `section must be 1 (answer), 2 (authority) or 3 (additional), got ${String(section)}`,
      )
    if (section < this.#section)
      throw invalidArgument(
        `section ${section} after section ${this.#section}: fill answer, authority, additional in order`,
      )
    if (typeof owner === 'number') {
      if (!(Number.isInteger(owner) && owner >= HEADER_LENGTH && owner < this.#pos && owner <= MAX_POINTER))
        throw invalidArgument(`owner offset ${owner} is not a name already in the reply`)
    } else if (!(owner instanceof Uint8Array) || nameEnd(owner, 0, owner.length) !== owner.length) {
      throw invalidArgument('owner must be an uncompressed wire name (see nameToWire) or a reply offset')
    }
    const records = rdatas.length
    if (records === 0) return true
    if (this.#rrsets === MAX_RRSETS || (this.#counts[section] as number) + records > 0xffff) return false
    this.#section = section
    const buf = this.#buf
    const max = this.#recordLimit
    const start = this.#pos
    const tableMark = this.#tableSize
    const compress =
      type === RRType.CNAME ||
      type === RRType.NS ||
      type === RRType.PTR ||
      type === RRType.MX ||
      type === RRType.SOA
    let ownerAt = typeof owner === 'number' ? owner : -1
    let pos = start
    for (let r = 0; r < records; r++) {
      const rdata = rdatas[r] as Uint8Array
      if (ownerAt >= 0 && ownerAt <= MAX_POINTER) {
        if (pos + 2 > max) return this.#undo(start, tableMark)
        buf[pos++] = 0xc0 | (ownerAt >> 8)
        buf[pos++] = ownerAt & 0xff
      } else {
        this.#pos = pos
        ownerAt = this.#writeName(owner as Uint8Array, 0, max)
        if (ownerAt < 0) return this.#undo(start, tableMark)
        pos = this.#pos
      }
      if (pos + 10 > max) return this.#undo(start, tableMark)
      buf[pos] = type >> 8
      buf[pos + 1] = type & 0xff
      buf[pos + 2] = rrclass >> 8
      buf[pos + 3] = rrclass & 0xff
      buf[pos + 4] = ttl >>> 24
      buf[pos + 5] = (ttl >>> 16) & 0xff
      buf[pos + 6] = (ttl >>> 8) & 0xff
      buf[pos + 7] = ttl & 0xff
      const rdlengthAt = pos + 8
      pos += 10
      const length = rdata.length
      if (compress && this.#compressible(type, rdata)) {
        this.#pos = pos
        if (!this.#writeRdataNames(type, rdata, max)) return this.#undo(start, tableMark)
        pos = this.#pos
      } else {
        if (pos + length > max) return this.#undo(start, tableMark)
        if (length <= 16) for (let i = 0; i < length; i++) buf[pos + i] = rdata[i] as number
        else buf.set(rdata, pos)
        pos += length
      }
      const rdlength = pos - rdlengthAt - 2
      buf[rdlengthAt] = rdlength >> 8
      buf[rdlengthAt + 1] = rdlength & 0xff
    }
    this.#pos = pos
    this.#counts[section] = (this.#counts[section] as number) + records
    this.#rrsetStart[this.#rrsets] = start
    this.#rrsetSection[this.#rrsets] = section
    this.#rrsetRecords[this.#rrsets++] = records
    return true
  }

  /**
   * Writes the OPT record when the query had EDNS (version 0, the DO bit copied, the extended
   * rcode, the client-subnet echo with its scope, the server cookie, NSID and keepalive as the
   * query asked and `opt` gives) and the header, and returns the reply: a view of the writer's
   * buffer, valid until the next `begin`. Should `opt` need more room than was kept at `begin`,
   * trailing RRsets are taken out whole and TC is set, so the reply never exceeds its limit.
   *
   * @param opt - the OPT record's content; the one given to `begin` when left out
   */
  finish(opt: ReplyOpt = this.#opt): Uint8Array {
    const query = this.#query
    if (query === undefined) throw invalidArgument('finish before begin')
    const buf = this.#buf
    if (query.edns !== undefined) {
      const size = optSize(query, opt)
      while (this.#pos + size > this.#limit && this.#rrsets > 0) {
        const last = --this.#rrsets
        this.#pos = this.#rrsetStart[last] as number
        const section = this.#rrsetSection[last] as number
        this.#counts[section] = (this.#counts[section] as number) - (this.#rrsetRecords[last] as number)
        this.truncated = true
      }
      this.#writeOpt(query, opt)
      this.#counts[3] = (this.#counts[3] as number) + 1
    }
    const flags =
      0x8000 |
      (query.opcode << 11) |
      (this.authoritative ? 0x0400 : 0) |
      (this.truncated ? 0x0200 : 0) |
      (query.rd ? 0x0100 : 0) |
      (this.recursionAvailable ? 0x0080 : 0) |
      (query.cd ? 0x0010 : 0) |
      (this.rcode & 0xf)
    buf[0] = query.id >> 8
    buf[1] = query.id & 0xff
    buf[2] = flags >> 8
    buf[3] = flags & 0xff
    const counts = this.#counts
    for (let i = 0; i < 4; i++) {
      buf[4 + 2 * i] = (counts[i] as number) >> 8
      buf[5 + 2 * i] = (counts[i] as number) & 0xff
    }
    this.#query = undefined
    return buf.subarray(0, this.#pos)
  }

  /**
   * The reply with `rcode` to a packet that could not be decoded (a `DnsDecodeError` whose
   * `rcode` is set): ID, opcode, RD and CD copied; the question echoed when `read` says one was
   * read (`questionEnd` past 12), and an OPT record (version 0, the DO bit copied, no options)
   * when it says an OPT was (RFC 6891 §6.1.1); else a bare header. A view of the writer's
   * buffer, valid until the next `begin` or `error`. Throws `ERR_INVALID_ARGUMENT` for a packet
   * shorter than a header or with QR set: those get no reply.
   *
   * @param read - what the decoder read before the fault: the `DnsDecodeError` itself
   * @param opt - the OPT record's payload size (default 1232); its other fields are not used
   *
   * @example
   * ```ts
   * const reply = writer.error(packet, Rcode.FORMERR, decodeError)
   * ```
   */
  error(
    packet: Uint8Array,
    rcode: number,
    read?: Pick<DnsDecodeError, 'questionEnd' | 'edns'>,
    opt: ReplyOpt = NO_OPT,
  ): Uint8Array {
    if (packet.length < HEADER_LENGTH || ((packet[2] as number) & 0x80) !== 0)
      throw invalidArgument('no reply is due to a packet shorter than a header or with QR set')
    const buf = this.#buf
    buf[0] = packet[0] as number
    buf[1] = packet[1] as number
    buf[2] = 0x80 | ((packet[2] as number) & 0x79) // QR, opcode and RD kept
    buf[3] = ((packet[3] as number) & 0x10) | (rcode & 0xf) // CD kept
    buf.fill(0, 4, HEADER_LENGTH)
    this.#query = undefined
    let pos = HEADER_LENGTH
    const end = read?.questionEnd ?? HEADER_LENGTH
    // a question is at most a 255-byte name, type and class: the reply stays under 512 bytes
    if (end > HEADER_LENGTH && end <= packet.length && end <= HEADER_LENGTH + MAX_NAME_LENGTH + 4) {
      for (let i = HEADER_LENGTH; i < end; i++) buf[pos++] = packet[i] as number
      buf[5] = 1
    }
    const edns = read?.edns
    if (edns !== undefined) {
      const payload = opt.payloadSize ?? DEFAULT_UDP_PAYLOAD
      buf[pos] = 0 // the root
      buf[pos + 1] = 0
      buf[pos + 2] = RRType.OPT
      buf[pos + 3] = payload >> 8
      buf[pos + 4] = payload & 0xff
      buf[pos + 5] = (rcode >> 4) & 0xff
      buf[pos + 6] = 0 // version
      buf[pos + 7] = edns.dnssecOk ? 0x80 : 0
      buf[pos + 8] = 0
      buf[pos + 9] = 0 // no options
      buf[pos + 10] = 0
      pos += 11
      buf[11] = 1
    }
    return buf.subarray(0, pos)
  }

  #undo(start: number, tableMark: number): false {
    this.#pos = start
    this.#tableSize = tableMark
    return false
  }

  // Whether the RDATA of a compressible type holds its names where the type says: otherwise it
  // is copied as it is.
  #compressible(type: number, rdata: Uint8Array): boolean {
    const n = rdata.length
    if (type === RRType.MX) return n > 2 && nameEnd(rdata, 2, n) === n
    if (type === RRType.SOA) {
      const first = nameEnd(rdata, 0, n)
      return first > 0 && nameEnd(rdata, first, n) === n - 20
    }
    return nameEnd(rdata, 0, n) === n
  }

  // Writes the RDATA of a CNAME, NS, PTR, MX or SOA record with its names compressed.
  #writeRdataNames(type: number, rdata: Uint8Array, max: number): boolean {
    const buf = this.#buf
    if (type === RRType.MX) {
      if (this.#pos + 2 > max) return false
      buf[this.#pos++] = rdata[0] as number
      buf[this.#pos++] = rdata[1] as number
      return this.#writeName(rdata, 2, max) >= 0
    }
    if (type === RRType.SOA) {
      if (this.#writeName(rdata, 0, max) < 0) return false
      if (this.#writeName(rdata, nameEnd(rdata, 0, rdata.length), max) < 0) return false
      if (this.#pos + 20 > max) return false
      const tail = rdata.length - 20
      for (let i = 0; i < 20; i++) buf[this.#pos++] = rdata[tail + i] as number
      return true
    }
    return this.#writeName(rdata, 0, max) >= 0
  }

  // Writes the uncompressed name at `from` in `src`: its labels up to the longest suffix already
  // in the reply, then a pointer to that suffix (or the root byte). Returns the offset a later
  // pointer to the name should use, or -1 when it does not fit below `max`.
  #writeName(src: Uint8Array, from: number, max: number): number {
    const buf = this.#buf
    const total = nameEnd(src, from, src.length) - from
    const offsets = this.#tableOffset
    const lengths = this.#tableLength
    const size = this.#tableSize
    let at = from
    let target = -1
    for (let len = src[at] as number; len !== 0; len = src[at] as number) {
      const suffix = total - (at - from)
      for (let e = 0; e < size; e++) {
        if (lengths[e] === suffix && this.#sameSuffix(src, at, offsets[e] as number)) {
          target = offsets[e] as number
          break
        }
      }
      if (target >= 0) break
      at += 1 + len
    }
    const prefix = at - from
    let pos = this.#pos
    if (pos + prefix + (target >= 0 ? 2 : 1) > max) return -1
    const start = pos
    for (let label = from; label < at; ) {
      const len = src[label] as number
      if (pos <= MAX_POINTER && this.#tableSize < MAX_TABLE) {
        offsets[this.#tableSize] = pos
        lengths[this.#tableSize++] = total - (label - from)
      }
      for (let i = 0; i <= len; i++) buf[pos++] = src[label + i] as number
      label += 1 + len
    }
    if (target >= 0) {
      buf[pos++] = 0xc0 | (target >> 8)
      buf[pos++] = target & 0xff
    } else buf[pos++] = 0
    this.#pos = pos
    return prefix === 0 && target >= 0 ? target : start
  }

  // Whether the uncompressed labels at `a` in `src` spell the same name as the reply's name at
  // `b`, ignoring ASCII case. The reply's pointers all point backwards (this writer wrote them),
  // and the step count bounds the walk all the same.
  #sameSuffix(src: Uint8Array, a: number, b: number): boolean {
    const buf = this.#buf
    for (let steps = 0; steps < MAX_NAME_LENGTH; steps++) {
      let len = buf[b] as number
      while (len >= 0xc0) {
        b = ((len & 0x3f) << 8) | (buf[b + 1] as number)
        len = buf[b] as number
        if (++steps >= MAX_NAME_LENGTH) return false
      }
      if (len !== src[a]) return false
      if (len === 0) return true
      for (let i = 1; i <= len; i++) {
        let x = src[a + i] as number
        let y = buf[b + i] as number
        if (x >= 0x41 && x <= 0x5a) x += 32
        if (y >= 0x41 && y <= 0x5a) y += 32
        if (x !== y) return false
      }
      a += 1 + len
      b += 1 + len
    }
    return false
  }

  #writeOpt(query: DnsQuery, opt: ReplyOpt): void {
    const buf = this.#buf
    const packet = query.packet
    let pos = this.#pos
    const payload = opt.payloadSize ?? DEFAULT_UDP_PAYLOAD
    const edns = query.edns as NonNullable<DnsQuery['edns']>
    buf[pos] = 0 // the root
    buf[pos + 1] = 0
    buf[pos + 2] = RRType.OPT
    buf[pos + 3] = payload >> 8
    buf[pos + 4] = payload & 0xff
    buf[pos + 5] = (this.rcode >> 4) & 0xff
    buf[pos + 6] = 0 // version
    buf[pos + 7] = edns.dnssecOk ? 0x80 : 0
    buf[pos + 8] = 0
    const rdlengthAt = pos + 9
    pos += 11
    const ecs = query.ecs
    if (ecs !== undefined) {
      pos = optionHeader(buf, pos, EdnsOption.CLIENT_SUBNET, ecs.length)
      for (let i = 0; i < ecs.length; i++) buf[pos + i] = packet[ecs.offset + i] as number
      buf[pos + 3] = opt.ecsScope ?? 0
      pos += ecs.length
    }
    const cookie = query.cookie
    const serverCookie = opt.serverCookie
    if (cookie !== undefined && serverCookie !== undefined) {
      pos = optionHeader(buf, pos, EdnsOption.COOKIE, 8 + serverCookie.length)
      buf.set(cookie.client, pos)
      buf.set(serverCookie, pos + 8)
      pos += 8 + serverCookie.length
    }
    const nsid = opt.nsid
    if (query.nsid && nsid !== undefined) {
      pos = optionHeader(buf, pos, EdnsOption.NSID, nsid.length)
      buf.set(nsid, pos)
      pos += nsid.length
    }
    const keepalive = opt.keepalive
    if (query.keepalive && keepalive !== undefined) {
      pos = optionHeader(buf, pos, EdnsOption.TCP_KEEPALIVE, 2)
      buf[pos] = (keepalive >> 8) & 0xff
      buf[pos + 1] = keepalive & 0xff
      pos += 2
    }
    const rdlength = pos - rdlengthAt - 2
    buf[rdlengthAt] = rdlength >> 8
    buf[rdlengthAt + 1] = rdlength & 0xff
    this.#pos = pos
  }
}

/**
 * The size of the OPT record a reply to `query` carries with `opt`: 0 without EDNS in the query.
 *
 * @example
 * ```ts
 * optSize(query, { nsid }) // 11 for a plain EDNS query, more with echoed options
 * ```
 */
export function optSize(query: DnsQuery, opt: ReplyOpt = NO_OPT): number {
  if (query.edns === undefined) return 0
  let size = 11
  if (query.ecs !== undefined) size += 4 + query.ecs.length
  const serverCookie = opt.serverCookie
  if (serverCookie !== undefined && !(serverCookie.length >= 8 && serverCookie.length <= 32))
    throw invalidArgument(`a server cookie is 8 to 32 bytes, got ${serverCookie.length}`)
  if (query.cookie !== undefined && serverCookie !== undefined) size += 12 + serverCookie.length
  if (query.nsid && opt.nsid !== undefined) size += 4 + opt.nsid.length
  if (query.keepalive && opt.keepalive !== undefined) size += 6
  return size
}

function optionHeader(buf: Uint8Array, pos: number, code: number, length: number): number {
  buf[pos] = code >> 8
  buf[pos + 1] = code & 0xff
  buf[pos + 2] = length >> 8
  buf[pos + 3] = length & 0xff
  return pos + 4
}

// The end of the uncompressed name at `at`, or -1 when none ends before `end`.
function nameEnd(bytes: Uint8Array, at: number, end: number): number {
  const start = at
  for (;;) {
    if (at >= end) return -1
    const len = bytes[at] as number
    if (len > MAX_LABEL_LENGTH) return -1
    at += 1 + len
    if (at - start > MAX_NAME_LENGTH) return -1
    if (len === 0) return at
  }
}
