import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { RRType } from '../../src/wire/index.js'
import { formatRdata, parseZone, typeCode, typeName } from '../../src/zone/index.js'

const text = readFileSync(new URL('fixtures/example.com.zone', import.meta.url), 'utf8')
const zone = parseZone(text, { origin: 'example.com' })

describe('formatRdata', () => {
  it('gives back every record text of a zone from its wire data alone', () => {
    let count = 0
    for (const set of zone.rrsets())
      set.rdatas.forEach((rdata, i) => {
        expect(formatRdata(set.type, rdata)).toBe(set.texts[i])
        count++
      })
    expect(count).toBe(zone.records)
  })

  it('writes data that is not valid for its type, and unknown types, in RFC 3597 form', () => {
    expect(formatRdata(RRType.A, new Uint8Array([1, 2, 3]))).toBe('\\# 3 010203')
    expect(formatRdata(RRType.CNAME, new Uint8Array([3, 97]))).toBe('\\# 2 0361')
    expect(formatRdata(RRType.TXT, new Uint8Array(0))).toBe('\\# 0')
    expect(formatRdata(RRType.HINFO, new Uint8Array([1, 65, 0]))).toBe('\\# 3 014100')
    expect(formatRdata(RRType.TXT, new Uint8Array([2, 0x22, 0xff]))).toBe('"\\"\\255"')
  })
})

describe('type names and codes', () => {
  it('name the types the parser reads by mnemonic and the rest as TYPEnnn', () => {
    expect(typeName(RRType.AAAA)).toBe('AAAA')
    expect(typeName(RRType.CAA)).toBe('CAA')
    expect(typeName(RRType.HINFO)).toBe('TYPE13')
    expect(typeName(65534)).toBe('TYPE65534')
  })

  it('read mnemonics in any case and TYPEnnn', () => {
    expect(typeCode('aaaa')).toBe(28)
    expect(typeCode('Mx')).toBe(15)
    expect(typeCode('HTTPS')).toBe(65)
    expect(typeCode('type65534')).toBe(65534)
    expect(typeCode('TYPE65536')).toBeUndefined()
    expect(typeCode('BOGUS')).toBeUndefined()
    expect(typeCode('')).toBeUndefined()
  })
})
