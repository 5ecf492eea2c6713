/**
 * The binary form of protocol messages: a body holds 1 to 64 {@link Message}s.
 *
 * ```text
 * body      = version:u8 (1)  count:u8 (1..64)  message{count}
 * message   = type:u8  fields
 * ping         (1) seq:u32 target:str source:str sourceAddress:str
 * indirectPing (2) seq:u32 target:str targetAddress:str source:str sourceAddress:str nack:bool
 * ack          (3) seq:u32
 * nack         (4) seq:u32
 * alive        (5) name:str address:str incarnation:u32 meta
 * suspect      (6) name:str incarnation:u32 from:str
 * dead         (7) name:str incarnation:u32 from:str
 * pushPull     (8) flags:u8 (bit 0 join, bit 1 reply) count:u16 record{count}
 * record    = name:str address:str incarnation:u32 state:u8 (alive 0, suspect 1, dead 2, left 3) meta
 * meta      = count:u8 (key:str value:str){count}     at most MAX_METADATA_BYTES in all
 * str       = length:u8 UTF-8 bytes
 * bool      = u8 0 or 1
 * ```
 *
 * Integers are big-endian. The encoder validates what it is given (`ERR_INVALID_ARGUMENT`); the
 * decoder is strict and throws only `ERR_BAD_MESSAGE`, saying what was wrong and at which offset.
 */
import { invalidArgument, ShoalError } from '@shoal/core'
import type { MemberRecord, MemberState, Message, Metadata } from './messages.js'

/** The format version written first in every body; the decoder rejects any other. */
export const WIRE_VERSION = 1

/** The most messages one body carries. */
export const MAX_MESSAGES_PER_BODY = 64

/**
 * The most bytes a member's encoded metadata takes: its count byte and every key and value with
 * their length bytes.
 */
export const MAX_METADATA_BYTES = 512

/** The most member records one `pushPull` message carries. */
export const MAX_PUSH_PULL_MEMBERS = 10_000

/**
 * The largest body a datagram should carry: what is left of a 1500-byte Ethernet MTU after the IP
 * and UDP headers and the envelope, with room to spare. Gossip is packed under it with
 * {@link encodedSize}.
 */
export const MAX_DATAGRAM_BODY = 1400

/** The bytes a body takes before its messages: the version and the count. */
export const BODY_HEADER_BYTES = 2

/** The most UTF-8 bytes of a name, an address or a metadata key or value. */
export const MAX_STRING_BYTES = 255

const TYPE_PING = 1
const TYPE_INDIRECT_PING = 2
const TYPE_ACK = 3
const TYPE_NACK = 4
const TYPE_ALIVE = 5
const TYPE_SUSPECT = 6
const TYPE_DEAD = 7
const TYPE_PUSH_PULL = 8

const STATES: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left']
// The smallest record: empty name and address, incarnation, state, empty metadata.
const MIN_RECORD_BYTES = 1 + 1 + 4 + 1 + 1

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

// ---------------------------------------------------------------------------------------------
// Sizes (and validation of what the encoder is given). The labels of errors are built only when
// something is wrong: the encoder runs for every datagram.

// The UTF-8 length of `s`, or -1 when it holds a lone surrogate (which UTF-8 cannot carry).
function utf8Length(s: string): number {
  const n = s.length
  let bytes = n
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) {
      bytes += 1
    } else if (c >= 0xd800 && c <= 0xdfff) {
      if (c > 0xdbff || i + 1 >= n) return -1
      const d = s.charCodeAt(i + 1)
      if (d < 0xdc00 || d > 0xdfff) return -1
      bytes += 2 // four bytes for two UTF-16 units
      i++
    } else {
      bytes += 2
    }
  }
  return bytes
}

// Why `s` cannot be encoded as a str (called only once it is known that it cannot).
function stringError(s: unknown, what: string): ShoalError {
  if (typeof s !== 'string') return invalidArgument(`${what} must be a string, got ${typeof s}`)
  const length = utf8Length(s)
  if (length < 0) return invalidArgument(`${what} holds a lone UTF-16 surrogate, which UTF-8 cannot carry`)
  return invalidArgument(`${what} takes ${length} bytes of UTF-8, more than ${MAX_STRING_BYTES}`, {
    length,
  })
}

// 1 + the UTF-8 length of `s`, or -1 when it is not a string, holds a lone surrogate or is too long.
function strSize(s: unknown): number {
  if (typeof s !== 'string') return -1
  const length = utf8Length(s)
  return length < 0 || length > MAX_STRING_BYTES ? -1 : 1 + length
}

function stringSize(s: unknown, what: string): number {
  const size = strSize(s)
  if (size < 0) throw stringError(s, what)
  return size
}

function isU32(value: unknown): boolean {
  return typeof value === 'number' && value >= 0 && value <= 0xffffffff && Number.isInteger(value)
}

function checkU32(value: unknown, what: string): void {
  if (!isU32(value))
    throw invalidArgument(`${what} must be an integer from 0 to 4294967295, got ${String(value)}`)
}

function checkBoolean(value: unknown, what: string): void {
  if (typeof value !== 'boolean') throw invalidArgument(`${what} must be a boolean, got ${typeof value}`)
}

// The label of a metadata object: an alive message's (record -1) or a push-pull record's.
function metaLabel(record: number): string {
  return record < 0 ? 'alive.meta' : `pushPull.members[${record}].meta`
}

function metaKeys(meta: Metadata, record: number): string[] {
  if (typeof meta !== 'object' || meta === null)
    throw invalidArgument(`${metaLabel(record)} must be an object`)
  const keys = Object.keys(meta)
  if (keys.length > 255) throw invalidArgument(`${metaLabel(record)} has ${keys.length} keys, more than 255`)
  return keys
}

function metaEntryError(meta: Metadata, key: string, record: number): ShoalError {
  const what = metaLabel(record)
  return strSize(key) < 0
    ? stringError(key, `${what} key`)
    : stringError(meta[key], `${what}[${JSON.stringify(key)}]`)
}

function metaTooBig(size: number, record: number): ShoalError {
  return invalidArgument(
    `${metaLabel(record)} takes ${size} bytes encoded, more than ${MAX_METADATA_BYTES}`,
    {
      size,
    },
  )
}

function metadataSize(meta: Metadata, record: number): number {
  const keys = metaKeys(meta, record)
  let size = 1
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    const k = strSize(key)
    const v = k < 0 ? -1 : strSize(meta[key])
    if (v < 0) throw metaEntryError(meta, key, record)
    size += k + v
  }
  if (size > MAX_METADATA_BYTES) throw metaTooBig(size, record)
  return size
}

function recordLabel(index: number, field: string): string {
  return `pushPull.members[${index}]${field}`
}

// Checks what a record's size does not: that it is an object, its incarnation and its state.
function checkRecord(record: MemberRecord, index: number): void {
  if (typeof record !== 'object' || record === null)
    throw invalidArgument(`${recordLabel(index, '')} must be an object`)
  if (!isU32(record.incarnation)) checkU32(record.incarnation, recordLabel(index, '.incarnation'))
  if (!STATES.includes(record.state))
    throw invalidArgument(`${recordLabel(index, '.state')} is not a member state`)
}

function recordSize(record: MemberRecord, index: number): number {
  checkRecord(record, index)
  const name = strSize(record.name)
  if (name < 0) throw stringError(record.name, recordLabel(index, '.name'))
  const address = strSize(record.address)
  if (address < 0) throw stringError(record.address, recordLabel(index, '.address'))
  return name + address + 5 + metadataSize(record.meta, index)
}

function checkPushPull(message: Extract<Message, { type: 'pushPull' }>): void {
  checkBoolean(message.join, 'pushPull.join')
  checkBoolean(message.reply, 'pushPull.reply')
  const members = message.members
  if (!Array.isArray(members)) throw invalidArgument('pushPull.members must be an array')
  if (members.length > MAX_PUSH_PULL_MEMBERS)
    throw invalidArgument(`pushPull carries ${members.length} members, more than ${MAX_PUSH_PULL_MEMBERS}`)
}

/**
 * The exact number of bytes `message` adds to a body (its type code and fields; a body adds
 * {@link BODY_HEADER_BYTES} once). Use it to pack gossip under {@link MAX_DATAGRAM_BODY}.
 *
 * @param message - the message to measure
 * @returns its encoded size in bytes
 * @throws `ERR_INVALID_ARGUMENT` when the message cannot be encoded (a string over 255 bytes,
 *   metadata over {@link MAX_METADATA_BYTES}, a number that is not a u32, an unknown type)
 *
 * @example
 * ```ts
 * let room = MAX_DATAGRAM_BODY - BODY_HEADER_BYTES - encodedSize(ping)
 * const batch = [ping]
 * for (const gossip of queue) {
 *   const size = encodedSize(gossip)
 *   if (size > room || batch.length === MAX_MESSAGES_PER_BODY) break
 *   batch.push(gossip)
 *   room -= size
 * }
 * ```
 */
export function encodedSize(message: Message): number {
  if (typeof message !== 'object' || message === null) throw invalidArgument('a message must be an object')
  switch (message.type) {
    case 'ping':
      checkU32(message.seq, 'ping.seq')
      return (
        5 +
        stringSize(message.target, 'ping.target') +
        stringSize(message.source, 'ping.source') +
        stringSize(message.sourceAddress, 'ping.sourceAddress')
      )
    case 'indirectPing':
      checkU32(message.seq, 'indirectPing.seq')
      checkBoolean(message.nack, 'indirectPing.nack')
      return (
        6 +
        stringSize(message.target, 'indirectPing.target') +
        stringSize(message.targetAddress, 'indirectPing.targetAddress') +
        stringSize(message.source, 'indirectPing.source') +
        stringSize(message.sourceAddress, 'indirectPing.sourceAddress')
      )
    case 'ack':
      checkU32(message.seq, 'ack.seq')
      return 5
    case 'nack':
      checkU32(message.seq, 'nack.seq')
      return 5
    case 'alive':
      checkU32(message.incarnation, 'alive.incarnation')
      return (
        5 +
        stringSize(message.name, 'alive.name') +
        stringSize(message.address, 'alive.address') +
        metadataSize(message.meta, -1)
      )
    case 'suspect':
      checkU32(message.incarnation, 'suspect.incarnation')
      return 5 + stringSize(message.name, 'suspect.name') + stringSize(message.from, 'suspect.from')
    case 'dead':
      checkU32(message.incarnation, 'dead.incarnation')
      return 5 + stringSize(message.name, 'dead.name') + stringSize(message.from, 'dead.from')
    case 'pushPull': {
      checkPushPull(message)
      const members = message.members
      let size = 4
      for (let i = 0; i < members.length; i++) size += recordSize(members[i] as MemberRecord, i)
      return size
    }
    default:
      throw unknownType(message)
  }
}

function unknownType(message: Message): ShoalError {
  return invalidArgument(`unknown message type ${JSON.stringify((message as { type: unknown }).type)}`)
}

// ---------------------------------------------------------------------------------------------
// Encoding: one pass that validates and writes into a scratch buffer (grown when a message needs
// more room), then one exact copy. What is checked, in which order, and the errors are those of
// encodedSize.

const EMPTY: Uint8Array = new Uint8Array(0)
/** The scratch buffer's size between bodies; a larger one (a big push-pull) is let go after use. */
const SCRATCH_BYTES = 4096
let out: Uint8Array = new Uint8Array(SCRATCH_BYTES)
let pos = 0

function grow(needed: number): void {
  const next = new Uint8Array(Math.max(needed, 2 * out.length))
  next.set(out.subarray(0, pos))
  out = next
}

function u8(value: number): void {
  if (pos >= out.length) grow(pos + 1)
  out[pos++] = value
}

function u32(value: number): void {
  if (pos + 4 > out.length) grow(pos + 4)
  const o = out
  const p = pos
  o[p] = value >>> 24
  o[p + 1] = (value >>> 16) & 0xff
  o[p + 2] = (value >>> 8) & 0xff
  o[p + 3] = value & 0xff
  pos = p + 4
}

// Writes a length byte and the UTF-8 of `s`; false (nothing written) when `s` is not a string,
// holds a lone surrogate or takes more than MAX_STRING_BYTES (stringError says which).
function str(s: unknown): boolean {
  if (typeof s !== 'string') return false
  const n = s.length
  if (n > MAX_STRING_BYTES) return false // at least one byte per UTF-16 unit
  if (pos + 1 + 3 * n > out.length) grow(pos + 1 + 3 * n) // at most 3 bytes per UTF-16 unit
  const o = out
  const start = pos
  let p = start + 1
  let i = 0
  // ASCII (names, addresses, most metadata) byte for byte
  for (; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x80) break
    o[p++] = c
  }
  for (; i < n; i++) {
    let c = s.charCodeAt(i)
    if (c < 0x80) {
      o[p++] = c
    } else if (c < 0x800) {
      o[p++] = 0xc0 | (c >> 6)
      o[p++] = 0x80 | (c & 0x3f)
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0
      if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) return false
      c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
      i++
      o[p++] = 0xf0 | (c >> 18)
      o[p++] = 0x80 | ((c >> 12) & 0x3f)
      o[p++] = 0x80 | ((c >> 6) & 0x3f)
      o[p++] = 0x80 | (c & 0x3f)
    } else {
      o[p++] = 0xe0 | (c >> 12)
      o[p++] = 0x80 | ((c >> 6) & 0x3f)
      o[p++] = 0x80 | (c & 0x3f)
    }
  }
  const length = p - start - 1
  if (length > MAX_STRING_BYTES) return false
  o[start] = length
  pos = p
  return true
}

function meta(m: Metadata, record: number): void {
  const keys = metaKeys(m, record)
  const start = pos
  u8(keys.length)
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    if (!str(key) || !str(m[key])) throw metaEntryError(m, key, record)
  }
  if (pos - start > MAX_METADATA_BYTES) throw metaTooBig(pos - start, record)
}

function record(r: MemberRecord, index: number): void {
  checkRecord(r, index)
  if (!str(r.name)) throw stringError(r.name, recordLabel(index, '.name'))
  if (!str(r.address)) throw stringError(r.address, recordLabel(index, '.address'))
  u32(r.incarnation)
  u8(STATES.indexOf(r.state))
  meta(r.meta, index)
}

function message(m: Message): void {
  if (typeof m !== 'object' || m === null) throw invalidArgument('a message must be an object')
  switch (m.type) {
    case 'ping':
      if (!isU32(m.seq)) checkU32(m.seq, 'ping.seq')
      u8(TYPE_PING)
      u32(m.seq)
      if (!str(m.target)) throw stringError(m.target, 'ping.target')
      if (!str(m.source)) throw stringError(m.source, 'ping.source')
      if (!str(m.sourceAddress)) throw stringError(m.sourceAddress, 'ping.sourceAddress')
      return
    case 'indirectPing':
      checkU32(m.seq, 'indirectPing.seq')
      checkBoolean(m.nack, 'indirectPing.nack')
      u8(TYPE_INDIRECT_PING)
      u32(m.seq)
      if (!str(m.target)) throw stringError(m.target, 'indirectPing.target')
      if (!str(m.targetAddress)) throw stringError(m.targetAddress, 'indirectPing.targetAddress')
      if (!str(m.source)) throw stringError(m.source, 'indirectPing.source')
      if (!str(m.sourceAddress)) throw stringError(m.sourceAddress, 'indirectPing.sourceAddress')
      u8(m.nack ? 1 : 0)
      return
    case 'ack':
      checkU32(m.seq, 'ack.seq')
      u8(TYPE_ACK)
      u32(m.seq)
      return
    case 'nack':
      checkU32(m.seq, 'nack.seq')
      u8(TYPE_NACK)
      u32(m.seq)
      return
    case 'alive':
      if (!isU32(m.incarnation)) checkU32(m.incarnation, 'alive.incarnation')
      u8(TYPE_ALIVE)
      if (!str(m.name)) throw stringError(m.name, 'alive.name')
      if (!str(m.address)) throw stringError(m.address, 'alive.address')
      u32(m.incarnation)
      meta(m.meta, -1)
      return
    case 'suspect':
      if (!isU32(m.incarnation)) checkU32(m.incarnation, 'suspect.incarnation')
      u8(TYPE_SUSPECT)
      if (!str(m.name)) throw stringError(m.name, 'suspect.name')
      u32(m.incarnation)
      if (!str(m.from)) throw stringError(m.from, 'suspect.from')
      return
    case 'dead':
      if (!isU32(m.incarnation)) checkU32(m.incarnation, 'dead.incarnation')
      u8(TYPE_DEAD)
      if (!str(m.name)) throw stringError(m.name, 'dead.name')
      u32(m.incarnation)
      if (!str(m.from)) throw stringError(m.from, 'dead.from')
      return
    case 'pushPull': {
      checkPushPull(m)
      const members = m.members
      u8(TYPE_PUSH_PULL)
      u8((m.join ? 1 : 0) | (m.reply ? 2 : 0))
      u8(members.length >> 8)
      u8(members.length & 0xff)
      for (let i = 0; i < members.length; i++) record(members[i] as MemberRecord, i)
      return
    }
    default:
      throw unknownType(m)
  }
}

/**
 * Encodes 1 to {@link MAX_MESSAGES_PER_BODY} messages as one body.
 *
 * @param messages - the messages, in the order the receiver gets them
 * @returns a new array holding the body, exactly as long as it needs to be
 * @throws `ERR_INVALID_ARGUMENT` when there are no messages or too many, or one cannot be encoded
 *   (see {@link encodedSize})
 *
 * @example
 * ```ts
 * const body = encodeMessages([
 *   { type: 'ping', seq: 7, target: 'b', source: 'a', sourceAddress: '10.0.0.1:7946' },
 *   { type: 'suspect', name: 'c', incarnation: 3, from: 'a' },
 * ])
 * socket.send(envelope.seal(body), port, host)
 * ```
 */
export function encodeMessages(messages: readonly Message[]): Uint8Array {
  const count = messages.length
  if (count < 1 || count > MAX_MESSAGES_PER_BODY)
    throw invalidArgument(`a body carries 1 to ${MAX_MESSAGES_PER_BODY} messages, got ${count}`)
  pos = 0
  u8(WIRE_VERSION)
  u8(count)
  for (let i = 0; i < count; i++) message(messages[i] as Message)
  const o = out
  const n = pos
  const body = new Uint8Array(n)
  // a short body is copied faster by hand than through a view and set()
  if (n <= 2048) for (let i = 0; i < n; i++) body[i] = o[i] as number
  else body.set(o.subarray(0, n))
  if (out.length > SCRATCH_BYTES) out = new Uint8Array(SCRATCH_BYTES)
  return body
}

// ---------------------------------------------------------------------------------------------
// Decoding

let input = EMPTY
let at = 0

function bad(what: string, offset: number): ShoalError {
  return new ShoalError('ERR_BAD_MESSAGE', `${what} at offset ${offset}`, { details: { offset } })
}

function truncated(n: number, what: string): ShoalError {
  return bad(`truncated ${what}: ${n} bytes needed, ${input.length - at} left`, at)
}

function need(n: number, what: string): void {
  if (input.length - at < n) throw truncated(n, what)
}

function readU8(what: string): number {
  if (at >= input.length) throw truncated(1, what)
  return input[at++] as number
}

function readU32(what: string): number {
  if (input.length - at < 4) throw truncated(4, what)
  const b = input
  const v =
    (((b[at] as number) << 24) >>> 0) +
    (((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number))
  at += 4
  return v
}

function readBool(what: string): boolean {
  const offset = at
  const b = readU8(what)
  if (b > 1) throw bad(`${what} is ${b}, not a boolean (0 or 1)`, offset)
  return b === 1
}

// A field's label for errors: `what`, or `what part` (a metadata key or value), built when needed.
function label(what: string, part: string): string {
  return part === '' ? what : `${what} ${part}`
}

function readStr(what: string, part = ''): string {
  const b = input
  if (at >= b.length) throw truncated(1, `${label(what, part)} length`)
  const length = b[at] as number
  at++
  if (b.length - at < length) throw truncated(length, label(what, part))
  const start = at
  const end = start + length
  at = end
  if (length === 0) return ''
  if (length <= 32) {
    // short ASCII (most names and addresses) is cheaper built by hand than through TextDecoder
    let i = start
    while (i < end && (b[i] as number) < 0x80) i++
    if (i === end) {
      let s = ''
      i = start
      for (; i + 8 <= end; i += 8)
        s += String.fromCharCode(
          b[i] as number,
          b[i + 1] as number,
          b[i + 2] as number,
          b[i + 3] as number,
          b[i + 4] as number,
          b[i + 5] as number,
          b[i + 6] as number,
          b[i + 7] as number,
        )
      for (; i + 4 <= end; i += 4)
        s += String.fromCharCode(b[i] as number, b[i + 1] as number, b[i + 2] as number, b[i + 3] as number)
      for (; i < end; i++) s += String.fromCharCode(b[i] as number)
      return s
    }
  }
  try {
    return decoder.decode(b.subarray(start, end))
  } catch {
    throw bad(`${label(what, part)} is not valid UTF-8`, start)
  }
}

function readMeta(what: string): Metadata {
  const start = at
  if (at >= input.length) throw truncated(1, `${what} count`)
  const count = input[at++] as number
  if (input.length - at < 2 * count) throw truncated(2 * count, `${what} (${count} entries)`)
  const m: Record<string, string> = {}
  for (let i = 0; i < count; i++) {
    const keyAt = at
    const key = readStr(what, 'key')
    const value = readStr(what, 'value')
    if (Object.hasOwn(m, key)) throw bad(`${what} repeats the key ${JSON.stringify(key)}`, keyAt)
    if (key === '__proto__')
      Object.defineProperty(m, key, { value, enumerable: true, writable: true, configurable: true })
    else m[key] = value
  }
  if (at - start > MAX_METADATA_BYTES)
    throw bad(`${what} takes ${at - start} bytes, more than ${MAX_METADATA_BYTES}`, start)
  return m
}

function readMessage(): Message {
  const typeAt = at
  const type = readU8('message type')
  switch (type) {
    case TYPE_PING: {
      const seq = readU32('ping seq')
      const target = readStr('ping target')
      const source = readStr('ping source')
      const sourceAddress = readStr('ping source address')
      return { type: 'ping', seq, target, source, sourceAddress }
    }
    case TYPE_INDIRECT_PING: {
      const seq = readU32('indirectPing seq')
      const target = readStr('indirectPing target')
      const targetAddress = readStr('indirectPing target address')
      const source = readStr('indirectPing source')
      const sourceAddress = readStr('indirectPing source address')
      const nack = readBool('indirectPing nack flag')
      return { type: 'indirectPing', seq, target, targetAddress, source, sourceAddress, nack }
    }
    case TYPE_ACK:
      return { type: 'ack', seq: readU32('ack seq') }
    case TYPE_NACK:
      return { type: 'nack', seq: readU32('nack seq') }
    case TYPE_ALIVE: {
      const name = readStr('alive name')
      const address = readStr('alive address')
      const incarnation = readU32('alive incarnation')
      const meta = readMeta('alive metadata')
      return { type: 'alive', name, address, incarnation, meta }
    }
    case TYPE_SUSPECT: {
      const name = readStr('suspect name')
      const incarnation = readU32('suspect incarnation')
      const from = readStr('suspect from')
      return { type: 'suspect', name, incarnation, from }
    }
    case TYPE_DEAD: {
      const name = readStr('dead name')
      const incarnation = readU32('dead incarnation')
      const from = readStr('dead from')
      return { type: 'dead', name, incarnation, from }
    }
    case TYPE_PUSH_PULL: {
      const flagsAt = at
      const flags = readU8('pushPull flags')
      if (flags > 3) throw bad(`pushPull flags 0x${flags.toString(16)} set unknown bits`, flagsAt)
      const countAt = at
      need(2, 'pushPull member count')
      const count = ((input[at] as number) << 8) | (input[at + 1] as number)
      at += 2
      if (count > MAX_PUSH_PULL_MEMBERS)
        throw bad(`pushPull member count ${count} is over ${MAX_PUSH_PULL_MEMBERS}`, countAt)
      need(count * MIN_RECORD_BYTES, `pushPull members (${count})`)
      const members: MemberRecord[] = []
      for (let i = 0; i < count; i++) {
        const name = readStr('member name')
        const address = readStr('member address')
        const incarnation = readU32('member incarnation')
        const stateAt = at
        const code = readU8('member state')
        const state = STATES[code]
        if (state === undefined) throw bad(`unknown member state ${code}`, stateAt)
        const meta = readMeta('member metadata')
        members.push({ name, address, incarnation, state, meta })
      }
      return { type: 'pushPull', join: (flags & 1) !== 0, reply: (flags & 2) !== 0, members }
    }
    default:
      throw bad(`unknown message type ${type}`, typeAt)
  }
}

/**
 * Decodes a body written by {@link encodeMessages}. Strict: every length is checked against the
 * bytes present before anything is read or allocated, and unknown versions, types and states,
 * truncated fields, trailing bytes, a count of 0 or over {@link MAX_MESSAGES_PER_BODY}, bad UTF-8,
 * booleans other than 0 or 1, repeated metadata keys and oversized metadata are all refused.
 *
 * @param body - the bytes (an envelope's opened body)
 * @returns the messages, in order
 * @throws `ERR_BAD_MESSAGE` (and nothing else for bytes; `ERR_INVALID_ARGUMENT` for a non-array), its message saying what was wrong and where;
 *   `details.offset` is that offset
 *
 * @example
 * ```ts
 * try {
 *   for (const message of decodeMessages(opened.body)) handle(message)
 * } catch (err) {
 *   if (!isShoalError(err, 'ERR_BAD_MESSAGE')) throw err
 *   stats.malformed++
 * }
 * ```
 */
export function decodeMessages(body: Uint8Array): Message[] {
  if (!(body instanceof Uint8Array)) throw invalidArgument('decodeMessages takes a Uint8Array')
  input = body
  at = 0
  try {
    const version = readU8('body version')
    if (version !== WIRE_VERSION) throw bad(`unknown format version ${version}`, 0)
    const count = readU8('message count')
    if (count === 0 || count > MAX_MESSAGES_PER_BODY)
      throw bad(`message count ${count} is not from 1 to ${MAX_MESSAGES_PER_BODY}`, 1)
    const messages: Message[] = []
    for (let i = 0; i < count; i++) messages.push(readMessage())
    if (at !== body.length) throw bad(`${body.length - at} trailing bytes after ${count} messages`, at)
    return messages
  } finally {
    input = EMPTY
  }
}
