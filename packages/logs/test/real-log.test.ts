import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { apacheParser, parseBuffer } from '../src/index.js'

const REAL_LOG = new URL('../../../../shared/data/apache_combined_real_10k.log', import.meta.url)
const available = existsSync(REAL_LOG)
if (!available)
  console.warn(`skipping the real-log tests: ${REAL_LOG.pathname} is not there (../shared is absent)`)

/** Counts statuses and bytes by splitting on quotes: a method independent of the parser's. */
function independentTotals(text: string): {
  lines: number
  statuses: Map<number, number>
  bytes: number
  unterminated: number[]
} {
  const statuses = new Map<number, number>()
  let bytes = 0
  const unterminated: number[] = []
  const lines = text.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1)
  lines.forEach((line, i) => {
    const quotes = line.split('"').length - 1
    if (quotes % 2 === 1) unterminated.push(i + 1)
    const [status, size] = (line.split('"')[2] ?? '').trim().split(' ')
    statuses.set(Number(status), (statuses.get(Number(status)) ?? 0) + 1)
    bytes += size === '-' ? 0 : Number(size)
  })
  return { lines: lines.length, statuses, bytes, unterminated }
}

describe.skipIf(!available)('the real 10,000-line Apache log', () => {
  const data = available ? readFileSync(REAL_LOG) : Buffer.alloc(0)
  const expected = independentTotals(data.toString('latin1'))

  it('strict mode parses every well-formed line and reports the malformed one with its line number', () => {
    const batch = parseBuffer(data, apacheParser('combined', { mode: 'strict' }))
    expect(expected.unterminated).toEqual([8899])
    expect(batch.errors.map((e) => [e.line, e.reason])).toEqual([[8899, 'unterminated-quote']])
    expect(batch.records.length).toBe(expected.lines - 1)
    expect(batch.line).toBe(10_000)
  })

  it('lenient mode recovers the malformed line, flagged, and the totals match an independent count', () => {
    const batch = parseBuffer(data, apacheParser('combined'))
    expect(batch.errors).toEqual([])
    expect(batch.records.length).toBe(10_000)
    const recovered = batch.records.filter((r) => r.recovered)
    expect(recovered).toHaveLength(1)
    expect(recovered[0]?.userAgent).toBe(
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html',
    )
    const statuses = new Map<number, number>()
    let bytes = 0
    for (const record of batch.records) {
      statuses.set(record.status as number, (statuses.get(record.status as number) ?? 0) + 1)
      bytes += record.bytes as number
    }
    expect(statuses).toEqual(expected.statuses)
    expect(bytes).toBe(expected.bytes)
  })

  it('decodes non-UTF-8 referrers with replacement characters', () => {
    const batch = parseBuffer(data, apacheParser('combined'))
    const record = batch.records[5850]
    expect(record?.referer).toMatch(/^http:\/\/\ufffd+-\ufffd+\.\ufffd+\/$/)
  })

  it('the generated scanner and the interpreter give identical records', () => {
    const generated = parseBuffer(data, apacheParser('combined'))
    const interpreted = parseBuffer(data, apacheParser('combined', { codegen: false }))
    expect(generated).toEqual(interpreted)
  })
})
