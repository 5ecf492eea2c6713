/**
 * The message codec: bytes computed by hand for a few messages, every message read back as it
 * was written (a property over arbitrary messages), encodedSize exact, and each malformed body
 * refused with ERR_BAD_MESSAGE at the right offset.
 */
import { isShoalError, type ShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  BODY_HEADER_BYTES,
  decodeMessages,
  encodedSize,
  encodeMessages,
  MAX_DATAGRAM_BODY,
  MAX_METADATA_BYTES,
  MAX_PUSH_PULL_MEMBERS,
} from '../src/wire/codec.js'
import type { MemberRecord, Message, Metadata } from '../src/wire/messages.js'

function hex(text: string): Uint8Array {
  const digits = text.replace(/#[^\n]*/g, '').replace(/\s+/g, '')
  return Uint8Array.from(Buffer.from(digits, 'hex'))
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')
}

function thrown(fn: () => unknown): ShoalError {
  try {
    fn()
  } catch (err) {
    if (isShoalError(err)) return err
    throw err
  }
  throw new Error('expected a ShoalError, nothing was thrown')
}

function badMessage(body: Uint8Array): ShoalError {
  const err = thrown(() => decodeMessages(body))
  expect(err.code).toBe('ERR_BAD_MESSAGE')
  return err
}

const ascii = (n: number) => 'x'.repeat(n)

// Strings of any code points (up to 4 bytes of UTF-8 each) that stay under 255 bytes.
const text = fc.string({ unit: 'binary', maxLength: 60 })
const u32 = fc.nat({ max: 0xffffffff })
const metaKey = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.constantFrom('__proto__', '0', 'zone'),
)
// At most 1 + 4 × (2 + 40 + 80) = 489 bytes encoded.
const metadata: fc.Arbitrary<Metadata> = fc
  .uniqueArray(fc.tuple(metaKey, fc.string({ unit: 'binary', maxLength: 20 })), {
    maxLength: 4,
    selector: ([k]) => k,
  })
  .map((entries) => Object.fromEntries(entries))
const state = fc.constantFrom('alive', 'suspect', 'dead', 'left' as const)
const record: fc.Arbitrary<MemberRecord> = fc.record({
  name: text,
  address: text,
  incarnation: u32,
  state,
  meta: metadata,
})

/** Any message the codec can carry. */
const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({
    type: fc.constant('ping' as const),
    seq: u32,
    target: text,
    source: text,
    sourceAddress: text,
  }),
  fc.record({
    type: fc.constant('indirectPing' as const),
    seq: u32,
    target: text,
    targetAddress: text,
    source: text,
    sourceAddress: text,
    nack: fc.boolean(),
  }),
  fc.record({ type: fc.constant('ack' as const), seq: u32 }),
  fc.record({ type: fc.constant('nack' as const), seq: u32 }),
  fc.record({
    type: fc.constant('alive' as const),
    name: text,
    address: text,
    incarnation: u32,
    meta: metadata,
  }),
  fc.record({ type: fc.constant('suspect' as const), name: text, incarnation: u32, from: text }),
  fc.record({ type: fc.constant('dead' as const), name: text, incarnation: u32, from: text }),
  fc.record({
    type: fc.constant('pushPull' as const),
    join: fc.boolean(),
    reply: fc.boolean(),
    members: fc.array(record, { maxLength: 5 }),
  }),
)
const body = fc.array(message, { minLength: 1, maxLength: 64 })

describe('encodeMessages: bytes as computed by hand', () => {
  it('writes an ack', () => {
    expect(toHex(encodeMessages([{ type: 'ack', seq: 0x01020304 }]))).toBe(toHex(hex('01 01  03 01020304')))
  })

  it('writes a ping and a suspect in one body, with multi-byte UTF-8', () => {
    const bytes = encodeMessages([
      { type: 'ping', seq: 7, target: 'b', source: 'a', sourceAddress: 'x:1' },
      { type: 'suspect', name: 'é', incarnation: 0xffffffff, from: '' },
    ])
    expect(toHex(bytes)).toBe(
      toHex(
        hex(`
          01 02                    # version 1, two messages
          01 00000007              # ping, seq 7
          01 62  01 61  03 783a31  # target b, source a, source address x:1
          06 02 c3a9 ffffffff 00   # suspect é at incarnation 2^32-1 from ''
        `),
      ),
    )
  })

  it('writes an alive with metadata, an indirect ping and a push-pull', () => {
    const bytes = encodeMessages([
      { type: 'alive', name: 'n', address: 'a', incarnation: 2, meta: { k: 'v' } },
      {
        type: 'indirectPing',
        seq: 256,
        target: 't',
        targetAddress: 'u',
        source: 's',
        sourceAddress: '',
        nack: true,
      },
      {
        type: 'pushPull',
        join: true,
        reply: false,
        members: [{ name: 'm', address: '', incarnation: 1, state: 'left', meta: {} }],
      },
      { type: 'dead', name: 'd', incarnation: 9, from: 'd' },
    ])
    expect(toHex(bytes)).toBe(
      toHex(
        hex(`
          01 04
          05 016e 0161 00000002 01 016b 0176           # alive n a 2 {k: v}
          02 00000100 0174 0175 0173 00 01             # indirectPing seq 256 t u s '' nack
          08 01 0001  016d 00 00000001 03 00           # pushPull join, one member m '' 1 left {}
          07 0164 00000009 0164                        # dead d 9 from d
        `),
      ),
    )
  })
})

describe('round trip', () => {
  it('decodes every body to the messages it was encoded from', () => {
    fc.assert(
      fc.property(body, (messages) => {
        const bytes = encodeMessages(messages)
        const decoded = decodeMessages(bytes)
        expect(decoded).toEqual(messages)
        // metadata keys keep their order and '__proto__' stays an own key
        expect(toHex(encodeMessages(decoded))).toBe(toHex(bytes))
      }),
    )
  })

  it('keeps a __proto__ metadata key as data, not as a prototype', () => {
    const meta = Object.fromEntries([['__proto__', 'x']]) as Metadata
    const [m] = decodeMessages(
      encodeMessages([{ type: 'alive', name: 'a', address: 'b', incarnation: 1, meta }]),
    )
    expect(m?.type === 'alive' && Object.hasOwn(m.meta, '__proto__')).toBe(true)
    expect(m?.type === 'alive' && Object.getPrototypeOf(m.meta)).toBe(Object.prototype)
  })

  it('reads from a view at an offset into a larger buffer', () => {
    const bytes = encodeMessages([{ type: 'nack', seq: 5 }])
    const big = new Uint8Array(bytes.length + 10)
    big.set(bytes, 7)
    expect(decodeMessages(big.subarray(7, 7 + bytes.length))).toEqual([{ type: 'nack', seq: 5 }])
  })

  it('keeps a leading byte order mark in a string', () => {
    const m: Message = { type: 'suspect', name: '\ufeffa', incarnation: 0, from: 'b' }
    expect(decodeMessages(encodeMessages([m]))).toEqual([m])
  })
})

describe('encodedSize', () => {
  it('is what each message adds to a body', () => {
    fc.assert(
      fc.property(body, message, (messages, extra) => {
        const before = encodeMessages(messages).length
        expect(before).toBe(BODY_HEADER_BYTES + messages.reduce((n, m) => n + encodedSize(m), 0))
        if (messages.length < 64)
          expect(encodeMessages([...messages, extra]).length - before).toBe(encodedSize(extra))
      }),
    )
  })

  it('lets a datagram be packed under MAX_DATAGRAM_BODY', () => {
    const gossip: Message = {
      type: 'alive',
      name: 'node-17',
      address: '10.0.0.17:7946',
      incarnation: 4,
      meta: {},
    }
    const size = encodedSize(gossip)
    const fits = Math.floor((MAX_DATAGRAM_BODY - BODY_HEADER_BYTES) / size)
    const packed = encodeMessages(Array.from({ length: Math.min(64, fits) }, () => gossip))
    expect(packed.length).toBeLessThanOrEqual(MAX_DATAGRAM_BODY)
  })
})

describe('encodeMessages refuses what it cannot encode', () => {
  const ok: Message = { type: 'ack', seq: 1 }
  const cases: readonly (readonly [string, () => unknown, RegExp])[] = [
    ['no messages', () => encodeMessages([]), /1 to 64/],
    ['65 messages', () => encodeMessages(Array.from({ length: 65 }, () => ok)), /1 to 64/],
    ['a negative seq', () => encodeMessages([{ type: 'ack', seq: -1 }]), /ack\.seq/],
    ['a fractional seq', () => encodeMessages([{ type: 'nack', seq: 1.5 }]), /nack\.seq/],
    [
      'an incarnation of 2^32',
      () => encodeMessages([{ type: 'dead', name: 'a', incarnation: 2 ** 32, from: 'a' }]),
      /dead\.incarnation/,
    ],
    [
      'a 256-byte name',
      () => encodeMessages([{ type: 'suspect', name: ascii(256), incarnation: 0, from: 'a' }]),
      /suspect\.name takes 256 bytes/,
    ],
    [
      'a 128-character name of 2-byte characters',
      () => encodeMessages([{ type: 'suspect', name: 'é'.repeat(128), incarnation: 0, from: 'a' }]),
      /256 bytes/,
    ],
    [
      'a lone surrogate',
      () => encodeMessages([{ type: 'ping', seq: 0, target: '\ud800', source: '', sourceAddress: '' }]),
      /surrogate/,
    ],
    [
      'metadata over MAX_METADATA_BYTES',
      () =>
        encodeMessages([
          { type: 'alive', name: 'a', address: 'b', incarnation: 0, meta: { a: ascii(255), b: ascii(255) } },
        ]),
      /517 bytes encoded, more than 512/,
    ],
    [
      'a metadata value that is not a string',
      () =>
        encodeMessages([
          { type: 'alive', name: 'a', address: 'b', incarnation: 0, meta: { a: 1 } as unknown as Metadata },
        ]),
      /must be a string/,
    ],
    [
      'too many push-pull members',
      () =>
        encodeMessages([
          {
            type: 'pushPull',
            join: false,
            reply: false,
            members: Array.from({ length: MAX_PUSH_PULL_MEMBERS + 1 }, () => ({
              name: 'a',
              address: 'b',
              incarnation: 0,
              state: 'alive' as const,
              meta: {},
            })),
          },
        ]),
      /10001 members/,
    ],
    [
      'an unknown member state',
      () =>
        encodeMessages([
          {
            type: 'pushPull',
            join: false,
            reply: false,
            members: [{ name: 'a', address: 'b', incarnation: 0, state: 'gone' as 'dead', meta: {} }],
          },
        ]),
      /state/,
    ],
    [
      'an unknown type',
      () => encodeMessages([{ type: 'hello' } as unknown as Message]),
      /unknown message type/,
    ],
  ]
  for (const [what, fn, pattern] of cases) {
    it(`refuses ${what}`, () => {
      const err = thrown(fn)
      expect(err.code).toBe('ERR_INVALID_ARGUMENT')
      expect(err.message).toMatch(pattern)
    })
  }

  it('accepts metadata of exactly MAX_METADATA_BYTES', () => {
    // 1 (count) + 256 + 1 + 2 + 252 = 512
    const meta = { [ascii(255)]: '', [ascii(1)]: ascii(251) }
    const m: Message = { type: 'alive', name: 'a', address: 'b', incarnation: 0, meta }
    expect(encodedSize(m)).toBe(1 + 2 + 4 + 2 + MAX_METADATA_BYTES)
    expect(decodeMessages(encodeMessages([m]))).toEqual([m])
  })
})

describe('decodeMessages refuses malformed bodies', () => {
  const cases: readonly (readonly [string, string, RegExp, number])[] = [
    ['an empty body', '', /truncated body version/, 0],
    ['version 2', '02 01 0300000001', /unknown format version 2/, 0],
    ['version 0', '00 01 0300000001', /unknown format version 0/, 0],
    ['a count of 0', '01 00', /message count 0/, 1],
    ['a count of 65', `01 41 ${'0300000001'.repeat(65)}`, /message count 65/, 1],
    ['fewer messages than the count', '01 02 0300000001', /truncated message type/, 7],
    ['an unknown type', '01 01 09', /unknown message type 9/, 2],
    ['type 0', '01 01 00', /unknown message type 0/, 2],
    ['a truncated seq', '01 01 03 000000', /truncated ack seq/, 3],
    ['trailing bytes', '01 01 0300000001 00', /1 trailing bytes/, 7],
    ['a string longer than the body', '01 01 06 05 6162', /truncated suspect name/, 4],
    ['invalid UTF-8', '01 01 06 01 ff 00000000 00', /suspect name is not valid UTF-8/, 4],
    ['an overlong UTF-8 encoding', '01 01 06 02 c0af 00000000 00', /not valid UTF-8/, 4],
    ['a UTF-8 surrogate', '01 01 06 03 eda080 00000000 00', /not valid UTF-8/, 4],
    ['a nack flag of 2', '01 01 02 00000001 00 00 00 00 02', /nack flag is 2/, 11],
    ['unknown push-pull flags', '01 01 08 04 0000', /flags 0x4/, 3],
    [
      'a push-pull count over the limit',
      `01 01 08 00 ${(MAX_PUSH_PULL_MEMBERS + 1).toString(16).padStart(4, '0')}`,
      /member count 10001 is over 10000/,
      4,
    ],
    [
      'a push-pull count the bytes cannot hold',
      '01 01 08 00 2710 00',
      /truncated pushPull members \(10000\)/,
      6,
    ],
    ['an unknown member state', '01 01 08 00 0001 0161 0162 00000001 04 00', /unknown member state 4/, 14],
    [
      'a metadata count the bytes cannot hold',
      '01 01 05 00 00 00000000 ff 00',
      /truncated alive metadata/,
      10,
    ],
    ['a repeated metadata key', '01 01 05 00 00 00000000 02 016b 0161 016b 0162', /repeats the key "k"/, 14],
    [
      'metadata over MAX_METADATA_BYTES',
      `01 01 05 00 00 00000000 02 ff ${'61'.repeat(255)} 00 01 62 ff ${'63'.repeat(255)}`,
      /takes 516 bytes, more than 512/,
      9,
    ],
  ]
  for (const [what, bytes, pattern, offset] of cases) {
    it(`refuses ${what}`, () => {
      const err = badMessage(hex(bytes))
      expect(err.message).toMatch(pattern)
      expect(err.message).toContain(`at offset ${offset}`)
      expect(err.details.offset).toBe(offset)
    })
  }

  it('refuses every proper prefix of a valid body', () => {
    fc.assert(
      fc.property(body, fc.nat(), (messages, cut) => {
        const bytes = encodeMessages(messages)
        badMessage(bytes.subarray(0, cut % bytes.length))
      }),
    )
  })

  it('refuses a non-array argument with ERR_INVALID_ARGUMENT', () => {
    expect(thrown(() => decodeMessages('01' as unknown as Uint8Array)).code).toBe('ERR_INVALID_ARGUMENT')
  })
})
