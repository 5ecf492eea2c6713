import { createSocket, type RemoteInfo } from 'node:dgram'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { onClose } from './servers.js'

/** What the responder does with a query. */
export type Answer = (query: Buffer) => Buffer | undefined

/** How {@link reply} builds a reply. */
export interface ReplyShape {
  readonly rcode?: number
  readonly answers?: number
  readonly id?: number
  readonly truncated?: boolean
  /** Cut the reply to this many bytes. */
  readonly cut?: number
}

/**
 * A reply to a one-question query: the id and question copied, QR and RA set, RD copied, and
 * `answers` A records named by a compression pointer to the question (`c0 0c`).
 */
export function reply(query: Buffer, shape: ReplyShape = {}): Buffer {
  const question = query.subarray(12)
  const type = question.readUInt16BE(question.length - 4)
  const answers = shape.answers ?? 1
  const out = Buffer.alloc(12 + question.length + answers * 16)
  out.writeUInt16BE(shape.id ?? query.readUInt16BE(0), 0)
  const rd = query.readUInt16BE(2) & 0x0100
  out.writeUInt16BE(0x8000 | 0x0080 | rd | (shape.truncated ? 0x0200 : 0) | (shape.rcode ?? 0), 2)
  out.writeUInt16BE(1, 4)
  out.writeUInt16BE(answers, 6)
  question.copy(out, 12)
  let at = 12 + question.length
  for (let i = 0; i < answers; i++) {
    out.writeUInt16BE(0xc00c, at)
    out.writeUInt16BE(type, at + 2)
    out.writeUInt16BE(1, at + 4)
    out.writeUInt32BE(60, at + 6)
    out.writeUInt16BE(4, at + 10)
    out.set([192, 0, 2, 1 + i], at + 12)
    at += 16
  }
  return shape.cut === undefined ? out : out.subarray(0, shape.cut)
}

/** A tiny DNS responder on 127.0.0.1:0 over UDP; `answer` decides each reply (undefined: silence). */
export async function dnsResponder(answer: Answer) {
  const socket = createSocket('udp4')
  const queries: Buffer[] = []
  let current = answer
  let arrived: (() => void) | undefined
  socket.on('message', (message: Buffer, from: RemoteInfo) => {
    queries.push(message)
    arrived?.()
    arrived = undefined
    const out = current(message)
    if (out !== undefined) socket.send(out, from.port, from.address)
  })
  socket.bind(0, '127.0.0.1')
  await once(socket, 'listening')
  onClose(() => new Promise<void>((resolve) => socket.close(() => resolve())))
  return {
    port: (socket.address() as AddressInfo).port,
    queries,
    answer(next: Answer) {
      current = next
    },
    /** Resolves when the next query arrives. */
    nextQuery(): Promise<void> {
      return new Promise<void>((resolve) => {
        arrived = resolve
      })
    },
  }
}
