/**
 * The benchmark zone's static records as plain data, for the two peer servers written on npm DNS
 * libraries (`dns-packet`, `dns2`): the interop fixture's zone text (the one gdnsd and ours load),
 * read by a small reader that knows only what that file uses (one record per line, `$TTL`, `@`,
 * relative names, quoted strings, an SOA in parentheses on its line), and the lookup both peers
 * share: exact names, a CNAME at the name, NODATA and NXDOMAIN with the SOA, REFUSED outside the
 * zone, and a weighted draw for the weighted name. No wildcards or delegations: the benchmark's
 * query files ask for neither.
 */
import { ORIGIN, STATIC_ZONE, WEIGHTED, WEIGHTS } from '../../packages/dns/test/interop/fixture.js'

/** One record's data in a library-neutral form. */
export type RecordData =
  | { readonly type: 'A' | 'AAAA'; readonly address: string }
  | { readonly type: 'NS' | 'CNAME' | 'PTR'; readonly target: string }
  | { readonly type: 'MX'; readonly preference: number; readonly exchange: string }
  | { readonly type: 'TXT'; readonly strings: readonly string[] }
  | {
      readonly type: 'SRV'
      readonly priority: number
      readonly weight: number
      readonly port: number
      readonly target: string
    }
  | { readonly type: 'CAA'; readonly flags: number; readonly tag: string; readonly value: string }
  | {
      readonly type: 'SOA'
      readonly mname: string
      readonly rname: string
      readonly serial: number
      readonly refresh: number
      readonly retry: number
      readonly expire: number
      readonly minimum: number
    }

export type RecordType = RecordData['type']

/** A record: owner (lower case, no final dot), TTL and data. */
export interface ZoneRecord {
  readonly name: string
  readonly ttl: number
  readonly data: RecordData
}

function tokens(line: string): string[] {
  const out: string[] = []
  const re = /"((?:[^"\\]|\\.)*)"|([^\s"()]+)/g
  for (let m = re.exec(line); m !== null; m = re.exec(line))
    out.push(m[1] !== undefined ? `"${m[1]}` : (m[2] as string))
  return out
}

function absolute(name: string): string {
  if (name === '@') return ORIGIN
  if (name.endsWith('.')) return name.slice(0, -1).toLowerCase()
  return `${name}.${ORIGIN}`.toLowerCase()
}

const TYPES = new Set<string>(['A', 'AAAA', 'NS', 'CNAME', 'PTR', 'MX', 'TXT', 'SRV', 'CAA', 'SOA'])

/** Reads the fixture zone's records. */
export function zoneRecords(text = STATIC_ZONE): ZoneRecord[] {
  const records: ZoneRecord[] = []
  let defaultTtl = 3600
  for (const raw of text.split('\n')) {
    const line = raw.replace(/;.*$/, '')
    if (line.trim() === '') continue
    const t = tokens(line)
    if (t[0] === '$TTL') {
      defaultTtl = Number(t[1])
      continue
    }
    const name = absolute(t[0] as string)
    let i = 1
    let ttl = defaultTtl
    if (/^\d+$/.test(t[i] ?? '')) ttl = Number(t[i++])
    if (t[i] === 'IN') i++
    const type = t[i++] as string
    if (!TYPES.has(type)) throw new Error(`zone-data: unsupported type ${type} in: ${raw}`)
    const rdata = t.slice(i)
    const word = (k: number): string => rdata[k] as string
    const num = (k: number): number => Number(rdata[k])
    const str = (k: number): string => word(k).replace(/^"/, '')
    let data: RecordData
    switch (type) {
      case 'A':
      case 'AAAA':
        data = { type, address: word(0) }
        break
      case 'NS':
      case 'CNAME':
      case 'PTR':
        data = { type, target: absolute(word(0)) }
        break
      case 'MX':
        data = { type, preference: num(0), exchange: absolute(word(1)) }
        break
      case 'TXT':
        data = { type, strings: rdata.map((_, k) => str(k)) }
        break
      case 'SRV':
        data = { type, priority: num(0), weight: num(1), port: num(2), target: absolute(word(3)) }
        break
      case 'CAA':
        data = { type, flags: num(0), tag: word(1), value: str(2) }
        break
      default:
        data = {
          type: 'SOA',
          mname: absolute(word(0)),
          rname: absolute(word(1)),
          serial: num(2),
          refresh: num(3),
          retry: num(4),
          expire: num(5),
          minimum: num(6),
        }
    }
    records.push({ name, ttl, data })
  }
  return records
}

/** What a peer answers: rcode, whether authoritative, and the records of two sections. */
export interface Lookup {
  /** 0 NOERROR, 3 NXDOMAIN, 5 REFUSED. */
  readonly rcode: 0 | 3 | 5
  readonly authoritative: boolean
  readonly answers: readonly ZoneRecord[]
  readonly authorities: readonly ZoneRecord[]
}

/** The zone as the peers look it up, with the weighted name drawn per query. */
export class PeerZone {
  readonly #byName = new Map<string, ZoneRecord[]>()
  /** Names with no records of their own but some below them (empty non-terminals answer NODATA). */
  readonly #nonTerminals = new Set<string>()
  readonly #soa: ZoneRecord
  readonly #weighted: readonly ZoneRecord[]
  readonly #cumulative: readonly number[]
  readonly #total: number

  constructor(records: readonly ZoneRecord[] = zoneRecords()) {
    for (const record of records) {
      const list = this.#byName.get(record.name) ?? []
      list.push(record)
      this.#byName.set(record.name, list)
      const labels = record.name.split('.')
      for (let i = 1; i < labels.length - 1; i++) this.#nonTerminals.add(labels.slice(i).join('.'))
    }
    const soa = records.find((record) => record.data.type === 'SOA')
    if (soa === undefined) throw new Error('zone-data: no SOA')
    // the SOA in a negative answer carries min(TTL, MINIMUM) (RFC 2308)
    this.#soa = { ...soa, ttl: Math.min(soa.ttl, (soa.data as { minimum: number }).minimum) }
    const name = `${WEIGHTED.name}.${ORIGIN}`
    this.#weighted = WEIGHTED.addresses.map((address) => ({
      name,
      ttl: WEIGHTED.ttl,
      data: { type: 'A', address },
    }))
    let sum = 0
    this.#cumulative = WEIGHTS.map((w) => {
      sum += w
      return sum
    })
    this.#total = sum
  }

  /** Answers `qname` (any case) and `qtype` (a type name). */
  lookup(qname: string, qtype: string): Lookup {
    const name = qname.toLowerCase().replace(/\.$/, '')
    if (name !== ORIGIN && !name.endsWith(`.${ORIGIN}`))
      return { rcode: 5, authoritative: false, answers: [], authorities: [] }
    if (this.#weighted[0]?.name === name) {
      if (qtype !== 'A') return this.#nodata()
      const draw = Math.random() * this.#total
      let i = 0
      while (i < this.#cumulative.length - 1 && draw >= (this.#cumulative[i] as number)) i++
      return { rcode: 0, authoritative: true, answers: [this.#weighted[i] as ZoneRecord], authorities: [] }
    }
    const records = this.#byName.get(name)
    if (records === undefined) {
      return this.#nonTerminals.has(name)
        ? this.#nodata()
        : { rcode: 3, authoritative: true, answers: [], authorities: [this.#soa] }
    }
    const cname = records.filter((record) => record.data.type === 'CNAME')
    if (cname.length > 0 && qtype !== 'CNAME')
      return { rcode: 0, authoritative: true, answers: cname, authorities: [] }
    const answers = records.filter((record) => record.data.type === qtype)
    return answers.length > 0 ? { rcode: 0, authoritative: true, answers, authorities: [] } : this.#nodata()
  }

  #nodata(): Lookup {
    return { rcode: 0, authoritative: true, answers: [], authorities: [this.#soa] }
  }
}
