/**
 * The DNS wire codec in process, beside dns-packet: CPU time per operation, no sockets.
 *
 *   npx tsx --conditions=@shoal/source bench/dns/codec.ts [--ops 200000] [--rounds 7] [--json]
 *
 * Workloads (those of the study's bench-codec): decode a plain query; decode a query with EDNS
 * and client subnet; encode a reply of three A records with an OPT record; and the server path,
 * decode the EDNS query then build and encode its reply. Each round runs every contender in
 * turn (interleaved, after a warm-up) and the table gives the median of the rounds in µs per
 * operation from process.cpuUsage(), and dns-packet's time as a multiple of ours.
 */
import { parseArgs } from 'node:util'
import * as dnsPacket from 'dns-packet'
import {
  decodeQuery,
  encodeA,
  QUESTION_NAME,
  ResponseWriter,
  RRType,
  Section,
  udpLimit,
} from '../../packages/dns/src/wire/index.js'

const { values } = parseArgs({
  options: {
    ops: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '7' },
    json: { type: 'boolean', default: false },
  },
})
const OPS = Number(values.ops)
const ROUNDS = Number(values.rounds)

const plainQuery = dnsPacket.encode({
  type: 'query',
  id: 4242,
  flags: dnsPacket.RECURSION_DESIRED,
  questions: [{ type: 'A', name: 'static.example.com' }],
})
const ednsQuery = dnsPacket.encode({
  type: 'query',
  id: 4242,
  flags: dnsPacket.RECURSION_DESIRED,
  questions: [{ type: 'A', name: 'static.example.com' }],
  additionals: [
    {
      type: 'OPT',
      name: '.',
      udpPayloadSize: 4096,
      options: [
        { code: 'CLIENT_SUBNET', family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: '10.1.2.0' },
      ],
    } as never,
  ],
})
const ADDRESSES = ['192.0.2.1', '192.0.2.2', '192.0.2.3']
const rdatas = ADDRESSES.map(encodeA)
const writer = new ResponseWriter()
const opt = { payloadSize: 1232, ecsScope: 24 }

// The sink keeps results alive so no work is optimised away.
let sink = 0

function oursReply(query: ReturnType<typeof decodeQuery>): Uint8Array {
  writer.begin(query, udpLimit(query), opt)
  writer.authoritative = true
  writer.addRRset(Section.ANSWER, QUESTION_NAME, RRType.A, 300, rdatas)
  return writer.finish()
}

function peerReply(query: dnsPacket.DecodedPacket): Buffer {
  const question = query.questions?.[0]
  const ecs = (
    query.additionals?.[0] as unknown as {
      options?: { code: number; ip?: string; sourcePrefixLength?: number }[]
    }
  )?.options?.find((o) => o.code === 8)
  return dnsPacket.encode({
    type: 'response',
    id: query.id ?? 0,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | (query.flags ?? 0),
    questions: query.questions ?? [],
    answers: ADDRESSES.map((data) => ({ type: 'A', name: question?.name ?? '', ttl: 300, data })),
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: 1232,
        options:
          ecs === undefined
            ? []
            : [
                {
                  code: 'CLIENT_SUBNET',
                  family: 1,
                  sourcePrefixLength: ecs.sourcePrefixLength,
                  scopePrefixLength: 24,
                  ip: ecs.ip,
                },
              ],
      } as never,
    ],
  })
}

const decodedEdns = decodeQuery(ednsQuery)
const peerDecodedEdns = dnsPacket.decode(ednsQuery)

interface Contender {
  readonly name: string
  readonly run: () => void
}
interface Comparison {
  readonly workload: string
  readonly ours: Contender
  readonly peer: Contender
}

const comparisons: Comparison[] = [
  {
    workload: `decode, plain query (${plainQuery.length} B)`,
    ours: { name: 'decodeQuery', run: () => (sink += decodeQuery(plainQuery).qtype) },
    peer: { name: 'dns-packet', run: () => (sink += dnsPacket.decode(plainQuery).id ?? 0) },
  },
  {
    workload: `decode, EDNS + ECS query (${ednsQuery.length} B)`,
    ours: { name: 'decodeQuery', run: () => (sink += decodeQuery(ednsQuery).ecs?.sourcePrefix ?? 0) },
    peer: { name: 'dns-packet', run: () => (sink += dnsPacket.decode(ednsQuery).additionals?.length ?? 0) },
  },
  {
    workload: 'encode, 3 A answers + OPT with ECS',
    ours: { name: 'ResponseWriter', run: () => (sink += oursReply(decodedEdns).length) },
    peer: { name: 'dns-packet', run: () => (sink += peerReply(peerDecodedEdns).length) },
  },
  {
    workload: 'server path: decode EDNS + ECS query, build and encode the reply',
    ours: {
      name: 'decodeQuery + ResponseWriter',
      run: () => (sink += oursReply(decodeQuery(ednsQuery)).length),
    },
    peer: { name: 'dns-packet', run: () => (sink += peerReply(dnsPacket.decode(ednsQuery)).length) },
  },
]

function timeOps(run: () => void, ops: number): number {
  const start = process.cpuUsage()
  for (let i = 0; i < ops; i++) run()
  const used = process.cpuUsage(start)
  return ((used.user + used.system) * 1000) / ops // ns per op
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

// The replies agree before anything is timed.
const ours = dnsPacket.decode(Buffer.from(oursReply(decodeQuery(ednsQuery))))
const theirs = dnsPacket.decode(peerReply(dnsPacket.decode(ednsQuery)))
if (JSON.stringify(ours.answers) !== JSON.stringify(theirs.answers)) throw new Error('the replies differ')

const results = comparisons.map((c) => {
  for (const contender of [c.ours, c.peer]) timeOps(contender.run, Math.min(OPS, 50_000)) // warm-up
  const oursNs: number[] = []
  const peerNs: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    oursNs.push(timeOps(c.ours.run, OPS))
    peerNs.push(timeOps(c.peer.run, OPS))
  }
  return { workload: c.workload, ours: median(oursNs) / 1000, peer: median(peerNs) / 1000 }
})

const replyBytes = { ours: oursReply(decodedEdns).length, peer: peerReply(peerDecodedEdns).length }
if (values.json) {
  process.stdout.write(
    `${JSON.stringify({ node: process.version, ops: OPS, rounds: ROUNDS, results, replyBytes, sink: sink > 0 })}\n`,
  )
} else {
  const rows = results.map(
    (r) =>
      `| ${r.workload} | ${r.ours.toFixed(2)} | ${r.peer.toFixed(2)} | ${(r.peer / r.ours).toFixed(1)}× |`,
  )
  process.stdout.write(
    [
      `Node ${process.version}, ${OPS} operations × ${ROUNDS} rounds, CPU µs per operation (median of rounds)`,
      '',
      '| workload | @shoal/dns wire | dns-packet 5.6.1 | dns-packet / ours |',
      '| --- | --- | --- | --- |',
      ...rows,
      '',
      `reply bytes: ours ${replyBytes.ours}, dns-packet ${replyBytes.peer} (no name compression)`,
      '',
    ].join('\n'),
  )
}
