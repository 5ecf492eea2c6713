// Differential test against a real gdnsd 3.8 (Debian's `gdnsd`, which CI installs): the same zone
// and equivalent pools on gdnsd and on ours, asked the same query corpus with dig (names × types ×
// ECS prefixes × EDNS and transport variations) and the same hand-made protocol probes. Rcode,
// header flags, every section as a set (TTLs apart), the OPT record and the ECS scope must agree;
// a pool that draws at random is compared by membership. Where ours differs on purpose, the
// difference is named below with its reason, and each named difference must still occur.
//
// First, gdnsd itself is pinned to the behaviour the research recorded (§5 and §7.5), so a change
// of the reference (another gdnsd version in CI) shows as such and not as a fault of ours.
//
// Needs dig and gdnsd: a missing tool fails the test; SHOAL_SKIP_DNS_TOOLS=1 skips it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  askAll,
  type CorpusCase,
  compare,
  corpus,
  type Difference,
  formatMismatches,
  type Mismatch,
  triage,
} from './corpus.js'
import { digReply } from './dig.js'
import { GDNSD_PLUGINS, GEO_ECS_VECTORS, gdnsdZone, ORIGIN } from './fixture.js'
import { type Gdnsd, startGdnsd } from './gdnsd-harness.js'
import { type OurServer, startOurs } from './our-server.js'
import { brief, PROBES, type ProbeOutcome } from './probes.js'
import { requireTools, SKIP_DNS_TOOLS, SKIP_NOTE } from './tools.js'

/** gdnsd 3.8.1's outcome for each probe, as recorded on Debian 12. */
const GDNSD_PROBE_OUTCOMES: Readonly<Record<string, string>> = {
  'still answers after 600 garbage datagrams': 'rcode 0, qr aa rd, OPT',
  'QR=1 (a response) gets no reply': 'no reply',
  'ECS address bits beyond the source prefix → FORMERR': 'rcode 1, qr rd, OPT',
  'ECS address longer than the prefix needs → FORMERR': 'rcode 1, qr rd, OPT',
  'ECS address shorter than the prefix needs → FORMERR': 'rcode 1, qr rd, OPT',
  'ECS source prefix 33 for IPv4 → FORMERR': 'rcode 1, qr rd, OPT',
  'ECS unknown family → FORMERR': 'rcode 1, qr rd, OPT',
  'ECS with a non-zero scope in the query → FORMERR': 'rcode 1, qr rd, OPT',
  'ECS option cut short → FORMERR': 'rcode 1, qr rd, OPT',
  'ECS source 0 → answered from the resolver, scope 0': 'rcode 0, qr aa rd, OPT',
  'ECS IPv6 /48 → the v6 default, with its scope': 'rcode 0, qr aa rd, OPT',
  'EDNS version 1 → BADVERS with an OPT of version 0': 'rcode 16, qr rd, OPT',
  'two OPT records → FORMERR': 'rcode 1, qr rd, OPT',
  'unknown EDNS option → NOERROR, OPT': 'rcode 0, qr aa rd, OPT',
  'QDCOUNT=2 → FORMERR': 'rcode 1, qr rd',
  'QDCOUNT=0 → FORMERR': 'rcode 1, qr rd',
  'ANCOUNT=1 in a query → FORMERR': 'rcode 1, qr rd',
  'NSCOUNT=1 in a query → FORMERR': 'rcode 1, qr rd',
  'opcode NOTIFY → NOTIMP': 'rcode 4, qr rd, OPT',
  'opcode UPDATE → NOTIMP': 'rcode 4, qr rd, OPT',
  'opcode 15 → NOTIMP': 'rcode 4, qr rd, OPT',
  'out-of-zone name → REFUSED, AA clear': 'rcode 5, qr rd, OPT',
  'ANY at the apex over UDP → RFC 8482 HINFO': 'rcode 0, qr aa rd, OPT',
  'ANY without EDNS → RFC 8482 HINFO': 'rcode 0, qr aa rd',
  'AXFR over UDP → NOTIMP': 'rcode 4, qr rd, OPT',
  'IXFR over UDP → NOTIMP': 'rcode 4, qr rd, OPT',
  'CH TXT version.bind': 'rcode 0, qr rd, OPT',
  'class HS → REFUSED': 'rcode 5, qr rd, OPT',
  'class ANY → answered as IN': 'rcode 0, qr aa rd, OPT',
  'meta type RRSIG → NODATA': 'rcode 0, qr aa rd, OPT',
  'type 0 → NODATA': 'rcode 0, qr aa rd, OPT',
  'payload size 100 → treated as 512': 'rcode 0, qr aa rd, OPT',
  'large RRset, payload 4096 → TC above the 1232 cap': 'rcode 0, qr aa tc rd, OPT',
  'large RRset without EDNS → TC': 'rcode 0, qr aa tc rd',
  'NSID asked, none configured': 'rcode 0, qr aa rd, OPT',
  'cookie of 5 bytes → FORMERR': 'rcode 1, qr rd, OPT',
  'keepalive asked over UDP → not given': 'rcode 0, qr aa rd, OPT',
  'OPT with a non-root owner': 'rcode 0, qr aa rd',
  'compression pointer in the question → FORMERR': 'rcode 1, qr rd',
  '64-octet label → FORMERR': 'rcode 1, qr rd',
  '11-byte datagram → no reply': 'no reply',
  'header only → FORMERR': 'rcode 1, qr rd',
  'question cut short → FORMERR': 'rcode 1, qr rd',
  'bytes after the last record → ignored': 'rcode 0, qr aa rd, OPT',
  'upper-case name → echoed as sent': 'rcode 0, qr aa rd, OPT',
  'RD clear → copied': 'rcode 0, qr aa, OPT',
  'AA, TC and Z set in a query → ignored': 'rcode 0, qr aa rd, OPT',
  'an rcode in a query → ignored': 'rcode 0, qr aa rd, OPT',
  'TCP: length prefix split across writes': 'tcp [4660] open',
  'TCP: three pipelined queries': 'tcp [4660,2,3] open',
  'TCP: zero-length frame → closed': 'tcp [] closed',
  'TCP: QR=1 → no reply, closed': 'tcp [] closed',
  'TCP: five bytes of garbage → closed': 'tcp [] closed',
}

/** Subnets in private or loopback space (RFC 1918, RFC 1122): ours ignores them in ECS. */
const PRIVATE_SUBNET = /^(10\.|127\.)/

/** The ECS subnet a corpus case sent, if any. */
function subnetOf(c: CorpusCase): string {
  return c.options.subnet ?? ''
}

/**
 * Where ours answers differently from gdnsd on purpose. Each explains a set of mismatches of the
 * corpus; the test fails if a mismatch is explained by none, and if one of these no longer occurs.
 */
const DIFFERENCES: readonly Difference[] = [
  {
    id: 'payload size advertised',
    reason:
      'gdnsd advertises 1024 bytes in its OPT record whatever its max_edns_response (1232 by default); ' +
      'ours advertises the size it actually allows, its maxUdpPayload (1232)',
    explains: (m) => m.field === 'opt.udp',
  },
  {
    id: 'SOA TTL in positive answers',
    reason:
      "gdnsd clamps the SOA record's own TTL to its MINIMUM field everywhere; ours serves the SOA with the " +
      "zone file's TTL and uses min(TTL, MINIMUM) only in negative answers, where RFC 2308 §3 asks for it",
    explains: (m, c) => m.field === 'answer.ttl' && c.type === 'SOA',
  },
  {
    id: 'additional addresses',
    reason:
      'ours adds the in-zone addresses of the hosts an MX, NS or SRV answer names (RFC 1034 §4.3.2 step 6), ' +
      'saving the resolver a query; gdnsd sends minimal responses',
    explains: (m, c) =>
      m.field === 'additional' && ['MX', 'NS', 'SRV'].includes(c.type) && m.reference === '',
  },
  {
    id: 'private ECS subnets',
    reason:
      'a client subnet in private or loopback space (10/8, 127/8) says nothing about where the client is ' +
      '(RFC 7871 §10): ours selects on the resolver address instead, with the scope of the private network; ' +
      'gdnsd looks the private subnet up in its map',
    explains: (m, c) =>
      PRIVATE_SUBNET.test(subnetOf(c)) &&
      (m.field === 'answer' || m.field === 'answer.ttl' || m.field === 'ecs.scope'),
  },
  {
    id: 'scope of negative answers',
    reason:
      'an empty answer (NODATA for AAAA at an address pool that has only IPv4 addresses) does not depend ' +
      'on the client, so ours returns scope 0; gdnsd returns the scope its geoip map computed',
    explains: (m, c) => m.field === 'ecs.scope' && c.type !== 'A' && m.ours === '0',
  },
  {
    id: 'IPv6 clients of an IPv4-only map',
    reason:
      'the nets map has no IPv6 network, so every IPv6 client gets the default and the answer does not ' +
      'depend on the address: ours returns scope 0; gdnsd returns /21, an artefact of its IPv6 trie, which ' +
      'carves the IPv4-compatible, 6to4 and Teredo spaces out of ::/0',
    explains: (m, c) => m.field === 'ecs.scope' && subnetOf(c).includes(':') && m.ours === '0',
  },
  {
    id: 'keepalive unasked',
    reason:
      'gdnsd sends edns-tcp-keepalive in every TCP reply to an EDNS query; ours only when the query carried ' +
      'the option (RFC 7828 §3.3.2 allows both)',
    // over TCP: asked with +tcp, or retried by dig after a truncated UDP reply
    explains: (m, c) => m.field === 'opt.keepalive' && c.options.keepalive !== true && m.ours === 'false',
  },
]

/** Where ours answers a protocol probe differently from gdnsd on purpose (same rules as above). */
const PROBE_DIFFERENCES: readonly { readonly probes: readonly string[]; readonly reason: string }[] = [
  {
    probes: ['CH TXT version.bind'],
    reason:
      'ours does not tell its software and version to anyone who asks (research §7.4: configurable or ' +
      'refused): CHAOS-class queries are REFUSED; gdnsd answers "gdnsd/3"',
  },
  {
    probes: ['class ANY → answered as IN'],
    reason:
      'ours answers class IN only and refuses the others, QCLASS ANY (255) included; gdnsd treats ANY as IN',
  },
  {
    probes: ['OPT with a non-root owner'],
    reason:
      'an OPT record must be owned by the root (RFC 6891 §6.1.2): ours rejects the query with FORMERR; gdnsd ' +
      'ignores that OPT and answers as if the query had no EDNS',
  },
  {
    probes: ['bytes after the last record → ignored'],
    reason: 'ours decodes strictly and answers FORMERR to bytes after the last record; gdnsd ignores them',
  },
  {
    probes: ['ECS IPv6 /48 → the v6 default, with its scope'],
    reason: 'scope 0 for an IPv6 client of an IPv4-only map (see "IPv6 clients of an IPv4-only map")',
  },
]

let gdnsd: Gdnsd | undefined
let ours: OurServer | undefined

function port(): number {
  if (gdnsd === undefined) throw new Error('gdnsd did not start')
  return gdnsd.port
}

function ourPort(): number {
  if (ours === undefined) throw new Error('our server did not start')
  return ours.port
}

describe.skipIf(SKIP_DNS_TOOLS)(`gdnsd and ours on the same zone${SKIP_NOTE}`, () => {
  beforeAll(async () => {
    requireTools('dig', 'gdnsd')
    gdnsd = await startGdnsd({ zones: { [ORIGIN]: gdnsdZone() }, plugins: GDNSD_PLUGINS })
    ours = await startOurs()
  })

  afterAll(async () => {
    await gdnsd?.stop()
    await ours?.stop()
  })

  describe('gdnsd 3.8, the reference, answers as recorded', () => {
    it('with the research ECS scopes: the merged supernet of the nets map (/8, /5, /6…)', async () => {
      for (const vector of GEO_ECS_VECTORS) {
        const reply = await digReply(port(), `geo.${ORIGIN}`, 'A', { subnet: vector.subnet })
        expect({
          subnet: vector.subnet,
          answer: reply.answer.map((r) => r.data),
          scope: reply.opt?.ecs?.scopePrefix,
        }).toEqual({
          subnet: vector.subnet,
          answer: [vector.address],
          scope: vector.scope,
        })
      }
    })

    it('with scope 0 for static data and negative answers', async () => {
      for (const name of [`www.${ORIGIN}`, `nope.${ORIGIN}`]) {
        const reply = await digReply(port(), name, 'A', { subnet: '203.0.113.0/24' })
        expect(reply.opt?.ecs).toEqual({ address: '203.0.113.0', sourcePrefix: 24, scopePrefix: 0 })
      }
    })

    it('to every protocol probe', async () => {
      const outcomes: Record<string, string> = {}
      for (const probe of PROBES) outcomes[probe.id] = brief(await probe.run(port()))
      expect(outcomes).toEqual(GDNSD_PROBE_OUTCOMES)
    })
  })

  describe('ours beside gdnsd', () => {
    it('answers the dig corpus as gdnsd does, but for the named differences', async () => {
      const cases = corpus()
      const [reference, mine] = await Promise.all([askAll(port(), cases), askAll(ourPort(), cases)])
      const mismatches: Mismatch[] = []
      for (const c of cases) {
        const a = reference.get(c.id)
        const b = mine.get(c.id)
        if (a === undefined || b === undefined) throw new Error(`${c.id}: not asked`)
        mismatches.push(...compare(c, a, b))
      }
      const { explained, unexplained } = triage(mismatches, new Map(cases.map((c) => [c.id, c])), DIFFERENCES)
      expect(
        unexplained,
        `differences no entry of DIFFERENCES explains:\n${formatMismatches(unexplained)}`,
      ).toEqual([])
      const stale = DIFFERENCES.filter((d) => (explained.get(d.id)?.length ?? 0) === 0).map((d) => d.id)
      expect(stale, 'named differences that no longer occur: remove them').toEqual([])
    })

    it('answers every protocol probe as gdnsd does, but for the named differences', async () => {
      const differs: Record<string, { gdnsd: string; ours: string }> = {}
      for (const probe of PROBES) {
        const reference: ProbeOutcome = await probe.run(port())
        const mine: ProbeOutcome = await probe.run(ourPort())
        if (JSON.stringify(reference) !== JSON.stringify(mine))
          differs[probe.id] = { gdnsd: JSON.stringify(reference), ours: JSON.stringify(mine) }
      }
      const named = new Set(PROBE_DIFFERENCES.flatMap((d) => d.probes))
      const unexplained = Object.entries(differs).filter(([id]) => !named.has(id))
      expect(unexplained, 'probe outcomes that differ from gdnsd without a named reason').toEqual([])
      const stale = [...named].filter((id) => differs[id] === undefined)
      expect(stale, 'named probe differences that no longer occur: remove them').toEqual([])
    })
  })
})
