// The protocol probe table (research §5, extended): hand-made packets dig cannot send, each reduced
// to an outcome two servers can be compared on. gdnsd's outcome is the reference behaviour.

import { ORIGIN } from './fixture.js'
import {
  ecsOption,
  frame,
  optRecord,
  patch16,
  probeQuery,
  replyEcs,
  summarise,
  tcpExchange,
  udpBlast,
  udpExchange,
} from './probe.js'

/** What a probe saw, in comparable form. */
export type ProbeOutcome =
  | { readonly reply: 'none' }
  | {
      readonly reply: 'udp'
      readonly rcode: number
      readonly flags: string
      /** Question, answer, authority, additional counts (the OPT record included). */
      readonly counts: string
      readonly opt: 'none' | `version ${number}`
      readonly ecs: string
      readonly answers: string
      /** The question section came back byte for byte (case included). */
      readonly questionEchoed: boolean
    }
  | {
      readonly reply: 'tcp'
      /** IDs of the replies, in arrival order. */
      readonly ids: string
      readonly rcodes: string
      readonly closed: boolean
    }

/** One probe: a name, and how to run it against a server on `port`. */
export interface Probe {
  readonly id: string
  run(port: number): Promise<ProbeOutcome>
}

const WWW = `www.${ORIGIN}`
const GEO = `geo.${ORIGIN}`

function udpOutcome(query: Uint8Array, reply: Buffer | undefined): ProbeOutcome {
  if (reply === undefined) return { reply: 'none' }
  const s = summarise(reply)
  const ecs = replyEcs(s)
  const sent = Buffer.from(query)
  // the question of the query: from byte 12 to the end of its name + 4, when QDCOUNT is 1
  let end = 12
  while (end < sent.length && sent[end] !== 0 && ((sent[end] as number) & 0xc0) === 0)
    end += 1 + (sent[end] as number)
  const question = sent.subarray(12, Math.min(end + 5, sent.length))
  return {
    reply: 'udp',
    rcode: s.rcode,
    flags: s.flags.join(' '),
    counts: s.counts.join(','),
    opt: s.opt === undefined ? 'none' : `version ${s.opt.version}`,
    ecs: ecs === undefined ? 'none' : `family ${ecs.family} source ${ecs.source} scope ${ecs.scope}`,
    answers: [...s.answers].sort().join(' | '),
    questionEchoed: s.counts[0] === 1 && s.questionBytes.equals(question),
  }
}

function udp(id: string, query: Uint8Array): Probe {
  return { id, run: async (port) => udpOutcome(query, await udpExchange(port, query)) }
}

function tcp(id: string, chunks: readonly Uint8Array[], expect: number): Probe {
  return {
    id,
    async run(port) {
      const result = await tcpExchange(port, chunks, expect, { timeoutMs: 1_000 })
      return {
        reply: 'tcp',
        ids: result.replies.map((r) => r.readUInt16BE(0)).join(','),
        rcodes: result.replies.map((r) => summarise(r).rcode).join(','),
        closed: result.closed,
      }
    },
  }
}

const plain = probeQuery({ name: WWW, edns: {} })

/** Seeded garbage: `count` datagrams of 1–64 random bytes, and mutated copies of a real query. */
export function garbage(count: number, seed = 0x5eed): Buffer[] {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const out: Buffer[] = []
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      const bytes = Buffer.alloc(1 + Math.floor(next() * 64))
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(next() * 256)
      out.push(bytes)
    } else {
      const bytes = Buffer.from(plain)
      for (let flips = 0; flips < 3; flips++)
        bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256)
      // never a copy that is still a well-formed query for the same name: keep QR set on half of them
      if (i % 4 === 1) bytes[2] = (bytes[2] as number) | 0x80
      out.push(bytes)
    }
  }
  return out
}

/** The probes, in the order of research §5's table, then the further cases found on gdnsd. */
export const PROBES: readonly Probe[] = [
  {
    id: 'still answers after 600 garbage datagrams',
    async run(port) {
      await udpBlast(port, garbage(600))
      // alive, not lossless: the flood may still fill the socket buffer, so ask up to three times
      // (a server in this process drains it only between our sends)
      for (let attempt = 0; attempt < 3; attempt++) {
        const reply = await udpExchange(port, plain, 500)
        if (reply !== undefined) return udpOutcome(plain, reply)
      }
      return { reply: 'none' }
    },
  },
  udp('QR=1 (a response) gets no reply', patch16(plain, 2, 0x8100)),
  udp(
    'ECS address bits beyond the source prefix → FORMERR',
    probeQuery({ name: GEO, edns: { options: [ecsOption(1, 20, [10, 1, 255])] } }),
  ),
  udp(
    'ECS address longer than the prefix needs → FORMERR',
    probeQuery({ name: GEO, edns: { options: [ecsOption(1, 8, [10, 1, 0])] } }),
  ),
  udp(
    'ECS address shorter than the prefix needs → FORMERR',
    probeQuery({ name: GEO, edns: { options: [ecsOption(1, 24, [10, 1])] } }),
  ),
  udp(
    'ECS source prefix 33 for IPv4 → FORMERR',
    probeQuery({ name: GEO, edns: { options: [ecsOption(1, 33, [10, 1, 2, 3, 4])] } }),
  ),
  udp(
    'ECS unknown family → FORMERR',
    probeQuery({ name: GEO, edns: { options: [ecsOption(3 as 1, 8, [10])] } }),
  ),
  udp(
    'ECS with a non-zero scope in the query → FORMERR',
    probeQuery({ name: GEO, edns: { options: [ecsOption(1, 24, [10, 1, 2], 24)] } }),
  ),
  udp(
    'ECS option cut short → FORMERR',
    probeQuery({ name: GEO, edns: { options: [{ code: 8, data: Uint8Array.from([0, 1, 24]) }] } }),
  ),
  udp(
    'ECS source 0 → answered from the resolver, scope 0',
    probeQuery({ name: GEO, edns: { options: [ecsOption(1, 0, [])] } }),
  ),
  udp(
    'ECS IPv6 /48 → the v6 default, with its scope',
    probeQuery({ name: GEO, edns: { options: [ecsOption(2, 48, [0x20, 1, 0xd, 0xb8, 0, 0])] } }),
  ),
  udp('EDNS version 1 → BADVERS with an OPT of version 0', probeQuery({ name: WWW, edns: { version: 1 } })),
  udp('two OPT records → FORMERR', Buffer.concat([patch16(plain, 10, 2), optRecord({})])),
  udp(
    'unknown EDNS option → NOERROR, OPT',
    probeQuery({ name: WWW, edns: { options: [{ code: 65001, data: Uint8Array.from([1, 2, 3]) }] } }),
  ),
  udp('QDCOUNT=2 → FORMERR', patch16(plain, 4, 2)),
  udp('QDCOUNT=0 → FORMERR', patch16(plain, 4, 0)),
  udp('ANCOUNT=1 in a query → FORMERR', patch16(plain, 6, 1)),
  udp('NSCOUNT=1 in a query → FORMERR', patch16(plain, 8, 1)),
  udp('opcode NOTIFY → NOTIMP', probeQuery({ name: WWW, opcode: 4, edns: {} })),
  udp('opcode UPDATE → NOTIMP', probeQuery({ name: WWW, opcode: 5, edns: {} })),
  udp('opcode 15 → NOTIMP', probeQuery({ name: WWW, opcode: 15, edns: {} })),
  udp('out-of-zone name → REFUSED, AA clear', probeQuery({ name: 'www.example.org', edns: {} })),
  udp('ANY at the apex over UDP → RFC 8482 HINFO', probeQuery({ name: ORIGIN, type: 255, edns: {} })),
  udp('ANY without EDNS → RFC 8482 HINFO', probeQuery({ name: ORIGIN, type: 255 })),
  udp('AXFR over UDP → NOTIMP', probeQuery({ name: ORIGIN, type: 252, edns: {} })),
  udp('IXFR over UDP → NOTIMP', probeQuery({ name: ORIGIN, type: 251, edns: {} })),
  udp('CH TXT version.bind', probeQuery({ name: 'version.bind', type: 16, class: 3, edns: {} })),
  udp('class HS → REFUSED', probeQuery({ name: WWW, class: 4, edns: {} })),
  udp('class ANY → answered as IN', probeQuery({ name: WWW, class: 255, edns: {} })),
  udp('meta type RRSIG → NODATA', probeQuery({ name: WWW, type: 46, edns: {} })),
  udp('type 0 → NODATA', probeQuery({ name: WWW, type: 0, edns: {} })),
  udp('payload size 100 → treated as 512', probeQuery({ name: WWW, edns: { udp: 100 } })),
  udp(
    'large RRset, payload 4096 → TC above the 1232 cap',
    probeQuery({ name: `big.${ORIGIN}`, edns: { udp: 4096 } }),
  ),
  udp('large RRset without EDNS → TC', probeQuery({ name: `big.${ORIGIN}` })),
  udp(
    'NSID asked, none configured',
    probeQuery({ name: WWW, edns: { options: [{ code: 3, data: new Uint8Array() }] } }),
  ),
  udp(
    'cookie of 5 bytes → FORMERR',
    probeQuery({ name: WWW, edns: { options: [{ code: 10, data: Uint8Array.from([1, 2, 3, 4, 5]) }] } }),
  ),
  udp(
    'keepalive asked over UDP → not given',
    probeQuery({ name: WWW, edns: { options: [{ code: 11, data: new Uint8Array() }] } }),
  ),
  udp(
    'OPT with a non-root owner',
    Buffer.concat([
      patch16(probeQuery({ name: WWW }), 10, 1),
      Buffer.from([1, 0x61, 0]),
      optRecord({}).subarray(1),
    ]),
  ),
  udp(
    'compression pointer in the question → FORMERR',
    Buffer.concat([patch16(plain, 10, 0).subarray(0, 12), Buffer.from([0xc0, 12, 0, 1, 0, 1])]),
  ),
  udp('64-octet label → FORMERR', probeQuery({ name: `${'a'.repeat(64)}.${ORIGIN}` })),
  udp('11-byte datagram → no reply', plain.subarray(0, 11)),
  udp('header only → FORMERR', plain.subarray(0, 12)),
  udp('question cut short → FORMERR', plain.subarray(0, 20)),
  udp('bytes after the last record → ignored', Buffer.concat([plain, Buffer.from([1, 2, 3])])),
  udp('upper-case name → echoed as sent', probeQuery({ name: 'WWW.EXAMPLE.COM', edns: {} })),
  udp('RD clear → copied', probeQuery({ name: WWW, recursionDesired: false, edns: {} })),
  udp('AA, TC and Z set in a query → ignored', patch16(plain, 2, 0x0100 | 0x0400 | 0x0200 | 0x0040)),
  udp('an rcode in a query → ignored', patch16(plain, 2, 0x0103)),
  tcp('TCP: length prefix split across writes', [frame(plain).subarray(0, 1), frame(plain).subarray(1)], 1),
  tcp(
    'TCP: three pipelined queries',
    [Buffer.concat([frame(plain), frame(patch16(plain, 0, 2)), frame(patch16(plain, 0, 3))])],
    3,
  ),
  tcp('TCP: zero-length frame → closed', [Buffer.from([0, 0])], 1),
  tcp('TCP: QR=1 → no reply, closed', [frame(patch16(plain, 2, 0x8100))], 1),
  tcp('TCP: five bytes of garbage → closed', [frame(Buffer.from([1, 2, 3, 4, 5]))], 1),
]

/** An outcome in a few words: `rcode 1, qr rd, OPT` / `no reply` / `tcp 4660,2,3 open`. */
export function brief(outcome: ProbeOutcome): string {
  if (outcome.reply === 'none') return 'no reply'
  if (outcome.reply === 'tcp') return `tcp [${outcome.ids}] ${outcome.closed ? 'closed' : 'open'}`
  return `rcode ${outcome.rcode}, ${outcome.flags}${outcome.opt === 'none' ? '' : ', OPT'}`
}
