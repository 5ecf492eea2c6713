/**
 * The little DNS a health check needs (RFC 1035 §4): encode one query, and read a reply's header,
 * question and answer count. The reader checks every bound before it reads, follows compression
 * pointers only backwards with a strictly falling limit, and reports what is wrong as data: it
 * never throws and never loops on any input.
 */
import { invalidArgument } from '@shoal/core'

/** Response codes by name (RFC 1035 §4.1.1, RFC 2136 §2.2). */
export const RCODES = {
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
} as const

/** The name of a response code. */
export type RcodeName = keyof typeof RCODES

/** Query types by name. */
export const QUERY_TYPES = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  ANY: 255,
  CAA: 257,
} as const

/** The name of a query type. */
export type QueryTypeName = keyof typeof QUERY_TYPES

const HEADER = 12
const MAX_NAME = 255
const CLASS_IN = 1

/** A query, as its reply is checked against it. */
export interface DnsQuery {
  /** The message id. */
  readonly id: number
  /** The name asked for, lower case, without the final dot (`''` for the root). */
  readonly name: string
  /** The query type's number. */
  readonly type: number
}

/** What the reader found in a reply. */
export interface DnsReply {
  /** The message id. */
  readonly id: number
  /** The response code (the header's 4 bits). */
  readonly rcode: number
  /** The TC bit: the reply was truncated. */
  readonly truncated: boolean
  /** The AA bit. */
  readonly authoritative: boolean
  /** Answer records present and complete. */
  readonly answers: number
  /** Of those, records of the queried type. */
  readonly answersOfType: number
}

/** A reply, or why the bytes are not a reply to the query. */
export type ReplyResult =
  | { readonly ok: true; readonly reply: DnsReply }
  | { readonly ok: false; readonly reason: string }

/**
 * Puts `name` in canonical form (lower case, no final dot) and checks it can be encoded: ASCII,
 * labels of 1–63 bytes, 255 bytes on the wire. Throws `ERR_INVALID_ARGUMENT` otherwise.
 */
export function normalizeName(name: string): string {
  if (typeof name !== 'string') throw invalidArgument(`DNS name must be a string, got ${String(name)}`)
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name
  if (trimmed === '') return ''
  if (!/^[\x21-\x7e]+$/.test(trimmed))
    throw invalidArgument(`DNS name ${JSON.stringify(name)} must be printable ASCII (use punycode for IDNs)`)
  let wire = 1
  for (const label of trimmed.split('.')) {
    if (label.length < 1 || label.length > 63)
      throw invalidArgument(
        `DNS name ${JSON.stringify(name)} has a label of ${label.length} bytes (1–63 allowed)`,
      )
    wire += label.length + 1
  }
  if (wire > MAX_NAME)
    throw invalidArgument(`DNS name ${JSON.stringify(name)} is ${wire} bytes on the wire (255 allowed)`)
  return trimmed.toLowerCase()
}

/**
 * Encodes a standard query for `name` of type `type`, class IN, one question.
 *
 * @param recursionDesired - sets RD (default `true`, as `dig` does)
 */
export function encodeQuery(query: DnsQuery, recursionDesired = true): Buffer {
  const name = normalizeName(query.name)
  const labels = name === '' ? [] : name.split('.')
  let size = HEADER + 1 + 4
  for (const label of labels) size += label.length + 1
  const out = Buffer.alloc(size)
  out.writeUInt16BE(query.id & 0xffff, 0)
  out.writeUInt16BE(recursionDesired ? 0x0100 : 0, 2)
  out.writeUInt16BE(1, 4) // QDCOUNT
  let at = HEADER
  for (const label of labels) {
    out[at++] = label.length
    at += out.write(label, at, 'latin1')
  }
  out[at++] = 0
  out.writeUInt16BE(query.type & 0xffff, at)
  out.writeUInt16BE(CLASS_IN, at + 2)
  return out
}

/**
 * Reads `bytes` as a reply to `query`. Never throws: anything malformed, truncated or not a reply
 * to this query comes back as `{ ok: false, reason }`.
 */
export function readReply(bytes: Uint8Array, query: DnsQuery): ReplyResult {
  const n = bytes.length
  if (n < HEADER) return fail(`reply of ${n} bytes is shorter than a DNS header`)
  const id = u16(bytes, 0)
  const flags = u16(bytes, 2)
  if ((flags & 0x8000) === 0) return fail('not a response (QR bit clear)')
  if (id !== (query.id & 0xffff)) return fail(`reply id ${id} does not match query id ${query.id & 0xffff}`)
  const opcode = (flags >> 11) & 0xf
  if (opcode !== 0) return fail(`reply opcode ${opcode}, expected 0 (QUERY)`)
  const truncated = (flags & 0x0200) !== 0
  const authoritative = (flags & 0x0400) !== 0
  const rcode = flags & 0xf
  const qdcount = u16(bytes, 4)
  const ancount = u16(bytes, 6)
  if (qdcount > 1) return fail(`reply has ${qdcount} questions, expected 1`)
  let at = HEADER
  if (qdcount === 1) {
    const name = readName(bytes, at, true)
    if (typeof name === 'string') return fail(`question: ${name}`)
    at = name.end
    if (at + 4 > n) return fail('question runs past the end of the reply')
    const type = u16(bytes, at)
    const klass = u16(bytes, at + 2)
    at += 4
    if (name.name !== query.name || type !== query.type || klass !== CLASS_IN)
      return fail(
        `question ${name.name || '.'}/${type}/${klass} does not match the query ${query.name || '.'}/${query.type}/${CLASS_IN}`,
      )
  }
  let answers = 0
  let answersOfType = 0
  for (let i = 0; i < ancount; i++) {
    const name = readName(bytes, at, false)
    if (typeof name === 'string') {
      if (truncated) break
      return fail(`answer ${i + 1}: ${name}`)
    }
    at = name.end
    if (at + 10 > n) {
      if (truncated) break
      return fail(`answer ${i + 1} runs past the end of the reply`)
    }
    const type = u16(bytes, at)
    const rdlength = u16(bytes, at + 8)
    at += 10
    if (at + rdlength > n) {
      if (truncated) break
      return fail(`answer ${i + 1}: data of ${rdlength} bytes runs past the end of the reply`)
    }
    at += rdlength
    answers++
    if (type === query.type) answersOfType++
  }
  return { ok: true, reply: { id, rcode, truncated, authoritative, answers, answersOfType } }
}

/** The name of a response code, or its number. */
export function rcodeName(rcode: number): string {
  for (const [name, value] of Object.entries(RCODES)) if (value === rcode) return name
  return `RCODE${rcode}`
}

function fail(reason: string): ReplyResult {
  return { ok: false, reason }
}

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) << 8) | (bytes[at + 1] as number)
}

/**
 * Reads a possibly compressed name at `start`: the name (lower case, dotted, no final dot) when
 * `text` is set, and the offset after it in the message; or why it cannot be read. Every
 * pointer must point before the start of the stretch it is in, so the limit falls at each jump
 * and the walk ends.
 */
function readName(bytes: Uint8Array, start: number, text: boolean): { name: string; end: number } | string {
  const n = bytes.length
  let at = start
  let limit = start
  let end = -1
  let wire = 1
  let name = ''
  for (;;) {
    if (at >= n) return 'name runs past the end of the reply'
    const len = bytes[at] as number
    if (len === 0) {
      if (end < 0) end = at + 1
      return { name, end }
    }
    const kind = len & 0xc0
    if (kind === 0xc0) {
      if (at + 1 >= n) return 'compression pointer runs past the end of the reply'
      const target = ((len & 0x3f) << 8) | (bytes[at + 1] as number)
      if (target >= limit) return `compression pointer to ${target} does not point backwards`
      if (end < 0) end = at + 2
      limit = target
      at = target
      continue
    }
    if (kind !== 0) return `label type 0x${kind.toString(16)} is not supported`
    if (at + 1 + len > n) return 'label runs past the end of the reply'
    wire += len + 1
    if (wire > MAX_NAME) return 'name is longer than 255 bytes'
    if (text) {
      let label = ''
      for (let i = at + 1; i <= at + len; i++) {
        const c = bytes[i] as number
        label += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 32 : c)
      }
      name = name === '' ? label : `${name}.${label}`
    }
    at += 1 + len
  }
}
