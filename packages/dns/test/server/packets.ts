// Hand-built DNS query packets for the responder's tests (so malformed ones can be made on
// purpose), and dns-packet as the independent decoder of the replies.
import dnsPacket from 'dns-packet'

/** One EDNS option: code and data. */
export interface Option {
  readonly code: number
  readonly data: Uint8Array
}

/** What a test query holds; everything but the name has a default. */
export interface QuerySpec {
  readonly id?: number
  readonly name: string
  readonly type?: number
  readonly qclass?: number
  readonly opcode?: number
  readonly rd?: boolean
  readonly qr?: boolean
  /** QDCOUNT as written in the header (the question is written once). */
  readonly qdcount?: number
  /** An OPT record, or several (a malformed query). */
  readonly edns?: EdnsSpec | readonly EdnsSpec[]
}

/** An OPT record. */
export interface EdnsSpec {
  readonly payload?: number
  readonly version?: number
  readonly do?: boolean
  readonly options?: readonly Option[]
}

function nameBytes(name: string): number[] {
  const out: number[] = []
  for (const label of name.split('.').filter((l) => l !== '')) {
    const bytes = Buffer.from(label, 'latin1')
    out.push(bytes.length, ...bytes)
  }
  out.push(0)
  return out
}

const u16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff]

/** The bytes of a query. */
export function query(spec: QuerySpec): Uint8Array {
  const edns: readonly EdnsSpec[] =
    spec.edns === undefined ? [] : Array.isArray(spec.edns) ? spec.edns : [spec.edns as EdnsSpec]
  const flags = (spec.qr ? 0x8000 : 0) | ((spec.opcode ?? 0) << 11) | (spec.rd === false ? 0 : 0x0100)
  const bytes = [
    ...u16(spec.id ?? 0x1234),
    ...u16(flags),
    ...u16(spec.qdcount ?? 1),
    0,
    0,
    0,
    0,
    ...u16(edns.length),
    ...nameBytes(spec.name),
    ...u16(spec.type ?? 1),
    ...u16(spec.qclass ?? 1),
  ]
  for (const opt of edns) {
    const options = (opt.options ?? []).flatMap((o: Option) => [
      ...u16(o.code),
      ...u16(o.data.length),
      ...o.data,
    ])
    bytes.push(
      0,
      ...u16(41),
      ...u16(opt.payload ?? 1232),
      0,
      opt.version ?? 0,
      opt.do ? 0x80 : 0,
      0,
      ...u16(options.length),
      ...options,
    )
  }
  return Uint8Array.from(bytes)
}

/** An ECS option (RFC 7871) for `address/source`, the address bytes cut to the prefix. */
export function ecsOption(address: string, source: number, scope = 0): Option {
  const v6 = address.includes(':')
  const full = v6 ? ipv6Bytes(address) : address.split('.').map(Number)
  const kept = full.slice(0, Math.ceil(source / 8))
  return { code: 8, data: Uint8Array.from([...u16(v6 ? 2 : 1), source, scope, ...kept]) }
}

function ipv6Bytes(text: string): number[] {
  const [head = '', tail = ''] = text.split('::')
  const h = head === '' ? [] : head.split(':')
  const t = tail === '' ? [] : tail.split(':')
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t]
  return groups.flatMap((g) => u16(Number.parseInt(g, 16)))
}

/** A COOKIE option: the client cookie, then a server cookie if given. */
export function cookieOption(client: Uint8Array, server?: Uint8Array): Option {
  return { code: 10, data: Uint8Array.from([...client, ...(server ?? [])]) }
}

/** A record as dns-packet decodes it, loosely typed for assertions. */
export interface Rec {
  readonly name: string
  readonly type: string
  readonly ttl: number
  // biome-ignore lint/suspicious/noExplicitAny: record data differs by type; tests compare it to literals
  readonly data: any
}

/** A decoded reply, with the header fields dns-packet leaves in `flags`. */
export interface Reply {
  readonly id: number
  readonly questions: readonly { name: string; type: string; class: string }[]
  readonly answers: readonly Rec[]
  readonly authorities: readonly Rec[]
  readonly additionals: readonly Rec[]
  readonly rd: boolean
  readonly raw: Uint8Array
  readonly rcodeNumber: number
  readonly aa: boolean
  readonly tc: boolean
  readonly qr: boolean
  readonly opt:
    | { readonly payload: number; readonly extendedRcode: number; readonly options: readonly Option[] }
    | undefined
}

/** Decodes a reply; the rcode includes the OPT record's extended bits. */
export function decode(bytes: Uint8Array | undefined): Reply {
  if (bytes === undefined) throw new Error('no reply')
  const raw = Uint8Array.from(bytes)
  const packet = dnsPacket.decode(Buffer.from(raw))
  const flags = (raw[2] as number) * 256 + (raw[3] as number)
  const optRecord = (packet.additionals ?? []).find((r) => r.type === 'OPT') as
    | { udpPayloadSize: number; extendedRcode: number; options: { code: number; data: Buffer }[] }
    | undefined
  const opt =
    optRecord === undefined
      ? undefined
      : {
          payload: optRecord.udpPayloadSize,
          extendedRcode: optRecord.extendedRcode,
          options: optRecord.options.map((o: { code: number; data: Buffer }) => ({
            code: o.code,
            data: Uint8Array.from(o.data ?? []),
          })),
        }
  const records = (list: unknown): Rec[] => (list ?? []) as Rec[]
  return {
    id: packet.id ?? 0,
    questions: (packet.questions ?? []) as Reply['questions'],
    answers: records(packet.answers),
    authorities: records(packet.authorities),
    additionals: records(packet.additionals).filter((r) => r.type !== 'OPT'),
    rd: (flags & 0x0100) !== 0,
    raw,
    rcodeNumber: (flags & 0xf) | ((opt?.extendedRcode ?? 0) << 4),
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    qr: (flags & 0x8000) !== 0,
    opt,
  }
}

/** The data of the reply's EDNS option `code`, if it has one. */
export function option(reply: Reply, code: number): Uint8Array | undefined {
  return reply.opt?.options.find((o) => o.code === code)?.data
}
