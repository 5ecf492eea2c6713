// Raw DNS exchanges for the protocol probes dig cannot make (QR=1, two questions, two OPT records,
// ECS address bits beyond the prefix, garbage datagrams, split TCP frames): queries built with
// dns-packet, an independent codec, then patched byte by byte, and replies summarised from the bytes.

import { createSocket } from 'node:dgram'
import { createConnection } from 'node:net'
import dnsPacket from 'dns-packet'

/** An EDNS option as raw bytes. */
export interface RawOption {
  readonly code: number
  readonly data: Uint8Array
}

/** What a probe query holds. */
export interface ProbeQuery {
  readonly id?: number
  readonly name: string
  /** Record type number (1 = A, 255 = ANY…). */
  readonly type?: number
  /** Class number (1 = IN, 3 = CH). */
  readonly class?: number
  readonly opcode?: number
  readonly recursionDesired?: boolean
  /** An OPT record, or none. */
  readonly edns?: {
    readonly version?: number
    readonly udp?: number
    readonly dnssecOk?: boolean
    readonly options?: readonly RawOption[]
  }
}

const OPT = 41

/** Encodes a name in uncompressed wire form. */
export function nameBytes(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean)
  return Buffer.concat([
    ...labels.map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'latin1')])),
    Buffer.from([0]),
  ])
}

/** An OPT record's bytes (root owner). */
export function optRecord(edns: NonNullable<ProbeQuery['edns']>): Buffer {
  const options = Buffer.concat(
    (edns.options ?? []).map((option) => {
      const head = Buffer.alloc(4)
      head.writeUInt16BE(option.code, 0)
      head.writeUInt16BE(option.data.length, 2)
      return Buffer.concat([head, Buffer.from(option.data)])
    }),
  )
  const record = Buffer.alloc(11)
  record[0] = 0 // root
  record.writeUInt16BE(OPT, 1)
  record.writeUInt16BE(edns.udp ?? 1232, 3)
  record[5] = 0 // extended rcode
  record[6] = edns.version ?? 0
  record.writeUInt16BE(edns.dnssecOk === true ? 0x8000 : 0, 7)
  record.writeUInt16BE(options.length, 9)
  return Buffer.concat([record, options])
}

/** A query's bytes: header, one question, an OPT record when asked. */
export function probeQuery(query: ProbeQuery): Buffer {
  const header = Buffer.alloc(12)
  header.writeUInt16BE(query.id ?? 0x1234, 0)
  const flags = ((query.opcode ?? 0) << 11) | (query.recursionDesired === false ? 0 : 0x0100)
  header.writeUInt16BE(flags, 2)
  header.writeUInt16BE(1, 4)
  header.writeUInt16BE(query.edns === undefined ? 0 : 1, 10)
  const tail = Buffer.alloc(4)
  tail.writeUInt16BE(query.type ?? 1, 0)
  tail.writeUInt16BE(query.class ?? 1, 2)
  return Buffer.concat([
    header,
    nameBytes(query.name),
    tail,
    ...(query.edns === undefined ? [] : [optRecord(query.edns)]),
  ])
}

/** The ECS option (RFC 7871) with the address bytes exactly as given (no masking). */
export function ecsOption(
  family: 1 | 2,
  sourcePrefix: number,
  address: readonly number[],
  scope = 0,
): RawOption {
  return { code: 8, data: Uint8Array.from([0, family, sourcePrefix, scope, ...address]) }
}

/** A copy of `packet` with a 16-bit header field replaced (offset 2 = flags, 4 = QDCOUNT, 10 = ARCOUNT…). */
export function patch16(packet: Uint8Array, offset: number, value: number): Buffer {
  const copy = Buffer.from(packet)
  copy.writeUInt16BE(value, offset)
  return copy
}

/** Sends one datagram and waits up to `timeoutMs` for one reply (`undefined`: none came). */
export async function udpExchange(
  port: number,
  packet: Uint8Array,
  timeoutMs = 400,
): Promise<Buffer | undefined> {
  const socket = createSocket('udp4')
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(0, '127.0.0.1', () => resolve())
    })
    const reply = new Promise<Buffer | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs)
      socket.once('message', (message) => {
        clearTimeout(timer)
        resolve(message)
      })
    })
    socket.send(packet, port, '127.0.0.1')
    return await reply
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()))
  }
}

/** Sends datagrams without waiting for replies (garbage floods). */
export async function udpBlast(port: number, packets: readonly Uint8Array[]): Promise<void> {
  const socket = createSocket('udp4')
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.bind(0, '127.0.0.1', () => resolve())
    })
    for (const packet of packets)
      await new Promise<void>((resolve) => socket.send(packet, port, '127.0.0.1', () => resolve()))
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()))
  }
}

/** What a TCP exchange saw. */
export interface TcpExchange {
  /** Each reply's message (length prefix removed), in arrival order. */
  readonly replies: readonly Buffer[]
  /** The server closed the connection before the timeout. */
  readonly closed: boolean
}

/** Frames a message with its 2-byte length. */
export function frame(message: Uint8Array): Buffer {
  const length = Buffer.alloc(2)
  length.writeUInt16BE(message.length, 0)
  return Buffer.concat([length, Buffer.from(message)])
}

/**
 * Connects, writes each chunk (with `gapMs` between them, so a split frame really arrives in
 * pieces), and collects replies until `expect` arrived, the server closed, or `timeoutMs` passed.
 */
export function tcpExchange(
  port: number,
  chunks: readonly Uint8Array[],
  expect: number,
  { timeoutMs = 1_500, gapMs = 30 }: { timeoutMs?: number; gapMs?: number } = {},
): Promise<TcpExchange> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    const replies: Buffer[] = []
    let buffered = Buffer.alloc(0)
    let closed = false
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ replies, closed })
    }
    const timer = setTimeout(finish, timeoutMs)
    socket.on('data', (data: Buffer) => {
      buffered = Buffer.concat([buffered, data])
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0)
        if (buffered.length < 2 + length) break
        replies.push(buffered.subarray(2, 2 + length))
        buffered = buffered.subarray(2 + length)
      }
      if (replies.length >= expect) finish()
    })
    socket.once('end', () => {
      closed = true
      finish()
    })
    socket.once('close', () => {
      closed = true
      finish()
    })
    socket.once('error', (error: NodeJS.ErrnoException) => {
      // a reset is the server closing on us (what some do on a framing error); anything else fails
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') {
        closed = true
        finish()
      } else {
        done = true
        clearTimeout(timer)
        reject(error)
      }
    })
    socket.once('connect', async () => {
      for (const chunk of chunks) {
        if (done) return
        socket.write(chunk)
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs))
      }
    })
  })
}

/** A reply reduced to what the probes compare. */
export interface ReplySummary {
  readonly id: number
  readonly opcode: number
  /** The full rcode: the header's 4 bits plus the OPT record's extended bits (BADVERS = 16). */
  readonly rcode: number
  readonly flags: readonly string[]
  readonly counts: readonly [number, number, number, number]
  /** The question section's bytes exactly as sent back (case included). */
  readonly questionBytes: Buffer
  /** Answer records as `name type data` strings (dns-packet's decoding), when it can decode them. */
  readonly answers: readonly string[]
  readonly opt?: {
    readonly udp: number
    readonly version: number
    readonly options: readonly { readonly code: number; readonly data: Buffer }[]
  }
  readonly size: number
}

const FLAG_BITS: readonly [string, number][] = [
  ['qr', 0x8000],
  ['aa', 0x0400],
  ['tc', 0x0200],
  ['rd', 0x0100],
  ['ra', 0x0080],
  ['ad', 0x0020],
  ['cd', 0x0010],
]

/** Summarises a reply from its bytes; answers via dns-packet (left empty if it cannot decode them). */
export function summarise(reply: Buffer): ReplySummary {
  const flagsWord = reply.readUInt16BE(2)
  const counts = [
    reply.readUInt16BE(4),
    reply.readUInt16BE(6),
    reply.readUInt16BE(8),
    reply.readUInt16BE(10),
  ] as const
  // the question: walk its labels (the question of a reply is never compressed by these servers)
  let offset = 12
  for (let q = 0; q < counts[0] && offset < reply.length; q++) {
    for (let steps = 0; steps < 128 && offset < reply.length; steps++) {
      const length = reply[offset] as number
      if (length === 0) {
        offset++
        break
      }
      if ((length & 0xc0) === 0xc0) {
        offset += 2
        break
      }
      offset += 1 + length
    }
    offset += 4
  }
  const questionBytes = reply.subarray(12, Math.min(offset, reply.length))
  let answers: string[] = []
  let opt: ReplySummary['opt']
  try {
    const decoded = dnsPacket.decode(reply)
    answers = (decoded.answers ?? []).map(
      (answer) => `${answer.name} ${answer.type} ${JSON.stringify('data' in answer ? answer.data : null)}`,
    )
  } catch {
    // a reply dns-packet cannot decode keeps its header fields; the probes that need more say so
  }
  const found = findOpt(reply)
  if (found !== undefined)
    opt = { udp: found.udp, version: (found.ttl >>> 16) & 0xff, options: rawOptions(found.rdata) }
  const extended = found === undefined ? 0 : found.ttl >>> 24
  return {
    id: reply.readUInt16BE(0),
    opcode: (flagsWord >> 11) & 0xf,
    rcode: (extended << 4) | (flagsWord & 0xf),
    flags: FLAG_BITS.filter(([, bit]) => (flagsWord & bit) !== 0).map(([name]) => name),
    counts,
    questionBytes,
    answers,
    ...(opt === undefined ? {} : { opt }),
    size: reply.length,
  }
}

/** Finds the OPT record by walking the reply's bytes; `undefined` when absent or unreadable. */
function findOpt(reply: Buffer): { udp: number; ttl: number; rdata: Buffer } | undefined {
  try {
    let offset = 12
    for (let i = 0; i < reply.readUInt16BE(4); i++) offset = skipName(reply, offset) + 4
    const before = reply.readUInt16BE(6) + reply.readUInt16BE(8)
    for (let i = 0; i < before; i++) offset = skipRecord(reply, offset)
    for (let i = 0; i < reply.readUInt16BE(10); i++) {
      const nameEnd = skipName(reply, offset)
      const type = reply.readUInt16BE(nameEnd)
      const ttl = reply.readUInt32BE(nameEnd + 4)
      const length = reply.readUInt16BE(nameEnd + 8)
      if (type === OPT)
        return {
          udp: reply.readUInt16BE(nameEnd + 2),
          ttl,
          rdata: reply.subarray(nameEnd + 10, nameEnd + 10 + length),
        }
      offset = nameEnd + 10 + length
    }
  } catch {
    return undefined
  }
  return undefined
}

function rawOptions(rdata: Buffer): { code: number; data: Buffer }[] {
  const options: { code: number; data: Buffer }[] = []
  let offset = 0
  while (offset + 4 <= rdata.length) {
    const code = rdata.readUInt16BE(offset)
    const length = rdata.readUInt16BE(offset + 2)
    options.push({ code, data: rdata.subarray(offset + 4, offset + 4 + length) })
    offset += 4 + length
  }
  return options
}

function skipName(buf: Buffer, start: number): number {
  let offset = start
  for (let steps = 0; steps < 128; steps++) {
    const length = buf[offset] as number
    if (length === 0) return offset + 1
    if ((length & 0xc0) === 0xc0) return offset + 2
    offset += 1 + length
  }
  throw new Error('name too long')
}

function skipRecord(buf: Buffer, start: number): number {
  const nameEnd = skipName(buf, start)
  return nameEnd + 10 + buf.readUInt16BE(nameEnd + 8)
}

/** The ECS option of a reply, decoded: family, source and scope prefix, address bytes. */
export function replyEcs(
  summary: ReplySummary,
): { family: number; source: number; scope: number; address: Buffer } | undefined {
  const option = summary.opt?.options.find((o) => o.code === 8)
  if (option === undefined) return undefined
  return {
    family: option.data.readUInt16BE(0),
    source: option.data[2] as number,
    scope: option.data[3] as number,
    address: option.data.subarray(4),
  }
}
