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
// Sizes (and validation of what the encoder is given)

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

function stringSize(s: unknown, what: string): number {
  if (typeof s !== 'string') throw invalidArgument(`${what} must be a string, got ${typeof s}`)
  const length = utf8Length(s)
  if (length < 0) throw invalidArgument(`${what} holds a lone UTF-16 surrogate, which UTF-8 cannot carry`)
  if (length > MAX_STRING_BYTES)
    throw invalidArgument(`${what} takes ${length} bytes of UTF-8, more than ${MAX_STRING_BYTES}`, {
      length,
    })
  return 1 + length
}

function checkU32(value: unknown, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw invalidArgument(`${what} must be an integer from 0 to 4294967295, got ${String(value)}`)
}

function checkBoolean(value: unknown, what: string): void {
  if (typeof value !== 'boolean') throw invalidArgument(`${what} must be a boolean, got ${typeof value}`)
}

function metadataSize(meta: Metadata, what: string): number {
  if (typeof meta !== 'object' || meta === null) throw invalidArgument(`${what} must be an object`)
  const keys = Object.keys(meta)
  if (keys.length > 255) throw invalidArgument(`${what} has ${keys.length} keys, more than 255`)
  let size = 1
  for (const key of keys) {
    size += stringSize(key, `${what} key`) + stringSize(meta[key], `${what}[${JSON.stringify(key)}]`)
  }
  if (size > MAX_METADATA_BYTES)
    throw invalidArgument(`${what} takes ${size} bytes encoded, more than ${MAX_METADATA_BYTES}`, { size })
  return size
}

function recordSize(record: MemberRecord, what: string): number {
  if (typeof record !== 'object' || record === null) throw invalidArgument(`${what} must be an object`)
  checkU32(record.incarnation, `${what}.incarnation`)
  if (!STATES.includes(record.state)) throw invalidArgument(`${what}.state is not a member state`)
  return (
    stringSize(record.name, `${what}.name`) +
    stringSize(record.address, `${what}.address`) +
    5 +
    metadataSize(record.meta, `${what}.meta`)
  )
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
    case 'nack':
      checkU32(message.seq, `${message.type}.seq`)
      return 5
    case 'alive':
      checkU32(message.incarnation, 'alive.incarnation')
      return (
        5 +
        stringSize(message.name, 'alive.name') +
        stringSize(message.address, 'alive.address') +
        metadataSize(message.meta, 'alive.meta')
      )
    case 'suspect':
    case 'dead':
      checkU32(message.incarnation, `${message.type}.incarnation`)
      return (
        5 +
        stringSize(message.name, `${message.type}.name`) +
        stringSize(message.from, `${message.type}.from`)
      )
    case 'pushPull': {
      checkBoolean(message.join, 'pushPull.join')
      checkBoolean(message.reply, 'pushPull.reply')
      const members = message.members
      if (!Array.isArray(members)) throw invalidArgument('pushPull.members must be an array')
      if (members.length > MAX_PUSH_PULL_MEMBERS)
        throw invalidArgument(
          `pushPull carries ${members.length} members, more than ${MAX_PUSH_PULL_MEMBERS}`,
        )
      let size = 4
      for (let i = 0; i < members.length; i++) size += recordSize(members[i], `pushPull.members[${i}]`)
      return size
    }
    default:
      throw invalidArgument(`unknown message type ${JSON.stringify((message as { type: unknown }).type)}`)
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding: sizes first (which validates), then one exact allocation written in one pass.

const EMPTY: Uint8Array = new Uint8Array(0)
let out = EMPTY
let pos = 0

function u8(value: number): void {
  out[pos++] = value
}

function u32(value: number): void {
  out[pos] = value >>> 24
  out[pos + 1] = (value >>> 16) & 0xff
  out[pos + 2] = (value >>> 8) & 0xff
  out[pos + 3] = value & 0xff
  pos += 4
}

// Writes a length byte and the UTF-8 of `s` (validated by stringSize already).
function str(s: string): void {
  const start = pos++
  const n = s.length
  let p = pos
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i)
    if (c < 0x80) {
      out[p++] = c
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6)
      out[p++] = 0x80 | (c & 0x3f)
    } else if (c >= 0xd800 && c <= 0xdbff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00)
      out[p++] = 0xf0 | (c >> 18)
      out[p++] = 0x80 | ((c >> 12) & 0x3f)
      out[p++] = 0x80 | ((c >> 6) & 0x3f)
      out[p++] = 0x80 | (c & 0x3f)
    } else {
      out[p++] = 0xe0 | (c >> 12)
      out[p++] = 0x80 | ((c >> 6) & 0x3f)
      out[p++] = 0x80 | (c & 0x3f)
    }
  }
  out[start] = p - pos
  pos = p
}

function meta(m: Metadata): void {
  const keys = Object.keys(m)
  u8(keys.length)
  for (const key of keys) {
    str(key)
    str(m[key] as string)
  }
}

function message(m: Message): void {
  switch (m.type) {
    case 'ping':
      u8(TYPE_PING)
      u32(m.seq)
      str(m.target)
      str(m.source)
      str(m.sourceAddress)
      return
    case 'indirectPing':
      u8(TYPE_INDIRECT_PING)
      u32(m.seq)
      str(m.target)
      str(m.targetAddress)
      str(m.source)
      str(m.sourceAddress)
      u8(m.nack ? 1 : 0)
      return
    case 'ack':
      u8(TYPE_ACK)
      u32(m.seq)
      return
    case 'nack':
      u8(TYPE_NACK)
      u32(m.seq)
      return
    case 'alive':
      u8(TYPE_ALIVE)
      str(m.name)
      str(m.address)
      u32(m.incarnation)
      meta(m.meta)
      return
    case 'suspect':
    case 'dead':
      u8(m.type === 'suspect' ? TYPE_SUSPECT : TYPE_DEAD)
      str(m.name)
      u32(m.incarnation)
      str(m.from)
      return
    case 'pushPull':
      u8(TYPE_PUSH_PULL)
      u8((m.join ? 1 : 0) | (m.reply ? 2 : 0))
      out[pos] = m.members.length >> 8
      out[pos + 1] = m.members.length & 0xff
      pos += 2
      for (const r of m.members) {
        str(r.name)
        str(r.address)
        u32(r.incarnation)
        u8(STATES.indexOf(r.state))
        meta(r.meta)
      }
      return
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
  let size = BODY_HEADER_BYTES
  for (let i = 0; i < count; i++) size += encodedSize(messages[i] as Message)
  const body = new Uint8Array(size)
  out = body
  pos = 0
  u8(WIRE_VERSION)
  u8(count)
  for (let i = 0; i < count; i++) message(messages[i] as Message)
  out = EMPTY
  if (pos !== size) throw new ShoalError('ERR_INTERNAL', `encoded ${pos} bytes, measured ${size}`)
  return body
}

// ---------------------------------------------------------------------------------------------
// Decoding

let input = EMPTY
let at = 0

function bad(what: string, offset: number): ShoalError {
  return new ShoalError('ERR_BAD_MESSAGE', `${what} at offset ${offset}`, { details: { offset } })
}

function need(n: number, what: string): void {
  if (input.length - at < n) throw bad(`truncated ${what}: ${n} bytes needed, ${input.length - at} left`, at)
}

function readU8(what: string): number {
  need(1, what)
  return input[at++] as number
}

function readU32(what: string): number {
  need(4, what)
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

function readStr(what: string): string {
  const length = readU8(`${what} length`)
  need(length, what)
  const start = at
  at += length
  if (length === 0) return ''
  if (length <= 24) {
    // short ASCII (most names and addresses) is cheaper built by hand than through TextDecoder
    const b = input
    let s = ''
    let i = start
    for (; i < at; i++) {
      const c = b[i] as number
      if (c >= 0x80) break
      s += String.fromCharCode(c)
    }
    if (i === at) return s
  }
  try {
    return decoder.decode(input.subarray(start, at))
  } catch {
    throw bad(`${what} is not valid UTF-8`, start)
  }
}

function readMeta(what: string): Metadata {
  const start = at
  const count = readU8(`${what} count`)
  need(2 * count, `${what} (${count} entries)`)
  const m: Record<string, string> = {}
  for (let i = 0; i < count; i++) {
    const keyAt = at
    const key = readStr(`${what} key`)
    const value = readStr(`${what} value`)
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
    case TYPE_SUSPECT:
    case TYPE_DEAD: {
      const kind = type === TYPE_SUSPECT ? 'suspect' : 'dead'
      const name = readStr(`${kind} name`)
      const incarnation = readU32(`${kind} incarnation`)
      const from = readStr(`${kind} from`)
      return { type: kind, name, incarnation, from }
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
