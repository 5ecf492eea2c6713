/**
 * Differential test against BIND's named-checkzone (Debian package bind9-utils): the same zone
 * texts, accepted or refused by both, and for accepted zones the same records: BIND's dump in its
 * raw format holds each RRset's owner, type, TTL and RDATA in wire form, which is compared byte
 * for byte with what this parser encodes. Where the two differ on purpose, the case says which
 * way and why, so a change on either side shows up here.
 */
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { checkZone, type RRset, type Zone } from '../../src/zone/index.js'
import { ORIGIN, style, writeZone, zoneModel } from './zone-gen.js'

const TOOL = 'named-checkzone'
const available = spawnSync(TOOL, ['-v'], { encoding: 'utf8' }).status === 0
if (!available)
  console.warn(
    `${TOOL} is not installed (apt-get install bind9-utils): the differential zone tests are skipped`,
  )

const dir = available ? mkdtempSync(join(tmpdir(), 'shoal-zone-')) : ''
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true })
})

let fileCount = 0

interface BindResult {
  accepted: boolean
  /** The zone's RRsets as BIND holds them (empty when refused), keyed like {@link records}. */
  records: Map<string, string>
  messages: string
}

// -k ignore: BIND's host-name checks (check-names) are a policy this parser does not apply.
// -D -F raw: dump the loaded zone in BIND's raw format, RDATA in wire form.
function bind(text: string): Promise<BindResult> {
  const path = join(dir, `case-${++fileCount}.zone`)
  const raw = `${path}.raw`
  writeFileSync(path, text)
  const args = ['-k', 'ignore', '-D', '-F', 'raw', '-o', raw, ORIGIN, path]
  return new Promise((resolve) => {
    execFile(TOOL, args, { encoding: 'utf8', timeout: 10_000 }, (err, stdout, stderr) => {
      const accepted = err === null
      resolve({
        accepted,
        records: accepted ? readRaw(readFileSync(raw)) : new Map(),
        messages: stdout + stderr,
      })
    })
  })
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const lower = (wire: Uint8Array) => Buffer.from(wire.map((b) => (b >= 0x41 && b <= 0x5a ? b + 32 : b)))

function key(owner: Uint8Array, type: number): string {
  return `${hex(lower(owner))} ${type}`
}

function value(ttl: number | undefined, rdatas: readonly Uint8Array[]): string {
  return `${ttl ?? ''} ${rdatas.map(hex).sort().join(',')}`
}

// BIND's raw zone format (lib/dns/masterdump.c): a header of six 32-bit words (format 2,
// version 1, …), then per RRset: total length (4), class (2), type (2), covers (2), TTL (4),
// record count (4), owner length (2) and owner, then each RDATA as length (2) and bytes.
function readRaw(buf: Buffer): Map<string, string> {
  if (buf.readUInt32BE(0) !== 2 || buf.readUInt32BE(4) !== 1)
    throw new Error('not a raw zone dump of version 1')
  const out = new Map<string, string>()
  for (let at = 24; at < buf.length; ) {
    const total = buf.readUInt32BE(at)
    const type = buf.readUInt16BE(at + 6)
    const ttl = buf.readUInt32BE(at + 10)
    const count = buf.readUInt32BE(at + 14)
    const ownerLength = buf.readUInt16BE(at + 18)
    const owner = buf.subarray(at + 20, at + 20 + ownerLength)
    const rdatas: Uint8Array[] = []
    for (let p = at + 20 + ownerLength, i = 0; i < count; i++) {
      const length = buf.readUInt16BE(p)
      rdatas.push(buf.subarray(p + 2, p + 2 + length))
      p += 2 + length
    }
    out.set(key(owner, type), value(ttl, rdatas))
    at += total
  }
  return out
}

// The zone's records by lowercase owner and type: TTL and the RDATA set (order aside).
function records(rrsets: Iterable<RRset>, withTtl = true): Map<string, string> {
  const out = new Map<string, string>()
  for (const set of rrsets)
    out.set(key(set.ownerWire, set.type), value(withTtl ? set.ttl : undefined, set.rdatas))
  return out
}

function withoutTtl(map: Map<string, string>): Map<string, string> {
  return new Map([...map].map(([k, v]) => [k, v.slice(v.indexOf(' '))]))
}

const HEAD = '$TTL 300\n@ SOA ns hostmaster 1 7200 3600 1209600 300\n@ NS ns\nns A 192.0.2.1\n'

type Verdict = 'accept' | 'refuse'
interface Case {
  what: string
  body: string
  bind: Verdict
  ours: Verdict
  /** Why the two differ, when they do. */
  why?: string
}

const same = (what: string, body: string, both: Verdict): Case => ({ what, body, bind: both, ours: both })

const CASES: Case[] = [
  same('the head alone', '', 'accept'),
  same(
    'every supported type',
    [
      'www CNAME @',
      'mail A 192.0.2.25',
      'mail AAAA 2001:db8::25',
      '@ MX 10 mail',
      '@ TXT "v=spf1 -all" "two"',
      '_sip._tcp SRV 10 60 5060 mail',
      '@ CAA 0 issue "letsencrypt.org"',
      '@ CAA 128 iodef "mailto:x@example.com"',
      '4.2.0.192 PTR www',
      'x TYPE65534 \\# 3 abcdef',
      'y TYPE65280 \\# 0',
      'z A \\# 4 c0000201',
      '',
    ].join('\n'),
    'accept',
  ),
  same(
    '$ORIGIN, @, parentheses, comments, TTL units, IN in both places',
    [
      '$ORIGIN sub.example.com.',
      'a 1h30m IN A 192.0.2.1',
      'b IN 1w2d A 192.0.2.2',
      '@ TXT ( "x" ; c',
      ' "y" )',
      '$ORIGIN example.com.',
      'c CLASS1 TYPE1 192.0.2.3',
      '',
    ].join('\n'),
    'accept',
  ),
  same('escapes in names and strings', 'a\\.b TXT "q\\"\\\\\\065\\255"\n\\@x A 192.0.2.1\n', 'accept'),
  same('a wildcard and an empty non-terminal', '* A 192.0.2.9\nhost.deep.ent A 192.0.2.10\n', 'accept'),
  same('a delegation with glue', 'sub NS ns1.sub\nns1.sub A 203.0.113.1\n', 'accept'),
  same('an identical SOA written twice', '@ SOA ns hostmaster 1 7200 3600 1209600 300\n', 'accept'),
  same('nested parentheses', 'x TXT ( "a" ( "b" ) )\n', 'accept'),
  same('MX to an alias (a warning only)', '@ MX 10 mail\nmail CNAME ns\n', 'accept'),
  same('a CNAME beside other data', 'www CNAME @\nwww A 192.0.2.2\n', 'refuse'),
  same('two CNAMEs at one name', 'www CNAME a\nwww CNAME b\n', 'refuse'),
  same('a CNAME at the apex', '@ CNAME other.example.net.\n', 'refuse'),
  same('a second SOA', '@ SOA ns2 hostmaster 2 7200 3600 1209600 300\n', 'refuse'),
  same('an SOA below the apex', 'sub SOA ns hostmaster 1 2 3 4 5\n', 'refuse'),
  same('an apex name server without an address', '@ NS ns2\n', 'refuse'),
  same('a name server that is an alias', '@ NS alias\nalias CNAME ns\n', 'refuse'),
  same('NS at a wildcard', '* NS ns.example.net.\n', 'refuse'),
  same('class CH', 'x CH TXT "a"\n', 'refuse'),
  same('an IPv4 address over 255', 'x A 256.1.1.1\n', 'refuse'),
  same('an IPv4 address with a leading zero', 'x A 010.1.1.1\n', 'refuse'),
  same('an IPv6 address in an A record', 'x A 2001:db8::1\n', 'refuse'),
  same('an IPv6 address with two ::', 'x AAAA 1::2::3\n', 'refuse'),
  same('a label over 63 octets', `${'a'.repeat(64)} A 192.0.2.1\n`, 'refuse'),
  same('an empty label', 'a..b A 192.0.2.1\n', 'refuse'),
  same('a TXT string over 255 bytes', `x TXT "${'z'.repeat(256)}"\n`, 'refuse'),
  same('TXT without a string', 'x TXT\n', 'refuse'),
  same('MX without its exchange', 'x MX 10\n', 'refuse'),
  same('a word after the data', 'x A 192.0.2.1 extra\n', 'refuse'),
  same('an SRV port over 65535', 'x SRV 0 0 65536 h\n', 'refuse'),
  same('a meta type', 'x TYPE255 \\# 0\n', 'refuse'),
  same('an unknown mnemonic', 'x FOO 1\n', 'refuse'),
  same('a bad TTL unit', 'x 1x A 192.0.2.1\n', 'refuse'),
  same('\\# data of the wrong length for its type', 'x A \\# 3 c00002\n', 'refuse'),
  same('a CAA tag with a dash', 'x CAA 0 is-sue "v"\n', 'refuse'),
  same('an unterminated string', 'x TXT "abc\n', 'refuse'),
  {
    what: 'a record outside the zone',
    body: 'www.example.org. A 192.0.2.2\n',
    bind: 'accept',
    ours: 'refuse',
    why: 'BIND drops out-of-zone data with a warning; here it is an error, as a missing final dot usually causes it',
  },
  {
    what: 'a delegation without glue',
    body: 'sub NS ns.sub\n',
    bind: 'accept',
    ours: 'refuse',
    why: 'BIND warns ("no REQUIRED GLUE"); here it is an error, as the delegation cannot work',
  },
  {
    what: 'a TTL over 2^31-1',
    body: 'x 2147483648 A 192.0.2.1\n',
    bind: 'accept',
    ours: 'refuse',
    why: 'BIND sets it to 0 with a warning (RFC 2181 §8); here it is an error',
  },
  {
    what: 'a name outside ASCII',
    body: 'café A 192.0.2.1\n',
    bind: 'accept',
    ours: 'refuse',
    why: 'BIND stores the UTF-8 bytes; here names must be punycode or \\DDD escapes',
  },
  {
    what: 'a CAA tag of 16 characters',
    body: 'x CAA 0 abcdefghijklmnop "v"\n',
    bind: 'accept',
    ours: 'refuse',
    why: 'the codec keeps to RFC 8659 tags of 1–15 characters',
  },
  {
    what: '$GENERATE',
    body: '$GENERATE 1-3 h$ A 192.0.2.$\n',
    bind: 'accept',
    ours: 'refuse',
    why: '$GENERATE is a BIND extension not read here',
  },
  {
    what: 'DNAME in its own form',
    body: 'x DNAME y\n',
    bind: 'accept',
    ours: 'refuse',
    why: 'types outside the supported set are read in RFC 3597 form only',
  },
]

describe.skipIf(!available)(`zones against ${TOOL} (skipped without it: apt-get install bind9-utils)`, () => {
  it('accept and refuse the same zones, except where a case says why they differ', async () => {
    const results = await Promise.all(CASES.map((c) => bind(HEAD + c.body)))
    const table = CASES.map((c, i) => {
      const ours: Verdict =
        checkZone(HEAD + c.body, { origin: ORIGIN }).zone === undefined ? 'refuse' : 'accept'
      const theirs: Verdict = (results[i] as BindResult).accepted ? 'accept' : 'refuse'
      return { what: c.what, bind: theirs, ours }
    })
    expect(table).toEqual(CASES.map((c) => ({ what: c.what, bind: c.bind, ours: c.ours })))
    for (const c of CASES) if (c.bind !== c.ours) expect(c.why, c.what).toBeTruthy()
  })

  it('hold the same records as BIND for the zones both accept', async () => {
    const accepted = CASES.filter((c) => c.bind === 'accept' && c.ours === 'accept')
    const results = await Promise.all(accepted.map((c) => bind(HEAD + c.body)))
    accepted.forEach((c, i) => {
      const ours = checkZone(HEAD + c.body, { origin: ORIGIN }).zone as Zone
      expect(records(ours.rrsets()), c.what).toEqual((results[i] as BindResult).records)
    })
  })

  it('the realistic fixture: same records', async () => {
    const text = readFileSync(new URL('fixtures/example.com.zone', import.meta.url), 'utf8')
    const result = await bind(text)
    expect(result.accepted).toBe(true)
    const ours = checkZone(text, { origin: ORIGIN }).zone as Zone
    expect(result.records.size).toBe(24)
    expect(records(ours.rrsets())).toEqual(result.records)
  })

  it('generated zones: both accept them, with the same RDATA', async () => {
    await fc.assert(
      fc.asyncProperty(zoneModel, fc.array(style, { minLength: 1, maxLength: 4 }), async (model, styles) => {
        const text = writeZone(model, styles)
        const result = await bind(text)
        expect(result.accepted, `${result.messages}\n${text}`).toBe(true)
        const ours = checkZone(text, { origin: ORIGIN }).zone as Zone
        // TTLs aside: where one RRset's records disagree BIND keeps the first, this parser the lowest
        expect(records(ours.rrsets(), false)).toEqual(withoutTtl(result.records))
      }),
      { numRuns: 25 },
    )
  })
})
