import { buildServing, decodeMessage, nameToWire, parseZone, Rcode, Responder, RRType } from '@shoal/dns'
import { describe, expect, it } from 'vitest'

// The package entry wires the codec, the zones and the responder together: what a user who embeds
// the responder (without the socket server) imports, checked end to end through '@shoal/dns'.
const zone = parseZone(
  `$TTL 300
@    SOA  ns1 hostmaster ( 1 7200 1800 1209600 60 )
@    NS   ns1
ns1  A    192.0.2.53
www  A    192.0.2.1
`,
  { origin: 'example.com' },
)
const responder = new Responder({ serving: buildServing([zone]) })
const client = { address: '192.0.2.200', port: 40000, transport: 'udp' as const }

/** A plain query (RD set) for `name` and `type`, as a resolver sends it. */
function query(id: number, name: string, type: number): Uint8Array {
  const qname = nameToWire(name)
  const packet = new Uint8Array(12 + qname.length + 4)
  const view = new DataView(packet.buffer)
  view.setUint16(0, id)
  view.setUint16(2, 0x0100)
  view.setUint16(4, 1)
  packet.set(qname, 12)
  view.setUint16(12 + qname.length, type)
  view.setUint16(14 + qname.length, 1)
  return packet
}

describe('@shoal/dns entry', () => {
  it('answers a zone record authoritatively, echoing the id and question', () => {
    const reply = responder.answer(query(4242, 'WWW.example.com', RRType.A), client)
    if (reply === undefined) throw new Error('no reply')
    const message = decodeMessage(reply)
    expect(message.id).toBe(4242)
    expect(message.rcode).toBe(Rcode.NOERROR)
    expect(message.aa).toBe(true)
    expect(message.questions[0]?.name).toBe('WWW.example.com')
    expect(message.answers.map((record) => record.data)).toEqual(['192.0.2.1'])
  })

  it('gives NXDOMAIN with the SOA for a missing name, and REFUSED outside its zones', () => {
    const missing = decodeMessage(
      responder.answer(query(1, 'nope.example.com', RRType.A), client) as Uint8Array,
    )
    expect(missing.rcode).toBe(Rcode.NXDOMAIN)
    expect(missing.authorities.map((record) => record.type)).toEqual([RRType.SOA])
    const outside = decodeMessage(responder.answer(query(2, 'example.net', RRType.A), client) as Uint8Array)
    expect(outside.rcode).toBe(Rcode.REFUSED)
    expect(outside.aa).toBe(false)
  })

  it('never answers a response or a short packet', () => {
    const response = query(3, 'www.example.com', RRType.A)
    response[2] = (response[2] as number) | 0x80
    expect(responder.answer(response, client)).toBeUndefined()
    expect(responder.answer(new Uint8Array(11), client)).toBeUndefined()
  })
})
