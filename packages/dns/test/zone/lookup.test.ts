import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { RRType } from '../../src/wire/index.js'
import { parseZone, type RRset, rrsetLines, type Zone, type ZoneLookup } from '../../src/zone/index.js'

const text = readFileSync(new URL('fixtures/example.com.zone', import.meta.url), 'utf8')
const zone = parseZone(text, { origin: 'example.com', file: 'example.com.zone' })

function rrset(result: ZoneLookup, type: number): RRset {
  if (result.kind !== 'answer' && result.kind !== 'wildcard')
    throw new Error(`no RRsets in a ${result.kind} result`)
  const set = result.rrsets.get(type)
  if (set === undefined) throw new Error(`no RRset of type ${type}`)
  return set
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

describe('a realistic zone', () => {
  it('loads without errors or warnings and counts its names and records', () => {
    expect(zone.warnings).toEqual([])
    expect(zone.origin).toBe('example.com')
    expect(zone.names).toBe(16)
    expect(zone.records).toBe(31)
  })

  it('keeps the SOA, its serial and minimum, and the negative TTL (RFC 2308 §5)', () => {
    expect(zone.soa.texts).toEqual([
      'ns1.example.com. hostmaster.example.com. 2024060101 7200 1800 1209600 300',
    ])
    expect(zone.serial).toBe(2024060101)
    expect(zone.minimum).toBe(300)
    expect(zone.soa.ttl).toBe(3600)
    expect(zone.negativeTtl).toBe(300)
    expect(zone.negativeSoa.ttl).toBe(300)
    expect(zone.negativeSoa.rdatas).toBe(zone.soa.rdatas)
  })

  it('keeps the apex NS RRset', () => {
    expect(zone.ns.texts).toEqual(['ns1.example.com.', 'ns2.example.com.', 'ns.other-provider.net.'])
    expect(hex(zone.ns.rdatas[0] as Uint8Array)).toBe(
      hex(Buffer.from('\x03ns1\x07example\x03com\x00', 'latin1')),
    )
  })

  it('answers the apex with all its RRsets', () => {
    const apex = zone.lookup('example.com')
    expect(apex.kind).toBe('answer')
    if (apex.kind !== 'answer') return
    expect([...apex.rrsets.keys()]).toEqual([
      RRType.SOA,
      RRType.NS,
      RRType.MX,
      RRType.TXT,
      RRType.CAA,
      RRType.A,
      RRType.AAAA,
    ])
    expect(rrset(apex, RRType.MX).texts).toEqual(['10 mail.example.com.', '20 mail2.example.net.'])
    expect(rrset(apex, RRType.CAA).texts).toEqual([
      '0 issue "letsencrypt.org"',
      '0 iodef "mailto:security@example.com"',
    ])
    expect(hex(rrset(apex, RRType.A).rdatas[0] as Uint8Array)).toBe('c0000201')
    expect(hex(rrset(apex, RRType.AAAA).rdatas[0] as Uint8Array)).toBe('20010db8000000000000000000000001')
  })

  it('returns stored objects: the same result for the same name, no copy per lookup', () => {
    expect(zone.lookup('api.example.com')).toBe(zone.lookup('api.example.com'))
    expect(zone.lookup('x.apps.example.com')).toBe(zone.lookup('y.apps.example.com'))
    expect(zone.lookup('nope.example.com')).toBe(zone.lookup('other.example.com'))
  })

  it('keeps the owner as written but finds it by its lowercase key', () => {
    const www = zone.lookup('www.example.com')
    expect(www).toMatchObject({ kind: 'answer', name: 'WWW.example.com' })
    const cname = rrset(www, RRType.CNAME)
    expect(cname.owner).toBe('WWW.example.com')
    expect(hex(cname.ownerWire)).toBe(hex(Buffer.from('\x03WWW\x07example\x03com\x00', 'latin1')))
    expect(cname.texts).toEqual(['example.com.'])
    expect(zone.lookup('WWW.example.com').kind).toBe('nxdomain') // keys are lowercase
  })

  it('gives one TTL per RRset and the records in file order', () => {
    const api = rrset(zone.lookup('api.example.com'), RRType.A)
    expect(api.ttl).toBe(60)
    expect(api.texts).toEqual(['192.0.2.10', '192.0.2.11', '192.0.2.12'])
    expect(api.sources).toEqual(['example.com.zone:26', 'example.com.zone:27', 'example.com.zone:28'])
    expect(rrsetLines(api)).toEqual([
      'api.example.com. 60 IN A 192.0.2.10',
      'api.example.com. 60 IN A 192.0.2.11',
      'api.example.com. 60 IN A 192.0.2.12',
    ])
    const ns2 = zone.lookup('ns2.example.com')
    expect(rrset(ns2, RRType.A).ttl).toBe(300)
    expect(rrset(ns2, RRType.AAAA).ttl).toBe(3600) // a TTL on one line does not carry to the next when $TTL is set
  })

  it('reads SRV, PTR, TXT with several strings and escapes, and RFC 3597 data', () => {
    expect(rrset(zone.lookup('_sip._tcp.example.com'), RRType.SRV).texts).toEqual([
      '10 60 5060 sip.example.com.',
    ])
    expect(hex(rrset(zone.lookup('_sip._tcp.example.com'), RRType.SRV).rdatas[0] as Uint8Array)).toBe(
      `000a003c13c4${hex(Buffer.from('\x03sip\x07example\x03com\x00', 'latin1'))}`,
    )
    expect(rrset(zone.lookup('4.2.0.192.in-addr.example.com'), RRType.PTR).texts).toEqual([
      'www.example.com.',
    ])
    const long = rrset(zone.lookup('long.example.com'), RRType.TXT)
    expect(long.texts).toEqual(['"first string" "second \\"quoted\\" string" "semi;colon and ABC"'])
    expect(Buffer.from(long.rdatas[0] as Uint8Array).toString('latin1')).toBe(
      '\x0cfirst string\x16second "quoted" string\x12semi;colon and ABC',
    )
    const unknown = rrset(zone.lookup('private.example.com'), 65534)
    expect(hex(unknown.rdatas[0] as Uint8Array)).toBe('abcdef')
    expect(rrsetLines(unknown)).toEqual(['private.example.com. 3600 IN TYPE65534 \\# 3 abcdef'])
  })

  it('synthesises from the closest encloser wildcard (RFC 4592)', () => {
    const result = zone.lookup('anything.apps.example.com')
    expect(result).toMatchObject({
      kind: 'wildcard',
      name: '*.apps.example.com',
      closestEncloser: 'apps.example.com',
    })
    expect(rrset(result, RRType.A).texts).toEqual(['192.0.2.80'])
    expect(rrset(result, RRType.TXT).texts).toEqual(['"wildcard"'])
    // the wildcard matches any depth below its closest encloser
    expect(zone.lookup('a.b.c.apps.example.com').kind).toBe('wildcard')
    // the wildcard's own name is an exact match, not a synthesis
    expect(zone.lookup('*.apps.example.com')).toMatchObject({ kind: 'answer', name: '*.apps.example.com' })
    // a wildcard does not cover names beside its parent
    expect(zone.lookup('x.example.com').kind).toBe('nxdomain')
  })

  it('answers NODATA for empty non-terminals (RFC 8020), NXDOMAIN below them', () => {
    expect(zone.lookup('deep.ent.example.com')).toEqual({ kind: 'nodata', name: 'deep.ent.example.com' })
    expect(zone.lookup('ent.example.com')).toEqual({ kind: 'nodata', name: 'ent.example.com' })
    expect(zone.lookup('apps.example.com')).toEqual({ kind: 'nodata', name: 'apps.example.com' }) // parent of the wildcard
    expect(zone.lookup('_tcp.example.com').kind).toBe('nodata')
    expect(zone.lookup('other.deep.ent.example.com').kind).toBe('nxdomain')
    expect(zone.lookup('host.deep.ent.example.com').kind).toBe('answer')
  })

  it('refers names at and below a zone cut, with glue', () => {
    for (const name of [
      'sub.example.com',
      'www.sub.example.com',
      'a.b.c.sub.example.com',
      'ns1.sub.example.com',
    ]) {
      const result = zone.lookup(name)
      expect(result.kind, name).toBe('delegation')
      if (result.kind !== 'delegation') continue
      expect(result.name).toBe('sub.example.com')
      expect(result.ns.texts).toEqual(['ns1.sub.example.com.', 'ns2.sub.example.com.'])
      expect(result.glue.flatMap((g) => rrsetLines(g))).toEqual([
        'ns1.sub.example.com. 3600 IN A 203.0.113.1',
        'ns2.sub.example.com. 3600 IN AAAA 2001:db8:113::2',
      ])
    }
  })

  it('answers NXDOMAIN for missing names and "outside" for names of other zones', () => {
    expect(zone.lookup('missing.example.com')).toEqual({ kind: 'nxdomain' })
    expect(zone.lookup('a.missing.example.com')).toEqual({ kind: 'nxdomain' })
    expect(zone.lookup('example.org')).toEqual({ kind: 'outside' })
    expect(zone.lookup('notexample.com')).toEqual({ kind: 'outside' })
    expect(zone.lookup('com')).toEqual({ kind: 'outside' })
    expect(zone.lookup('')).toEqual({ kind: 'outside' })
    expect(zone.contains('example.com')).toBe(true)
    expect(zone.contains('deep.sub.example.com')).toBe(true)
    expect(zone.contains('badexample.com')).toBe(false)
    expect(zone.contains('com')).toBe(false)
  })

  it('lists every RRset for dumps', () => {
    const all = [...zone.rrsets()]
    expect(all.reduce((n, s) => n + s.rdatas.length, 0)).toBe(zone.records)
    expect(all[0]?.type).toBe(RRType.SOA)
  })
})

describe('lookups in smaller zones', () => {
  const head = '$TTL 300\n@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n'
  const load = (body: string, origin = 'example.com'): Zone => parseZone(head + body, { origin })

  it('an empty non-terminal blocks a wildcard above it (RFC 4592 §2.2.2)', () => {
    const zone = load('* TXT "any"\nb.a TXT "deep"\n')
    expect(zone.lookup('x.example.com').kind).toBe('wildcard')
    expect(zone.lookup('a.example.com').kind).toBe('nodata')
    expect(zone.lookup('x.a.example.com').kind).toBe('nxdomain') // closest encloser a.example.com has no wildcard
  })

  it('a wildcard that exists only as an empty non-terminal answers NODATA', () => {
    const zone = load('x.*.apps TXT "deep"\n')
    expect(zone.lookup('q.apps.example.com')).toEqual({ kind: 'nodata', name: '*.apps.example.com' })
    expect(zone.lookup('x.*.apps.example.com').kind).toBe('answer')
  })

  it('a wildcard CNAME is synthesised like any other type', () => {
    const zone = load('*.cdn CNAME edge.example.net.\n')
    const result = zone.lookup('img.cdn.example.com')
    expect(result.kind).toBe('wildcard')
    expect(rrset(result, RRType.CNAME).texts).toEqual(['edge.example.net.'])
  })

  it('a wildcard does not reach under a delegation', () => {
    const zone = load('* A 192.0.2.9\nsub NS ns.example.net.\n')
    expect(zone.lookup('x.sub.example.com').kind).toBe('delegation')
    expect(zone.lookup('x.example.com').kind).toBe('wildcard')
  })

  it('a delegation whose servers are outside the zone has no glue; servers elsewhere in the zone are added', () => {
    const zone = load('sub NS ns.example.net.\nsub NS ns\nother NS ns.sub\nns.sub A 192.0.2.2\n')
    const sub = zone.lookup('sub.example.com')
    expect(sub.kind === 'delegation' && sub.glue.map((g) => g.owner)).toEqual(['ns.example.com'])
    const other = zone.lookup('deep.other.example.com')
    // sibling glue: the server lives under another delegation of this zone
    expect(other.kind === 'delegation' && other.glue.map((g) => g.owner)).toEqual(['ns.sub.example.com'])
  })

  it('an empty non-terminal above a delegation is NODATA, not a referral', () => {
    const zone = load('child.region NS ns.example.net.\n')
    expect(zone.lookup('region.example.com').kind).toBe('nodata')
    expect(zone.lookup('child.region.example.com').kind).toBe('delegation')
  })

  it('reads nested parentheses as one entry, as BIND does', () => {
    const zone = load('x TXT ( "a" ( "b"\n "c" ) ) ; done\ny TXT "d"\n')
    const x = zone.lookup('x.example.com')
    expect(x.kind === 'answer' && x.rrsets.get(RRType.TXT)?.texts).toEqual(['"a" "b" "c"'])
    expect(zone.lookup('y.example.com').kind).toBe('answer')
  })

  it('names with escaped dots are single labels', () => {
    const zone = load('a\\.b TXT "one label"\n')
    expect(zone.lookup('a\\.b.example.com').kind).toBe('answer')
    expect(zone.lookup('b.example.com').kind).toBe('nxdomain')
    // "x\.example.com" is the single label "x.example" under "com", outside the zone
    expect(zone.contains('x\\.example.com')).toBe(false)
    expect(zone.lookup('x\\.example.com').kind).toBe('outside')
    expect(zone.contains('x\\\\.example.com')).toBe(true) // an escaped backslash, then a real dot
  })

  it('serves the root zone', () => {
    const root = parseZone(
      '$TTL 300\n. SOA a.root-servers.net. nstld.verisign-grs.com. 1 2 3 4 5\n. NS a.root-servers.net.\ncom. NS a.gtld-servers.net.\na.root-servers.net. A 198.41.0.4\na.gtld-servers.net. A 192.5.6.30\n',
      { origin: '.' },
    )
    expect(root.origin).toBe('')
    expect(root.lookup('').kind).toBe('answer')
    expect(root.lookup('example.com').kind).toBe('delegation')
    expect(root.lookup('example.org').kind).toBe('nxdomain')
    expect(root.contains('anything')).toBe(true)
  })
})
