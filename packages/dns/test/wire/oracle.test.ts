/**
 * dns-packet, an independent codec, as the oracle of the query decoder: it encodes generated
 * well-formed queries, and both decoders must read the same fields from the bytes.
 */
import * as dnsPacket from 'dns-packet'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeMessage, decodeQuery, formatIPv6 } from '../../src/wire/index.js'
import { clientSubnet, hostname, recase } from './arbitraries.js'

const TYPES = [
  'A',
  'AAAA',
  'NS',
  'CNAME',
  'SOA',
  'MX',
  'TXT',
  'SRV',
  'PTR',
  'CAA',
  'ANY',
  'HINFO',
  'DS',
  'UNKNOWN_65280',
]

const query = fc.record({
  id: fc.integer({ min: 0, max: 0xffff }),
  rd: fc.boolean(),
  cd: fc.boolean(),
  name: hostname,
  flips: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
  type: fc.oneof(
    fc.constantFrom(...TYPES),
    fc.integer({ min: 1, max: 0xffff }).map((t) => `UNKNOWN_${t}`),
  ),
  class: fc.constantFrom('IN', 'CH', 'HS', 'ANY'),
  edns: fc.option(
    fc.record({
      payload: fc.integer({ min: 1, max: 0xffff }),
      dnssecOk: fc.boolean(),
      ecs: fc.option(clientSubnet, { nil: undefined }),
      cookie: fc.option(
        fc.oneof(
          fc.uint8Array({ minLength: 8, maxLength: 8 }),
          fc.uint8Array({ minLength: 16, maxLength: 40 }),
        ),
        { nil: undefined },
      ),
      nsid: fc.boolean(),
      keepalive: fc.boolean(),
      unknown: fc.option(fc.uint8Array({ maxLength: 12 }), { nil: undefined }),
      order: fc.integer({ min: 0, max: 4 }),
    }),
    { nil: undefined },
  ),
})

describe('decodeQuery against dns-packet', () => {
  it('reads the same header, question and EDNS options from generated queries', () => {
    fc.assert(
      fc.property(query, (q) => {
        const options: unknown[] = []
        const e = q.edns
        if (e !== undefined) {
          if (e.ecs !== undefined)
            options.push({
              code: 'CLIENT_SUBNET',
              family: e.ecs.family,
              sourcePrefixLength: e.ecs.sourcePrefix,
              scopePrefixLength: 0,
              ip: e.ecs.family === 1 ? e.ecs.address.join('.') : formatIPv6(e.ecs.address),
            })
          if (e.cookie !== undefined) options.push({ code: 10, data: Buffer.from(e.cookie) } as never)
          if (e.nsid) options.push({ code: 3, data: Buffer.alloc(0) } as never)
          if (e.keepalive) options.push({ code: 'TCP_KEEPALIVE' } as never)
          if (e.unknown !== undefined) options.push({ code: 65001, data: Buffer.from(e.unknown) } as never)
          // the options' order does not matter
          options.push(...options.splice(0, e.order % (options.length + 1)))
        }
        const name = recase(q.name, q.flips)
        const bytes = dnsPacket.encode({
          type: 'query',
          id: q.id,
          flags: (q.rd ? dnsPacket.RECURSION_DESIRED : 0) | (q.cd ? dnsPacket.CHECKING_DISABLED : 0),
          questions: [{ name: name === '' ? '.' : name, type: q.type as never, class: q.class as never }],
          additionals:
            e === undefined
              ? []
              : [
                  {
                    type: 'OPT',
                    name: '.',
                    udpPayloadSize: e.payload,
                    flags: e.dnssecOk ? dnsPacket.DNSSEC_OK : 0,
                    options,
                  } as never,
                ],
        })
        const ours = decodeQuery(bytes)
        const theirs = dnsPacket.decode(bytes)
        const question = theirs.questions?.[0]
        const theirName = question?.name === '.' ? '' : (question?.name ?? '')
        expect(ours.id).toBe(theirs.id)
        expect(ours.rd).toBe(theirs.flag_rd)
        expect(ours.cd).toBe(theirs.flag_cd)
        expect(ours.qname).toBe(theirName.toLowerCase())
        expect(ours.qtype).toBe(typeNumber(q.type))
        expect(ours.qclass).toBe({ IN: 1, CH: 3, HS: 4, ANY: 255 }[q.class])
        // the whole-message decoder reads the same question, case kept
        expect(decodeMessage(bytes).questions).toEqual([
          { name: theirName, type: ours.qtype, class: ours.qclass },
        ])
        const opt = theirs.additionals?.find((rr) => rr.type === 'OPT') as unknown as PeerOpt | undefined
        if (opt === undefined) {
          expect(ours.edns).toBeUndefined()
          return
        }
        expect(ours.edns).toMatchObject({
          payloadSize: opt.udpPayloadSize,
          version: 0,
          dnssecOk: opt.flag_do,
        })
        const ecs = opt.options.find((o) => o.code === 8)
        if (ecs === undefined) expect(ours.ecs).toBeUndefined()
        else {
          expect(ours.ecs).toMatchObject({
            family: ecs.family,
            sourcePrefix: ecs.sourcePrefixLength,
            scopePrefix: ecs.scopePrefixLength,
          })
          const address = ours.ecs?.address ?? new Uint8Array()
          expect(ours.ecs?.family === 1 ? address.join('.') : formatIPv6(address)).toBe(
            ecs.family === 1 ? ecs.ip : formatIPv6(Uint8Array.from(ipv6Bytes(ecs.ip ?? ''))),
          )
        }
        const cookie = opt.options.find((o) => o.code === 10)
        if (cookie === undefined) expect(ours.cookie).toBeUndefined()
        else {
          const data = Uint8Array.from(cookie.data ?? [])
          const server = ours.cookie?.server
          expect(Uint8Array.from(ours.cookie?.client ?? [])).toEqual(data.subarray(0, 8))
          expect(server === undefined ? undefined : Uint8Array.from(server)).toEqual(
            data.length > 8 ? data.subarray(8) : undefined,
          )
        }
        expect(ours.nsid).toBe(opt.options.some((o) => o.code === 3))
        expect(ours.keepalive).toBe(opt.options.some((o) => o.code === 11))
      }),
      { numRuns: 1500 },
    )
  })
})

/** The OPT record as dns-packet decodes it (its published types cover less). */
interface PeerOpt {
  readonly udpPayloadSize: number
  readonly flag_do: boolean
  readonly options: readonly {
    readonly code: number
    readonly data?: Uint8Array
    readonly family?: number
    readonly sourcePrefixLength?: number
    readonly scopePrefixLength?: number
    readonly ip?: string
  }[]
}

function typeNumber(name: string): number {
  const known: Record<string, number> = {
    A: 1,
    NS: 2,
    CNAME: 5,
    SOA: 6,
    PTR: 12,
    HINFO: 13,
    MX: 15,
    TXT: 16,
    AAAA: 28,
    SRV: 33,
    DS: 43,
    ANY: 255,
    CAA: 257,
  }
  return known[name] ?? Number(name.replace('UNKNOWN_', ''))
}

// dns-packet writes IPv6 in its own style; compare through bytes.
function ipv6Bytes(text: string): number[] {
  const [head = '', tail] = text.split('::')
  const h = head === '' ? [] : head.split(':')
  const t = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => Number.parseInt(g, 16))
  return groups.flatMap((g) => [g >> 8, g & 0xff])
}
