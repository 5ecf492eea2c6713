import { decodeRdata } from './decode-rdata.js'
import type { Token } from './lexer.js'
import type { ZoneName } from './names.js'
import { type KnownType, knownType, type RecordData, typeName } from './record-data.js'
import { decodeBytes, fail, parseInteger, parseName } from './text.js'
import { parseTtl } from './ttl.js'

const MAX_RDATA = 65_535

// How each type's data is written, for errors about missing or extra words.
const USAGE: Readonly<Record<KnownType, string>> = {
  A: 'an IPv4 address, like: A 192.0.2.1',
  AAAA: 'an IPv6 address, like: AAAA 2001:db8::1',
  NS: 'a name server name, like: NS ns1.example.com.',
  CNAME: 'a target name, like: CNAME www.example.com.',
  PTR: 'a target name, like: PTR host.example.com.',
  MX: 'a preference and a mail exchange, like: MX 10 mail.example.com.',
  SOA: 'seven fields: SOA <primary-ns> <mailbox> <serial> <refresh> <retry> <expire> <minimum>',
  TXT: 'one or more strings, like: TXT "v=spf1 -all"',
  SRV: 'priority, weight, port and target, like: SRV 10 5 5060 sip.example.com.',
  CAA: 'flags, a tag and a value, like: CAA 0 issue "ca.example.net"',
}

/**
 * Reads the data words `tokens[at…]` of a record of type `code` (a {@link KnownType} in its usual
 * form, any type in RFC 3597 form `\# <length> <hex…>`). Names are relative to `origin`. Throws
 * an `EntryError` that points at the word at fault.
 */
export function parseRdata(
  code: number,
  tokens: readonly Token[],
  at: number,
  origin: ZoneName,
  typeToken: Token,
): RecordData {
  const first = tokens[at]
  const type = knownType(code)
  if (first !== undefined && !first.quoted && first.text === '\\#') {
    const data = parseGeneric(tokens, at, typeToken)
    if (type === undefined) return { type: 'GENERIC', code, data }
    const decoded = decodeRdata(type, data)
    if (typeof decoded === 'string')
      fail(first, `the ${type} data in \\# form is not valid ${type} data: ${decoded}`)
    return decoded
  }
  if (type === undefined)
    fail(
      first ?? typeToken,
      `${typeName(code)} is not a type this parser reads in its usual form; write its data as \\# <length> <hex> (RFC 3597)`,
    )
  const count = tokens.length - at
  const word = (i: number): Token => {
    const t = tokens[at + i]
    if (t === undefined)
      fail(tokens[tokens.length - 1] ?? typeToken, `${type} data is incomplete: ${type} needs ${USAGE[type]}`)
    return t
  }
  const exactly = (n: number): void => {
    if (count > n)
      fail(
        tokens[at + n] as Token,
        `unexpected '${(tokens[at + n] as Token).text}' after the ${type} data (${type} needs ${USAGE[type]}; is a quote or a ';' missing?)`,
      )
    if (count < n) word(count)
  }
  switch (type) {
    case 'A':
    case 'AAAA': {
      exactly(1)
      const t = word(0)
      if (t.quoted) fail(t, `an address cannot be a quoted string; ${type} needs ${USAGE[type]}`)
      return { type, address: t.text }
    }
    case 'NS':
    case 'CNAME':
    case 'PTR':
      exactly(1)
      return { type, target: parseName(word(0), origin) }
    case 'MX':
      exactly(2)
      return {
        type,
        preference: parseInteger(word(0), 65_535, 'the MX preference'),
        exchange: parseName(word(1), origin),
      }
    case 'SOA':
      exactly(7)
      return {
        type,
        mname: parseName(word(0), origin),
        rname: parseName(word(1), origin),
        serial: parseInteger(word(2), 0xffff_ffff, 'the SOA serial'),
        refresh: parseTtl(word(3), 'the SOA refresh'),
        retry: parseTtl(word(4), 'the SOA retry'),
        expire: parseTtl(word(5), 'the SOA expire'),
        minimum: parseTtl(word(6), 'the SOA minimum'),
      }
    case 'TXT': {
      if (count === 0) word(0)
      const strings: Uint8Array[] = []
      let size = 0
      for (let i = 0; i < count; i++) {
        const t = word(i)
        const bytes = decodeBytes(t)
        if (bytes.length > 255)
          fail(
            t,
            `a TXT string is ${bytes.length} bytes; each string holds at most 255: split it into several quoted strings`,
          )
        size += 1 + bytes.length
        strings.push(bytes)
      }
      if (size > MAX_RDATA)
        fail(typeToken, `the TXT data is ${size} bytes; a record holds at most ${MAX_RDATA}`)
      return { type, strings }
    }
    case 'SRV':
      exactly(4)
      return {
        type,
        priority: parseInteger(word(0), 65_535, 'the SRV priority'),
        weight: parseInteger(word(1), 65_535, 'the SRV weight'),
        port: parseInteger(word(2), 65_535, 'the SRV port'),
        target: parseName(word(3), origin),
      }
    case 'CAA': {
      exactly(3)
      const flags = parseInteger(word(0), 255, 'the CAA flags')
      const tagToken = word(1)
      const tag = tagToken.text
      if (tagToken.quoted || !/^[A-Za-z0-9]{1,15}$/.test(tag))
        fail(
          tagToken,
          `the CAA tag must be 1 to 15 letters and digits (issue, issuewild, iodef), got '${tag}'`,
        )
      const value = decodeBytes(word(2))
      if (value.length + tag.length + 2 > MAX_RDATA) fail(word(2), `the CAA value is too long for one record`)
      return { type, flags, tag, value }
    }
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30
  const l = c | 0x20
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10
  return -1
}

// RFC 3597 §5: \# <length> then the data in hexadecimal, in as many words as the writer likes.
function parseGeneric(tokens: readonly Token[], at: number, typeToken: Token): Uint8Array {
  const lengthToken = tokens[at + 1]
  if (lengthToken === undefined)
    fail(
      tokens[at] as Token,
      `\\# must be followed by the data length and the data in hex, like: \\# 3 abcdef`,
    )
  const length = parseInteger(lengthToken, MAX_RDATA, 'the \\# data length')
  const data = new Uint8Array(length)
  let digits = 0
  for (let i = at + 2; i < tokens.length; i++) {
    const t = tokens[i] as Token
    const raw = t.text
    if (t.quoted) fail(t, `\\# data must be hexadecimal digits, got a quoted string`)
    for (let j = 0; j < raw.length; j++) {
      const v = hexValue(raw.charCodeAt(j))
      if (v < 0) fail(t, `\\# data must be hexadecimal digits, got '${raw}'`)
      if (digits >= length * 2) fail(t, `\\# ${length} announces ${length} bytes but more hex digits follow`)
      data[digits >> 1] = (digits & 1) === 0 ? v << 4 : (data[digits >> 1] as number) | v
      digits++
    }
  }
  if (digits !== length * 2)
    fail(
      tokens[tokens.length - 1] ?? typeToken,
      `\\# ${length} announces ${length} bytes but ${digits} hex digits follow (${length * 2} needed)`,
    )
  return data
}
