/**
 * Generated zones for property and differential tests: a model of records (labels and bytes),
 * the wire RDATA the model stands for (built here, independently of the codec), and a writer
 * that prints the model as a master file in varied but equivalent styles.
 */
import fc from 'fast-check'

/** A name below the apex, as labels of bytes (most-specific first). */
export type RelName = readonly Uint8Array[]

export type ModelData =
  | { type: 'A'; address: Uint8Array }
  | { type: 'AAAA'; address: Uint8Array }
  | { type: 'MX'; preference: number; exchange: RelName | 'out' }
  | { type: 'TXT'; strings: Uint8Array[] }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: RelName | 'out' }
  | { type: 'CAA'; flags: number; tag: string; value: Uint8Array }
  | { type: 'PTR'; target: RelName | 'out' }
  | { type: 'CNAME'; target: RelName | 'out' }
  | { type: 'GENERIC'; code: number; data: Uint8Array }

export interface ModelRecord {
  owner: RelName
  ttl: number
  data: ModelData
}

export interface ZoneModel {
  records: ModelRecord[]
}

export const ORIGIN = 'example.com'
const ORIGIN_LABELS = ['example', 'com'].map((l) => Buffer.from(l))
const OUT = [Buffer.from('target'), Buffer.from('example'), Buffer.from('net')]

const TYPE_CODES: Record<ModelData['type'], number> = {
  A: 1,
  AAAA: 28,
  MX: 15,
  TXT: 16,
  SRV: 33,
  CAA: 257,
  PTR: 12,
  CNAME: 5,
  GENERIC: 0,
}

export function typeCode(data: ModelData): number {
  return data.type === 'GENERIC' ? data.code : TYPE_CODES[data.type]
}

// Labels: mostly hostname-like, sometimes with bytes a master file must escape.
const plainLabel = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,9}$/).map((s) => Buffer.from(s))
const oddLabel = fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => Buffer.from(b))
const label = fc.oneof({ weight: 6, arbitrary: plainLabel }, { weight: 1, arbitrary: oddLabel })
// "*" labels would make wildcards; they are generated on purpose elsewhere.
const safeLabel = label.filter((l) => !(l.length === 1 && l[0] === 0x2a))
export const relName = fc.array(safeLabel, { minLength: 1, maxLength: 3 })
const targetName = fc.oneof(relName, fc.constant('out' as const))
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b))

const addressData = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((address): ModelData => ({ type: 'A', address })),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((address): ModelData => ({ type: 'AAAA', address })),
)
const otherData: fc.Arbitrary<ModelData> = fc.oneof(
  fc.record({ type: fc.constant('MX' as const), preference: fc.nat(65535), exchange: targetName }),
  fc.record({
    type: fc.constant('TXT' as const),
    strings: fc.array(bytes(60), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant('SRV' as const),
    priority: fc.nat(65535),
    weight: fc.nat(65535),
    port: fc.nat(65535),
    target: targetName,
  }),
  fc.record({
    type: fc.constant('CAA' as const),
    flags: fc.constantFrom(0, 128),
    tag: fc.constantFrom('issue', 'issuewild', 'iodef', 'X1'),
    value: bytes(40),
  }),
  fc.record({ type: fc.constant('PTR' as const), target: targetName }),
  fc.record({
    type: fc.constant('GENERIC' as const),
    code: fc.integer({ min: 65280, max: 65534 }),
    data: bytes(20),
  }),
)

const ttl = fc.oneof(fc.constantFrom(0, 60, 300, 3600, 86400), fc.nat(0x7fffffff))

/**
 * A zone model: records at generated names (never below a delegation or at a CNAME's name with
 * other data), and CNAMEs at names of their own (an `alias-` first label keeps them apart).
 */
export const zoneModel: fc.Arbitrary<ZoneModel> = fc
  .record({
    // a few names per zone, so RRsets hold several records and names several types
    names: fc.array(relName, { minLength: 1, maxLength: 6 }),
    data: fc.array(fc.record({ owner: fc.nat(), ttl, data: fc.oneof(addressData, otherData) }), {
      maxLength: 25,
    }),
    aliases: fc.array(fc.record({ owner: relName, ttl, target: targetName }), { maxLength: 4 }),
  })
  .map(({ names, data, aliases }) => {
    const records: ModelRecord[] = data.map((r) => ({
      ...r,
      owner: recase(names[r.owner % names.length] as RelName, r.owner),
    }))
    const taken = new Set(records.map((r) => keyOf(r.owner)))
    for (const alias of aliases) {
      const owner = [Buffer.from('alias-'), ...alias.owner]
      if (taken.has(keyOf(owner))) continue
      taken.add(keyOf(owner))
      records.push({ owner, ttl: alias.ttl, data: { type: 'CNAME', target: alias.target } })
    }
    return { records }
  })

// The same name in another ASCII case now and then: names compare without case (RFC 4343).
function recase(name: RelName, seed: number): RelName {
  if (seed % 4 !== 3) return name
  return name.map((l) => Buffer.from(l.map((b) => (b >= 0x61 && b <= 0x7a ? b - 32 : b))))
}

/** A case-insensitive identity for a name (ASCII letters folded). */
export function keyOf(name: RelName | 'out'): string {
  if (name === 'out') return 'out'
  return name
    .map((l) => Buffer.from(l.map((b) => (b >= 0x41 && b <= 0x5a ? b + 32 : b))).toString('hex'))
    .join('.')
}

function wireName(name: RelName | 'out' | 'apex'): Buffer {
  const labels = name === 'out' ? OUT : name === 'apex' ? ORIGIN_LABELS : [...name, ...ORIGIN_LABELS]
  return Buffer.concat([...labels.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0])])
}

/** The wire form of an owner name (case kept). */
export function ownerWire(owner: RelName): Buffer {
  return wireName(owner)
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(n)
  return b
}

/** The wire RDATA a model record stands for, built by plain concatenation. */
export function expectedRdata(data: ModelData): Buffer {
  switch (data.type) {
    case 'A':
    case 'AAAA':
      return Buffer.from(data.address)
    case 'MX':
      return Buffer.concat([u16(data.preference), wireName(data.exchange)])
    case 'TXT':
      return Buffer.concat(data.strings.flatMap((s) => [Buffer.from([s.length]), s]))
    case 'SRV':
      return Buffer.concat([u16(data.priority), u16(data.weight), u16(data.port), wireName(data.target)])
    case 'CAA':
      return Buffer.concat([Buffer.from([data.flags, data.tag.length]), Buffer.from(data.tag), data.value])
    case 'PTR':
    case 'CNAME':
      return wireName(data.target)
    case 'GENERIC':
      return Buffer.from(data.data)
  }
}

/** Choices the writer makes; generated so each record can be written differently. */
export interface Style {
  absoluteOwner: boolean
  blankOwner: boolean
  ttlForm: 'seconds' | 'units' | 'omit'
  classIn: 'none' | 'before' | 'after'
  upperType: boolean
  parens: boolean
  comment: boolean
  generic: boolean
  escapeAll: boolean
  v6Full: boolean
}

export const style: fc.Arbitrary<Style> = fc.record({
  absoluteOwner: fc.boolean(),
  blankOwner: fc.boolean(),
  ttlForm: fc.constantFrom('seconds', 'units', 'omit'),
  classIn: fc.constantFrom('none', 'before', 'after'),
  upperType: fc.boolean(),
  parens: fc.boolean(),
  comment: fc.boolean(),
  generic: fc.boolean(),
  escapeAll: fc.boolean(),
  v6Full: fc.boolean(),
})

const SPECIAL = new Set('.\\"();@$ '.split('').map((c) => c.charCodeAt(0)))

function escapeLabel(label: Uint8Array, all: boolean): string {
  let out = ''
  for (const b of label) {
    if (b < 0x21 || b > 0x7e) out += `\\${String(b).padStart(3, '0')}`
    else if (SPECIAL.has(b)) out += all ? `\\${String(b).padStart(3, '0')}` : `\\${String.fromCharCode(b)}`
    else if (all && b % 3 === 0) out += `\\${String(b).padStart(3, '0')}`
    else out += String.fromCharCode(b)
  }
  return out
}

function nameText(name: RelName | 'out', absolute: boolean, s: Style): string {
  if (name === 'out') return 'target.example.net.'
  const rel = name.map((l) => escapeLabel(l, s.escapeAll)).join('.')
  return absolute ? `${rel}.${ORIGIN}.` : rel
}

function quoted(bytes: Uint8Array, s: Style): string {
  let out = '"'
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) out += `\\${String.fromCharCode(b)}`
    else if (b < 0x20 || b > 0x7e || (s.escapeAll && b % 2 === 0)) out += `\\${String(b).padStart(3, '0')}`
    else out += String.fromCharCode(b)
  }
  return `${out}"`
}

function ipv6(address: Uint8Array, full: boolean): string {
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2)
    groups.push(((address[i] as number) * 256 + (address[i + 1] as number)).toString(16))
  if (full) return groups.map((g) => g.padStart(4, '0').toUpperCase()).join(':')
  // compress the first run of zero groups, whatever its length, as some writers do
  const first = groups.indexOf('0')
  if (first < 0) return groups.join(':')
  let end = first
  while (end < 8 && groups[end] === '0') end++
  return `${groups.slice(0, first).join(':')}::${groups.slice(end).join(':')}`
}

function units(seconds: number): string {
  const parts: string[] = []
  let rest = seconds
  for (const [unit, size] of [
    ['w', 604800],
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`)
  return parts.join('')
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

function rdataWords(data: ModelData, s: Style): string[] {
  const name = (n: RelName | 'out') => nameText(n, s.absoluteOwner, s)
  if (s.generic) {
    const wire = expectedRdata(data)
    return wire.length === 0
      ? ['\\#', '0']
      : ['\\#', String(wire.length), hex(wire.subarray(0, 3)), hex(wire.subarray(3))].filter((w) => w !== '')
  }
  switch (data.type) {
    case 'A':
      return [Array.from(data.address).join('.')]
    case 'AAAA':
      return [ipv6(data.address, s.v6Full)]
    case 'MX':
      return [String(data.preference), name(data.exchange)]
    case 'TXT':
      return data.strings.map((b) => quoted(b, s))
    case 'SRV':
      return [String(data.priority), String(data.weight), String(data.port), name(data.target)]
    case 'CAA':
      return [String(data.flags), data.tag, quoted(data.value, s)]
    case 'PTR':
    case 'CNAME':
      return [name(data.target)]
    case 'GENERIC':
      return ['\\#', String(data.data.length), ...(data.data.length > 0 ? [hex(data.data)] : [])]
  }
}

function typeWord(data: ModelData, s: Style): string {
  if (data.type === 'GENERIC') return `TYPE${data.code}`
  if (s.generic && s.upperType) return `TYPE${TYPE_CODES[data.type]}`
  return s.upperType ? data.type : data.type.toLowerCase()
}

/**
 * The model as a master file. `styles[i % styles.length]` says how record `i` is written; the
 * file opens with `$TTL`, the SOA and the apex NS (pointing out of the zone).
 */
export function writeZone(model: ZoneModel, styles: readonly Style[], defaultTtl = 3600): string {
  const lines = [
    `$ORIGIN ${ORIGIN}.`,
    `$TTL ${defaultTtl}`,
    '@ IN SOA ns1.example.net. hostmaster.example.net. ( 2024010101 ; serial',
    '          7200 3600 1209600 300 )',
    '@ IN NS ns1.example.net.',
    '  IN NS ns2.example.net.',
  ]
  let previous = ''
  model.records.forEach((record, i) => {
    const s = styles[i % styles.length] as Style
    const ownerKey = keyOf(record.owner)
    const owner = s.blankOwner && ownerKey === previous ? '' : nameText(record.owner, s.absoluteOwner, s)
    previous = ownerKey
    const ttlWord =
      s.ttlForm === 'omit' && record.ttl === defaultTtl
        ? undefined
        : s.ttlForm === 'units'
          ? units(record.ttl)
          : String(record.ttl)
    const head: string[] = []
    if (s.classIn === 'before') head.push('IN')
    if (ttlWord !== undefined) head.push(ttlWord)
    if (s.classIn === 'after') head.push('IN')
    const words = rdataWords(record.data, s)
    const body = s.parens ? `( ${words.join('\n    ')} )` : words.join(' ')
    lines.push(
      `${owner} ${head.join(' ')} ${typeWord(record.data, s)} ${body}${s.comment ? ' ; note ( " ;' : ''}`,
    )
  })
  return `${lines.join('\n')}\n`
}
