// The differential query corpus (names × types × ECS prefixes × EDNS variations, asked with dig) and
// the comparison of two servers' replies field by field: rcode, header flags, each section as a set
// (TTLs compared apart), the OPT record and the ECS option with its scope. A pool that draws at
// random is compared by membership: every answer one of the pool's addresses, as many as it gives.

import {
  type DigOptions,
  type DigRecord,
  type DigReply,
  type DigResult,
  dig,
  digMany,
  recordKey,
} from './dig.js'
import {
  CHAIN,
  chainAddresses,
  DYNAMIC,
  type DynamicName,
  GEO_ECS_VECTORS,
  ORIGIN,
  WEIGHTED,
} from './fixture.js'

/** One query of the corpus. */
export interface CorpusCase {
  /** Unique, readable: `www.example.com A +tcp`. */
  readonly id: string
  readonly name: string
  readonly type: string
  readonly options: DigOptions
  /** Set for a pool that draws at random: its answers are compared by membership. */
  readonly random?: DynamicName
  /** The addresses a random draw may give this client (default: all of the pool's). */
  readonly allowed?: readonly string[]
}

/** A record set or an option that differs between the two servers. */
export interface Mismatch {
  readonly case: string
  /** What differs: `status`, `flags`, `answer`, `answer.ttl`, `authority`, `opt.udp`, `ecs.scope`… */
  readonly field: string
  readonly reference: string
  readonly ours: string
}

const STATIC_NAMES = [
  ORIGIN,
  `www.${ORIGIN}`,
  `alias.${ORIGIN}`,
  `external.${ORIGIN}`,
  `txt.${ORIGIN}`,
  `_sip._udp.${ORIGIN}`,
  `mail.${ORIGIN}`,
  `a.b.${ORIGIN}`,
  // an empty non-terminal: a.b exists below it
  `b.${ORIGIN}`,
  `nope.${ORIGIN}`,
  `deep.er.nope.${ORIGIN}`,
  // a delegation: its own name, a name below it, the glue below it
  `sub.${ORIGIN}`,
  `www.sub.${ORIGIN}`,
  `ns.sub.${ORIGIN}`,
  // the wildcard *.wild: a name it covers, one two labels down, and wild itself (an empty non-terminal)
  `foo.wild.${ORIGIN}`,
  `x.y.wild.${ORIGIN}`,
  `wild.${ORIGIN}`,
  `short.${ORIGIN}`,
  // case must be echoed as sent and ignored for lookup
  'WwW.ExAmPlE.cOm',
]

const TYPES = ['A', 'AAAA', 'MX', 'TXT', 'NS', 'SOA', 'SRV', 'CAA', 'CNAME', 'PTR']

/** ECS prefixes for the dynamic names: the research's vectors, source /0, IPv6, a host route. */
const ECS_SUBNETS = [
  ...new Set(GEO_ECS_VECTORS.map((vector) => vector.subnet)),
  '0.0.0.0/0',
  '2001:db8::/56',
  '127.0.0.0/8',
]

/** EDNS and transport variations asked for a few names. */
const VARIATIONS: readonly { label: string; options: DigOptions }[] = [
  { label: '+noedns', options: { edns: false } },
  { label: '+bufsize=512', options: { bufsize: 512 } },
  { label: '+bufsize=4096', options: { bufsize: 4096 } },
  { label: '+bufsize=100', options: { bufsize: 100 } },
  { label: '+edns=1', options: { edns: 1 } },
  { label: '+dnssec', options: { dnssec: true } },
  { label: '+norecurse', options: { recurse: false } },
  { label: '+tcp', options: { tcp: true } },
  { label: '+tcp +noedns', options: { tcp: true, edns: false } },
]

const VARIED = [
  [`www.${ORIGIN}`, 'A'],
  [`big.${ORIGIN}`, 'A'],
  [`nope.${ORIGIN}`, 'A'],
  [`b.${ORIGIN}`, 'A'],
  [`txt.${ORIGIN}`, 'TXT'],
  [`geo.${ORIGIN}`, 'A'],
  [`mfo.${ORIGIN}`, 'A'],
  [`www.sub.${ORIGIN}`, 'A'],
] as const

/** How many times the random pool is asked (each answer checked for membership). */
const RANDOM_REPEATS = 8

function describe(name: string, type: string, options: DigOptions, label: string): CorpusCase {
  return { id: `${name} ${type}${label === '' ? '' : ` ${label}`}`, name, type, options }
}

/** The corpus: every case asked of both servers. */
export function corpus(): CorpusCase[] {
  const cases: CorpusCase[] = []
  for (const name of STATIC_NAMES) for (const type of TYPES) cases.push(describe(name, type, {}, ''))
  for (const dynamic of DYNAMIC) {
    const name = `${dynamic.name}.${ORIGIN}`
    for (const type of ['A', 'AAAA', 'TXT']) {
      // the weighted pool and the chain draw addresses at random; their AAAA and TXT are plain NODATA
      const random = (subnet?: string) =>
        type !== 'A'
          ? {}
          : dynamic === WEIGHTED
            ? { random: WEIGHTED }
            : dynamic === CHAIN
              ? { random: CHAIN, allowed: chainAddresses(subnet) }
              : {}
      cases.push({ ...describe(name, type, {}, ''), ...random() })
      for (const subnet of ECS_SUBNETS)
        cases.push({ ...describe(name, type, { subnet }, `+subnet=${subnet}`), ...random(subnet) })
    }
  }
  // ECS on static data, negative answers and referrals: the option comes back with scope 0
  for (const [name, type] of [
    [`www.${ORIGIN}`, 'A'],
    [`nope.${ORIGIN}`, 'A'],
    [`b.${ORIGIN}`, 'A'],
    [`www.sub.${ORIGIN}`, 'A'],
    [`alias.${ORIGIN}`, 'A'],
  ] as const)
    cases.push(describe(name, type, { subnet: '10.1.2.0/24' }, '+subnet=10.1.2.0/24'))
  for (const [name, type] of VARIED)
    for (const variation of VARIATIONS) cases.push(describe(name, type, variation.options, variation.label))
  // every static name over TCP, without EDNS, with a small buffer and with the DO bit
  for (const name of STATIC_NAMES)
    for (const variation of VARIATIONS.filter((v) =>
      ['+tcp', '+noedns', '+bufsize=512', '+dnssec'].includes(v.label),
    ))
      if (!VARIED.some(([varied]) => varied === name))
        cases.push(describe(name, 'A', variation.options, variation.label))
  // the dynamic names' ECS answers over TCP
  for (const dynamic of DYNAMIC)
    for (const subnet of ECS_SUBNETS) {
      const name = `${dynamic.name}.${ORIGIN}`
      const random =
        dynamic === WEIGHTED
          ? { random: WEIGHTED }
          : dynamic === CHAIN
            ? { random: CHAIN, allowed: chainAddresses(subnet) }
            : {}
      cases.push({ ...describe(name, 'A', { subnet, tcp: true }, `+subnet=${subnet} +tcp`), ...random })
    }
  // truncation: the 100-record RRset over UDP, shown as received and as dig retries it over TCP
  for (const bufsize of [512, 1232, 4096])
    cases.push(
      describe(`big.${ORIGIN}`, 'A', { bufsize, ignoreTruncation: true }, `+bufsize=${bufsize} +ignore`),
    )
  cases.push(describe(`big.${ORIGIN}`, 'A', { edns: false, ignoreTruncation: true }, '+noedns +ignore'))
  // minimal ANY (RFC 8482), over UDP and TCP
  for (const name of [ORIGIN, `www.${ORIGIN}`, `nope.${ORIGIN}`]) {
    cases.push(describe(name, 'ANY', {}, '+notcp'))
    cases.push(describe(name, 'ANY', { tcp: true }, '+tcp'))
  }
  // not ours: REFUSED without AA
  for (const name of ['www.example.org', 'example.net', '.', 'com'])
    cases.push(describe(name, name === '.' ? 'SOA' : 'A', {}, ''))
  // opcodes other than QUERY: NOTIMP
  for (const opcode of ['notify', 'update', 'status'])
    cases.push(describe(`www.${ORIGIN}`, 'A', { opcode }, `+opcode=${opcode}`))
  for (let i = 0; i < RANDOM_REPEATS; i++)
    cases.push({ ...describe(`${WEIGHTED.name}.${ORIGIN}`, 'A', {}, `#${i + 1}`), random: WEIGHTED })
  return cases
}

/** Queries per dig process: many queries on one command line cost little more than one. */
const BATCH = 40

/**
 * Asks every case of `cases` of the server on `port`: in batches of {@link BATCH} queries per dig
 * process, `concurrency` processes at a time. A case with an opcode other than QUERY is asked on
 * its own (a reply to it need not echo the question a batch is matched by).
 */
export async function askAll(
  port: number,
  cases: readonly CorpusCase[],
  concurrency = 2,
): Promise<Map<string, DigResult>> {
  const results = new Map<string, DigResult>()
  const batches: CorpusCase[][] = []
  let batch: CorpusCase[] = []
  for (const c of cases) {
    if (c.options.opcode !== undefined) batches.push([c])
    else {
      batch.push(c)
      if (batch.length === BATCH) {
        batches.push(batch)
        batch = []
      }
    }
  }
  if (batch.length > 0) batches.push(batch)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const group = batches[next++] as CorpusCase[]
      const replies =
        group.length === 1
          ? [
              await dig(
                port,
                (group[0] as CorpusCase).name,
                (group[0] as CorpusCase).type,
                (group[0] as CorpusCase).options,
              ),
            ]
          : await digMany(port, group)
      for (let i = 0; i < group.length; i++) results.set((group[i] as CorpusCase).id, replies[i] as DigResult)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker))
  return results
}

function recordList(records: readonly DigRecord[]): string {
  return records.map(recordKey).sort().join(' | ')
}

function ttlList(records: readonly DigRecord[]): string {
  return records
    .map((record) => `${recordKey(record)} ${record.ttl}`)
    .sort()
    .join(' | ')
}

/** Why a random pool's answer is wrong, or `undefined` when it is one the pool may give. */
function membership(reply: DigReply, pool: DynamicName, allowed: readonly string[]): string | undefined {
  if (reply.status !== 'NOERROR') return `status ${reply.status}`
  const addresses = reply.answer.map((record) => record.data)
  const strangers = addresses.filter((address) => !allowed.includes(address))
  if (strangers.length > 0) return `not in the pool: ${strangers.join(', ')}`
  if (reply.answer.some((record) => record.type !== 'A' || record.ttl !== pool.ttl))
    return `type or TTL: ${recordList(reply.answer)}`
  if (pool.answers === 'one' && addresses.length !== 1)
    return `${addresses.length} answers where one is drawn`
  if (pool.answers === 'subset' && addresses.length === 0) return 'no answer'
  if (pool.answers === 'all' && addresses.length !== pool.addresses.length) return 'not every address'
  return undefined
}

/** Every field where `ours` differs from `reference` for one case. */
export function compare(c: CorpusCase, reference: DigResult, ours: DigResult): Mismatch[] {
  const out: Mismatch[] = []
  const add = (field: string, a: unknown, b: unknown): void => {
    const left = typeof a === 'string' ? a : JSON.stringify(a)
    const right = typeof b === 'string' ? b : JSON.stringify(b)
    if (left !== right) out.push({ case: c.id, field, reference: left, ours: right })
  }
  if (reference.kind === 'no-reply' || ours.kind === 'no-reply') {
    add('reply', reference.kind, ours.kind)
    return out
  }
  add('status', reference.status, ours.status)
  add('flags', [...reference.flags].sort().join(' '), [...ours.flags].sort().join(' '))
  add('transport', reference.transport, ours.transport)
  if (c.random !== undefined) {
    const allowed = c.allowed ?? c.random.addresses
    add(
      'answer',
      membership(reference, c.random, allowed) ?? 'a member',
      membership(ours, c.random, allowed) ?? 'a member',
    )
  } else {
    add('answer', recordList(reference.answer), recordList(ours.answer))
    add('answer.ttl', ttlList(reference.answer), ttlList(ours.answer))
  }
  add('authority', recordList(reference.authority), recordList(ours.authority))
  add('authority.ttl', ttlList(reference.authority), ttlList(ours.authority))
  add('additional', recordList(reference.additional), recordList(ours.additional))
  add('opt', reference.opt === undefined ? 'none' : 'present', ours.opt === undefined ? 'none' : 'present')
  if (reference.opt !== undefined && ours.opt !== undefined) {
    add('opt.version', reference.opt.version, ours.opt.version)
    add('opt.flags', reference.opt.flags.join(' '), ours.opt.flags.join(' '))
    add('opt.udp', reference.opt.udp, ours.opt.udp)
    add('opt.keepalive', reference.opt.keepalive !== undefined, ours.opt.keepalive !== undefined)
    add('opt.nsid', reference.opt.nsid ?? 'none', ours.opt.nsid ?? 'none')
    const ecsOf = (opt: NonNullable<DigReply['opt']>): string =>
      opt.ecs === undefined ? 'none' : `${opt.ecs.address}/${opt.ecs.sourcePrefix}`
    add('ecs', ecsOf(reference.opt), ecsOf(ours.opt))
    add('ecs.scope', reference.opt.ecs?.scopePrefix ?? 'none', ours.opt.ecs?.scopePrefix ?? 'none')
  }
  return out
}

/** A difference between gdnsd and ours that is deliberate, with the reason. */
export interface Difference {
  /** Short name, used in the report. */
  readonly id: string
  /** Why ours differs, in a sentence a reader can check. */
  readonly reason: string
  /** Which mismatches it explains. */
  explains(mismatch: Mismatch, c: CorpusCase): boolean
}

/** Splits mismatches into those a deliberate difference explains (by difference id) and the rest. */
export function triage(
  mismatches: readonly Mismatch[],
  cases: ReadonlyMap<string, CorpusCase>,
  differences: readonly Difference[],
): { explained: Map<string, Mismatch[]>; unexplained: Mismatch[] } {
  const explained = new Map<string, Mismatch[]>(differences.map((d) => [d.id, []]))
  const unexplained: Mismatch[] = []
  for (const mismatch of mismatches) {
    const c = cases.get(mismatch.case) as CorpusCase
    const difference = differences.find((d) => d.explains(mismatch, c))
    if (difference === undefined) unexplained.push(mismatch)
    else explained.get(difference.id)?.push(mismatch)
  }
  return { explained, unexplained }
}

/** A readable list of mismatches for a failure message. */
export function formatMismatches(mismatches: readonly Mismatch[], limit = 40): string {
  const lines = mismatches
    .slice(0, limit)
    .map((m) => `  ${m.case} · ${m.field}\n    gdnsd: ${m.reference}\n    ours:  ${m.ours}`)
  const more = mismatches.length > limit ? `\n  … and ${mismatches.length - limit} more` : ''
  return `${lines.join('\n')}${more}`
}
