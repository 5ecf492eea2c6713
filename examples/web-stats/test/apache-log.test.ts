import { apacheParser, parseBuffer } from '@shoal/logs'
import { describe, expect, it } from 'vitest'
import { COMBINED_D, escapeLogItem, formatClfTime, formatCombinedD } from '../src/apache-log.js'

const bytes = (text: string): string => Buffer.from(text, 'utf8').toString('latin1')

describe('the embedded site writes lines as Apache does', () => {
  it('escapes quotes, backslashes, control and non-ASCII bytes like ap_escape_logitem', () => {
    expect(escapeLogItem('plain text/1.0')).toBe('plain text/1.0')
    expect(escapeLogItem('a "quoted" \\ word')).toBe('a \\"quoted\\" \\\\ word')
    expect(escapeLogItem('tab\there\nnew\rcr\bbs\vvt')).toBe('tab\\there\\nnew\\rcr\\bbs\\vvt')
    expect(escapeLogItem(bytes('café'))).toBe('caf\\xc3\\xa9')
    expect(escapeLogItem('\x00\x1f\x7f\xff')).toBe('\\x00\\x1f\\x7f\\xff')
  })

  it('writes %t in UTC', () => {
    expect(formatClfTime(Date.UTC(2000, 9, 10, 13, 55, 36))).toBe('[10/Oct/2000:13:55:36 +0000]')
  })

  it('writes lines that @shoal/logs reads back to the same fields', () => {
    const time = Date.UTC(2024, 4, 17, 10, 5, 3)
    const entries = [
      {
        remoteHost: '203.0.113.9',
        remoteUser: null,
        time,
        requestLine: 'GET /search?q="><script> HTTP/1.1',
        status: 200,
        bytes: 5075,
        referer: 'https://www.example.com/a\\b',
        userAgent: bytes('Mozilla/5.0 (Linux; Téléphone "Amélie") 小米'),
        durationUs: 73_579,
      },
      {
        remoteHost: '2001:db8::1',
        remoteUser: 'alice',
        time,
        requestLine: 'HEAD / HTTP/1.1',
        status: 304,
        bytes: 0,
        referer: null,
        userAgent: null,
        durationUs: 91,
      },
    ]
    const text = entries.map(formatCombinedD).join('')
    expect(text).toContain('"GET /search?q=\\"><script> HTTP/1.1"')
    expect(text).toContain(' 304 - "-" "-" 91\n')
    const { records, errors } = parseBuffer(text, apacheParser(COMBINED_D, { mode: 'strict' }))
    expect(errors).toEqual([])
    expect(records[0]).toMatchObject({
      remoteHost: '203.0.113.9',
      remoteUser: null,
      time,
      method: 'GET',
      target: '/search?q="><script>',
      status: 200,
      bytes: 5075,
      referer: 'https://www.example.com/a\\b',
      userAgent: 'Mozilla/5.0 (Linux; Téléphone "Amélie") 小米',
      duration: 73_579,
    })
    expect(records[1]).toMatchObject({
      remoteHost: '2001:db8::1',
      remoteUser: 'alice',
      status: 304,
      bytes: 0,
    })
    expect(records[1]?.referer).toBeNull()
    expect(records[1]?.userAgent).toBeNull()
  })
})
