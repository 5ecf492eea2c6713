/**
 * A minimal authoritative UDP server on `dns2` (3.1.1; it declares Node ≥ 22 but runs on Node 20),
 * written as its README shows: `createServer({ udp: true, handle })`, a response made with
 * `Packet.createResponseFromRequest`, resources pushed as plain objects. It answers the benchmark's
 * query files from the same zone data as the dns-packet peer (static records, CNAME, NODATA and
 * NXDOMAIN with the SOA, REFUSED outside the zone, a weighted draw); dns2 itself truncates a reply
 * that does not fit the client's payload size.
 */
import dns2 from 'dns2'
import type { PeerServer } from './dns-packet-server.js'
import { PeerZone, type ZoneRecord } from './zone-data.js'

const { Packet } = dns2

function toResource(record: ZoneRecord): Record<string, unknown> {
  const { name, ttl, data } = record
  const base = { name, ttl, class: Packet.CLASS.IN, type: Packet.TYPE[data.type] }
  switch (data.type) {
    case 'A':
    case 'AAAA':
      return { ...base, address: data.address }
    case 'NS':
      return { ...base, ns: data.target }
    case 'CNAME':
    case 'PTR':
      return { ...base, domain: data.target }
    case 'MX':
      return { ...base, priority: data.preference, exchange: data.exchange }
    case 'TXT':
      return { ...base, data: [...data.strings] }
    case 'SRV':
      return { ...base, priority: data.priority, weight: data.weight, port: data.port, target: data.target }
    case 'CAA':
      return { ...base, flags: data.flags, tag: data.tag, value: data.value }
    case 'SOA':
      return {
        ...base,
        primary: data.mname,
        admin: data.rname,
        serial: data.serial,
        refresh: data.refresh,
        retry: data.retry,
        expiration: data.expire,
        minimum: data.minimum,
      }
  }
}

/** Type names by number, for the question's type. */
const TYPE_NAMES = new Map<number, string>(
  Object.entries(Packet.TYPE).map(([name, value]) => [value as number, name]),
)

/** Starts the server on 127.0.0.1:`port` (0: any free port). */
export async function startDns2Server(port = 0): Promise<PeerServer> {
  const zone = new PeerZone()
  let answered = 0
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const question = request.questions[0]
      if (question === undefined) return
      const found = zone.lookup(question.name, TYPE_NAMES.get(question.type) ?? '')
      const response = Packet.createResponseFromRequest(request)
      response.header.aa = found.authoritative ? 1 : 0
      response.header.rcode = found.rcode
      for (const record of found.answers) response.answers.push(toResource(record) as never)
      for (const record of found.authorities) response.authorities.push(toResource(record) as never)
      answered++
      send(response)
    },
  })
  // a datagram dns2 cannot parse is reported here; without a listener the emitter would throw
  server.on('requestError', () => {})
  const addresses = await server.listen({ udp: { port, address: '127.0.0.1' } })
  const bound = addresses.udp?.port
  if (bound === undefined) throw new Error('dns2 did not report its UDP port')
  return {
    port: bound,
    answered: () => answered,
    close: () => server.close(),
  }
}
