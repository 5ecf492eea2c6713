import { isShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BAD_LINE_REASONS, type BadLineReason, type LineFailure } from '../src/bad-line.js'
import {
  SYSLOG_FACILITIES,
  SYSLOG_SEVERITIES,
  type SyslogRecord,
  type SyslogStructuredData,
  syslogParser,
} from '../src/formats/syslog.js'

const BOM = '\ufeff'
const NOW_2003 = Date.UTC(2003, 9, 12)

function record(fields: Partial<SyslogRecord>): SyslogRecord {
  return {
    facility: null,
    severity: null,
    version: null,
    time: null,
    hostname: null,
    appName: null,
    procId: null,
    msgId: null,
    structuredData: null,
    message: '',
    ...fields,
  }
}

function parsed(line: string | Uint8Array, parser = syslogParser({ now: () => NOW_2003 })): SyslogRecord {
  const result = parser.parseLine(line)
  if (!result.ok)
    throw new Error(
      `${String(line)}: ${result.failure.reason} at ${result.failure.column}: ${result.failure.message}`,
    )
  return result.record
}

function rejected(line: string | Uint8Array, parser = syslogParser({ now: () => NOW_2003 })): LineFailure {
  const result = parser.parseLine(line)
  if (result.ok) throw new Error(`${String(line)} was accepted`)
  return result.failure
}

function sd(data: Record<string, Record<string, string | string[]>>): SyslogStructuredData {
  return data
}

describe('syslog RFC 5424', () => {
  it('parses the four examples of RFC 5424 §6.5', () => {
    expect(
      parsed(
        `<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - ${BOM}'su root' failed for lonvick on /dev/pts/8`,
      ),
    ).toEqual(
      record({
        facility: 4,
        severity: 2,
        version: 1,
        time: Date.UTC(2003, 9, 11, 22, 14, 15, 3),
        hostname: 'mymachine.example.com',
        appName: 'su',
        msgId: 'ID47',
        message: "'su root' failed for lonvick on /dev/pts/8",
      }),
    )
    expect(
      parsed(
        "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
      ),
    ).toEqual(
      record({
        facility: 20,
        severity: 5,
        version: 1,
        time: Date.UTC(2003, 7, 24, 12, 14, 15, 0),
        hostname: '192.0.2.1',
        appName: 'myproc',
        procId: '8710',
        message: "%% It's time to make the do-nuts.",
      }),
    )
    const example3 = parsed(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" ' +
        `eventSource="Application" eventID="1011"] ${BOM}An application event log entry...`,
    )
    expect(example3).toEqual(
      record({
        facility: 20,
        severity: 5,
        version: 1,
        time: Date.UTC(2003, 9, 11, 22, 14, 15, 3),
        hostname: 'mymachine.example.com',
        appName: 'evntslog',
        msgId: 'ID47',
        structuredData: sd({
          'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
        }),
        message: 'An application event log entry...',
      }),
    )
    const example4 = parsed(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" ' +
        'eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
    )
    expect(example4.structuredData).toEqual({
      'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
      'examplePriority@32473': { class: 'high' },
    })
    expect(example4.message).toBe('')
  })

  it('reads the valid timestamps of RFC 5424 §6.2.3.1 and rejects the invalid ones', () => {
    const at = (stamp: string) => parsed(`<13>1 ${stamp} h a p m -`).time
    expect(at('1985-04-12T23:20:50.52Z')).toBe(Date.UTC(1985, 3, 12, 23, 20, 50, 520))
    expect(at('1985-04-12T19:20:50.52-04:00')).toBe(Date.UTC(1985, 3, 12, 23, 20, 50, 520))
    expect(at('2003-10-11T22:14:15.003Z')).toBe(Date.UTC(2003, 9, 11, 22, 14, 15, 3))
    expect(at('2003-08-24T05:14:15.000003-07:00')).toBe(Date.UTC(2003, 7, 24, 12, 14, 15))
    expect(at('2024-02-29T00:00:00+14:00')).toBe(Date.UTC(2024, 1, 28, 10))
    expect(at('-')).toBeNull()
    for (const stamp of [
      '2003-08-24T05:14:15.000000003-07:00', // more than 6 fraction digits
      '1990-12-31T23:59:60Z', // leap second
      '1990-12-31T15:59:60-08:00',
      '2003-10-11t22:14:15.003Z', // lower-case t
      '2003-10-11T22:14:15.003z',
      '2003-10-11T22:14:15.003', // no offset
      '2003-10-11T22:14:15.Z',
      '2003-10-11T22:14:15+0200', // offset without colon
      '2023-02-29T00:00:00Z', // not a leap year
      '2003-13-11T22:14:15Z',
      '2003-10-11T24:00:00Z',
      '2003-10-11 22:14:15Z',
    ]) {
      const failure = rejected(`<13>1 ${stamp} h a p m -`)
      expect(failure.reason, stamp).toBe('bad-time')
      expect(failure.column).toBe(6)
    }
  })

  it('maps NILVALUE to null everywhere', () => {
    expect(parsed('<0>1 - - - - - -')).toEqual(record({ facility: 0, severity: 0, version: 1 }))
    expect(parsed('<191>1 - -- - - - - -')).toEqual(
      record({ facility: 23, severity: 7, version: 1, hostname: '--', message: '-' }),
    )
  })

  it('unescapes \\" \\\\ \\] in SD values and keeps any other backslash', () => {
    const r = parsed('<13>1 - h a - - [x@1 a="q\\"b\\\\s\\]e" b="\\n\\x" c="" d="]"] msg')
    expect(r.structuredData).toEqual({ 'x@1': { a: 'q"b\\s]e', b: '\\n\\x', c: '', d: ']' } })
    expect(r.message).toBe('msg')
  })

  it('keeps every value of a repeated SD-PARAM and merges a repeated SD-ID', () => {
    const r = parsed(
      '<13>1 - h a - - [origin ip="192.0.2.1" ip="192.0.2.129" ip="::1"][meta x="1"][meta y="2"]',
    )
    expect(r.structuredData).toEqual({
      origin: { ip: ['192.0.2.1', '192.0.2.129', '::1'] },
      meta: { x: '1', y: '2' },
    })
  })

  it('gives SD objects nothing to inherit', () => {
    const r = parsed('<13>1 - h a - - [__proto__ constructor="x"]')
    const data = r.structuredData as SyslogStructuredData
    expect(Object.getPrototypeOf(Object.getPrototypeOf(data))).toBeNull()
    expect('toString' in data).toBe(false)
    expect(Object.keys(data)).toEqual(['__proto__'])
    expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value.constructor).toBe('x')
  })

  it('decodes UTF-8 in SD values and MSG, with or without BOM, per policy', () => {
    const line = Buffer.from('<13>1 - h a - - [x k="é✓"] \ufeffü😀')
    expect(parsed(line)).toMatchObject({ structuredData: { x: { k: 'é✓' } }, message: 'ü😀' })
    expect(parsed(Buffer.from('<13>1 - h a - - - ü'))).toMatchObject({ message: 'ü' })
    const bad = Buffer.concat([Buffer.from('<13>1 - h a - - - a'), Buffer.from([0xc3]), Buffer.from('b')])
    expect(parsed(bad).message).toBe('a\ufffdb')
    expect(parsed(bad, syslogParser({ invalidUtf8: 'bytes' })).message).toBe('a\xc3b')
    expect(rejected(bad, syslogParser({ invalidUtf8: 'reject' })).reason).toBe('encoding')
  })

  const failures: [string, BadLineReason, number][] = [
    ['<192>1 - - - - - -', 'syntax', 1],
    ['<1000>1 - - - - - -', 'syntax', 4],
    ['<>1 - - - - - -', 'syntax', 1],
    ['<13 1 - - - - - -', 'syntax', 3],
    ['<13>2 - - - - - -', 'syntax', 4],
    ['<13>10 - - - - - -', 'syntax', 4],
    ['<13>1 -', 'missing-field', 7],
    ['<13>1 - h a p', 'missing-field', 13],
    ['<13>1 - h a p m', 'missing-field', 15],
    ['<13>1 - h a p m ', 'missing-field', 16],
    ['<13>1 - h  p m -', 'syntax', 10],
    [`<13>1 - h ${'a'.repeat(49)} p m -`, 'syntax', 58],
    [`<13>1 - h a p ${'m'.repeat(33)} -`, 'syntax', 46],
    ['<13>1 - hé a p m -', 'syntax', 9],
    ['<13>1 - h a p m x', 'syntax', 16],
    ['<13>1 - h a p m -x', 'syntax', 17],
    ['<13>1 - h a p m [x a="1"]y', 'syntax', 25],
    ['<13>1 - h a p m [x a="1"', 'missing-field', 24],
    ['<13>1 - h a p m [x a="1', 'unterminated-quote', 21],
    ['<13>1 - h a p m [x a=1]', 'syntax', 21],
    ['<13>1 - h a p m [x a]', 'syntax', 20],
    ['<13>1 - h a p m [ a="1"]', 'syntax', 17],
    ['<13>1 - h a p m []', 'syntax', 17],
    [`<13>1 - h a p m [${'x'.repeat(33)}]`, 'syntax', 49],
    ['<13>1 - h a p m [x  a="1"]', 'syntax', 19],
  ]
  it.each(failures)('rejects %j with %s at column %i', (line, reason, column) => {
    const failure = rejected(Buffer.from(line))
    expect(failure.reason).toBe(reason)
    expect(failure.column).toBe(column)
  })
})

describe('syslog RFC 3164', () => {
  it('parses the examples of RFC 3164 §5.4', () => {
    expect(parsed("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8")).toEqual(
      record({
        facility: 4,
        severity: 2,
        time: Date.UTC(2003, 9, 11, 22, 14, 15),
        hostname: 'mymachine',
        appName: 'su',
        message: "'su root' failed for lonvick on /dev/pts/8",
      }),
    )
    // Example 2 has neither PRI nor TIMESTAMP: a relay would wrap it, a parser cannot place it.
    expect(rejected('Use the BFG!').reason).toBe('syntax')
    expect(parsed('<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!')).toEqual(
      record({
        facility: 1,
        severity: 5,
        time: Date.UTC(2003, 1, 5, 17, 32, 18),
        hostname: '10.0.0.99',
        message: 'Use the BFG!',
      }),
    )
    // Example 4 carries a nonstandard "CST 1987": read as the RFC reads it, CST is the HOSTNAME.
    expect(
      parsed(
        "<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make the do-nuts.  %%  Ingredients: Mix=OK, Jumbo=OK, Grill=OK",
      ),
    ).toEqual(
      record({
        facility: 20,
        severity: 5,
        time: Date.UTC(2003, 7, 24, 5, 34),
        hostname: 'CST',
        message:
          "1987 mymachine myproc[10]: %% It's time to make the do-nuts.  %%  Ingredients: Mix=OK, Jumbo=OK, Grill=OK",
      }),
    )
  })

  it('reads TAG[PID], lines without HOSTNAME, and lines without PRI', () => {
    expect(parsed('<86>Oct  1 08:00:00 web1 sshd[4242]: Accepted publickey for deploy')).toEqual(
      record({
        facility: 10,
        severity: 6,
        time: Date.UTC(2003, 9, 1, 8),
        hostname: 'web1',
        appName: 'sshd',
        procId: '4242',
        message: 'Accepted publickey for deploy',
      }),
    )
    expect(parsed('<13>Oct 11 22:14:15 sshd[123]: Accepted')).toMatchObject({
      hostname: null,
      appName: 'sshd',
      procId: '123',
      message: 'Accepted',
    })
    expect(parsed('<13>Oct 11 22:14:15 kernel: [ 0.000000] Linux')).toMatchObject({
      hostname: null,
      appName: 'kernel',
      message: '[ 0.000000] Linux',
    })
    expect(parsed('Oct 11 22:14:15 host postfix/smtpd[99]: connect from x')).toEqual(
      record({
        time: Date.UTC(2003, 9, 11, 22, 14, 15),
        hostname: 'host',
        appName: 'postfix/smtpd',
        procId: '99',
        message: 'connect from x',
      }),
    )
    expect(parsed('<13>Oct 11 22:14:15 host tag[]: x')).toMatchObject({
      appName: 'tag',
      procId: null,
      message: 'x',
    })
    expect(parsed('<13>Oct 11 22:14:15 host tag:')).toMatchObject({ appName: 'tag', message: '' })
    expect(parsed('<13>Oct 11 22:14:15 host http://x y')).toMatchObject({
      appName: null,
      message: 'http://x y',
    })
    expect(parsed('<13>Oct 11 22:14:15 host')).toMatchObject({ hostname: 'host', message: '' })
    expect(parsed('<13>Oct 11 22:14:15')).toMatchObject({ hostname: null, message: '' })
    expect(parsed('<13>Oct 01 22:14:15 h t: m').time).toBe(Date.UTC(2003, 9, 1, 22, 14, 15))
  })

  it('takes a PRI without TIMESTAMP as all message (RFC 3164 §4.3.2)', () => {
    expect(parsed('<13>Use the BFG!')).toEqual(record({ facility: 1, severity: 5, message: 'Use the BFG!' }))
    expect(parsed('<13>2003-10-11 not a time')).toMatchObject({
      time: null,
      message: '2003-10-11 not a time',
    })
  })

  it('accepts an RFC 3339 time in place of Mmm dd hh:mm:ss', () => {
    expect(parsed('<13>2003-10-11T22:14:15.123456+02:00 host tag[1]: m')).toEqual(
      record({
        facility: 1,
        severity: 5,
        time: Date.UTC(2003, 9, 11, 20, 14, 15, 123),
        hostname: 'host',
        appName: 'tag',
        procId: '1',
        message: 'm',
      }),
    )
    expect(parsed('2003-10-11T22:14:15Z host tag: m').facility).toBeNull()
  })

  it('infers the year nearest to now, at most a month ahead', () => {
    const at = (now: number, stamp: string) =>
      parsed(`<13>${stamp} h t: m`, syslogParser({ now: () => now })).time
    expect(at(Date.UTC(2024, 0, 2), 'Dec 31 23:59:59')).toBe(Date.UTC(2023, 11, 31, 23, 59, 59))
    expect(at(Date.UTC(2023, 11, 31, 12), 'Jan  1 00:00:01')).toBe(Date.UTC(2024, 0, 1, 0, 0, 1))
    expect(at(Date.UTC(2024, 5, 15), 'Jul 10 00:00:00')).toBe(Date.UTC(2024, 6, 10))
    expect(at(Date.UTC(2024, 5, 15), 'Jul 20 00:00:00')).toBe(Date.UTC(2023, 6, 20))
    expect(at(Date.UTC(2024, 5, 15), 'Jun 15 00:00:00')).toBe(Date.UTC(2024, 5, 15))
    expect(at(Date.UTC(2025, 2, 1), 'Feb 29 12:00:00')).toBe(Date.UTC(2024, 1, 29, 12))
    expect(at(Date.UTC(2027, 5, 1), 'Feb 29 12:00:00')).toBe(Date.UTC(2024, 1, 29, 12))
  })

  it('follows the reference clock as it moves', () => {
    let now = Date.UTC(2024, 11, 31, 23, 59)
    const parser = syslogParser({ now: () => now })
    expect(parsed('<13>Jan 20 00:00:00 h t: m', parser).time).toBe(Date.UTC(2025, 0, 20))
    now = Date.UTC(2024, 11, 1)
    expect(parsed('<13>Jan 20 00:00:00 h t: m', parser).time).toBe(Date.UTC(2024, 0, 20))
  })

  it('reads RFC 3164 times in the configured zone', () => {
    const at = (timeZone: string | number, stamp: string) =>
      parsed(`<13>${stamp} h t: m`, syslogParser({ now: () => Date.UTC(2024, 11, 31), timeZone })).time
    expect(at('UTC', 'Jul  1 12:00:00')).toBe(Date.UTC(2024, 6, 1, 12))
    expect(at('+02:00', 'Jul  1 12:00:00')).toBe(Date.UTC(2024, 6, 1, 10))
    expect(at('-0530', 'Jul  1 12:00:00')).toBe(Date.UTC(2024, 6, 1, 17, 30))
    expect(at(60, 'Jul  1 12:00:00')).toBe(Date.UTC(2024, 6, 1, 11))
    expect(at('local', 'Jul  1 12:00:00')).toBe(new Date(2024, 6, 1, 12).getTime())
    expect(at('Europe/Paris', 'Jul  1 12:00:00')).toBe(Date.UTC(2024, 6, 1, 10))
    expect(at('Europe/Paris', 'Jan  1 12:00:00')).toBe(Date.UTC(2025, 0, 1, 11)) // a day ahead of now
    expect(at('America/New_York', 'Nov  3 01:30:00')).toBe(Date.UTC(2024, 10, 3, 5, 30)) // repeated hour: first
    expect(at('America/New_York', 'Mar 10 02:30:00')).toBe(Date.UTC(2024, 2, 10, 7, 30)) // skipped hour
    // the RFC 3339 variant carries its own offset
    expect(at('Europe/Paris', '2024-07-01T12:00:00Z')).toBe(Date.UTC(2024, 6, 1, 12))
  })

  it('rejects impossible RFC 3164 times', () => {
    for (const stamp of [
      'Feb 30 00:00:00',
      'Oct 32 00:00:00',
      'Oct  0 00:00:00',
      'Oct 11 24:00:00',
      'Oct 11 23:60:00',
      'Oct 11 23:59:60',
      'Oct 1x 23:59:59',
    ]) {
      const failure = rejected(`<13>${stamp} h t: m`)
      expect(failure.reason, stamp).toBe('bad-time')
      expect(failure.column).toBe(4)
    }
    // a month name that is not one, or a broken shape: no timestamp, so all message
    expect(parsed('<13>oct 11 22:14:15 h t: m').time).toBeNull()
    expect(parsed('<13>Oct 11 22:14:15x h t: m').time).toBeNull()
    expect(rejected('Oct 11 22-14-15 h').reason).toBe('syntax')
  })
})

describe('syslogParser', () => {
  it('names facilities and severities', () => {
    expect(SYSLOG_FACILITIES).toHaveLength(24)
    expect(SYSLOG_FACILITIES[4]).toBe('auth')
    expect(SYSLOG_FACILITIES[23]).toBe('local7')
    expect(SYSLOG_SEVERITIES).toEqual(['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'])
  })

  it('throws ERR_INVALID_ARGUMENT for bad options', () => {
    for (const options of [
      { timeZone: 'Mars/Olympus_Mons' },
      { timeZone: '+25:00' },
      { timeZone: 1.5 },
      { timeZone: 2000 },
      { now: 5 as unknown as () => number },
      { invalidUtf8: 'drop' as 'replace' },
    ]) {
      let thrown: unknown
      try {
        syslogParser(options)
      } catch (err) {
        thrown = err
      }
      expect(isShoalError(thrown, 'ERR_INVALID_ARGUMENT'), JSON.stringify(options)).toBe(true)
    }
  })

  it('rejects empty lines', () => {
    expect(rejected('').reason).toBe('empty')
  })
})

// ---------------------------------------------------------------------------------------------
// Properties

const printable = (max: number) =>
  fc
    .string({
      unit: fc.integer({ min: 33, max: 126 }).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: max,
    })
    .filter((s) => s !== '-')
const sdName = fc.string({
  unit: fc
    .integer({ min: 33, max: 126 })
    .filter((c) => c !== 61 && c !== 93 && c !== 34)
    .map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 32,
})
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null })

const record5424 = fc.record({
  facility: fc.integer({ min: 0, max: 23 }),
  severity: fc.integer({ min: 0, max: 7 }),
  version: fc.constant(1 as const),
  time: nullable(
    fc.integer({ min: Date.parse('0001-01-02T00:00:00Z'), max: Date.parse('9999-12-30T23:59:59.999Z') }),
  ),
  hostname: nullable(printable(255)),
  appName: nullable(printable(48)),
  procId: nullable(printable(128)),
  msgId: nullable(printable(32)),
  structuredData: nullable(
    fc.dictionary(sdName, fc.dictionary(sdName, fc.string({ unit: 'grapheme', maxLength: 20 })), {
      minKeys: 1,
      maxKeys: 4,
    }),
  ),
  message: fc.string({ unit: 'grapheme', maxLength: 60 }),
})

function renderTime(ms: number, offsetMinutes: number, digits: number): string {
  const local = new Date(ms + offsetMinutes * 60_000)
  const iso = local.toISOString() // yyyy-mm-ddThh:mm:ss.mmmZ for years 0..9999
  const fraction = digits === 0 ? '' : `.${iso.slice(20, 23)}${'0'.repeat(digits - 3)}`
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  const zone =
    offsetMinutes === 0 && digits % 2 === 0
      ? 'Z'
      : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
  return `${iso.slice(0, 19)}${fraction}${zone}`
}

function render5424(r: SyslogRecord, offsetMinutes: number, digits: number, bom: boolean): string {
  const nil = (v: string | null) => v ?? '-'
  let line = `<${(r.facility as number) * 8 + (r.severity as number)}>1 ${r.time === null ? '-' : renderTime(r.time, offsetMinutes, digits)}`
  line += ` ${nil(r.hostname)} ${nil(r.appName)} ${nil(r.procId)} ${nil(r.msgId)} `
  if (r.structuredData === null) line += '-'
  else
    for (const [id, params] of Object.entries(r.structuredData)) {
      line += `[${id}`
      for (const [name, value] of Object.entries(params))
        line += ` ${name}="${(value as string).replace(/["\\\]]/g, (c) => `\\${c}`)}"`
      line += ']'
    }
  if (r.message.length > 0) line += ` ${bom ? BOM : ''}${r.message}`
  return line
}

function plain(r: SyslogRecord): unknown {
  return JSON.parse(JSON.stringify(r))
}

describe('syslog properties', () => {
  it('an RFC 5424 record rendered to text parses back to itself', () => {
    const parser = syslogParser()
    fc.assert(
      fc.property(
        record5424,
        fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
        fc.constantFrom(0, 3, 4, 6),
        fc.boolean(),
        (r, offset, digits, bom) => {
          // the time survives to the millisecond only if the fraction has 3 digits or more
          const expected = {
            ...r,
            time: r.time === null ? null : digits === 0 ? r.time - (((r.time % 1000) + 1000) % 1000) : r.time,
          }
          // without a BOM, a message that starts with U+FEFF would lose it
          const withBom = bom || r.message.startsWith(BOM)
          const line = render5424(r as SyslogRecord, offset, digits, withBom)
          const result = parser.parseLine(Buffer.from(line, 'utf8'))
          if (!result.ok) throw new Error(`${line}: ${result.failure.message} at ${result.failure.column}`)
          expect(plain(result.record)).toEqual(plain(expected as SyslogRecord))
        },
      ),
      { numRuns: 500 },
    )
  })

  it('random bytes never throw', () => {
    const parser = syslogParser({ timeZone: 'Europe/Paris' })
    const prefixes = [
      '',
      '<13>1 ',
      '<13>',
      '<34>Oct 11 22:14:15 ',
      '<13>1 - h a p m [x a="',
      '<165>1 2003-10-11T22:14:15.003Z ',
    ]
    const near = fc
      .tuple(
        fc.constantFrom(...prefixes),
        fc.array(
          fc.constantFrom('[', ']', '"', '\\', ' ', '=', '-', 'a', ':', '1', '<', '>', '\ufeff', 'é'),
          {
            maxLength: 40,
          },
        ),
      )
      .map(([prefix, parts]) => Buffer.from(prefix + parts.join(''), 'utf8'))
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), near), (bytes) => {
        const result = parser.parseLine(bytes)
        if (!result.ok) {
          expect(BAD_LINE_REASONS).toContain(result.failure.reason)
          expect(result.failure.column).toBeGreaterThanOrEqual(0)
          expect(result.failure.column).toBeLessThanOrEqual(bytes.length)
        }
      }),
      { numRuns: 3000 },
    )
  })
})
