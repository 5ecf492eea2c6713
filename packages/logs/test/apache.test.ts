import { isShoalError } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import { type AccessRecord, apacheParser } from '../src/index.js'

const COMBINED_LINE =
  '83.149.9.216 - frank [17/May/2015:10:05:03 +0000] "GET /presentations/a.png HTTP/1.1" 200 203023 "http://semicomplete.com/" "Mozilla/5.0 (Macintosh)"'

function parse(format: string, line: string, options: Parameters<typeof apacheParser>[1] = {}): AccessRecord {
  for (const codegen of [true, false]) {
    const result = apacheParser(format, { ...options, codegen }).parseLine(line)
    if (!result.ok) throw new Error(`${result.failure.reason}: ${result.failure.message}`)
    if (codegen === false) return result.record
  }
  throw new Error('unreachable')
}

function failure(
  format: string,
  line: string | Uint8Array,
  options: Parameters<typeof apacheParser>[1] = {},
) {
  const outcomes = [true, false].map((codegen) =>
    apacheParser(format, { ...options, codegen }).parseLine(line),
  )
  const [generated, interpreted] = outcomes
  if (generated?.ok !== false || interpreted?.ok !== false) throw new Error('expected a failure')
  expect(generated.failure).toEqual(interpreted.failure)
  return generated.failure
}

describe('apacheParser: combined', () => {
  it('reads every field with the right type', () => {
    expect(parse('combined', COMBINED_LINE)).toEqual({
      remoteHost: '83.149.9.216',
      remoteLogname: null,
      remoteUser: 'frank',
      time: Date.UTC(2015, 4, 17, 10, 5, 3),
      request: 'GET /presentations/a.png HTTP/1.1',
      method: 'GET',
      target: '/presentations/a.png',
      protocol: 'HTTP/1.1',
      status: 200,
      bytes: 203023,
      referer: 'http://semicomplete.com/',
      userAgent: 'Mozilla/5.0 (Macintosh)',
      rest: null,
      recovered: false,
    })
  })

  it('applies the time zone offset', () => {
    const record = parse('common', '::1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326')
    expect(record.time).toBe(Date.UTC(2000, 9, 10, 20, 55, 36))
    expect(record.remoteHost).toBe('::1')
  })

  it('decodes escaped quotes and backslashes in the user agent', () => {
    const record = parse(
      'combined',
      COMBINED_LINE.replace('Mozilla/5.0 (Macintosh)', 'Mozilla \\"quoted\\" back\\\\slash'),
    )
    expect(record.userAgent).toBe('Mozilla "quoted" back\\slash')
  })

  it('decodes \\xHH to bytes, then UTF-8', () => {
    const record = parse('combined', COMBINED_LINE.replace('/presentations/a.png', '/caf\\xc3\\xa9?q=\\x22'))
    expect(record.target).toBe('/café?q="')
  })

  it('decodes C escapes', () => {
    const record = parse('combined', COMBINED_LINE.replace('Mozilla/5.0 (Macintosh)', 'a\\tb\\nc\\rd\\x00e'))
    expect(record.userAgent).toBe('a\tb\nc\rd\u0000e')
  })

  it('applies the invalid UTF-8 policy to raw bytes', () => {
    const line = Buffer.concat([Buffer.from(COMBINED_LINE.slice(0, -2)), Buffer.from([0xe4, 0xe5, 0x22])])
    expect(apacheParser('combined').parseLine(line)).toMatchObject({
      ok: true,
      record: { userAgent: 'Mozilla/5.0 (Macintosh\ufffd\ufffd' },
    })
    const bytes = apacheParser('combined', { invalidUtf8: 'bytes' }).parseLine(line)
    expect(bytes.ok && Buffer.from(bytes.record.userAgent as string, 'latin1')).toEqual(
      Buffer.from([...Buffer.from('Mozilla/5.0 (Macintosh'), 0xe4, 0xe5]),
    )
    expect(failure('combined', line, { invalidUtf8: 'reject' }).reason).toBe('encoding')
  })

  it('keeps valid UTF-8 given as text or bytes', () => {
    const line = COMBINED_LINE.replace('Mozilla/5.0 (Macintosh)', 'Ünïcødé ✓ 🚀')
    expect(parse('combined', line).userAgent).toBe('Ünïcødé ✓ 🚀')
    const fromBytes = apacheParser('combined').parseLine(Buffer.from(line))
    expect(fromBytes.ok && fromBytes.record.userAgent).toBe('Ünïcødé ✓ 🚀')
  })

  it('reads a request of "-" (408) as nulls', () => {
    const record = parse(
      'combined',
      COMBINED_LINE.replace('"GET /presentations/a.png HTTP/1.1" 200 203023', '"-" 408 -'),
    )
    expect(record).toMatchObject({
      request: null,
      method: null,
      target: null,
      protocol: null,
      status: 408,
      bytes: 0,
    })
  })

  it('keeps binary junk in the request (TLS on a plain port)', () => {
    const record = parse(
      'combined',
      COMBINED_LINE.replace(
        'GET /presentations/a.png HTTP/1.1',
        '\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03',
      ),
    )
    expect(record.method).toBeNull()
    expect(record.request).toBe('\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\ufffd\u0003\u0003')
  })

  it('splits the request on the first and last space: paths may hold spaces', () => {
    const record = parse('combined', COMBINED_LINE.replace('/presentations/a.png', '/a path/with spaces'))
    expect(record).toMatchObject({ method: 'GET', target: '/a path/with spaces', protocol: 'HTTP/1.1' })
    const http09 = parse('combined', COMBINED_LINE.replace('GET /presentations/a.png HTTP/1.1', 'GET /old'))
    expect(http09).toMatchObject({ method: 'GET', target: '/old', protocol: null })
  })

  it('accepts hostnames and IPv6 clients', () => {
    expect(
      parse('combined', COMBINED_LINE.replace('83.149.9.216', 'crawl-66-249-73-135.googlebot.com'))
        .remoteHost,
    ).toBe('crawl-66-249-73-135.googlebot.com')
    expect(
      parse('combined', COMBINED_LINE.replace('83.149.9.216', '2001:db8::8a2e:370:7334')).remoteHost,
    ).toBe('2001:db8::8a2e:370:7334')
  })

  it('keeps an extra trailing field in rest (lenient), rejects it (strict)', () => {
    expect(parse('combined', `${COMBINED_LINE} 1234`).rest).toBe('1234')
    expect(failure('combined', `${COMBINED_LINE} 1234`, { mode: 'strict' })).toMatchObject({
      reason: 'trailing-data',
      column: COMBINED_LINE.length,
    })
  })

  it('rejects a common line under combined as a missing field', () => {
    const common = COMBINED_LINE.slice(0, COMBINED_LINE.indexOf(' "http'))
    expect(failure('combined', common)).toMatchObject({ reason: 'missing-field' })
  })

  it('reports a truncated line (strict) and recovers it (lenient)', () => {
    const truncated = COMBINED_LINE.slice(0, -10)
    expect(failure('combined', truncated, { mode: 'strict' }).reason).toBe('unterminated-quote')
    expect(parse('combined', truncated)).toMatchObject({ userAgent: 'Mozilla/5.0 (M', recovered: true })
  })

  it('recovers unescaped quotes (escape-less producers) in lenient mode only', () => {
    const line = COMBINED_LINE.replace('Mozilla/5.0 (Macintosh)', 'say "hi" there')
    expect(failure('combined', line, { mode: 'strict' }).reason).toBe('trailing-data')
    expect(parse('combined', line)).toMatchObject({ userAgent: 'say "hi" there', recovered: true })
    const inRequest = COMBINED_LINE.replace('/presentations/a.png', '/a" b')
    expect(parse('combined', inRequest)).toMatchObject({ target: '/a" b', status: 200, recovered: true })
  })

  it('rejects tabs where the format has spaces, bad numbers and bad times', () => {
    expect(failure('combined', COMBINED_LINE.replaceAll(' ', '\t')).reason).toBe('missing-field')
    expect(failure('combined', COMBINED_LINE.replace(' 200 ', ' 2x0 '))).toMatchObject({
      reason: 'bad-int',
      message: '%>s is not a valid int',
    })
    expect(failure('combined', COMBINED_LINE.replace('17/May/2015', '32/May/2015')).reason).toBe('bad-time')
    expect(failure('combined', COMBINED_LINE.replace('17/May/2015', '17/Mai/2015')).reason).toBe('bad-time')
    expect(failure('combined', '').reason).toBe('missing-field')
    expect(failure('combined', 'garbage').reason).toBe('missing-field')
  })

  it('keeps NUL bytes, 8 KiB paths and 1 MiB user agents', () => {
    expect(parse('combined', COMBINED_LINE.replace('(Macintosh)', '(Mac\u0000intosh)')).userAgent).toBe(
      'Mozilla/5.0 (Mac\u0000intosh)',
    )
    const path = `/${'p'.repeat(8192)}`
    expect(parse('combined', COMBINED_LINE.replace('/presentations/a.png', path)).target).toBe(path)
    const agent = 'A'.repeat(1 << 20)
    expect(parse('combined', COMBINED_LINE.replace('Mozilla/5.0 (Macintosh)', agent)).userAgent).toBe(agent)
  })
})

describe('apacheParser: every directive', () => {
  it('reads each 2.4 directive into its field', () => {
    const format =
      '%h %{c}h %a %{c}a %A %l %u %t [%{%d/%b/%Y %T %z}t] %{sec}t %{msec}t %{usec}t.%{msec_frac}t "%r" %m %U %q %H %>s %<s %b %B %D %T %{ms}T %I %O %S %v %V %p %{local}p %{remote}p %P %{tid}P %{hextid}P "%{X-Forwarded-For}i" "%{Content-Type}o" %{UNIQUE_ID}e %{mod_note}n %{session}C %k %L %R %X %f %^FB "%{grpc-status}^to" %%'
    const line =
      '10.0.0.1 10.0.0.2 192.0.2.1 192.0.2.2 192.0.2.9 - bob [17/May/2015:10:05:03 +0200] [17/May/2015 10:05:03 +0000] 1431857103 1431857103123 1431857103123456.123 "GET /x?y=1 HTTP/1.1" GET /x ?y=1 HTTP/1.1 200 302 - 0 1500 2 2000 321 654 975 www.example.com example.com 443 443 51234 1234 5678 1a2b "198.51.100.7, 10.0.0.1" "text/html" YxAbCd note-value abc123 3 ZzTop handler-x + /var/www/x 812 "0" %'
    expect(parse(format, line)).toEqual({
      remoteHost: '10.0.0.1',
      peerHost: '10.0.0.2',
      clientIp: '192.0.2.1',
      peerIp: '192.0.2.2',
      localIp: '192.0.2.9',
      remoteLogname: null,
      remoteUser: 'bob',
      time: Date.UTC(2015, 4, 17, 8, 5, 3),
      time2: Date.UTC(2015, 4, 17, 10, 5, 3),
      time3: 1431857103000,
      time4: 1431857103123,
      time5: 1431857103123.456 + 123,
      timeFraction: 123,
      request: 'GET /x?y=1 HTTP/1.1',
      method: 'GET',
      target: '/x?y=1',
      protocol: 'HTTP/1.1',
      method2: 'GET',
      path: '/x',
      query: '?y=1',
      protocol2: 'HTTP/1.1',
      status: 200,
      originalStatus: 302,
      bytes: 0,
      bytes2: 0,
      duration: 1500,
      duration2: 2_000_000,
      duration3: 2_000_000,
      bytesReceived: 321,
      bytesSent: 654,
      bytesTransferred: 975,
      virtualHost: 'www.example.com',
      serverName: 'example.com',
      port: 443,
      localPort: 443,
      remotePort: 51234,
      pid: 1234,
      tid: 5678,
      tid2: 0x1a2b,
      xForwardedFor: '198.51.100.7, 10.0.0.1',
      responseContentType: 'text/html',
      envUniqueId: 'YxAbCd',
      noteModNote: 'note-value',
      cookieSession: 'abc123',
      keepAliveRequests: 3,
      logId: 'ZzTop',
      handler: 'handler-x',
      connectionStatus: '+',
      filename: '/var/www/x',
      timeToFirstByte: 812,
      responseTrailerGrpcStatus: '0',
      rest: null,
      recovered: false,
    })
  })

  it('accepts status-condition and </> modifiers', () => {
    const record = parse('%h %>s %400,501{User-agent}i %!200,304{Referer}i %<s', '1.2.3.4 200 - - 200')
    expect(record).toMatchObject({
      remoteHost: '1.2.3.4',
      status: 200,
      userAgent: null,
      referer: null,
      originalStatus: 200,
    })
  })

  it('unescapes configuration quotes in the format', () => {
    expect(parse('%h \\"%r\\" %>s', '1.2.3.4 "GET / HTTP/1.1" 200')).toMatchObject({
      target: '/',
      status: 200,
    })
  })

  it('reads %u written as "" (empty user) as an empty string', () => {
    expect(parse('%h %u %>s', '1.2.3.4 "" 200').remoteUser).toBe('')
  })

  it('exposes the field names of a format', () => {
    expect(apacheParser('common').fields).toEqual([
      'remoteHost',
      'remoteLogname',
      'remoteUser',
      'time',
      'request',
      'method',
      'target',
      'protocol',
      'status',
      'bytes',
    ])
  })
})

describe('apacheParser: configuration mistakes', () => {
  const cases: [string, number, RegExp][] = [
    ['%h %Z', 3, /unknown directive %Z/],
    ['%h %{Referer', 3, /unclosed \{/],
    ['%h %i', 3, /%i needs a name/],
    ['%h %{fortnight}T', 3, /%T takes a unit/],
    ['%h %{%Q}t', 3, /%Q is not supported/],
    ['%h%u', 2, /need text between them/],
    ['%h %', 3, /ends inside a directive/],
    ['literal only', 0, /no fields/],
  ]
  for (const [format, position, message] of cases) {
    it(`rejects ${JSON.stringify(format)} with the position`, () => {
      try {
        apacheParser(format)
        expect.unreachable()
      } catch (err) {
        expect(isShoalError(err, 'ERR_INVALID_FORMAT')).toBe(true)
        expect((err as { details: { position: number } }).details.position).toBe(position)
        expect((err as Error).message).toMatch(message)
      }
    })
  }

  it('rejects bad options and arguments', () => {
    expect(() => apacheParser('')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    expect(() => apacheParser('nginx_combined')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
    expect(() => apacheParser('combined', { mode: 'loose' as 'strict' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })
})
