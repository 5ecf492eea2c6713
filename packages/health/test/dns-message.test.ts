import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type DnsQuery, encodeQuery, normalizeName, readReply } from '../src/dns-message.js'
import { reply } from './dns-responder.js'

const QUERY: DnsQuery = { id: 0x1234, name: 'example.com', type: 1 }

describe('encodeQuery', () => {
  it('writes the header, the name as labels, the type and class IN', () => {
    expect(encodeQuery(QUERY).toString('hex')).toBe(
      `1234 0100 0001 0000 0000 0000 07${Buffer.from('example').toString('hex')}03${Buffer.from('com').toString('hex')}00 0001 0001`.replace(
        / /g,
        '',
      ),
    )
    expect(encodeQuery({ id: 1, name: 'Example.COM.', type: 28 }, false).toString('hex')).toBe(
      encodeQuery({ id: 1, name: 'example.com', type: 28 }, false).toString('hex'),
    )
    expect(encodeQuery({ id: 1, name: '.', type: 2 }).subarray(12).toString('hex')).toBe('0000020001')
  })

  it('refuses names that cannot be encoded, saying why', () => {
    expect(() => normalizeName(`${'a'.repeat(64)}.com`)).toThrow(/label of 64 bytes \(1–63 allowed\)/)
    expect(() => normalizeName('a..b')).toThrow(/label of 0 bytes/)
    expect(() => normalizeName(Array(130).fill('ab').join('.'))).toThrow(/bytes on the wire \(255 allowed\)/)
    expect(() => normalizeName('bücher.example')).toThrow(/printable ASCII/)
    expect(normalizeName('A.Example.')).toBe('a.example')
  })
})

describe('readReply', () => {
  const query = encodeQuery(QUERY)

  it('reads the rcode, flags and answers of a well-formed reply (names compressed)', () => {
    expect(readReply(reply(query, { answers: 2 }), QUERY)).toEqual({
      ok: true,
      reply: { id: 0x1234, rcode: 0, truncated: false, authoritative: false, answers: 2, answersOfType: 2 },
    })
    const nx = readReply(reply(query, { rcode: 3, answers: 0 }), QUERY)
    expect(nx).toMatchObject({ ok: true, reply: { rcode: 3, answers: 0 } })
  })

  it('accepts a truncated reply (TC) with the complete answers it has', () => {
    const full = reply(query, { answers: 3, truncated: true })
    expect(readReply(full.subarray(0, full.length - 10), QUERY)).toMatchObject({
      ok: true,
      reply: { truncated: true, answers: 2 },
    })
  })

  it('says what is wrong with replies that are not replies to the query', () => {
    const reasons = (bytes: Uint8Array, q: DnsQuery = QUERY) => {
      const result = readReply(bytes, q)
      return result.ok ? 'ok' : result.reason
    }
    expect(reasons(new Uint8Array(5))).toBe('reply of 5 bytes is shorter than a DNS header')
    expect(reasons(query)).toBe('not a response (QR bit clear)')
    expect(reasons(reply(query, { id: 7 }))).toBe('reply id 7 does not match query id 4660')
    expect(reasons(reply(query), { ...QUERY, name: 'example.org' })).toBe(
      'question example.com/1/1 does not match the query example.org/1/1',
    )
    expect(reasons(reply(query), { ...QUERY, type: 28 })).toMatch(
      /does not match the query example.com\/28\/1/,
    )
    const cut = reply(query, { answers: 1 })
    expect(reasons(cut.subarray(0, cut.length - 2))).toBe(
      'answer 1: data of 4 bytes runs past the end of the reply',
    )
    expect(reasons(cut.subarray(0, 18))).toBe('question: label runs past the end of the reply')
    expect(reasons(cut.subarray(0, 20))).toBe('question: name runs past the end of the reply')
    const twoQuestions = Buffer.from(reply(query))
    twoQuestions.writeUInt16BE(2, 4)
    expect(reasons(twoQuestions)).toBe('reply has 2 questions, expected 1')
    const opcode = Buffer.from(reply(query))
    opcode[2] = (opcode[2] as number) | 0x28
    expect(reasons(opcode)).toBe('reply opcode 5, expected 0 (QUERY)')
  })

  it('refuses compression pointers that loop or point forwards, and bad label types', () => {
    const base = reply(query, { answers: 1 })
    const answerName = 12 + (query.length - 12)
    const loop = Buffer.from(base)
    loop.writeUInt16BE(0xc000 | answerName, answerName) // points at itself
    expect(readReply(loop, QUERY)).toEqual({
      ok: false,
      reason: `answer 1: compression pointer to ${answerName} does not point backwards`,
    })
    const chain = Buffer.from(base)
    // the question's name ends in a pointer back into itself: "example" then → 12, → 12, …
    chain.writeUInt16BE(0xc00c, 12 + 8)
    expect(readReply(chain, QUERY)).toMatchObject({
      ok: false,
      reason: /question: compression pointer to 12/,
    })
    const extended = Buffer.from(base)
    extended[answerName] = 0x41 // 01xxxxxx: the obsolete extended label type
    expect(readReply(extended, QUERY)).toEqual({
      ok: false,
      reason: 'answer 1: label type 0x40 is not supported',
    })
  })

  it('never throws and always answers, on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (bytes) => {
        const result = readReply(bytes, QUERY)
        expect(typeof result.ok).toBe('boolean')
        if (!result.ok) expect(result.reason.length).toBeGreaterThan(0)
      }),
      { numRuns: 2000 },
    )
  })

  it('never throws on a valid header followed by random bytes, nor on mutated and cut replies', () => {
    const header = Buffer.from(reply(query).subarray(0, 4))
    const withHeader = fc
      .tuple(fc.uint8Array({ minLength: 8, maxLength: 500 }))
      .map(([rest]) => Buffer.concat([header, rest]))
    const mutated = fc
      .tuple(
        fc.integer({ min: 0, max: 5 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }),
        fc.nat(),
        fc.boolean(),
      )
      .map(([answers, flips, cut, truncated]) => {
        const bytes = Buffer.from(reply(query, { answers, truncated }))
        for (const [at, value] of flips) bytes[at % bytes.length] = value
        return truncated ? bytes.subarray(0, cut % (bytes.length + 1)) : bytes
      })
    fc.assert(
      fc.property(fc.oneof(withHeader, mutated), (bytes) => {
        const started = performance.now()
        const result = readReply(bytes, QUERY)
        expect(performance.now() - started).toBeLessThan(50)
        if (result.ok) {
          expect(result.reply.answers).toBeLessThanOrEqual(bytes.readUInt16BE(6))
          expect(result.reply.answersOfType).toBeLessThanOrEqual(result.reply.answers)
        }
      }),
      { numRuns: 3000 },
    )
  })
})
