import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { apacheErrorParser } from '../src/index.js'

describe('apacheErrorParser', () => {
  it('reads the 2.2 layout', () => {
    const result = apacheErrorParser().parseLine(
      '[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /export/home/live/ap/htdocs/test',
    )
    expect(result).toEqual({
      ok: true,
      record: {
        time: Date.UTC(2000, 9, 11, 14, 32, 52),
        module: null,
        level: 'error',
        pid: null,
        tid: null,
        client: '127.0.0.1',
        errorStatus: null,
        code: null,
        message: 'client denied by server configuration: /export/home/live/ap/htdocs/test',
        referer: null,
      },
    })
  })

  it('reads the 2.4 layout with pid, tid, status, code and referer', () => {
    const line =
      '[Sun May 17 10:05:03.123456 2015] [proxy:error] [pid 1234:tid 140234] (111)Connection refused: [client 192.0.2.1:54321] AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed, referer: http://example.com/'
    expect(apacheErrorParser({ utcOffsetMinutes: 120 }).parseLine(line)).toEqual({
      ok: true,
      record: {
        time: Date.UTC(2015, 4, 17, 8, 5, 3) + 123.456,
        module: 'proxy',
        level: 'error',
        pid: 1234,
        tid: 140234,
        client: '192.0.2.1:54321',
        errorStatus: '(111)Connection refused',
        code: 'AH00957',
        message: 'HTTP: attempt to connect to 127.0.0.1:8080 (localhost) failed',
        referer: 'http://example.com/',
      },
    })
  })

  it('reports lines that are not error-log lines', () => {
    expect(apacheErrorParser().parseLine('1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /"')).toMatchObject({
      ok: false,
      failure: { reason: 'bad-time' },
    })
    expect(apacheErrorParser().parseLine('[Wed Feb 30 14:32:52 2000] [error] x')).toMatchObject({
      ok: false,
      failure: { reason: 'bad-time' },
    })
    expect(apacheErrorParser().parseLine('[Wed Oct 11 14:32:52 2000] [loud] x')).toMatchObject({
      ok: false,
      failure: { reason: 'literal-mismatch' },
    })
  })

  it('never throws on random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void apacheErrorParser().parseLine(bytes)),
    )
  })
})
