// The dig output parser on dig's own output (BIND 9.18, captured from gdnsd 3.8.1 answering the
// interop fixture), so a parsing mistake cannot pass for a server difference. Needs no tools.

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type DigReply, digArgs, digManyArgs, parseDig, recordKey, recordSet, splitDigOutput } from './dig.js'

function sample(name: string): string {
  return readFileSync(new URL(`fixtures/dig-${name}.txt`, import.meta.url), 'utf8')
}

function reply(name: string): DigReply {
  const parsed = parseDig(sample(name))
  if (parsed.kind !== 'reply') throw new Error(`${name}: no reply parsed`)
  return parsed
}

describe('parseDig', () => {
  it('reads the header, flags, counts, question, answer and the ECS option with its scope', () => {
    const r = reply('ecs')
    expect(r).toMatchObject({
      opcode: 'QUERY',
      status: 'NOERROR',
      id: 50852,
      flags: ['qr', 'aa', 'rd'],
      counts: { query: 1, answer: 1, authority: 0, additional: 1 },
      question: ['geo.example.com. IN A'],
      answer: [{ name: 'geo.example.com.', ttl: 300, class: 'IN', type: 'A', data: '192.0.2.52' }],
      authority: [],
      additional: [],
      truncated: false,
      retriedOverTcp: false,
      transport: 'UDP',
      size: 71,
    })
    expect(r.opt).toMatchObject({
      version: 0,
      flags: [],
      udp: 1024,
      ecs: { address: '10.1.2.0', sourcePrefix: 24, scopePrefix: 8 },
    })
  })

  it('reads a negative answer: NXDOMAIN with the SOA in the authority section', () => {
    const r = reply('nxdomain')
    expect(r.status).toBe('NXDOMAIN')
    expect(r.answer).toEqual([])
    expect(r.authority).toEqual([
      {
        name: 'example.com.',
        ttl: 300,
        class: 'IN',
        type: 'SOA',
        data: 'ns1.example.com. hostmaster.example.com. 2026112601 7200 1800 1209600 300',
      },
    ])
    expect(r.opt?.ecs).toBeUndefined()
  })

  it('reads an extended rcode (BADVERS) and the OPT record beside it', () => {
    const r = reply('badvers')
    expect(r.status).toBe('BADVERS')
    expect(r.flags).toEqual(['qr', 'rd'])
    expect(r.opt?.version).toBe(0)
  })

  it('tells a truncated UDP reply shown with +ignore from one dig retried over TCP', () => {
    const ignored = reply('truncated-ignored')
    expect(ignored).toMatchObject({ truncated: true, retriedOverTcp: false, transport: 'UDP', answer: [] })
    const retried = reply('truncated-retried')
    expect(retried).toMatchObject({ truncated: false, retriedOverTcp: true, transport: 'TCP', size: 1650 })
    expect(retried.answer).toHaveLength(100)
    expect(retried.opt?.keepalive).toBe(37)
  })

  it('reads a referral: NS in the authority section, glue in the additional one, and the cookie', () => {
    const r = reply('referral-cookie')
    expect(r.flags).not.toContain('aa')
    expect(recordSet(r.authority)).toEqual(['sub.example.com. IN NS ns.sub.example.com.'])
    expect(recordSet(r.additional)).toEqual(['ns.sub.example.com. IN A 192.0.2.80'])
    expect(r.opt?.cookie).toMatch(/^[0-9a-f]{32} \(good\)$/)
  })

  it('keeps the spaces inside TXT strings and their case', () => {
    const r = reply('tcp-keepalive')
    expect(r.transport).toBe('TCP')
    expect(r.answer[0]?.data).toBe('"hello world" "second string"')
    expect(
      recordKey({ name: 'TXT.Example.COM.', ttl: 1, class: 'IN', type: 'TXT', data: '"Hello  World"' }),
    ).toBe('txt.example.com. IN TXT "Hello World"')
  })

  it('reports no reply when dig could not reach the server', () => {
    const text = `;; communications error to 127.0.0.1#5397: timed out

; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> @127.0.0.1 -p 5397 www.example.com A
; (1 server found)
;; global options: +cmd
;; no servers could be reached
`
    expect(parseDig(text)).toEqual({
      kind: 'no-reply',
      reason: 'communications error to 127.0.0.1#5397: timed out',
    })
  })

  it('asks exactly what the options say', () => {
    expect(
      digArgs(5300, 'geo.example.com', 'A', { subnet: '10.1.2.0/24', tcp: true, edns: 1, bufsize: 512 }),
    ).toEqual([
      '@127.0.0.1',
      '-p',
      '5300',
      'geo.example.com',
      'A',
      '+tcp',
      '+tries=1',
      '+retry=0',
      '+timeout=2',
      '+noednsnegotiation',
      '+edns=1',
      '+bufsize=512',
      '+subnet=10.1.2.0/24',
      '+nocookie',
    ])
    expect(digArgs(5300, 'www.example.com', 'A', { edns: false })).toContain('+noedns')
  })

  it('splits a several-query run into one reply per query, each with its own TCP retry note', () => {
    const replies = splitDigOutput(sample('many')).map((segment) => parseDig(segment))
    expect(
      replies.map((r) =>
        r.kind === 'reply'
          ? [r.question[0], r.status, r.truncated, r.retriedOverTcp, r.transport, r.answer.length]
          : r,
      ),
    ).toEqual([
      ['www.example.com. IN A', 'NOERROR', false, false, 'UDP', 3],
      ['big.example.com. IN A', 'NOERROR', false, true, 'TCP', 100],
      ['big.example.com. IN A', 'NOERROR', true, false, 'UDP', 0],
      ['nope.example.com. IN TXT', 'NXDOMAIN', false, false, 'TCP', 0],
    ])
    expect(
      digManyArgs(53001, [
        { name: 'www.example.com', type: 'A', options: {} },
        { name: 'nope.example.com', type: 'TXT', options: { tcp: true, edns: false } },
      ]),
    ).toEqual([
      '@127.0.0.1',
      '-p',
      '53001',
      '+tries=1',
      '+retry=0',
      '+timeout=2',
      'www.example.com',
      'A',
      '+notcp',
      '+noednsnegotiation',
      '+edns=0',
      '+nocookie',
      'nope.example.com',
      'TXT',
      '+tcp',
      '+noednsnegotiation',
      '+noedns',
      '+nocookie',
    ])
  })
})
