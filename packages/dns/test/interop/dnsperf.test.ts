// LOAD TEST. dnsperf sends our server a fixed 20,000 queries per second for 5 seconds (10 with
// SHOAL_DNS_LOAD_SECONDS=10, the figure the design asks for; 5 keeps CI short) over UDP, every query
// with an ECS option, over a mix of names that takes every path of the responder: static RRsets,
// a CNAME, NXDOMAIN, NODATA, the weighted pool and the full selection chain. Not one query may be
// lost, and every reply must carry the rcode its name calls for.
//
// The server runs with a 4 MiB UDP receive buffer (`udp.recvBufferSize`, the research's setting, §4):
// on a shared 2-core machine the process is sometimes not scheduled for tens of milliseconds, and
// the default 208 KiB holds only about 250 queries (each small datagram costs ~1 KiB of buffer), an
// eighth of a second at this rate. The buffer absorbs those pauses; the server must still keep up
// on average, or the buffer fills and queries are lost all the same.
//
// Needs dnsperf: a missing tool fails the test; SHOAL_SKIP_DNS_TOOLS=1 skips it.

import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ecsOptionHex, loadServer, runDnsperf } from './dnsperf.js'
import { ORIGIN } from './fixture.js'
import { type OurServer, startOurs } from './our-server.js'
import { requireTools, SKIP_DNS_TOOLS, SKIP_NOTE } from './tools.js'

const RATE = 20_000
/** SO_RCVBUF for the server (the kernel caps it at net.core.rmem_max). */
const RECV_BUFFER = 4 * 1024 * 1024
const SECONDS = Number(process.env.SHOAL_DNS_LOAD_SECONDS ?? 5)

/** The query mix and the rcode each line must get. */
const MIX: readonly (readonly [string, string, 'NOERROR' | 'NXDOMAIN'])[] = [
  [`www.${ORIGIN}`, 'A', 'NOERROR'],
  [`www.${ORIGIN}`, 'AAAA', 'NOERROR'],
  [`txt.${ORIGIN}`, 'TXT', 'NOERROR'],
  [ORIGIN, 'MX', 'NOERROR'],
  [`alias.${ORIGIN}`, 'A', 'NOERROR'],
  [`nope.${ORIGIN}`, 'A', 'NXDOMAIN'],
  [`www.${ORIGIN}`, 'MX', 'NOERROR'],
  [`wgt.${ORIGIN}`, 'A', 'NOERROR'],
  [`chain.${ORIGIN}`, 'A', 'NOERROR'],
]

let ours: OurServer | undefined
let dir: string | undefined

afterEach(async () => {
  await ours?.stop()
  ours = undefined
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

describe.skipIf(SKIP_DNS_TOOLS)(`load (dnsperf)${SKIP_NOTE}`, () => {
  it(`answers ${RATE.toLocaleString('en-US')} queries per second for ${SECONDS} s over UDP without losing one`, {
    timeout: (SECONDS + 25) * 1000,
  }, async () => {
    requireTools('dnsperf')
    ours = await startOurs({ udp: { recvBufferSize: RECV_BUFFER } })
    dir = await mkdtemp(join(tmpdir(), 'shoal-dns-load-'))
    const file = join(dir, 'queries.txt')
    await writeFile(file, `${MIX.map(([name, type]) => `${name} ${type}`).join('\n')}\n`)
    const base = { port: ours.port, file, ednsOption: ecsOptionHex('192.0.2.0/24') }
    // warm the code up first: the fixed-rate run measures a server that has been running
    await runDnsperf({ ...base, runs: 2_000, timeoutSeconds: 1 })
    const result = await loadServer(ours.pid, { ...base, seconds: SECONDS, rate: RATE, timeoutSeconds: 1 })
    const figures =
      `${result.command}: sent ${result.sent}, lost ${result.lost}, ${result.qps.toFixed(0)} qps, ` +
      `average latency ${(result.averageLatencySeconds * 1000).toFixed(2)} ms (max ${(result.maxLatencySeconds * 1000).toFixed(1)} ms), ` +
      `server CPU ${result.serverMicrosPerQuery.toFixed(1)} µs per query`
    // dnsperf sends one query fewer than rate × seconds (its clock starts after the first)
    expect(result.sent, figures).toBeGreaterThanOrEqual(RATE * SECONDS * 0.99)
    expect(result.lost, figures).toBe(0)
    expect(result.completed, figures).toBe(result.sent)
    const nxdomainShare = MIX.filter(([, , rcode]) => rcode === 'NXDOMAIN').length / MIX.length
    expect(Object.keys(result.rcodes).sort(), figures).toEqual(['NOERROR', 'NXDOMAIN'])
    expect((result.rcodes.NXDOMAIN ?? 0) / result.completed, figures).toBeCloseTo(nxdomainShare, 2)
  })
})
