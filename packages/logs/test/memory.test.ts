import { describe, expect, it } from 'vitest'
import { apacheParser, BadLineLog, parseBatches } from '../src/index.js'

const LINES = 2_000_000
const PER_CHUNK = 2_000

/** 2 M combined lines, one in 1,000 damaged and one in 100,000 oversize, made chunk by chunk. */
function* generatedLog(): Generator<Buffer> {
  for (let first = 0; first < LINES; first += PER_CHUNK) {
    let text = ''
    for (let n = first; n < first + PER_CHUNK; n++) {
      if (n % 100_000 === 99_999) text += `${'x'.repeat(70_000)}\n`
      else if (n % 1_000 === 999) text += `10.0.${n % 256}.1 - - [17/May/2015:10:05:03 +0000] "GET /broken\n`
      else
        text += `10.${n % 251}.${n % 241}.${n % 239} - - [17/May/2015:10:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')} +0000] "GET /page/${n % 5000}?q=${n} HTTP/1.1" ${n % 50 === 0 ? 404 : 200} ${n % 9000} "https://example.com/ref/${n % 300}" "Mozilla/5.0 (X11; Linux x86_64) Agent/${n % 60}"\n`
    }
    yield Buffer.from(text, 'latin1')
  }
}

describe('memory', () => {
  it('stays bounded while parsing a 2 M-line stream', { timeout: 180_000 }, async () => {
    const badLines = new BadLineLog(50)
    let records = 0
    let bytes = 0
    let heapAtQuarter = 0
    let peakHeap = 0
    for await (const batch of parseBatches(generatedLog(), apacheParser('combined', { mode: 'strict' }), {
      badLines,
    })) {
      records += batch.records.length
      for (const record of batch.records) bytes += record.bytes ?? 0
      if (heapAtQuarter === 0 && batch.line >= LINES / 4) heapAtQuarter = process.memoryUsage().heapUsed
      if (batch.line % 200_000 < PER_CHUNK) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)
    }
    expect(records + badLines.total).toBe(LINES)
    expect(badLines.counts.oversize).toBe(20)
    expect(badLines.counts['unterminated-quote']).toBe(LINES / 1_000 - 20)
    expect(badLines.samples()).toHaveLength(50)
    expect(bytes).toBeGreaterThan(0)
    // garbage comes and goes; what must not happen is growth with the number of lines
    expect(peakHeap - heapAtQuarter).toBeLessThan(96 * 1024 * 1024)
  })
})
