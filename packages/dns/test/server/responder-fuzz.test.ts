import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ServerCookies } from '../../src/server/cookies.js'
import type { ClientInfo } from '../../src/server/query-handler.js'
import { ResponseRateLimiter } from '../../src/server/rrl.js'
import { cookieOption, ecsOption, query } from './packets.js'
import { responder } from './zone-fixture.js'

const SEEDS: readonly Uint8Array[] = [
  query({ name: 'www.example.com' }),
  query({ name: 'big.example.com', edns: { payload: 4096, do: true } }),
  query({ name: 'nope.example.com', type: 28, edns: { options: [ecsOption('198.51.100.0', 24)] } }),
  query({ name: 'deep.sub.example.com', edns: { options: [cookieOption(new Uint8Array(8).fill(3))] } }),
  query({ name: 'example.com', type: 255, edns: { options: [{ code: 3, data: new Uint8Array() }] } }),
  query({ name: 'alias.example.com', edns: [{}, {}] }),
  Uint8Array.from(
    Buffer.from('1234010000010000000000000377777707657861' + '6d706c6503636f6d0000010001', 'hex'),
  ),
  Uint8Array.from(Buffer.from('12340100000100000000000003777777c00c00010001', 'hex')), // compression in the question
]

/** The end of the question in `packet`, or -1 when it has no well-formed question. */
function questionEnd(packet: Uint8Array): number {
  let at = 12
  for (let guard = 0; guard < 128; guard++) {
    const len = packet[at]
    if (len === undefined || len > 63) return -1
    at += 1 + len
    if (len === 0) return at + 4 <= packet.length ? at + 4 : -1
  }
  return -1
}

const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.nat(80),
    fc.boolean(),
  )
  .map(([seed, edits, cut, truncate]) => {
    const bytes = Uint8Array.from(seed)
    for (const [at, value] of edits) bytes[at % bytes.length] = value
    return truncate ? bytes.subarray(0, Math.min(bytes.length, cut)) : bytes
  })

const packets = fc.oneof(mutated, fc.uint8Array({ maxLength: 120 }))
const clients = fc.constantFrom<ClientInfo>(
  { address: '192.0.2.7', port: 5353, transport: 'udp' },
  { address: '2001:db8::7', port: 5353, transport: 'udp' },
  { address: '192.0.2.7', port: 5353, transport: 'tcp' },
  { address: '192.0.2.7', port: 0, transport: 'udp' },
)

describe('Responder under fuzzing', () => {
  const r = responder({
    cookies: new ServerCookies({ secret: new Uint8Array(16).fill(1) }),
    rrl: new ResponseRateLimiter({ responsesPerSecond: 1e6 }),
    nsid: Uint8Array.of(1, 2, 3),
  })

  it('never throws, never answers a non-query, and echoes ID and question; UDP replies stay within 1232 bytes', () => {
    fc.assert(
      fc.property(packets, clients, (packet, client) => {
        const reply = r.answer(packet, client)
        if (packet.length < 12 || ((packet[2] as number) & 0x80) !== 0 || client.port === 0) {
          expect(reply).toBeUndefined()
          return
        }
        if (reply === undefined) return
        expect(reply[0]).toBe(packet[0])
        expect(reply[1]).toBe(packet[1])
        expect((reply[2] as number) & 0x80).toBe(0x80)
        // the opcode is echoed
        expect((reply[2] as number) & 0x78).toBe((packet[2] as number) & 0x78)
        const qdcount = ((reply[4] as number) << 8) | (reply[5] as number)
        if (qdcount === 1) {
          const end = questionEnd(packet)
          expect(end).toBeGreaterThan(12)
          expect(Buffer.from(reply.subarray(12, end)).equals(Buffer.from(packet.subarray(12, end)))).toBe(
            true,
          )
        } else expect(qdcount).toBe(0)
        if (client.transport === 'udp') expect(reply.length).toBeLessThanOrEqual(1232)
      }),
      { numRuns: 20_000 },
    )
  })
})
