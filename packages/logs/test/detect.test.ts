import { describe, expect, it } from 'vitest'
import { createParser, detect, FORMAT_NAMES } from '../src/index.js'

const COMBINED =
  '83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /a.png HTTP/1.1" 200 203023 "http://semicomplete.com/" "Mozilla/5.0"'

const SAMPLES: Record<string, string[]> = {
  combined: [COMBINED, COMBINED.replace('200', '404')],
  combined_d: [`${COMBINED} 1234`, `${COMBINED} 99`],
  common: [COMBINED.slice(0, COMBINED.indexOf(' "http'))],
  vhost_combined: [`www.example.com:443 ${COMBINED}`],
  nginx_main: [`${COMBINED} "-"`],
  apache_error: [
    '[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration',
  ],
  syslog: [
    "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - BOM'su root' failed",
    '<13>Feb  5 17:32:18 host app[123]: hello',
  ],
  w3c: [
    '#Software: Microsoft IIS 10.0',
    '#Fields: date time c-ip cs-method cs-uri-stem sc-status',
    '2024-01-02 03:04:05 192.0.2.1 GET /index.html 200',
  ],
  json: ['{"remote_addr":"1.2.3.4","status":200}', '{"remote_addr":"5.6.7.8","status":404}'],
  logfmt: ['at=info method=GET path=/ status=200', 'level=warn msg="slow request" duration=1.2s'],
}

describe('detect', () => {
  for (const [format, lines] of Object.entries(SAMPLES)) {
    it(`names ${format} first for its own lines`, () => {
      const [best] = detect(lines)
      expect(best).toEqual({ format, confidence: 1, matched: lines.length, sampled: lines.length })
    })
  }

  it('gives partial confidence for mixed samples and ignores empty lines', () => {
    const candidates = detect([COMBINED, '', 'not a log line at all', COMBINED, '\r'])
    expect(candidates[0]).toMatchObject({ format: 'combined', matched: 2, sampled: 3 })
    expect(candidates[0]?.confidence).toBeCloseTo(2 / 3)
  })

  it('returns nothing for an empty sample, and limits the sample', () => {
    expect(detect([])).toEqual([])
    expect(detect(Array(500).fill(COMBINED), { sample: 10 })[0]?.sampled).toBe(10)
    expect(() => detect([COMBINED], { sample: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })

  it('every format name makes a parser', () => {
    for (const name of FORMAT_NAMES) expect(createParser(name).name).toBeTypeOf('string')
  })
})
