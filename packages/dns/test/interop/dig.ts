// Runs dig (BIND 9.18's, from Debian's bind9-dnsutils) against a server on loopback and parses its
// classic text output into the parts the interop tests compare: rcode, flags, the three sections,
// the OPT pseudo-section (payload size, ECS with its scope, cookie, NSID, keepalive) and whether dig
// saw a truncated UDP reply and retried over TCP.

import { runProcess, TOOLS } from './tools.js'

/** A resource record as dig prints it; `data` is dig's presentation of the RDATA. */
export interface DigRecord {
  readonly name: string
  readonly ttl: number
  readonly class: string
  readonly type: string
  readonly data: string
}

/** The EDNS client-subnet option of a reply, as dig prints it (`address/source/scope`). */
export interface DigEcs {
  readonly address: string
  readonly sourcePrefix: number
  readonly scopePrefix: number
}

/** The OPT pseudo-section of a reply. */
export interface DigOpt {
  readonly version: number
  /** EDNS flags, e.g. `['do']`. */
  readonly flags: readonly string[]
  /** The responder's UDP payload size. */
  readonly udp: number
  readonly ecs?: DigEcs
  /** The cookie option as dig prints it (client + server cookie in hex, then dig's verdict). */
  readonly cookie?: string
  /** The NSID option as dig prints it. */
  readonly nsid?: string
  /** The RFC 7828 idle timeout, in seconds. */
  readonly keepalive?: number
  /** Every option line as dig printed it, without the leading `; `. */
  readonly lines: readonly string[]
}

/** One reply, parsed. */
export interface DigReply {
  readonly opcode: string
  /** `NOERROR`, `NXDOMAIN`, `FORMERR`, `BADVERS`… (extended rcodes included). */
  readonly status: string
  readonly id: number
  /** Header flags, lowercase (`qr`, `aa`, `tc`, `rd`, `ra`, `ad`, `cd`). */
  readonly flags: readonly string[]
  readonly counts: {
    readonly query: number
    readonly answer: number
    readonly authority: number
    readonly additional: number
  }
  readonly question: readonly string[]
  readonly answer: readonly DigRecord[]
  readonly authority: readonly DigRecord[]
  /** The additional section without the OPT pseudo-record. */
  readonly additional: readonly DigRecord[]
  readonly opt?: DigOpt
  /** Header TC bit of the reply printed (with `+ignore`, the truncated UDP reply itself). */
  readonly truncated: boolean
  /** dig got a truncated UDP reply and asked again over TCP; the reply parsed is TCP's. */
  readonly retriedOverTcp: boolean
  /** The transport of the reply printed. */
  readonly transport: 'UDP' | 'TCP'
  /** `MSG SIZE rcvd`. */
  readonly size: number
}

/** What dig returned: a reply, or no reply at all (timeout, connection refused). */
export type DigResult =
  | ({ readonly kind: 'reply' } & DigReply)
  | { readonly kind: 'no-reply'; readonly reason: string }

/** How to ask. Defaults: UDP, EDNS 0, no cookie, one try, 2 s timeout, no EDNS version fallback. */
export interface DigOptions {
  readonly tcp?: boolean
  /** EDNS version to send, or `false` for no OPT record at all (`+noedns`). */
  readonly edns?: number | false
  /** Advertised UDP payload size (`+bufsize`). */
  readonly bufsize?: number
  /** ECS option, e.g. `10.1.2.0/24` (`+subnet`); dig zeroes bits beyond the prefix itself. */
  readonly subnet?: string
  /** Print the truncated UDP reply instead of retrying over TCP (`+ignore`). */
  readonly ignoreTruncation?: boolean
  /** Send a client cookie (`+cookie`); off by default so replies do not vary by cookie. */
  readonly cookie?: boolean
  readonly nsid?: boolean
  readonly keepalive?: boolean
  /** DNS class, default IN. */
  readonly class?: string
  /** Opcode, e.g. `notify`, `update` or a number. */
  readonly opcode?: string | number
  /** RD bit, default set (dig's default). */
  readonly recurse?: boolean
  readonly dnssec?: boolean
  readonly timeoutSeconds?: number
  /** Further dig arguments, appended last. */
  readonly extra?: readonly string[]
}

/** The argument list for dig (exported for error messages and the tests of the parser). */
export function digArgs(port: number, name: string, type: string, options: DigOptions = {}): string[] {
  const args = ['@127.0.0.1', '-p', String(port), name, type]
  if (options.class !== undefined) args.push('-c', options.class)
  args.push(options.tcp === true ? '+tcp' : '+notcp')
  args.push(`+tries=1`, `+retry=0`, `+timeout=${options.timeoutSeconds ?? 2}`)
  args.push(...queryOptions(options))
  return args
}

/** The options of one query, as dig takes them after its name and type. */
function queryOptions(options: DigOptions): string[] {
  const args: string[] = []
  // dig falls back to EDNS 0 on BADVERS unless told not to; the tests want the BADVERS reply
  args.push('+noednsnegotiation')
  if (options.edns === false) args.push('+noedns')
  else args.push(`+edns=${options.edns ?? 0}`)
  if (options.bufsize !== undefined) args.push(`+bufsize=${options.bufsize}`)
  if (options.subnet !== undefined) args.push(`+subnet=${options.subnet}`)
  if (options.ignoreTruncation === true) args.push('+ignore')
  args.push(options.cookie === true ? '+cookie' : '+nocookie')
  if (options.nsid === true) args.push('+nsid')
  if (options.keepalive === true) args.push('+keepalive')
  if (options.opcode !== undefined) args.push(`+opcode=${options.opcode}`)
  if (options.recurse === false) args.push('+norecurse')
  if (options.dnssec === true) args.push('+dnssec')
  args.push(...(options.extra ?? []))
  return args
}

/** One query of a {@link digMany} batch. */
export interface DigQuery {
  readonly name: string
  readonly type: string
  /** Per-query options; `class`, `timeoutSeconds` are not allowed here. */
  readonly options: DigOptions
}

/** dig's arguments for several queries in one process: each query's options follow its name and type. */
export function digManyArgs(port: number, queries: readonly DigQuery[]): string[] {
  const args = ['@127.0.0.1', '-p', String(port), '+tries=1', '+retry=0', '+timeout=2']
  for (const q of queries)
    args.push(q.name, q.type, q.options.tcp === true ? '+tcp' : '+notcp', ...queryOptions(q.options))
  return args
}

/** Splits the output of a several-query dig run into one text per reply (each ends at its MSG SIZE line). */
export function splitDigOutput(text: string): string[] {
  const segments: string[] = []
  let current: string[] = []
  for (const line of text.split('\n')) {
    current.push(line)
    if (line.startsWith(';; MSG SIZE')) {
      segments.push(current.join('\n'))
      current = []
    }
  }
  return segments
}

/** The question a reply echoes, as `name type` in lower case, or `undefined` when it has none. */
function echoedQuestion(reply: DigReply): string | undefined {
  const question = reply.question[0]
  if (question === undefined) return undefined
  const [name = '', , type = ''] = question.split(' ')
  return `${name.toLowerCase()} ${type.toLowerCase()}`
}

function expectedQuestion(q: DigQuery): string {
  const name = q.name === '.' ? '.' : `${q.name.replace(/\.$/, '')}.`
  return `${name.toLowerCase()} ${q.type.toLowerCase()}`
}

/**
 * Asks several queries with one dig process (dig takes many queries on one command line, each
 * with its own options), which costs a few milliseconds instead of one process per query. The
 * replies are matched to the queries in order, each checked by the question it echoes and its QR
 * flag; when anything does not line up (a query with no reply, a reply without a question or
 * without QR), every query of the batch is asked again on its own.
 */
export async function digMany(port: number, queries: readonly DigQuery[]): Promise<DigResult[]> {
  if (queries.length === 0) return []
  const result = await runProcess(TOOLS.dig.path, digManyArgs(port, queries), 20_000)
  const segments = splitDigOutput(result.stdout)
  if (segments.length === queries.length) {
    const replies = segments.map((segment) => parseDig(segment))
    const aligned = replies.every((reply, i) => {
      const q = queries[i] as DigQuery
      // a message without QR is not a reply (dig under load can pair a stray datagram): ask again
      return (
        reply.kind === 'reply' && reply.flags.includes('qr') && echoedQuestion(reply) === expectedQuestion(q)
      )
    })
    if (aligned) return replies
  }
  const one: DigResult[] = []
  for (const q of queries) one.push(await dig(port, q.name, q.type, q.options))
  return one
}

/** Runs dig once and parses what it printed. */
export async function dig(
  port: number,
  name: string,
  type: string,
  options: DigOptions = {},
): Promise<DigResult> {
  const args = digArgs(port, name, type, options)
  const result = await runProcess(TOOLS.dig.path, args, ((options.timeoutSeconds ?? 2) + 3) * 1000)
  const parsed = parseDig(result.stdout)
  if (parsed.kind === 'no-reply' && result.code === 0)
    throw new Error(`dig ${args.join(' ')} printed no reply:\n${result.stdout}${result.stderr}`)
  return parsed
}

/** Like {@link dig}, but fails when no reply came. */
export async function digReply(
  port: number,
  name: string,
  type: string,
  options: DigOptions = {},
): Promise<DigReply> {
  const result = await dig(port, name, type, options)
  if (result.kind !== 'reply')
    throw new Error(`dig ${digArgs(port, name, type, options).join(' ')}: ${result.reason}`)
  return result
}

const HEADER = /^;; ->>HEADER<<- opcode: ([\w]+), status: ([\w]+), id: (\d+)$/
const FLAGS = /^;; flags:([^;]*); QUERY: (\d+), ANSWER: (\d+), AUTHORITY: (\d+), ADDITIONAL: (\d+)$/
const EDNS = /^; EDNS: version: (\d+), flags:([^;]*); udp: (\d+)$/
const ECS = /^; CLIENT-SUBNET: (.+)\/(\d+)\/(\d+)$/
const RECORD = /^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s*(.*)$/
const SERVER = /^;; SERVER: .*\((UDP|TCP)\)$/
const SIZE = /^;; MSG SIZE\s+rcvd: (\d+)$/

type Section = 'question' | 'answer' | 'authority' | 'additional' | 'opt' | null

/**
 * Parses dig's default text output. When dig printed more than one message (a BADVERS or TC retry),
 * the last one is the reply; the notes before it say whether it retried.
 */
export function parseDig(text: string): DigResult {
  const lines = text.split('\n')
  let start = -1
  for (let i = lines.length - 1; i >= 0; i--) {
    if (HEADER.test(lines[i] ?? '')) {
      start = i
      break
    }
  }
  if (start === -1) {
    const reason =
      lines.find((line) => line.startsWith(';; communications error') || line.startsWith(';; connection')) ??
      lines.find((line) => line.includes('no servers could be reached')) ??
      'no reply'
    return { kind: 'no-reply', reason: reason.replace(/^;;\s*/, '') }
  }
  const before = lines.slice(0, start)
  const retriedOverTcp = before.some((line) => line.startsWith(';; Truncated, retrying in TCP mode'))
  const header = HEADER.exec(lines[start] ?? '') as RegExpExecArray
  let flags: string[] = []
  let counts = { query: 0, answer: 0, authority: 0, additional: 0 }
  const question: string[] = []
  const answer: DigRecord[] = []
  const authority: DigRecord[] = []
  const additional: DigRecord[] = []
  let opt: DigOpt | undefined
  const optLines: string[] = []
  let optHead: { version: number; flags: string[]; udp: number } | undefined
  let transport: 'UDP' | 'TCP' = 'UDP'
  let size = 0
  let section: Section = null
  for (const line of lines.slice(start + 1)) {
    const flagMatch = FLAGS.exec(line)
    if (flagMatch) {
      flags = (flagMatch[1] ?? '').trim().split(/\s+/).filter(Boolean)
      counts = {
        query: Number(flagMatch[2]),
        answer: Number(flagMatch[3]),
        authority: Number(flagMatch[4]),
        additional: Number(flagMatch[5]),
      }
      continue
    }
    if (line === '') {
      section = null
      continue
    }
    if (line === ';; OPT PSEUDOSECTION:') section = 'opt'
    else if (line === ';; QUESTION SECTION:') section = 'question'
    else if (line === ';; ANSWER SECTION:') section = 'answer'
    else if (line === ';; AUTHORITY SECTION:') section = 'authority'
    else if (line === ';; ADDITIONAL SECTION:') section = 'additional'
    else if (section === 'opt') {
      const edns = EDNS.exec(line)
      if (edns)
        optHead = {
          version: Number(edns[1]),
          flags: (edns[2] ?? '').trim().split(/\s+/).filter(Boolean),
          udp: Number(edns[3]),
        }
      else optLines.push(line.replace(/^;\s*/, ''))
    } else if (section === 'question') question.push(line.replace(/^;/, '').trim().replace(/\s+/g, ' '))
    else if (section !== null) {
      const record = parseRecord(line)
      if (record === undefined) continue
      if (section === 'answer') answer.push(record)
      else if (section === 'authority') authority.push(record)
      else additional.push(record)
    } else {
      const server = SERVER.exec(line)
      if (server) transport = server[1] as 'UDP' | 'TCP'
      const sizeMatch = SIZE.exec(line)
      if (sizeMatch) size = Number(sizeMatch[1])
    }
  }
  if (optHead !== undefined) {
    let ecs: DigEcs | undefined
    let cookie: string | undefined
    let nsid: string | undefined
    let keepalive: number | undefined
    for (const line of optLines) {
      const ecsMatch = ECS.exec(`; ${line}`)
      if (ecsMatch)
        ecs = {
          address: ecsMatch[1] as string,
          sourcePrefix: Number(ecsMatch[2]),
          scopePrefix: Number(ecsMatch[3]),
        }
      else if (line.startsWith('COOKIE: ')) cookie = line.slice('COOKIE: '.length)
      else if (line.startsWith('NSID: ')) nsid = line.slice('NSID: '.length)
      else if (line.startsWith('TCP KEEPALIVE: '))
        keepalive = Number.parseFloat(line.slice('TCP KEEPALIVE: '.length))
    }
    opt = {
      ...optHead,
      ...(ecs === undefined ? {} : { ecs }),
      ...(cookie === undefined ? {} : { cookie }),
      ...(nsid === undefined ? {} : { nsid }),
      ...(keepalive === undefined ? {} : { keepalive }),
      lines: optLines,
    }
  }
  return {
    kind: 'reply',
    opcode: header[1] as string,
    status: header[2] as string,
    id: Number(header[3]),
    flags,
    counts,
    question,
    answer,
    authority,
    additional,
    ...(opt === undefined ? {} : { opt }),
    truncated: flags.includes('tc'),
    retriedOverTcp,
    transport,
    size,
  }
}

function parseRecord(line: string): DigRecord | undefined {
  if (line.startsWith(';')) return undefined
  const match = RECORD.exec(line)
  if (!match) return undefined
  return {
    name: match[1] as string,
    ttl: Number(match[2]),
    class: match[3] as string,
    type: match[4] as string,
    data: (match[5] ?? '').trim(),
  }
}

/**
 * A record's identity for set comparisons: owner (lowercased), type and RDATA with runs of
 * whitespace made one space and names lowercased; TTL left out (compared separately where it matters).
 */
export function recordKey(record: DigRecord): string {
  return `${record.name.toLowerCase()} ${record.class} ${record.type} ${normaliseData(record)}`
}

function normaliseData(record: DigRecord): string {
  const data = record.data.replace(/\s+/g, ' ')
  // quoted strings (TXT, CAA values) keep their case; everything else is names, numbers, addresses
  return /"/.test(data) ? data : data.toLowerCase()
}

/** A section's records as sorted keys (set comparison with duplicates kept visible). */
export function recordSet(records: readonly DigRecord[]): string[] {
  return records.map(recordKey).sort()
}
