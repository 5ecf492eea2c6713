import { RRType } from '../wire/constants.js'
import type { ZoneWarning } from './errors.js'
import { isSubdomain, labelCount, labelEnd, type ZoneName } from './names.js'
import type { RecordData } from './record-data.js'
import { typeName } from './record-data.js'
import type { RRset } from './rrset.js'

/** One record as the parser read it, before it joins its RRset. */
export interface ParsedRecord {
  readonly owner: ZoneName
  readonly type: number
  readonly ttl: number
  readonly data: RecordData
  readonly rdata: Uint8Array
  readonly text: string
  readonly file: string
  readonly line: number
}

/** The name exists: its RRsets (a type it lacks means NOERROR with no data). */
export interface ZoneAnswer {
  /** Discriminates the {@link ZoneLookup} kinds. */
  readonly kind: 'answer'
  /** The name as written in the zone file. */
  readonly name: string
  /** Its RRsets by type code. */
  readonly rrsets: ReadonlyMap<number, RRset>
}

/**
 * The name does not exist but a wildcard covers it (RFC 4592): answer with these RRsets, owned by
 * the query name.
 */
export interface ZoneWildcard {
  /** Discriminates the {@link ZoneLookup} kinds. */
  readonly kind: 'wildcard'
  /** The wildcard's own name (`*.example.com`), the source of synthesis. */
  readonly name: string
  /** The closest encloser: the longest existing ancestor of the query name. */
  readonly closestEncloser: string
  /** The wildcard's RRsets by type code. */
  readonly rrsets: ReadonlyMap<number, RRset>
}

/** The name is at or below a zone cut: refer the client to the child zone's servers. */
export interface ZoneDelegation {
  /** Discriminates the {@link ZoneLookup} kinds. */
  readonly kind: 'delegation'
  /** The delegated name (the cut) as written. */
  readonly name: string
  /** The NS RRset at the cut (goes in the authority section). */
  readonly ns: RRset
  /** A and AAAA RRsets of the name servers that are inside this zone (the additional section). */
  readonly glue: readonly RRset[]
}

/**
 * The name exists but holds no data: an empty non-terminal, there only because a longer name
 * exists below it (RFC 8020: NOERROR with no data, never NXDOMAIN).
 */
export interface ZoneNodata {
  /** Discriminates the {@link ZoneLookup} kinds. */
  readonly kind: 'nodata'
  /** The name as written (derived from the longer name below it). */
  readonly name: string
}

/** No such name in the zone: NXDOMAIN. */
export interface ZoneNxdomain {
  /** Discriminates the {@link ZoneLookup} kinds. */
  readonly kind: 'nxdomain'
}

/** The name is not in this zone at all (not the origin or below it). */
export interface ZoneOutside {
  /** Discriminates the {@link ZoneLookup} kinds. */
  readonly kind: 'outside'
}

/** What {@link Zone.lookup} finds for a name. Results are shared objects: never modify them. */
export type ZoneLookup = ZoneAnswer | ZoneWildcard | ZoneDelegation | ZoneNodata | ZoneNxdomain | ZoneOutside

/**
 * A loaded zone, immutable: the apex records and a lookup from names to answers.
 */
export interface Zone {
  /** The origin's lookup key (lowercase, no final dot). */
  readonly origin: string
  /** The apex SOA RRset. */
  readonly soa: RRset
  /** The SOA MINIMUM field, the negative-caching TTL (RFC 2308 §4). */
  readonly minimum: number
  /** The TTL of a negative answer: the lower of the SOA's TTL and its MINIMUM (RFC 2308 §5). */
  readonly negativeTtl: number
  /** The SOA RRset with {@link Zone.negativeTtl} as its TTL: the authority section of NXDOMAIN and NODATA. */
  readonly negativeSoa: RRset
  /** The SOA serial. */
  readonly serial: number
  /** The apex NS RRset. */
  readonly ns: RRset
  /** How many names hold data (empty non-terminals not counted). */
  readonly names: number
  /** How many records the zone holds. */
  readonly records: number
  /** Warnings found while loading. */
  readonly warnings: readonly ZoneWarning[]
  /**
   * What the zone holds for a name, given as its lookup key (ASCII lowercase, no final dot, as
   * `decodeQuery` gives `qname`). A hit is one map lookup and returns a stored object; a miss walks
   * up the name's labels to its closest encloser.
   *
   * @example
   * ```ts
   * const result = zone.lookup('www.example.com')
   * const a = result.kind === 'answer' ? result.rrsets.get(RRType.A) : undefined
   * ```
   */
  lookup(qnameLower: string): ZoneLookup
  /** Whether a name (a lookup key) is the origin or below it. */
  contains(qnameLower: string): boolean
  /** Every RRset, in the order their names first appear in the file. */
  rrsets(): IterableIterator<RRset>
}

const NXDOMAIN: ZoneNxdomain = Object.freeze({ kind: 'nxdomain' })
const OUTSIDE: ZoneOutside = Object.freeze({ kind: 'outside' })
const NO_RRSETS: ReadonlyMap<number, RRset> = new Map()

interface Node {
  readonly key: string
  readonly text: string
  readonly rrsets: Map<number, RRset>
  /** Whether this is an empty non-terminal. */
  readonly empty: boolean
  /** The zone cut at or above this name (below the apex), if any. */
  cut: Node | undefined
  /** The wildcard child `*.<this name>`, if any. */
  wildcard: Node | undefined
  /** What a lookup of this exact name returns. */
  result: ZoneLookup
  /** What a lookup returns for a missing name whose closest encloser is this one. */
  below: ZoneLookup
  delegation: ZoneDelegation | undefined
}

class LoadedZone implements Zone {
  readonly origin: string
  readonly soa: RRset
  readonly minimum: number
  readonly negativeTtl: number
  readonly negativeSoa: RRset
  readonly serial: number
  readonly ns: RRset
  readonly names: number
  readonly records: number
  readonly warnings: readonly ZoneWarning[]
  private readonly nodes: ReadonlyMap<string, Node>
  private readonly apex: Node

  constructor(
    apex: Node,
    nodes: ReadonlyMap<string, Node>,
    soa: RRset,
    soaData: Extract<RecordData, { type: 'SOA' }>,
    ns: RRset,
    counts: { names: number; records: number },
    warnings: readonly ZoneWarning[],
  ) {
    this.apex = apex
    this.nodes = nodes
    this.origin = apex.key
    this.soa = soa
    this.ns = ns
    this.minimum = soaData.minimum
    this.serial = soaData.serial
    this.negativeTtl = Math.min(soa.ttl, soaData.minimum)
    this.negativeSoa = Object.freeze({ ...soa, ttl: this.negativeTtl })
    this.names = counts.names
    this.records = counts.records
    this.warnings = warnings
  }

  lookup(qnameLower: string): ZoneLookup {
    const node = this.nodes.get(qnameLower)
    if (node !== undefined) return node.result
    if (!isSubdomain(qnameLower, this.origin)) return OUTSIDE
    // The closest encloser: the longest ancestor that exists (the apex at the latest).
    for (let at = labelEnd(qnameLower); at >= 0; at = labelEnd(qnameLower, at + 1)) {
      const encloser = this.nodes.get(qnameLower.slice(at + 1))
      if (encloser !== undefined) return encloser.below
    }
    return this.apex.below
  }

  contains(qnameLower: string): boolean {
    return isSubdomain(qnameLower, this.origin)
  }

  *rrsets(): IterableIterator<RRset> {
    for (const node of this.nodes.values()) yield* node.rrsets.values()
  }
}

/** Where a zone-level problem is reported: a record's (or the file's first) line. */
export interface Where {
  readonly file: string
  readonly line: number
}

type Report = (where: Where, message: string) => void

function shown(text: string): string {
  return text === '' ? '.' : text
}

function parentText(text: string): string {
  const end = labelEnd(text)
  return end < 0 ? '' : text.slice(end + 1)
}

function isWildcard(key: string): boolean {
  return key === '*' || key.startsWith('*.')
}

function newNode(key: string, text: string, empty: boolean): Node {
  return {
    key,
    text,
    rrsets: new Map(),
    empty,
    cut: undefined,
    wildcard: undefined,
    result: NXDOMAIN,
    below: NXDOMAIN,
    delegation: undefined,
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i])

/**
 * Groups parsed records into RRsets, checks the zone as a whole (SOA, apex NS, CNAME alone at its
 * name, glue, records under a delegation), and builds the lookup structures. Errors and warnings
 * go to the callbacks (`warnings` is the list `warning` fills, which the zone keeps). Returns
 * `undefined` when the apex lacks its SOA or NS; the caller drops the zone when there were errors.
 */
export function buildZone(
  apexName: ZoneName,
  records: readonly ParsedRecord[],
  file: string,
  error: Report,
  warning: Report,
  warnings: readonly ZoneWarning[],
): Zone | undefined {
  // Records by name, then by type, in file order.
  // Duplicates are dropped but still count for the RRset's TTL (the lowest written).
  const byName = new Map<string, { name: ZoneName; types: Map<number, ParsedRecord[]> }>()
  const duplicates = new Map<ParsedRecord, ParsedRecord[]>()
  for (const record of records) {
    let entry = byName.get(record.owner.key)
    if (entry === undefined) {
      entry = { name: record.owner, types: new Map() }
      byName.set(record.owner.key, entry)
    }
    const list = entry.types.get(record.type)
    if (list === undefined) {
      entry.types.set(record.type, [record])
      continue
    }
    const same = list.find((r) => sameBytes(r.rdata, record.rdata))
    if (same === undefined) list.push(record)
    else {
      warning(record, `duplicate of the record on ${same.file}:${same.line}; the copy is ignored`)
      const copies = duplicates.get(same)
      if (copies === undefined) duplicates.set(same, [record])
      else copies.push(record)
    }
  }

  const nodes = new Map<string, Node>()
  const dataOf = new Map<RRset, readonly ParsedRecord[]>()
  let recordCount = 0
  for (const [key, { name, types }] of byName) {
    const text = name.text
    const node = newNode(key, text, false)
    nodes.set(key, node)
    for (const [type, list] of types) {
      const first = list[0] as ParsedRecord
      let ttl = first.ttl
      let odd: ParsedRecord | undefined
      const rdatas: Uint8Array[] = []
      const texts: string[] = []
      const sources: string[] = []
      for (const r of list) {
        if (r.ttl !== first.ttl) odd ??= r
        if (r.ttl < ttl) ttl = r.ttl
        for (const copy of duplicates.get(r) ?? []) {
          if (copy.ttl !== first.ttl) odd ??= copy
          if (copy.ttl < ttl) ttl = copy.ttl
        }
        rdatas.push(r.rdata)
        texts.push(r.text)
        sources.push(`${r.file}:${r.line}`)
      }
      if (odd !== undefined)
        warning(
          odd,
          `the ${typeName(type)} records of ${shown(text)} have different TTLs (${first.ttl} on line ${first.line}, ${odd.ttl} here); the set uses the lowest, ${ttl} (RFC 2181 §5.2)`,
        )
      const rrset: RRset = { owner: text, ownerWire: name.wire, type, ttl, rdatas, texts, sources }
      node.rrsets.set(type, rrset)
      dataOf.set(rrset, list)
      recordCount += list.length
    }
  }
  const names = nodes.size

  // SOA: exactly one, at the apex.
  const firstLine: Where = records[0] ?? { file, line: 1 }
  const apexKey = apexName.key
  for (const [key, node] of nodes) {
    const soa = node.rrsets.get(RRType.SOA)
    if (soa !== undefined && key !== apexKey)
      error(
        dataOf.get(soa)?.[0] as ParsedRecord,
        `an SOA record at ${shown(node.text)}: the SOA belongs at the zone apex ${shown(apexName.text)} only (a subzone is delegated with NS records)`,
      )
  }
  let apex = nodes.get(apexKey)
  const soaSet = apex?.rrsets.get(RRType.SOA)
  const soaRecords = soaSet === undefined ? [] : (dataOf.get(soaSet) as readonly ParsedRecord[])
  if (soaSet === undefined)
    error(
      firstLine,
      `no SOA record at the zone apex ${shown(apexName.text)}: a zone needs one, like: @ IN SOA ns1 hostmaster 1 7200 3600 1209600 3600`,
    )
  for (const extra of soaRecords.slice(1))
    error(
      extra,
      `a second SOA record at the apex (the first is on line ${(soaRecords[0] as ParsedRecord).line}): a zone has exactly one`,
    )
  const nsSet = apex?.rrsets.get(RRType.NS)
  if (nsSet === undefined)
    error(
      soaRecords[0] ?? firstLine,
      `no NS records at the zone apex ${shown(apexName.text)}: add at least one, like: @ IN NS ns1.${shown(apexName.text)}.`,
    )

  // A CNAME is alone at its name (RFC 1034 §3.6.2, RFC 2181 §10.1), and names one target.
  for (const node of nodes.values()) {
    const cname = node.rrsets.get(RRType.CNAME)
    if (cname === undefined) continue
    const cnames = dataOf.get(cname) as readonly ParsedRecord[]
    const firstCname = cnames[0] as ParsedRecord
    for (const extra of cnames.slice(1))
      error(
        extra,
        `${shown(node.text)} has a second CNAME (the first is on line ${firstCname.line}): an alias names exactly one target`,
      )
    const others = [...node.rrsets.keys()].filter((type) => type !== RRType.CNAME)
    if (others.length === 0) continue
    const other = (
      dataOf.get(node.rrsets.get(others[0] as number) as RRset) as readonly ParsedRecord[]
    )[0] as ParsedRecord
    const names = others.map(typeName).join(', ')
    error(
      other,
      `${shown(node.text)} has a CNAME (${firstCname.file}:${firstCname.line}) and also ${names} data: a CNAME must be the only record at its name; move the other records to the alias's target, or drop the CNAME`,
    )
  }

  // Empty non-terminals: every ancestor of a name, up to the apex, exists.
  for (const node of [...nodes.values()]) {
    let key = node.key
    let text = node.text
    while (key !== apexKey && key !== '') {
      key = parentText(key)
      text = parentText(text)
      if (nodes.has(key)) break
      nodes.set(key, newNode(key, text, true))
    }
  }
  if (apex === undefined) {
    apex = newNode(apexKey, apexName.text, true)
    nodes.set(apexKey, apex)
  }

  // Zone cuts, from the top down: a name with NS below the apex, and everything under it.
  const depth = new Map<Node, number>()
  for (const node of nodes.values()) depth.set(node, labelCount(node.key))
  const ordered = [...nodes.values()].sort((a, b) => (depth.get(a) as number) - (depth.get(b) as number))
  for (const node of ordered) {
    if (node === apex) continue
    const parent = nodes.get(parentText(node.key)) as Node
    node.cut = parent.cut ?? (node.rrsets.has(RRType.NS) ? node : undefined)
    if (isWildcard(node.key)) {
      parent.wildcard = node
      if (node.rrsets.has(RRType.NS)) {
        const ns = dataOf.get(node.rrsets.get(RRType.NS) as RRset)?.[0] as ParsedRecord
        error(
          ns,
          `NS records at the wildcard ${shown(node.text)}: a wildcard cannot delegate (RFC 4592 §4.2); name each subzone`,
        )
      }
    }
  }

  // Name servers named inside the zone need addresses; under a cut those addresses are glue.
  const glueNames = new Set<string>()
  const checkNameServers = (owner: Node, rrset: RRset): RRset[] => {
    const glue: RRset[] = []
    for (const record of dataOf.get(rrset) as readonly ParsedRecord[]) {
      if (record.data.type !== 'NS') continue
      const target = record.data.target
      if (!isSubdomain(target.key, apexKey)) continue
      const host = nodes.get(target.key)
      const a = host?.rrsets.get(RRType.A)
      const aaaa = host?.rrsets.get(RRType.AAAA)
      if (host?.rrsets.has(RRType.CNAME)) {
        error(
          record,
          `the name server ${shown(target.text)} is an alias (CNAME): NS records must name a host with addresses (RFC 2181 §10.3)`,
        )
        continue
      }
      if (a !== undefined) glue.push(a)
      if (aaaa !== undefined) glue.push(aaaa)
      if (a !== undefined || aaaa !== undefined) {
        glueNames.add(target.key)
        continue
      }
      const cut = host?.cut ?? cutAbove(target.key)
      if (cut !== undefined)
        error(
          record,
          `the name server ${shown(target.text)} of ${shown(owner.text)} is inside the delegated zone ${shown(cut.text)}, so it needs glue: add an A or AAAA record for ${shown(target.text)}`,
        )
      else
        error(
          record,
          `the name server ${shown(target.text)} of ${shown(owner.text)} is in this zone but has no A or AAAA record: add its address`,
        )
    }
    return glue
  }
  const cutAbove = (key: string): Node | undefined => {
    for (let at = labelEnd(key); at >= 0; at = labelEnd(key, at + 1)) {
      const node = nodes.get(key.slice(at + 1))
      if (node !== undefined) return node.cut
    }
    return undefined
  }
  if (nsSet !== undefined) checkNameServers(apex, nsSet)
  for (const node of ordered) {
    if (node.cut !== node) continue
    const ns = node.rrsets.get(RRType.NS) as RRset
    node.delegation = Object.freeze({
      kind: 'delegation',
      name: node.text,
      ns,
      glue: Object.freeze(checkNameServers(node, ns)),
    })
  }

  // Data under a cut is not served, except glue.
  for (const node of ordered) {
    const cut = node.cut
    if (cut === undefined) continue
    for (const [type, rrset] of node.rrsets) {
      const first = (dataOf.get(rrset) as readonly ParsedRecord[])[0] as ParsedRecord
      if (node === cut) {
        if (type !== RRType.NS && type !== 43)
          warning(
            first,
            `${shown(node.text)} is delegated (it has NS records), so its ${typeName(type)} records are not served`,
          )
      } else if (!((type === RRType.A || type === RRType.AAAA) && glueNames.has(node.key)))
        warning(
          first,
          `${shown(node.text)} is below the delegation ${shown(cut.text)}: its ${typeName(type)} records are not served (only glue for name servers is)`,
        )
    }
  }

  // What each name answers, and what a missing name below it answers.
  for (const node of nodes.values()) {
    if (node.cut !== undefined) {
      node.result = (node.cut as Node).delegation as ZoneDelegation
      node.below = node.result
    } else {
      node.result = node.empty
        ? Object.freeze({ kind: 'nodata', name: node.text })
        : Object.freeze({ kind: 'answer', name: node.text, rrsets: node.rrsets })
    }
  }
  for (const node of nodes.values()) {
    if (node.cut !== undefined) continue
    const wildcard = node.wildcard
    if (wildcard === undefined) node.below = NXDOMAIN
    else if (wildcard.empty) node.below = wildcard.result
    else
      node.below = Object.freeze({
        kind: 'wildcard',
        name: wildcard.text,
        closestEncloser: node.text,
        rrsets: wildcard.rrsets.size === 0 ? NO_RRSETS : wildcard.rrsets,
      })
  }

  if (soaSet === undefined || nsSet === undefined) return undefined
  const zone = new LoadedZone(
    apex,
    nodes,
    soaSet,
    (soaRecords[0] as ParsedRecord).data as Extract<RecordData, { type: 'SOA' }>,
    nsSet,
    { names, records: recordCount },
    warnings,
  )

  // Mail exchangers and service targets should be hosts with addresses, not aliases (RFC 2181 §10.3).
  for (const record of records) {
    const data = record.data
    const target = data.type === 'MX' ? data.exchange : data.type === 'SRV' ? data.target : undefined
    if (target === undefined || target.key === '' || !isSubdomain(target.key, apexKey)) continue
    const found = zone.lookup(target.key)
    if (found.kind === 'delegation') continue
    const sets = found.kind === 'answer' || found.kind === 'wildcard' ? found.rrsets : NO_RRSETS
    if (sets.has(RRType.CNAME))
      warning(
        record,
        `the ${data.type} target ${shown(target.text)} is an alias (CNAME); it should name a host with addresses (RFC 2181 §10.3)`,
      )
    else if (!sets.has(RRType.A) && !sets.has(RRType.AAAA))
      warning(record, `the ${data.type} target ${shown(target.text)} has no A or AAAA record in this zone`)
  }
  return zone
}
