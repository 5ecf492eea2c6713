/**
 * Mutation fuzzing of the wire: random bytes and mutated valid datagrams and bodies (bit flips,
 * bytes set to 0x00 or 0xff where lengths and counts live, truncation, splices of other inputs,
 * repeats) go through envelope.open and decodeMessages. The only outcomes allowed are a dropped
 * datagram, an ERR_BAD_MESSAGE, or messages that encode again to an equal body; no input takes
 * more than 5 ms, and with `global.gc` a long run leaves the heap where it was. FUZZ_CASES scales
 * the run (default 100,000); the seed comes from FUZZ_SEED or FC_SEED and is printed on failure.
 */
import { createRandom, isShoalError, type Random } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeMessages, encodeMessages } from '../src/wire/codec.js'
import { createEnvelope, type Envelope } from '../src/wire/envelope.js'
import { Keyring } from '../src/wire/keyring.js'
import type { MemberRecord, Message } from '../src/wire/messages.js'

const CASES = Number(process.env.FUZZ_CASES ?? 100_000)
const SEED = Number(process.env.FUZZ_SEED ?? process.env.FC_SEED ?? Date.now() % 0x7fffffff)
const BUDGET_MS = 5

const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')

// Valid bodies to mutate: hand-written ones that reach every field, and generated ones.
function seeds(): Uint8Array[] {
  const member = (i: number): MemberRecord => ({
    name: `node-${i}`,
    address: `10.0.${i >> 8}.${i & 0xff}:7946`,
    incarnation: i * 3,
    state: (['alive', 'suspect', 'dead', 'left'] as const)[i % 4] as MemberRecord['state'],
    meta: i % 3 === 0 ? { zone: 'eu-1', role: 'web', ñ: '日本' } : {},
  })
  const written: Message[][] = [
    [{ type: 'ping', seq: 1, target: 'b', source: 'a', sourceAddress: '10.0.0.1:7946' }],
    [
      {
        type: 'indirectPing',
        seq: 9,
        target: 'c',
        targetAddress: 'x:1',
        source: 'a',
        sourceAddress: 'y',
        nack: true,
      },
      { type: 'ack', seq: 0xffffffff },
      { type: 'nack', seq: 0 },
    ],
    [
      { type: 'alive', name: 'n', address: 'a', incarnation: 2, meta: { k: 'v', '': 'é' } },
      { type: 'suspect', name: 's', incarnation: 4, from: 'n' },
      { type: 'dead', name: 'd', incarnation: 5, from: 'd' },
    ],
    [
      {
        type: 'pushPull',
        join: true,
        reply: false,
        members: Array.from({ length: 20 }, (_, i) => member(i)),
      },
    ],
    [{ type: 'pushPull', join: false, reply: true, members: [] }],
  ]
  const text = fc.string({ unit: 'binary', maxLength: 12 })
  const n = fc.nat({ max: 0xffffffff })
  const message: fc.Arbitrary<Message> = fc.oneof(
    fc.record({
      type: fc.constant('ping' as const),
      seq: n,
      target: text,
      source: text,
      sourceAddress: text,
    }),
    fc.record({ type: fc.constant('ack' as const), seq: n }),
    fc.record({
      type: fc.constant('alive' as const),
      name: text,
      address: text,
      incarnation: n,
      meta: fc.dictionary(text, text, { maxKeys: 3 }),
    }),
    fc.record({ type: fc.constant('suspect' as const), name: text, incarnation: n, from: text }),
  )
  const generated = fc.sample(fc.array(message, { minLength: 1, maxLength: 8 }), { numRuns: 40, seed: SEED })
  return [...written, ...generated].map((messages) => encodeMessages(messages))
}

const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x3f, 0x40, 0x41, 0x7f, 0x80, 0xc0, 0xff]

function mutate(rng: Random, input: Uint8Array, pool: readonly Uint8Array[]): Uint8Array {
  let p = Uint8Array.from(input)
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
        // where a length or a count lives, 0xff claims more than is there
        if (n > 0) p[at] = rng.int(2) === 0 ? 0xff : (INTERESTING[rng.int(INTERESTING.length)] as number)
        break
      case 3:
        p = p.slice(0, rng.int(n + 1))
        break
      case 4: {
        // splice: a stretch of another input in place of the tail
        const other = pool[rng.int(pool.length)] as Uint8Array
        const from = rng.int(other.length + 1)
        const piece = other.subarray(from, from + 1 + rng.int(64))
        const grown = new Uint8Array(at + piece.length)
        grown.set(p.subarray(0, at))
        grown.set(piece, at)
        p = grown
        break
      }
      case 5: {
        const extra = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256))
        const grown = new Uint8Array(n + extra.length)
        grown.set(p)
        grown.set(extra, n)
        p = grown
        break
      }
      case 6: {
        // a stretch repeated after itself
        if (n === 0) break
        const length = 1 + rng.int(Math.min(32, n - at))
        const grown = new Uint8Array(n + length)
        grown.set(p.subarray(0, at + length))
        grown.set(p.subarray(at, at + length), at + length)
        grown.set(p.subarray(at + length), at + 2 * length)
        p = grown
        break
      }
      default:
        // a stretch cut out of the middle
        if (n > 1) p = Uint8Array.from([...p.subarray(0, at), ...p.subarray(at + 1 + rng.int(8))])
    }
  }
  return p
}

interface Tally {
  cases: number
  decoded: number
  rejected: number
  dropped: Record<string, number>
  slowestMs: number
  slowest: Uint8Array
}

// Decodes `body`; anything but messages or ERR_BAD_MESSAGE fails the run.
function decode(body: Uint8Array, tally: Tally): void {
  let messages: Message[] | undefined
  try {
    messages = decodeMessages(body)
  } catch (err) {
    if (!isShoalError(err, 'ERR_BAD_MESSAGE'))
      throw new Error(`decodeMessages threw ${String(err)} on ${hex(body)}`)
    tally.rejected++
    return
  }
  tally.decoded++
  // what the decoder accepts, the encoder writes again, and that reads back the same
  const again = decodeMessages(encodeMessages(messages))
  expect(again).toEqual(messages)
}

function openAndDecode(envelope: Envelope, datagram: Uint8Array, tally: Tally): void {
  let result: ReturnType<Envelope['open']>
  try {
    result = envelope.open(datagram)
  } catch (err) {
    throw new Error(`open threw ${String(err)} on ${hex(datagram)}`)
  }
  if (result.ok) decode(result.body, tally)
  else tally.dropped[result.reason] = (tally.dropped[result.reason] ?? 0) + 1
}

function timed(tally: Tally, input: Uint8Array, fn: () => void): void {
  const started = performance.now()
  fn()
  const ms = performance.now() - started
  if (ms <= tally.slowestMs) return
  // a collection or a busy machine can stall one run; a slow input stalls every run
  let best = ms
  for (let i = 0; i < 3 && best > BUDGET_MS / 5; i++) {
    const again = performance.now()
    fn()
    best = Math.min(best, performance.now() - again)
  }
  if (best > tally.slowestMs) {
    tally.slowestMs = best
    tally.slowest = input
  }
}

function run(cases: number, seed: number): Tally {
  const rng = createRandom(seed)
  const ring = new Keyring([new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)])
  const plain = createEnvelope({ cluster: 'fuzz' })
  const secret = createEnvelope({ cluster: 'fuzz', keyring: ring })
  const upgrading = createEnvelope({ cluster: 'fuzz', keyring: ring, acceptPlain: true })
  const bodies = seeds()
  const datagrams = [...bodies.map((b) => plain.seal(b)), ...bodies.slice(0, 8).map((b) => secret.seal(b))]
  const pool = [...bodies, ...datagrams]
  const tally: Tally = {
    cases: 0,
    decoded: 0,
    rejected: 0,
    dropped: {},
    slowestMs: 0,
    slowest: new Uint8Array(0),
  }
  for (let i = 0; i < cases; i++) {
    tally.cases++
    const mode = rng.int(10)
    if (mode < 6) {
      // a mutated body, straight to the decoder and through a plain envelope
      const body = mutate(rng, bodies[rng.int(bodies.length)] as Uint8Array, pool)
      timed(tally, body, () => decode(body, tally))
      const datagram = plain.seal(body)
      timed(tally, datagram, () => openAndDecode(rng.int(2) === 0 ? plain : upgrading, datagram, tally))
    } else if (mode < 9) {
      // a mutated datagram, plain or encrypted, at each kind of envelope
      const datagram = mutate(rng, datagrams[rng.int(datagrams.length)] as Uint8Array, pool)
      if (rng.int(4) === 0 && datagram.length > 2) datagram[2] = 0xff // the cluster name's length
      const envelope = [plain, secret, upgrading][rng.int(3)] as Envelope
      timed(tally, datagram, () => openAndDecode(envelope, datagram, tally))
    } else {
      // random bytes, often with a valid header in front
      const bytes = Uint8Array.from({ length: rng.int(200) }, () => rng.int(256))
      if (bytes.length > 1 && rng.int(2) === 0) {
        bytes[0] = rng.int(2) === 0 ? 0x53 : 1
        bytes[1] = 1 + rng.int(2)
      }
      timed(tally, bytes, () => decode(bytes, tally))
      timed(tally, bytes, () =>
        openAndDecode([plain, secret, upgrading][rng.int(3)] as Envelope, bytes, tally),
      )
    }
  }
  return tally
}

describe('wire fuzzing', () => {
  it(`survives ${CASES} random and mutated inputs (seed ${SEED})`, () => {
    let tally: Tally | undefined
    try {
      tally = run(CASES, SEED)
    } catch (err) {
      throw new Error(`seed ${SEED} (replay with FUZZ_SEED=${SEED}): ${String(err)}`, { cause: err })
    }
    // the mutations reach past the first checks: some inputs decode, some are refused, all drop reasons occur
    expect(tally.decoded).toBeGreaterThan(CASES / 100)
    expect(tally.rejected).toBeGreaterThan(CASES / 10)
    for (const reason of ['short', 'magic', 'cluster', 'encryption', 'auth'])
      expect(tally.dropped[reason], `no datagram dropped as '${reason}'`).toBeGreaterThan(0)
    expect(tally.slowestMs, `slowest input (seed ${SEED}): ${hex(tally.slowest)}`).toBeLessThan(BUDGET_MS)
  })

  it('refuses oversized claims quickly: 64 KB of 0xff and the largest counts', () => {
    const inputs = [
      new Uint8Array(65536).fill(0xff),
      Uint8Array.from([1, 64, ...new Array(1000).fill(8)]),
      Uint8Array.from([1, 1, 8, 0, 0x27, 0x10, ...new Array(79_999).fill(0)]),
    ]
    for (const input of inputs) {
      const started = performance.now()
      expect(() => decodeMessages(input)).toThrow(/at offset/)
      expect(performance.now() - started).toBeLessThan(50)
    }
  })

  it('leaves the heap where it was after a long run (with global.gc), or stays within the time budget', () => {
    const gc = (globalThis as { gc?: () => void }).gc
    if (gc === undefined) {
      // no heap to measure without --expose-gc: the time budget per input above bounds the work
      const tally = run(5_000, SEED + 1)
      expect(tally.slowestMs).toBeLessThan(BUDGET_MS)
      return
    }
    run(2_000, SEED + 2) // warm up
    gc()
    const before = process.memoryUsage().heapUsed
    run(30_000, SEED + 3)
    gc()
    const grown = process.memoryUsage().heapUsed - before
    expect(grown).toBeLessThan(4 * 1024 * 1024)
  })
})
