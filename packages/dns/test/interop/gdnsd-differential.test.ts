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
import { digReply } from './dig.js'
import { GDNSD_PLUGINS, GEO_ECS_VECTORS, gdnsdZone, ORIGIN } from './fixture.js'
import { type Gdnsd, startGdnsd } from './gdnsd-harness.js'
import { brief, PROBES } from './probes.js'
import { requireTools, SKIP_DNS_TOOLS } from './tools.js'

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

let gdnsd: Gdnsd | undefined

function port(): number {
  if (gdnsd === undefined) throw new Error('gdnsd did not start')
  return gdnsd.port
}

describe.skipIf(SKIP_DNS_TOOLS)('gdnsd and ours on the same zone', () => {
  beforeAll(async () => {
    requireTools('dig', 'gdnsd')
    gdnsd = await startGdnsd({ zones: { [ORIGIN]: gdnsdZone() }, plugins: GDNSD_PLUGINS })
  })

  afterAll(async () => {
    await gdnsd?.stop()
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
})
