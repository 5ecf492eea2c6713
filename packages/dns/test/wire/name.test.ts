import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  canonicalName,
  MAX_NAME_LENGTH,
  nameKey,
  nameLength,
  namesEqual,
  nameToWire,
  wireToName,
} from '../../src/wire/index.js'
import { lowerBytes, toHex } from './helpers.js'

/** Uncompressed wire names of any bytes: labels of 1–63 bytes, at most 255 bytes in all. */
export const wireName = fc
  .array(fc.uint8Array({ minLength: 1, maxLength: 63 }), { maxLength: 8 })
  .map((labels) => {
    const kept: Uint8Array[] = []
    let size = 1
    for (const label of labels) {
      if (size + 1 + label.length > MAX_NAME_LENGTH) break
      kept.push(label)
      size += 1 + label.length
    }
    const out = new Uint8Array(size)
    let at = 0
    for (const label of kept) {
      out[at++] = label.length
      out.set(label, at)
      at += label.length
    }
    return out
  })

describe('nameToWire', () => {
  it('writes labels, with or without the final dot, and the root', () => {
    expect(toHex(nameToWire('www.Example.com'))).toBe('03777777074578616d706c6503636f6d00')
    expect(nameToWire('www.Example.com.')).toEqual(nameToWire('www.Example.com'))
    expect(nameToWire('')).toEqual(Uint8Array.of(0))
    expect(nameToWire('.')).toEqual(Uint8Array.of(0))
    expect(toHex(nameToWire('a\\.b.c'))).toBe('03612e62016300')
    expect(toHex(nameToWire('\\065\\032\\\\.x'))).toBe('0341205c017800')
    expect(toHex(nameToWire('_sip._tcp.x'))).toBe('045f736970045f74637001' + '7800')
  })

  it('takes names up to 255 bytes and labels up to 63', () => {
    const l63 = 'a'.repeat(63)
    const longest = `${l63}.${l63}.${l63}.${'b'.repeat(61)}` // 64 × 3 + 62 + 1 = 255
    expect(nameToWire(longest).length).toBe(255)
    expect(nameToWire(`${longest}.`).length).toBe(255)
  })

  it.each([
    ['an empty label', 'a..b', /empty label/],
    ['a leading dot', '.a', /empty label/],
    ['a 64-byte label', `${'a'.repeat(64)}.com`, /longer than 63/],
    ['a 256-byte name', `${'a'.repeat(63)}.`.repeat(3) + 'b'.repeat(62), /255 bytes/],
    ['a short \\DDD', 'a\\06', /three decimal digits/],
    ['\\DDD above 255', 'a\\256', /above 255/],
    ['a final backslash', 'a\\', /backslash ends/],
    ['non-ASCII', 'bücher.de', /punycode/],
    ['a space', 'a b', /\\DDD/],
  ])('refuses %s', (_, name, message) => {
    expect(() => nameToWire(name)).toThrow(message)
    try {
      nameToWire(name)
    } catch (err) {
      expect((err as { code?: string }).code).toBe('ERR_INVALID_ARGUMENT')
    }
  })
})

describe('wireToName, nameKey, canonicalName', () => {
  it('write presentation form with escapes; keys are lower case', () => {
    expect(wireToName(nameToWire('WWW.Example.COM.'))).toBe('WWW.Example.COM')
    expect(nameKey(nameToWire('WWW.Example.COM.'))).toBe('www.example.com')
    expect(wireToName(Uint8Array.of(0))).toBe('')
    expect(wireToName(Uint8Array.of(4, 0x2e, 0x5c, 0x20, 0xff, 1, 0x41, 0))).toBe('\\.\\\\\\032\\255.A')
    expect(wireToName(Uint8Array.of(6, 0x22, 0x28, 0x29, 0x3b, 0x40, 0x24, 0))).toBe('\\"\\(\\)\\;\\@\\$')
    expect(canonicalName('Mail.Example.COM.')).toBe('mail.example.com')
    expect(canonicalName('\\065.X')).toBe('a.x')
    expect(canonicalName('.')).toBe('')
    expect(wireToName(Uint8Array.of(9, 1, 0x61, 0), 1)).toBe('a')
  })

  it('refuse what is not an uncompressed name', () => {
    expect(() => wireToName(Uint8Array.of(3, 0x61))).toThrow(/no valid uncompressed/)
    expect(() => nameKey(Uint8Array.of(0xc0, 0x0c))).toThrow(/no valid uncompressed/)
    expect(nameLength(Uint8Array.of(0x40, 0))).toBe(-1)
    expect(nameLength(Uint8Array.of(1, 0x61, 0))).toBe(3)
  })

  it('round trip: any wire name → text → the same wire name', () => {
    fc.assert(
      fc.property(wireName, (wire) => {
        const text = wireToName(wire)
        expect(nameToWire(text)).toEqual(wire)
        expect(nameKey(wire)).toBe(text.toLowerCase())
        expect(canonicalName(text)).toBe(nameKey(wire))
        expect(nameLength(wire)).toBe(wire.length)
      }),
      { numRuns: 500 },
    )
  })
})

describe('namesEqual', () => {
  it('ignores ASCII case only', () => {
    expect(namesEqual(nameToWire('Example.COM'), nameToWire('example.com'))).toBe(true)
    expect(namesEqual(nameToWire('example.com'), nameToWire('example.co'))).toBe(false)
    expect(namesEqual(nameToWire('ab.c'), nameToWire('a.bc'))).toBe(false)
    expect(namesEqual(Uint8Array.of(1, 0xc4, 0), Uint8Array.of(1, 0xe4, 0))).toBe(false)
    expect(namesEqual(Uint8Array.of(3, 0x61), Uint8Array.of(3, 0x61))).toBe(false)
    expect(namesEqual(Uint8Array.of(9, 1, 0x41, 0), Uint8Array.of(1, 0x61, 0), 1)).toBe(true)
  })

  it('agrees with comparing keys', () => {
    fc.assert(
      fc.property(wireName, wireName, fc.boolean(), (a, b, same) => {
        const other = same ? lowerBytes(a) : b
        expect(namesEqual(a, other)).toBe(nameKey(a) === nameKey(other))
      }),
      { numRuns: 500 },
    )
  })
})
