import { invalidArgument } from '@shoal/core'
import type { Explanation } from '../select/selector.js'
import { RRType } from '../wire/constants.js'
import { type DecodedRecord, decodeMessage } from '../wire/message.js'
import { canonicalName, nameToWire } from '../wire/name.js'
import { parseIPv4, parseIPv6 } from '../wire/rdata.js'
import { decodeRdata } from '../zone/decode-rdata.js'
import { formatRecordData } from '../zone/format.js'
import { KNOWN_TYPES, knownType, otherMnemonic, typeName } from '../zone/record-data.js'
import type { Responder } from './responder.js'
import { longestZone } from './serving.js'

/** A question to explain: what a client at `client` (with an optional ECS subnet) asks. */
export interface ExplainRequest {
  /** The query name. */
  readonly name: string
  /** The query type: a mnemonic (`A`, `AAAA`, `MX`, `TYPE65`) or a number (default A). */
  readonly type?: string | number | undefined
  /** The resolver's address, the packet's source (default 127.0.0.1). */
  readonly client?: string | undefined
  /** An EDNS Client Subnet, `198.51.100.0/24`. */
  readonly ecs?: string | undefined
  /** The transport the answer is sized for (default `udp`, with a 1232-byte EDNS buffer). */
  readonly transport?: 'udp' | 'tcp' | undefined
}

/** One record of an explained reply, in presentation form. */
export interface ExplainedRecord {
  readonly name: string
  readonly ttl: number
  readonly type: string
  readonly data: string
}

/** Which answers a client would get, and why. */
export interface ExplainResult {
  /** The question as asked. */
  readonly query: {
    readonly name: string
    readonly type: string
    readonly client: string
    readonly ecs: string | undefined
  }
  /** The response code by name (`NOERROR`, `NXDOMAIN`, `REFUSED`, …). */
  readonly rcode: string
  /** AA: the answer is authoritative (clear for referrals and REFUSED). */
  readonly authoritative: boolean
  /** TC: the reply did not fit the transport's size and the client retries over TCP. */
  readonly truncated: boolean
  readonly answer: readonly ExplainedRecord[]
  readonly authority: readonly ExplainedRecord[]
  readonly additional: readonly ExplainedRecord[]
  /** The ECS scope the reply carries (when the question had ECS). */
  readonly ecsScope: number | undefined
  /** The zone the name falls in. */
  readonly zone: string | undefined
  /** Why, step by step, in words. */
  readonly reasons: readonly string[]
  /** For a dynamic name: the selection pipeline's trace (every filter and the candidates it left). */
  readonly selection: Explanation | undefined
}

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED']

/**
 * Explains what `responder` answers a question, and why: the reply a client would get (run
 * through the responder itself, so it is exactly what it serves) and, for a dynamic name, the
 * selection pipeline's trace — gdnsd's `gdnsd_geoip_test`, for any filter chain. For random
 * filters (shuffles, weighted draws) the answer is one draw, the one the trace shows.
 *
 * @example
 * ```ts
 * const why = explainAnswer(server.responder, { name: 'www.example.com', type: 'A', client: '192.0.2.1', ecs: '198.51.100.0/24' })
 * why.reasons // ['example.com is served here', 'www.example.com is dynamic: A from pool "web"', …]
 * ```
 */
export function explainAnswer(responder: Responder, request: ExplainRequest): ExplainResult {
  const serving = responder.serving
  const qtype = parseType(request.type ?? 'A')
  const client = request.client ?? '127.0.0.1'
  if (parseIPv4(client) === undefined && parseIPv6(client) === undefined)
    throw invalidArgument(`--client "${client}" is not an IPv4 or IPv6 address`)
  const ecs = request.ecs === undefined ? undefined : parseSubnet(request.ecs)
  let key: string
  try {
    key = canonicalName(request.name)
  } catch (error) {
    throw invalidArgument(`"${request.name}" is not a domain name: ${(error as Error).message}`)
  }

  const reasons: string[] = []
  const zone = longestZone(serving.zones, key)
  if (zone === undefined)
    reasons.push(
      `${shown(key)} is in none of the zones served (${[...serving.zones.keys()].map(shown).join(', ')}): REFUSED`,
    )
  else reasons.push(`${shown(key)} falls in zone ${shown(zone.origin)}`)

  // the selection's trace, for a dynamic name and a type its pools answer
  let selection: Explanation | undefined
  const node = serving.dynamic.get(key)
  if (zone !== undefined && node !== undefined) {
    const pool = node.cname ?? (qtype === RRType.A ? node.a : qtype === RRType.AAAA ? node.aaaa : undefined)
    if (pool !== undefined && serving.selector !== undefined) {
      reasons.push(
        `${shown(key)} is dynamic: ${node.cname !== undefined ? 'CNAME' : typeName(qtype)} from pool "${pool}"`,
      )
      selection = serving.selector.explain(pool, {
        qtype: node.cname !== undefined ? qtype : qtype,
        qname: key,
        resolver: client,
        ecs,
      })
      reasons.push(
        `the selection read ${selection.client.address}/${selection.client.prefix} (${clientSource(selection.client.source)}) and answered from pool "${selection.answeredBy}": ${selection.outcome}${selection.failed ? ' (a pool failed: fail-open answers)' : ''}${selection.degraded ? `, TTL ${selection.ttl} (something is down)` : ''}`,
      )
    } else reasons.push(`${shown(key)} is dynamic, but not for ${typeName(qtype)}: the zone answers`)
  }
  if (zone !== undefined && selection === undefined) {
    const found = zone.lookup(key)
    if (found.kind === 'answer')
      reasons.push(`the zone holds ${shown(key)}: ${[...found.rrsets.keys()].map(typeName).join(', ')}`)
    else if (found.kind === 'wildcard')
      reasons.push(`no ${shown(key)} in the zone; the wildcard ${shown(found.name)} covers it`)
    else if (found.kind === 'delegation')
      reasons.push(`${shown(key)} is delegated at ${shown(found.name)}: a referral`)
    else if (found.kind === 'nodata')
      reasons.push(`${shown(key)} exists only as a parent of longer names: NODATA`)
    else if (node !== undefined || serving.ancestors.has(key))
      reasons.push(`${shown(key)} exists for dynamic data only`)
    else reasons.push(`no ${shown(key)} in the zone and no wildcard: NXDOMAIN`)
  }

  // the reply, as the responder builds it (with the trace's answers for a dynamic name)
  const transport = request.transport ?? 'udp'
  const packet = buildQuery(request.name, qtype, ecs)
  const bytes = responder.answer(packet, { address: client, port: 53, transport })
  if (bytes === undefined)
    throw invalidArgument('the responder gave no reply to this question (rate limited?)')
  const reply = decodeMessage(Uint8Array.from(bytes))
  let answer = reply.answers.map(present)
  let rcode = rcodeName(reply.rcode)
  if (selection !== undefined) {
    const type = node?.cname !== undefined ? 'CNAME' : typeName(qtype)
    if (selection.outcome === 'answer')
      answer = selection.answers.map((a) => ({
        name: request.name.replace(/\.$/, ''),
        ttl: selection?.ttl ?? 0,
        type,
        data: type === 'CNAME' ? `${a.value.replace(/\.$/, '')}.` : a.value,
      }))
    else if (selection.outcome === 'refused') rcode = 'REFUSED'
    else if (selection.outcome === 'servfail') rcode = 'SERVFAIL'
  }
  if (reply.tc)
    reasons.push(
      `the reply does not fit ${transport === 'udp' ? '1232 bytes of UDP' : 'TCP'}: truncated (TC), the client retries over TCP`,
    )
  return {
    query: { name: request.name, type: typeName(qtype), client, ecs: request.ecs },
    rcode,
    authoritative: reply.aa,
    truncated: reply.tc,
    answer,
    authority: reply.authorities.map(present),
    additional: reply.additionals.map(present),
    ecsScope: reply.edns?.ecs?.scopePrefix,
    zone: zone?.origin,
    reasons,
    selection,
  }
}

/**
 * Formats an explanation for a person: the reply in dig's layout, then the reasons and the trace.
 *
 * @example
 * ```ts
 * const text = formatExplanation(explainAnswer(responder, { name: 'www.example.com' }))
 * ```
 */
export function formatExplanation(result: ExplainResult): string {
  const lines: string[] = []
  const q = result.query
  lines.push(`;; ${q.name} ${q.type} from ${q.client}${q.ecs === undefined ? '' : ` (ECS ${q.ecs})`}`)
  lines.push(
    `;; ${result.rcode}${result.authoritative ? ', authoritative' : ''}${result.truncated ? ', truncated' : ''}${result.ecsScope === undefined ? '' : `, ECS scope /${result.ecsScope}`}`,
  )
  const section = (title: string, records: readonly ExplainedRecord[]): void => {
    if (records.length === 0) return
    lines.push('', `;; ${title}`)
    for (const r of records)
      lines.push(`${r.name === '' ? '.' : `${r.name}.`}\t${r.ttl}\tIN\t${r.type}\t${r.data}`)
  }
  section('ANSWER', result.answer)
  section('AUTHORITY', result.authority)
  section('ADDITIONAL', result.additional)
  lines.push('', ';; why')
  for (const reason of result.reasons) lines.push(`- ${reason}`)
  if (result.selection !== undefined) {
    lines.push('', ';; selection trace')
    for (const step of result.selection.steps)
      lines.push(
        `${step.pool} ${step.filter}: ${step.candidates.length === 0 ? '(none)' : step.candidates.join(' ')}${step.scope === undefined ? '' : ` [scope /${step.scope}]`}${step.note === undefined ? '' : ` — ${step.note}`}`,
      )
  }
  return `${lines.join('\n')}\n`
}

function shown(name: string): string {
  return name === '' ? '.' : name
}

function clientSource(source: string): string {
  switch (source) {
    case 'ecs':
      return 'the ECS subnet'
    case 'ecs-opt-out':
      return 'the resolver: ECS source prefix 0'
    case 'ecs-private':
      return 'the resolver: the ECS subnet is private'
    default:
      return 'the resolver: no ECS'
  }
}

function rcodeName(rcode: number): string {
  return RCODES[rcode] ?? (rcode === 16 ? 'BADVERS' : rcode === 23 ? 'BADCOOKIE' : `RCODE${rcode}`)
}

function present(record: DecodedRecord): ExplainedRecord {
  const known = knownType(record.type)
  let data: string
  if (
    record.type === RRType.HINFO &&
    record.data !== undefined &&
    typeof record.data === 'object' &&
    'cpu' in record.data
  )
    data = `"${record.data.cpu}" "${record.data.os}"`
  else if (known === undefined)
    data = `\\# ${record.rdata.length}${record.rdata.length === 0 ? '' : ` ${Buffer.from(record.rdata).toString('hex')}`}`
  else {
    const decoded = decodeRdata(known, record.rdata)
    data = typeof decoded === 'string' ? decoded : formatRecordData(decoded, record.rdata)
  }
  return { name: record.name, ttl: record.ttl, type: typeName(record.type), data }
}

/**
 * A query type: a mnemonic this package knows, `TYPEnnn`, or a number.
 *
 * @example
 * ```ts
 * parseType('AAAA') // 28
 * parseType('TYPE65') // 65
 * ```
 */
export function parseType(type: string | number): number {
  if (typeof type === 'number') {
    if (!Number.isInteger(type) || type < 0 || type > 65535)
      throw invalidArgument(`query type ${type} is not 0–65535`)
    return type
  }
  const upper = type.toUpperCase()
  if (upper === 'ANY') return RRType.ANY
  if (upper === 'HINFO') return RRType.HINFO
  const known = KNOWN_TYPES[upper as keyof typeof KNOWN_TYPES] ?? otherMnemonic(upper)
  if (known !== undefined) return known
  const generic = /^TYPE(\d{1,5})$/.exec(upper) ?? /^(\d{1,5})$/.exec(upper)
  if (generic !== null && Number(generic[1]) <= 65535) return Number(generic[1])
  throw invalidArgument(
    `unknown query type "${type}"; use A, AAAA, CNAME, MX, NS, SOA, TXT, SRV, CAA, ANY or TYPEnnn`,
  )
}

/**
 * Reads `address/prefix` into an ECS option's fields, the bits past the prefix cleared.
 *
 * @example
 * ```ts
 * parseSubnet('198.51.100.7/24') // { family: 1, sourcePrefix: 24, address: 198.51.100.0 }
 * ```
 */
export function parseSubnet(text: string): { family: number; sourcePrefix: number; address: Uint8Array } {
  const [address = '', length] = text.split('/')
  const v4 = parseIPv4(address)
  const bytes = v4 ?? parseIPv6(address)
  if (bytes === undefined)
    throw invalidArgument(`--ecs "${text}": "${address}" is not an IPv4 or IPv6 address`)
  const max = v4 === undefined ? 128 : 32
  const prefix = length === undefined ? max : Number(length)
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max)
    throw invalidArgument(`--ecs "${text}": the prefix length must be 0 to ${max}`)
  const masked = Uint8Array.from(bytes)
  for (let bit = prefix; bit < max; bit++)
    masked[bit >> 3] = (masked[bit >> 3] as number) & ~(0x80 >> (bit & 7))
  return { family: v4 === undefined ? 2 : 1, sourcePrefix: prefix, address: masked }
}

/** A query packet for `name` and `type`, with EDNS (1232) and the ECS option when given. */
function buildQuery(
  name: string,
  qtype: number,
  ecs: { family: number; sourcePrefix: number; address: Uint8Array } | undefined,
): Uint8Array {
  const wire = nameToWire(name)
  const options: number[] = []
  if (ecs !== undefined) {
    const kept = [...ecs.address.subarray(0, (ecs.sourcePrefix + 7) >> 3)]
    options.push(0, 8, 0, 4 + kept.length, 0, ecs.family, ecs.sourcePrefix, 0, ...kept)
  }
  const header = [0x5e, 0x11, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1]
  const opt = [0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, options.length >> 8, options.length & 0xff, ...options]
  return Uint8Array.from([...header, ...wire, qtype >> 8, qtype & 0xff, 0, 1, ...opt])
}
