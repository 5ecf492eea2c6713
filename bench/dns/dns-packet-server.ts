/**
 * A minimal authoritative UDP server on `dns-packet` (the codec most npm DNS code uses), the way a
 * Node service would write one: decode each datagram to objects, look the name up in the benchmark
 * zone, build a response object, encode it. It answers the benchmark's query files as ours does
 * (static records, CNAME, NODATA and NXDOMAIN with the SOA, REFUSED outside the zone, a weighted
 * draw), echoes an OPT record when the query has one, and sets TC when a reply would not fit.
 * Malformed datagrams and responses (QR=1) are dropped; dns-packet throws on the first and the
 * second must never be answered.
 */
import { createSocket, type Socket } from 'node:dgram'
import dnsPacket from 'dns-packet'
import { type Lookup, PeerZone, type ZoneRecord } from './zone-data.js'

type Answer = dnsPacket.Answer

function toAnswer(record: ZoneRecord): Answer {
  const { name, ttl, data } = record
  switch (data.type) {
    case 'A':
    case 'AAAA':
      return { name, ttl, type: data.type, data: data.address }
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return { name, ttl, type: data.type, data: data.target }
    case 'MX':
      return { name, ttl, type: 'MX', data: { preference: data.preference, exchange: data.exchange } }
    case 'TXT':
      return { name, ttl, type: 'TXT', data: [...data.strings] }
    case 'SRV':
      return {
        name,
        ttl,
        type: 'SRV',
        data: { priority: data.priority, weight: data.weight, port: data.port, target: data.target },
      }
    case 'CAA':
      return {
        name,
        ttl,
        type: 'CAA',
        data: { flags: data.flags, tag: data.tag as 'issue', value: data.value },
      }
    case 'SOA':
      return {
        name,
        ttl,
        type: 'SOA',
        data: {
          mname: data.mname,
          rname: data.rname,
          serial: data.serial,
          refresh: data.refresh,
          retry: data.retry,
          expire: data.expire,
          minimum: data.minimum,
        },
      }
  }
}

const MAX_UDP = 1232

/** A running server. */
export interface PeerServer {
  readonly port: number
  /** Queries answered so far. */
  answered(): number
  close(): Promise<void>
}

/** Builds the reply to one datagram, or `undefined` to drop it. */
export function answerWithDnsPacket(zone: PeerZone, message: Buffer): Buffer | undefined {
  let query: dnsPacket.DecodedPacket
  try {
    query = dnsPacket.decode(message)
  } catch {
    return undefined
  }
  const question = query.questions?.[0]
  if (query.type === 'response' || question === undefined || query.questions?.length !== 1) return undefined
  const opt = query.additionals?.find((record) => record.type === 'OPT')
  const found: Lookup = zone.lookup(question.name, question.type)
  // dns-packet writes the rcode from the low 4 bits of `flags`
  const flags =
    (found.authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
    ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) |
    found.rcode
  const response: dnsPacket.Packet = {
    id: query.id ?? 0,
    type: 'response',
    flags,
    questions: [question],
    answers: found.answers.map(toAnswer),
    authorities: found.authorities.map(toAnswer),
    additionals:
      opt === undefined
        ? []
        : [
            {
              name: '.',
              type: 'OPT',
              udpPayloadSize: MAX_UDP,
              extendedRcode: 0,
              ednsVersion: 0,
              flags: 0,
              flag_do: false,
              options: [],
            },
          ],
  }
  let reply = dnsPacket.encode(response)
  const limit =
    opt === undefined || opt.type !== 'OPT' ? 512 : Math.min(Math.max(opt.udpPayloadSize, 512), MAX_UDP)
  if (reply.length > limit) {
    response.answers = []
    response.authorities = []
    response.flags = (response.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE
    reply = dnsPacket.encode(response)
  }
  return reply
}

/** Starts the server on 127.0.0.1:`port` (0: any free port). */
export async function startDnsPacketServer(port = 0): Promise<PeerServer> {
  const zone = new PeerZone()
  const socket: Socket = createSocket('udp4')
  let answered = 0
  socket.on('message', (message, remote) => {
    if (remote.port === 0) return
    const reply = answerWithDnsPacket(zone, message)
    if (reply === undefined) return
    answered++
    socket.send(reply, remote.port, remote.address)
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(port, '127.0.0.1', () => resolve())
  })
  return {
    port: socket.address().port,
    answered: () => answered,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  }
}
