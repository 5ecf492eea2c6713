import { describe, expect, it } from 'vitest'
import { accessParser, nginxParser } from '../src/index.js'

const LINE =
  '203.0.113.9 - alice [17/May/2015:10:05:03 +0000] "GET /a?b=1 HTTP/2.0" 499 0 "https://ref/" "curl/8.5 \\x22q\\x22" "198.51.100.1, 10.0.0.1"'

describe('nginxParser', () => {
  it('reads the main preset, decoding \\xHH (nginx escapes quotes as \\x22)', () => {
    const result = nginxParser('nginx_main').parseLine(LINE)
    expect(result).toEqual({
      ok: true,
      record: {
        remoteHost: '203.0.113.9',
        remoteUser: 'alice',
        time: Date.UTC(2015, 4, 17, 10, 5, 3),
        request: 'GET /a?b=1 HTTP/2.0',
        method: 'GET',
        target: '/a?b=1',
        protocol: 'HTTP/2.0',
        status: 499,
        bytes: 0,
        referer: 'https://ref/',
        userAgent: 'curl/8.5 "q"',
        xForwardedFor: '198.51.100.1, 10.0.0.1',
        rest: null,
        recovered: false,
      },
    })
  })

  it('reads $request_time and upstream lists in microseconds', () => {
    const parser = nginxParser(
      '$remote_addr [$time_iso8601] $msec $request_time "$upstream_response_time" $upstream_addr $ssl_protocol $cookie_session_id $arg_page',
    )
    const result = parser.parseLine(
      '::1 [2015-05-17T12:05:03+02:00] 1431857103.123 0.250 "0.010, 0.004 : -" 10.0.0.2:80 TLSv1.3 abc 7',
    )
    expect(result).toEqual({
      ok: true,
      record: {
        remoteHost: '::1',
        time: Date.UTC(2015, 4, 17, 10, 5, 3),
        time2: 1431857103123,
        duration: 250_000,
        upstreamResponseTime: [10_000, 4_000, null],
        upstreamAddr: '10.0.0.2:80',
        sslProtocol: 'TLSv1.3',
        cookieSessionId: 'abc',
        argPage: '7',
        rest: null,
        recovered: false,
      },
    })
  })

  it('decodes escape=json values', () => {
    const parser = nginxParser('"$request" "$http_user_agent"', { escape: 'json' })
    const result = parser.parseLine('"GET /\\u00e9 HTTP/1.1" "say \\"hi\\" \\\\ \\u0001 ü"')
    expect(result.ok && result.record).toMatchObject({ target: '/é', userAgent: 'say "hi" \\ \u0001 ü' })
  })

  it('reads escape=none values with raw quotes in lenient mode, flagged as recovered', () => {
    const parser = nginxParser('nginx_combined', { escape: 'none' })
    const result = parser.parseLine(
      LINE.replace('curl/8.5 \\x22q\\x22', 'curl "q"').replace(' "198.51.100.1, 10.0.0.1"', ''),
    )
    expect(result.ok && result.record).toMatchObject({ userAgent: 'curl "q"', recovered: true })
    const raw = nginxParser('nginx_combined', { escape: 'none' }).parseLine(
      LINE.replace(' "198.51.100.1, 10.0.0.1"', ''),
    )
    expect(raw.ok && raw.record.userAgent).toBe('curl/8.5 \\x22q\\x22')
  })

  it('accessParser tells nginx formats from Apache ones', () => {
    expect(accessParser('$remote_addr $status').fields).toEqual(['remoteHost', 'status'])
    expect(accessParser('%h %>s').fields).toEqual(['remoteHost', 'status'])
    expect(accessParser('nginx_combined_d').fields).toContain('duration')
  })

  it('rejects bad variables and escape modes', () => {
    expect(() => nginxParser('$remote_addr ${oops')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_FORMAT' }),
    )
    expect(() => nginxParser('$ $status')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_FORMAT' }))
    expect(() => nginxParser('nginx_main', { escape: 'html' as 'json' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    )
  })
})
