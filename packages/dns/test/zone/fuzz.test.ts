import { readFileSync } from 'node:fs'
import { isShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkZone, parseZone } from '../../src/zone/index.js'

const fixture = readFileSync(new URL('fixtures/example.com.zone', import.meta.url), 'utf8')

// Words and characters that mean something to a master-file parser, to reach its corners.
const WORDS = [
  '@',
  '$ORIGIN',
  '$TTL',
  '$INCLUDE',
  '$GENERATE',
  'IN',
  'CH',
  'CLASS1',
  'CLASS3',
  'A',
  'AAAA',
  'MX',
  'TXT',
  'SOA',
  'NS',
  'CNAME',
  'SRV',
  'CAA',
  'PTR',
  'TYPE65534',
  'TYPE1',
  'TYPE0',
  'HINFO',
  '\\#',
  '(',
  ')',
  ';',
  '"',
  '\\',
  '\n',
  ' ',
  '\t',
  '\r\n',
  '*',
  '.',
  '..',
  'example.com.',
  'example.org.',
  'www',
  'ns1',
  '192.0.2.1',
  '::1',
  '2001:db8::1',
  '1h',
  '300',
  '0',
  '65536',
  '4294967296',
  '"x"',
  '\\065',
  '\\999',
  '\\.',
  'ab\\ cd',
  '0a0b',
  'issue',
  '"le"',
  'xn--bcher-kva',
  'é',
  '\u0000',
  '1w2d3h4m5s',
  '99999999999999999999',
] as const

const soup = fc
  .array(
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...WORDS) },
      { weight: 1, arbitrary: fc.string({ maxLength: 8, unit: 'binary' }) },
    ),
    {
      maxLength: 120,
    },
  )
  .chain((words) =>
    fc
      .array(fc.constantFrom(' ', '\n', '\t', ''), { minLength: words.length, maxLength: words.length })
      .map((gaps) => words.map((w, i) => w + (gaps[i] as string)).join('')),
  )

// Mutations of a valid zone: deletions, insertions, replacements and line shuffles.
const mutated = fc
  .array(
    fc.record({
      kind: fc.constantFrom('delete', 'insert', 'replace', 'duplicate-line'),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 12 }),
      text: fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 4, unit: 'binary' })),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .map((edits) => {
    let text = fixture
    for (const edit of edits) {
      const at = edit.at % (text.length + 1)
      if (edit.kind === 'delete') text = text.slice(0, at) + text.slice(at + edit.length)
      else if (edit.kind === 'insert') text = text.slice(0, at) + edit.text + text.slice(at)
      else if (edit.kind === 'replace') text = text.slice(0, at) + edit.text + text.slice(at + edit.length)
      else {
        const lines = text.split('\n')
        const i = at % lines.length
        lines.splice(i, 0, lines[i] as string)
        text = lines.join('\n')
      }
    }
    return text
  })

// What is wrong with the parser's outcome for `text` (nothing, when it behaves).
function problems(text: string): string[] {
  const found: string[] = []
  const started = performance.now()
  const check = checkZone(text, { origin: 'example.com', file: 'fuzz' })
  const elapsed = performance.now() - started
  if (elapsed > 250) found.push(`took ${elapsed} ms`)
  const lines = text.split('\n').length
  if ((check.zone === undefined) !== check.errors.length > 0)
    found.push('a zone with errors, or no zone and no error')
  for (const error of check.errors) {
    const line = error.details.line
    const code: string = error.code
    if (code !== 'ERR_ZONE_SYNTAX' && code !== 'ERR_ZONE_INVALID') found.push(`code ${code}`)
    if (error.details.file !== 'fuzz') found.push(`file ${String(error.details.file)}`)
    if (!(typeof line === 'number' && Number.isInteger(line) && line >= 1 && line <= lines))
      found.push(`line ${String(line)}`)
    if (!error.message.startsWith(`fuzz:${String(line)}: `)) found.push(`message ${error.message}`)
  }
  const zone = check.zone
  if (zone !== undefined) {
    if (zone.negativeTtl > zone.soa.ttl) found.push('negative TTL above the SOA TTL')
    for (const set of zone.rrsets()) {
      const kind = zone.lookup(set.owner.toLowerCase()).kind
      if (kind !== 'answer' && kind !== 'delegation') found.push(`${set.owner} looks up as ${kind}`)
    }
  }
  try {
    parseZone(text, { origin: 'example.com', file: 'fuzz' })
  } catch (err) {
    if (!(isShoalError(err, 'ERR_ZONE_SYNTAX') || isShoalError(err, 'ERR_ZONE_INVALID')))
      found.push(`threw ${String(err)}`)
  }
  return found
}

function checkOutcome(text: string): void {
  const found = problems(text)
  if (found.length > 0) expect(found).toEqual([])
}

describe('the parser under random and mutated input', () => {
  it('never throws anything but its own errors, each with a line in the file, in bounded time', () => {
    fc.assert(fc.property(soup, checkOutcome), { numRuns: 1000 })
  })

  it('mutated copies of a valid zone', () => {
    fc.assert(fc.property(mutated, checkOutcome), { numRuns: 800 })
  })

  it('pathological inputs stay linear', () => {
    const started = performance.now()
    const inputs = [
      '('.repeat(200_000),
      ')'.repeat(200_000),
      '"'.repeat(200_000),
      '\\'.repeat(200_000),
      `x TXT ${'"a" '.repeat(50_000)}`,
      `${'a.'.repeat(100_000)} A 192.0.2.1`,
      `$TTL 1\n${'x A 192.0.2.1\n'.repeat(20_000)}`,
      `@ ${'\n '.repeat(50_000)}`,
      ';'.repeat(200_000),
      `x TYPE65534 \\# 65535 ${'ab'.repeat(65_535)}`,
      `x TYPE65534 \\# 65535 ${'ab '.repeat(70_000)}`,
    ]
    for (const text of inputs) {
      const check = checkZone(text, { origin: 'example.com' })
      expect(check.zone === undefined).toBe(true)
    }
    expect(performance.now() - started).toBeLessThan(5_000)
  })
})
