import { isShoalError } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import { RRType } from '../../src/wire/index.js'
import { checkZone, parseZone } from '../../src/zone/index.js'

// A valid zone head (lines 1–4); cases append their lines from line 5 on.
const HEAD = '$TTL 300\n@ SOA ns hostmaster 1 7200 3600 1209600 300\n@ NS ns\nns A 192.0.2.1\n'

interface Found {
  code: string
  where: string
  message: string
}

function errorsOf(text: string, origin = 'example.com'): Found[] {
  const check = checkZone(text, { origin, file: 'db.example' })
  expect(check.zone === undefined).toBe(check.errors.length > 0)
  return check.errors.map((e) => ({
    code: e.code,
    where: `${e.details.file}:${e.details.line}`,
    message: e.message,
  }))
}

function oneError(
  body: string,
  code: 'ERR_ZONE_SYNTAX' | 'ERR_ZONE_INVALID',
  line: number,
  pattern: RegExp,
): void {
  const errors = errorsOf(HEAD + body)
  expect(errors, JSON.stringify(errors)).toHaveLength(1)
  const [error] = errors as [Found]
  expect(error.code).toBe(code)
  expect(error.where).toBe(`db.example:${line}`)
  expect(error.message.startsWith(`db.example:${line}: `)).toBe(true)
  expect(error.message).toMatch(pattern)
}

describe('syntax errors carry file:line and say what to do', () => {
  const cases: [string, string, number, RegExp][] = [
    ['a parenthesis never closed', 'x TXT ( "a"\n "b"\n', 5, /'\(' opened here is never closed/],
    ['a closing parenthesis without an opening one', 'x A 192.0.2.1 )\n', 5, /'\)' without an opening '\('/],
    ['an unterminated string', 'x TXT "abc\ny A 192.0.2.1\n', 5, /quoted string is not closed/],
    ['a backslash ending a line', 'x TXT abc\\\n', 5, /backslash at the end of a line/],
    ['a \\DDD escape over 255', 'x TXT "\\256"\n', 5, /\\256 is over 255/],
    ['a \\DDD escape with two digits', 'x TXT "\\25x"\n', 5, /three decimal digits/],
    ['class CH', 'x CH TXT "a"\n', 5, /class CH is not supported: .* class IN records only/],
    ['class HS after the TTL', 'x 300 HS A 192.0.2.1\n', 5, /class HS is not supported/],
    ['an unknown type', 'x FOO 1\n', 5, /unknown record type 'FOO'/],
    ['a type read only in RFC 3597 form', 'x HINFO "cpu" "os"\n', 5, /write it as TYPE13 \\# <length> <hex>/],
    ['a meta type', 'x TYPE255 \\# 0\n', 5, /TYPE255 is a query-only or meta type/],
    ['OPT', 'x TYPE41 \\# 0\n', 5, /TYPE41 is a query-only or meta type/],
    ['a type number over 65535', 'x TYPE65536 \\# 0\n', 5, /at most 65535/],
    ['an unknown type in its own form', 'x TYPE65534 abc\n', 5, /write its data as \\# <length> <hex>/],
    ['a bad TTL unit', 'x 1x A 192.0.2.1\n', 5, /TTL must be seconds .* got '1x'/],
    ['a TTL over 2^31-1', 'x 2147483648 A 192.0.2.1\n', 5, /at most 2147483647/],
    ['a TTL in units over 2^31-1', 'x 4000w A 192.0.2.1\n', 5, /'4000w' is 2419200000 seconds/],
    ['$TTL without a value', '$TTL\n', 5, /\$TTL needs a time/],
    ['$TTL with a bad value', '$TTL forever\n', 5, /TTL must be seconds/],
    ['an IPv4 address over 255', 'x A 256.1.1.1\n', 5, /'256.1.1.1' is not an IPv4 address/],
    [
      'an IPv4 address with a leading zero',
      'x A 010.1.1.1\n',
      5,
      /not an IPv4 address .*without leading zeros/,
    ],
    ['an IPv6 address in an A record', 'x A 2001:db8::1\n', 5, /not an IPv4 address/],
    ['a bad IPv6 address', 'x AAAA 2001:db8::g\n', 5, /'2001:db8::g' is not an IPv6 address/],
    ['an IPv6 address with two ::', 'x AAAA 1::2::3\n', 5, /not an IPv6 address/],
    ['an IPv4 address in an AAAA record', 'x AAAA 192.0.2.1\n', 5, /not an IPv6 address/],
    [
      'a label over 63 octets',
      `${'a'.repeat(64)} A 192.0.2.1\n`,
      5,
      /is 64 octets; a label holds at most 63/,
    ],
    [
      'a name over 255 octets',
      `${Array.from({ length: 5 }, () => 'b'.repeat(60)).join('.')} A 192.0.2.1\n`,
      5,
      /is 318 octets long as a full name; a name holds at most 255/,
    ],
    ['an empty label', 'a..b A 192.0.2.1\n', 5, /empty label/],
    ['a name in double quotes', '"x" A 192.0.2.1\n', 5, /cannot be a quoted string/],
    ['a name outside ASCII', 'café A 192.0.2.1\n', 5, /punycode/],
    [
      'a TXT string over 255 bytes',
      `x TXT "${'z'.repeat(256)}"\n`,
      5,
      /256 bytes; each string holds at most 255/,
    ],
    ['a TXT record with no string', 'x TXT\n', 5, /TXT data is incomplete/],
    ['an MX without its exchange', 'x MX 10\n', 5, /MX needs a preference and a mail exchange/],
    [
      'an MX preference over 65535',
      'x MX 65536 mail\n',
      5,
      /MX preference must be a whole number from 0 to 65535/,
    ],
    ['words after the data', 'x A 192.0.2.1 extra\n', 5, /unexpected 'extra' after the A data/],
    ['an SOA serial over 2^32-1', '@ SOA ns hostmaster 4294967296 1 2 3 4\n', 5, /SOA serial/],
    ['an SOA with six fields', '@ SOA ns hostmaster 1 2 3 4\n', 5, /SOA needs seven fields/],
    [
      'a CAA tag with a dash',
      'x CAA 0 is-sue "ca.example"\n',
      5,
      /CAA tag must be 1 to 15 letters and digits/,
    ],
    ['CAA flags over 255', 'x CAA 256 issue "ca.example"\n', 5, /CAA flags/],
    ['an SRV port over 65535', 'x SRV 0 0 65536 host\n', 5, /SRV port/],
    [
      '\\# with too few hex digits',
      'x TYPE65534 \\# 3 abcd\n',
      5,
      /announces 3 bytes but 4 hex digits follow/,
    ],
    ['\\# with too many hex digits', 'x TYPE65534 \\# 1 abcd\n', 5, /more hex digits follow/],
    ['\\# with a non-hex digit', 'x TYPE65534 \\# 2 abcz\n', 5, /hexadecimal digits, got 'abcz'/],
    ['\\# without a length', 'x TYPE65534 \\#\n', 5, /must be followed by the data length/],
    ['\\# data that is not valid for its type', 'x A \\# 3 c00002\n', 5, /A data is 4 bytes, not 3/],
    [
      '\\# name data with bytes left over',
      'x CNAME \\# 6 036162630000\n',
      5,
      /1 byte left over after the CNAME data/,
    ],
    ['\\# CNAME data without a valid name', 'x CNAME \\# 4 03616263\n', 5, /no valid uncompressed name/],
    ['a record without a type', 'x 300 IN\n', 5, /has no type/],
    [
      '$INCLUDE in parseZone',
      '$INCLUDE other.zone\n',
      5,
      /parseZone reads no files; load the zone with loadZoneFile/,
    ],
    ['$GENERATE', '$GENERATE 1-10 host$ A 192.0.2.$\n', 5, /\$GENERATE is not supported/],
    ['an unknown directive', '$FOO bar\n', 5, /unknown directive '\$FOO'/],
    ['$ORIGIN without a name', '$ORIGIN\n', 5, /\$ORIGIN needs a domain name/],
  ]
  for (const [what, body, line, pattern] of cases)
    it(what, () => oneError(body, 'ERR_ZONE_SYNTAX', line, pattern))

  it('a first record with a blank owner', () => {
    const errors = errorsOf(
      '$TTL 300\n  A 192.0.2.1\n@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n',
    )
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_ZONE_SYNTAX', where: 'db.example:2' })])
    expect(errors[0]?.message).toMatch(/starts with a blank, so it continues the previous owner name/)
  })

  it('a record with no TTL and no $TTL', () => {
    const errors = errorsOf(
      '@ 300 SOA ns hostmaster 1 2 3 4 5\n@ 300 NS ns\nns 300 A 192.0.2.1\n',
      'example.com',
    )
    expect(errors).toEqual([])
    // RFC 1035 §5.1: without $TTL, a record takes the last TTL stated; with none stated, it is an error
    const zone = parseZone('@ SOA ns hostmaster 1 2 3 4 5\n@ 60 NS ns\nns A 192.0.2.1\n', {
      origin: 'example.com',
    })
    expect(zone.soa.ttl).toBe(5) // the SOA's own minimum, with a warning
    expect(zone.warnings).toEqual([
      { file: 'zone', line: 1, message: expect.stringMatching(/the SOA takes its minimum, 5/) },
    ])
    expect(zone.lookup('ns.example.com')).toMatchObject({ kind: 'answer' })
    const ns = zone.lookup('ns.example.com')
    expect(ns.kind === 'answer' && ns.rrsets.get(RRType.A)?.ttl).toBe(60)
    const missing = errorsOf(
      'x A 192.0.2.1\n@ 300 SOA ns hostmaster 1 2 3 4 5\n@ 300 NS ns\nns 300 A 192.0.2.1\n',
    )
    expect(missing).toEqual([expect.objectContaining({ code: 'ERR_ZONE_SYNTAX', where: 'db.example:1' })])
    expect(missing[0]?.message).toMatch(/no TTL and no \$TTL .* add a line like `\$TTL 3600`/)
  })

  it('options.defaultTtl stands in for a missing $TTL', () => {
    const zone = parseZone('@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n', {
      origin: 'example.com',
      defaultTtl: 120,
    })
    expect(zone.soa.ttl).toBe(120)
    expect(zone.warnings).toEqual([])
  })
})

describe('zone errors carry file:line and say what to do', () => {
  const cases: [string, string, number, RegExp][] = [
    [
      'a CNAME beside other data',
      'www CNAME @\nwww A 192.0.2.2\n',
      6,
      /www.example.com has a CNAME \(db.example:5\) and also A data: a CNAME must be the only record at its name/,
    ],
    [
      'a CNAME beside other data, the other data first',
      'www TXT "x"\nwww CNAME @\n',
      5,
      /has a CNAME \(db.example:6\) and also TXT data/,
    ],
    ['two CNAMEs at one name', 'www CNAME a\nwww CNAME b\n', 6, /second CNAME \(the first is on line 5\)/],
    [
      'a CNAME at the apex',
      '@ CNAME other.example.net.\n',
      2,
      /example.com has a CNAME \(db.example:5\) and also SOA, NS data/,
    ],
    [
      'a record outside the zone',
      'www.example.org. A 192.0.2.2\n',
      5,
      /www.example.org is outside the zone example.com/,
    ],
    [
      'a relative name after $ORIGIN moved out of the zone',
      '$ORIGIN example.net.\nwww A 192.0.2.2\n',
      6,
      /www.example.net is outside the zone example.com: .*check \$ORIGIN and a missing final dot/,
    ],
    ['a parent name', 'com. A 192.0.2.2\n', 5, /com is outside the zone/],
    [
      'a second SOA at the apex',
      '@ SOA ns2 hostmaster 2 7200 3600 1209600 300\n',
      5,
      /a second SOA record at the apex \(the first is on line 2\)/,
    ],
    [
      'an SOA below the apex',
      'sub SOA ns hostmaster 1 2 3 4 5\n',
      5,
      /an SOA record at sub.example.com: the SOA belongs at the zone apex/,
    ],
    [
      'an apex name server without an address',
      '@ NS ns2\n',
      5,
      /the name server ns2.example.com of example.com is in this zone but has no A or AAAA record/,
    ],
    [
      'a delegation without glue',
      'sub NS ns.sub\n',
      5,
      /the name server ns.sub.example.com of sub.example.com is inside the delegated zone sub.example.com, so it needs glue/,
    ],
    [
      'a name server that is an alias',
      '@ NS alias\nalias CNAME ns\n',
      5,
      /the name server alias.example.com is an alias \(CNAME\)/,
    ],
    ['NS at a wildcard', '* NS ns.example.net.\n', 5, /a wildcard cannot delegate/],
  ]
  for (const [what, body, line, pattern] of cases)
    it(what, () => oneError(body, 'ERR_ZONE_INVALID', line, pattern))

  it('a zone without an SOA', () => {
    const errors = errorsOf('$TTL 300\n@ NS ns\nns A 192.0.2.1\n')
    expect(errors).toEqual([
      {
        code: 'ERR_ZONE_INVALID',
        where: 'db.example:2',
        message: expect.stringMatching(
          /no SOA record at the zone apex example.com: a zone needs one, like: @ IN SOA/,
        ),
      },
    ])
  })

  it('a zone without apex NS records', () => {
    const errors = errorsOf('$TTL 300\n\n@ SOA ns hostmaster 1 2 3 4 5\nns A 192.0.2.1\n')
    expect(errors).toEqual([
      {
        code: 'ERR_ZONE_INVALID',
        where: 'db.example:3',
        message: expect.stringMatching(
          /no NS records at the zone apex example.com: add at least one, like: @ IN NS/,
        ),
      },
    ])
  })

  it('an empty file', () => {
    const errors = errorsOf('; nothing here\n')
    expect(errors.map((e) => e.where)).toEqual(['db.example:1', 'db.example:1'])
    expect(errors[0]?.message).toMatch(/no SOA record/)
    expect(errors[1]?.message).toMatch(/no NS records/)
  })
})

describe('all errors of a file', () => {
  const text = [
    '$TTL 300', // 1
    '@ SOA ns hostmaster 1 2 3 4 5', // 2
    '@ NS ns', // 3
    'ns A 192.0.2.1', // 4
    'bad A 300.0.0.1', // 5
    'www CNAME @', // 6
    'www A 192.0.2.3', // 7
    'x CH A 192.0.2.1', // 8
    'far.example.org. A 192.0.2.1', // 9
    'txt TXT ( "a"', // 10
    '  "b" ) ) ', // 11
    'y BOGUS 1', // 12
    '',
  ].join('\n')

  it('collects every error in file order, zone checks last, and parseZone throws them all at once', () => {
    const check = checkZone(text, { origin: 'example.com', file: 'db.example' })
    expect(check.zone).toBeUndefined()
    expect(check.truncated).toBe(false)
    expect(check.errors.map((e) => [e.code, e.details.line])).toEqual([
      ['ERR_ZONE_SYNTAX', 5],
      ['ERR_ZONE_SYNTAX', 8],
      ['ERR_ZONE_INVALID', 9],
      ['ERR_ZONE_SYNTAX', 11],
      ['ERR_ZONE_SYNTAX', 12],
      ['ERR_ZONE_INVALID', 7],
    ])
    let thrown: unknown
    try {
      parseZone(text, { origin: 'example.com', file: 'db.example' })
    } catch (err) {
      thrown = err
    }
    expect(isShoalError(thrown, 'ERR_ZONE_SYNTAX')).toBe(true)
    if (!isShoalError(thrown)) return
    expect(thrown.details).toMatchObject({ file: 'db.example', line: 5, truncated: false })
    expect(thrown.details.errors).toEqual(check.errors)
    expect(thrown.message.split('\n')).toEqual([
      '6 errors in the zone:',
      ...check.errors.map((e) => `  ${e.message}`),
    ])
    expect(thrown.message).toContain("db.example:5: '300.0.0.1' is not an IPv4 address")
  })

  it('stops at the error cap and says so', () => {
    const many = `${HEAD}${Array.from({ length: 50 }, (_, i) => `h${i} A 1.2.3.${300 + i}`).join('\n')}\n`
    const check = checkZone(many, { origin: 'example.com', maxErrors: 10 })
    expect(check.errors).toHaveLength(10)
    expect(check.truncated).toBe(true)
    expect(() => parseZone(many, { origin: 'example.com', maxErrors: 10 })).toThrow(
      /10 errors in the zone, and more after the first 10 \(the rest was not read\)/,
    )
    expect(checkZone(many, { origin: 'example.com' }).errors).toHaveLength(50)
  })

  it('a single error is thrown with its own message', () => {
    expect(() => parseZone(`${HEAD}x A 1.2.3\n`, { origin: 'example.com', file: 'f' })).toThrow(
      /^f:5: '1.2.3' is not an IPv4 address/,
    )
  })

  it('refuses bad options at once with ERR_INVALID_ARGUMENT', () => {
    const invalid = (f: () => unknown) => {
      try {
        f()
      } catch (err) {
        return isShoalError(err, 'ERR_INVALID_ARGUMENT')
      }
      return false
    }
    expect(invalid(() => parseZone(HEAD, { origin: 'a..b' }))).toBe(true)
    expect(invalid(() => parseZone(HEAD, { origin: 'example.com', defaultTtl: -1 }))).toBe(true)
    expect(invalid(() => parseZone(HEAD, { origin: 'example.com', defaultTtl: 1.5 }))).toBe(true)
    expect(invalid(() => parseZone(HEAD, { origin: 'example.com', maxErrors: 0 }))).toBe(true)
    expect(invalid(() => parseZone(HEAD, { origin: 42 as unknown as string }))).toBe(true)
    expect(invalid(() => parseZone(42 as unknown as string, { origin: 'example.com' }))).toBe(true)
  })
})

describe('warnings', () => {
  const warningsOf = (body: string) =>
    parseZone(HEAD + body, { origin: 'example.com', file: 'db.example' }).warnings.map(
      (w) => `${w.line}: ${w.message}`,
    )

  it('an RRset whose TTLs differ takes the lowest (RFC 2181 §5.2)', () => {
    const zone = parseZone(`${HEAD}x 600 A 192.0.2.1\nx 60 A 192.0.2.2\nx 300 A 192.0.2.3\n`, {
      origin: 'example.com',
    })
    const x = zone.lookup('x.example.com')
    expect(x.kind === 'answer' && x.rrsets.get(RRType.A)?.ttl).toBe(60)
    expect(zone.warnings.map((w) => w.line)).toEqual([6])
    expect(zone.warnings[0]?.message).toMatch(
      /different TTLs \(600 on line 5, 60 here\); the set uses the lowest, 60/,
    )
  })

  it('a duplicate record is dropped', () => {
    const zone = parseZone(`${HEAD}x A 192.0.2.1\nx A 192.0.2.1\n`, { origin: 'example.com' })
    const x = zone.lookup('x.example.com')
    expect(x.kind === 'answer' && x.rrsets.get(RRType.A)?.rdatas.length).toBe(1)
    expect(zone.records).toBe(4)
    expect(zone.warnings[0]).toMatchObject({
      line: 6,
      message: expect.stringMatching(/duplicate of the record on zone:5/),
    })
  })

  it('a duplicate with another TTL still counts for the lowest TTL', () => {
    const zone = parseZone(`${HEAD}x 600 A 192.0.2.1\nx 60 A 192.0.2.1\n`, { origin: 'example.com' })
    const x = zone.lookup('x.example.com')
    expect(x.kind === 'answer' && x.rrsets.get(RRType.A)?.ttl).toBe(60)
    expect(zone.warnings.map((w) => w.line)).toEqual([6, 6])
  })

  it('data under a delegation is not served, except glue', () => {
    expect(warningsOf('sub NS ns.sub\nns.sub A 192.0.2.5\nwww.sub A 192.0.2.6\nsub TXT "hidden"\n')).toEqual([
      '8: sub.example.com is delegated (it has NS records), so its TXT records are not served',
      '7: www.sub.example.com is below the delegation sub.example.com: its A records are not served (only glue for name servers is)',
    ])
  })

  it('MX and SRV targets in the zone that are aliases or have no address', () => {
    expect(warningsOf('@ MX 10 mail\nmail CNAME ns\n_x._tcp SRV 0 0 1 nohost\n@ MX 0 .\n')).toEqual([
      '5: the MX target mail.example.com is an alias (CNAME); it should name a host with addresses (RFC 2181 §10.3)',
      '7: the SRV target nohost.example.com has no A or AAAA record in this zone',
    ])
  })
})
