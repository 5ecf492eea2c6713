/**
 * Mutation fuzzing of the decoders (RFC 9267's parser anti-patterns among the seeds): on any
 * bytes, decodeQuery and decodeMessage return or throw DnsDecodeError and nothing else, within a
 * time budget per packet, and a packet they accept can be answered within its size limit with
 * its ID and question echoed. Each batch runs under a vm timeout, so a decoder that loops fails
 * the test instead of hanging it. FUZZ_CASES scales the run (CI: the default, ≥ 50,000 per
 * decoder); the seed comes from FUZZ_SEED or FC_SEED and is printed on failure.
 */
import { runInNewContext } from 'node:vm'
import { isShoalError } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import {
  type DnsDecodeError,
  decodeMessage,
  decodeQuery,
  encodeA,
  encodeName,
  nameKey,
  nameToWire,
  QUESTION_NAME,
  ResponseWriter,
  RRType,
  Section,
} from '../../src/wire/index.js'
import { hex, toHex, Xorshift } from './helpers.js'

const CASES = Number(process.env.FUZZ_CASES ?? 50_000)
const SEED = Number(process.env.FUZZ_SEED ?? process.env.FC_SEED ?? Date.now() % 0x7fffffff)
const BATCH = 5_000
const BATCH_TIMEOUT_MS = 10_000
const BUDGET_MS = 2 // the most one decode of a packet may take, best of five

const Q = '03 777777 07 6578616d706c65 03 636f6d 00 0001 0001'
const header = (ar: number) => `1234 0100 0001 0000 0000 000${ar}`
const opt = (options: string) =>
  `00 0029 1000 00000000 ${hex(options).length.toString(16).padStart(4, '0')} ${options}`

const VALID = [
  `${header(0)} ${Q}`,
  `${header(1)} ${Q} ${opt('')}`,
  `${header(1)} ${Q} ${opt('0008 0007 0001 18 00 c00002')}`,
  `${header(1)} ${Q} ${opt('0008 000a 0002 30 00 20010db80001')}`,
  `${header(1)} ${Q} ${opt('000a 0018 0102030405060708 1000000000000000a1a2a3a4a5a6a7a8 0003 0000 000b 0000')}`,
  `${header(2)} ${Q} c010 00fa 00ff 00000000 0002 abcd ${opt('0003 0000')}`,
  '0001 0000 0001 0000 0000 0000 00 0006 0001',
  '1234 2000 0001 0000 0000 0000 00 0006 0001',
]

const long63 = `3f ${'61'.repeat(63)}`
// The crafted cases of the study: each must be refused, and they seed the mutations too.
const CRAFTED: readonly (readonly [string, string, number | undefined])[] = [
  ['empty', '', undefined],
  ['short header', '1234 0100 0001 0000 00', undefined],
  ['QDCOUNT 65535', `1234 0100 ffff 0000 0000 0000 ${Q}`, 1],
  ['self-pointer c00c', '1234 0100 0001 0000 0000 0000 c00c 0001 0001', 1],
  ['self-pointer in a record name', `${header(1)} ${Q} c021 0029 1000 00000000 0000`, 1],
  ['two-pointer loop', `${header(1)} ${Q} c023 c021 0029 1000 00000000 0000`, 1],
  ['pointer past the end', `${header(1)} ${Q} c0ff 0029 1000 00000000 0000`, 1],
  ['130 labels', `1234 0100 0001 0000 0000 0000 ${'01 61 '.repeat(130)} 00 0001 0001`, 1],
  ['64-octet label', `1234 0100 0001 0000 0000 0000 40 ${'61'.repeat(64)} 00 0001 0001`, 1],
  [
    '256-byte name',
    `1234 0100 0001 0000 0000 0000 ${long63} ${long63} ${long63} 3e ${'61'.repeat(62)} 00 0001 0001`,
    1,
  ],
  ['ECS source /255', `${header(1)} ${Q} ${opt(`0008 0024 0001 ff 00 ${'ff'.repeat(32)}`)}`, 1],
  ['OPT RDLENGTH overrun', `${header(1)} ${Q} 00 0029 1000 00000000 ffff 0003 0000`, 1],
]

const INTERESTING = [0x00, 0x01, 0x3f, 0x40, 0x7f, 0x80, 0xbf, 0xc0, 0xff, 0x29, 0x08, 0x0a]

function mutate(rng: Xorshift, seed: Uint8Array): Uint8Array {
  let p = Uint8Array.from(seed)
  const steps = rng.int(2) === 0 ? 1 : 1 + rng.int(4)
  for (let s = 0; s < steps; s++) {
    const n = p.length
    const at = n === 0 ? 0 : rng.int(n)
    switch (rng.int(8)) {
      case 0:
        if (n > 0) p[at] = (p[at] as number) ^ (1 << rng.int(8))
        break
      case 1:
        if (n > 0) p[at] = rng.int(256)
        break
      case 2:
        if (n > 0) p[at] = INTERESTING[rng.int(INTERESTING.length)] as number
        break
      case 3:
        p = p.slice(0, rng.int(n + 1))
        break
      case 4: {
        const extra = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256))
        const grown = new Uint8Array(n + extra.length)
        grown.set(p)
        grown.set(extra, n)
        p = grown
        break
      }
      case 5: {
        // a compression pointer, anywhere, to anywhere near the packet
        if (n < 2) break
        const target = rng.int(n + 32)
        const where = rng.int(n - 1)
        p[where] = 0xc0 | ((target >> 8) & 0x3f)
        p[where + 1] = target & 0xff
        break
      }
      case 6: {
        // a section count
        if (n < 12) break
        const field = 4 + 2 * rng.int(4)
        const value = [0, 1, 2, 3, 0xff, 0xffff][rng.int(6)] as number
        p[field] = value >> 8
        p[field + 1] = value & 0xff
        break
      }
      default: {
        // a stretch of the packet repeated after itself
        if (n === 0) break
        const from = rng.int(n)
        const length = 1 + rng.int(Math.min(32, n - from))
        const grown = new Uint8Array(n + length)
        grown.set(p.subarray(0, from + length))
        grown.set(p.subarray(from, from + length), from + length)
        grown.set(p.subarray(from + length), from + 2 * length)
        p = grown
      }
    }
  }
  return p
}

interface Slowest {
  ms: number
  packet: Uint8Array
  /** Packets accepted, to show the mutations reach past the first check. */
  accepted: number
}

// Decodes `packet` as a query and checks every promise the decoder and the writer make.
function checkQuery(packet: Uint8Array, writer: ResponseWriter, slowest: Slowest): void {
  const started = performance.now()
  let query: ReturnType<typeof decodeQuery> | undefined
  let error: unknown
  try {
    query = decodeQuery(packet)
  } catch (err) {
    error = err
  }
  const ms = performance.now() - started
  if (ms > slowest.ms) {
    slowest.ms = ms
    slowest.packet = packet
  }
  if (query === undefined) {
    if (!isShoalError(error, 'ERR_DNS_DECODE')) throw new Error(`decodeQuery threw ${String(error)}`)
    const rcode = (error as { rcode?: number }).rcode
    const dropped = packet.length < 12 || ((packet[2] as number) & 0x80) !== 0
    if (dropped ? rcode !== undefined : rcode !== 1) throw new Error(`rcode ${rcode} for ${toHex(packet)}`)
    if (rcode === 1) {
      const read = error as DnsDecodeError
      if (read.questionEnd < 12 || read.questionEnd > packet.length)
        throw new Error(`questionEnd ${read.questionEnd} for ${toHex(packet)}`)
      const reply = writer.error(packet, rcode, read)
      if (reply[0] !== packet[0] || reply[1] !== packet[1] || ((reply[3] as number) & 0xf) !== 1)
        throw new Error(`FORMERR reply ${toHex(reply)} to ${toHex(packet)}`)
      // the echoed question and OPT make a well-formed message
      const m = decodeMessage(reply)
      if (
        m.questions.length !== (read.questionEnd > 12 ? 1 : 0) ||
        (m.edns !== undefined) !== (read.edns !== undefined) ||
        toHex(reply.subarray(12, read.questionEnd)) !== toHex(packet.subarray(12, read.questionEnd))
      )
        throw new Error(`FORMERR reply ${toHex(reply)} does not echo what was read of ${toHex(packet)}`)
    }
    return
  }
  slowest.accepted++
  if (query.questionEnd > packet.length) throw new Error(`questionEnd past the packet: ${toHex(packet)}`)
  if (query.opcode === 0 && query.qname !== nameKey(packet, 12))
    throw new Error(`qname ${query.qname} for ${toHex(packet)}`)
  const limit = 512 + (packet.length % 3) * 400
  writer.begin(query, limit, { nsid: nameToWire('ns1'), serverCookie: new Uint8Array(16), keepalive: 100 })
  if (query.opcode === 0) {
    writer.addRRset(Section.ANSWER, QUESTION_NAME, RRType.A, 60, [encodeA('192.0.2.1'), encodeA('192.0.2.2')])
    writer.addRRset(Section.AUTHORITY, nameToWire('example.com'), RRType.NS, 60, [
      encodeName('ns1.example.com'),
    ])
  }
  const reply = writer.finish()
  if (reply.length > limit) throw new Error(`reply of ${reply.length} bytes over ${limit}`)
  const m = decodeMessage(reply)
  if (
    m.id !== query.id ||
    toHex(reply.subarray(12, query.questionEnd)) !== toHex(packet.subarray(12, query.questionEnd))
  )
    throw new Error(`reply ${toHex(reply)} does not echo ${toHex(packet)}`)
  if ((m.edns !== undefined) !== (query.edns !== undefined))
    throw new Error(`OPT mismatch for ${toHex(packet)}`)
}

function checkMessage(packet: Uint8Array, slowest: Slowest): void {
  const started = performance.now()
  try {
    decodeMessage(packet)
    slowest.accepted++
  } catch (err) {
    if (!isShoalError(err, 'ERR_DNS_DECODE'))
      throw new Error(`decodeMessage threw ${String(err)} on ${toHex(packet)}`)
  }
  const ms = performance.now() - started
  if (ms > slowest.ms) {
    slowest.ms = ms
    slowest.packet = packet
  }
}

// Best of five: a garbage collection or a busy machine can stall one run, a slow input stalls all.
function bestOf5(fn: () => void): number {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < 5; i++) {
    const started = performance.now()
    fn()
    best = Math.min(best, performance.now() - started)
  }
  return best
}

function quietly(fn: () => unknown): () => void {
  return () => {
    try {
      fn()
    } catch {}
  }
}

function replies(): Uint8Array[] {
  const writer = new ResponseWriter()
  return VALID.slice(0, 6).map((text) => {
    const query = decodeQuery(hex(text))
    writer.begin(query, 1232, { nsid: nameToWire('ns1'), serverCookie: new Uint8Array(8) })
    writer.addRRset(Section.ANSWER, QUESTION_NAME, RRType.CNAME, 60, [encodeName('web.example.com')])
    writer.addRRset(Section.ANSWER, nameToWire('web.example.com'), RRType.A, 60, [encodeA('192.0.2.1')])
    writer.addRRset(Section.AUTHORITY, nameToWire('example.com'), RRType.NS, 60, [
      encodeName('ns1.example.com'),
    ])
    writer.addRRset(Section.ADDITIONAL, nameToWire('ns1.example.com'), RRType.A, 60, [encodeA('192.0.2.53')])
    return Uint8Array.from(writer.finish())
  })
}

function fuzz(
  seeds: readonly Uint8Array[],
  cases: number,
  check: (packet: Uint8Array, slowest: Slowest) => void,
) {
  const rng = new Xorshift(SEED)
  const slowest: Slowest = { ms: 0, packet: new Uint8Array(), accepted: 0 }
  for (let done = 0; done < cases; done += BATCH) {
    const count = Math.min(BATCH, cases - done)
    const run = () => {
      for (let i = 0; i < count; i++) check(mutate(rng, seeds[rng.int(seeds.length)] as Uint8Array), slowest)
    }
    try {
      runInNewContext('run()', { run }, { timeout: BATCH_TIMEOUT_MS })
    } catch (err) {
      throw new Error(`fuzz seed ${SEED}, cases ${done}–${done + count}: ${String(err)}`)
    }
  }
  return slowest
}

describe('fuzzing the decoders', () => {
  it('the crafted packets are refused as they should be', () => {
    for (const [name, text, rcode] of CRAFTED) {
      let error: unknown
      try {
        decodeQuery(hex(text))
      } catch (err) {
        error = err
      }
      expect(isShoalError(error, 'ERR_DNS_DECODE'), name).toBe(true)
      expect((error as { rcode?: number }).rcode, name).toBe(rcode)
      // decodeMessage reads structure only: the client-subnet rules are the query decoder's
      if (!name.startsWith('ECS')) expect(() => decodeMessage(hex(text)), name).toThrow()
    }
  })

  it(`decodeQuery on ${CASES} mutated queries: returns or throws DnsDecodeError, within ${BUDGET_MS} ms, never hangs`, () => {
    const writer = new ResponseWriter()
    const seeds = [...VALID, ...CRAFTED.map(([, text]) => text)].map(hex)
    const slowest = fuzz(seeds, CASES, (packet, s) => checkQuery(packet, writer, s))
    // both outcomes are exercised: the mutations are neither all fatal nor all harmless
    expect(slowest.accepted).toBeGreaterThan(CASES * 0.05)
    expect(slowest.accepted).toBeLessThan(CASES * 0.9)
    const best = bestOf5(quietly(() => decodeQuery(slowest.packet)))
    expect(best, `seed ${SEED}: slowest packet ${toHex(slowest.packet)}`).toBeLessThan(BUDGET_MS)
  })

  it(`decodeMessage on ${CASES} mutated queries and replies: returns or throws DnsDecodeError, never hangs`, () => {
    const seeds = [...VALID, ...CRAFTED.map(([, text]) => text)].map(hex).concat(replies())
    const slowest = fuzz(seeds, CASES, checkMessage)
    expect(slowest.accepted).toBeGreaterThan(CASES * 0.05)
    expect(slowest.accepted).toBeLessThan(CASES * 0.9)
    const best = bestOf5(quietly(() => decodeMessage(slowest.packet)))
    expect(best, `seed ${SEED}: slowest packet ${toHex(slowest.packet)}`).toBeLessThan(BUDGET_MS)
  })

  it('a vm timeout stops a decoder that loops (the harness itself works)', () => {
    const loop = () => {
      for (;;) {}
    }
    expect(() => runInNewContext('run()', { run: loop }, { timeout: 50 })).toThrow(/timed out/)
  })
})
