/**
 * The envelope and its keyring: bodies come back as sealed, plain and encrypted; datagrams of
 * other clusters, other keys, the other mode or tampered in any byte are dropped with a reason and
 * never throw; key rotation keeps old datagrams readable until the old key is removed.
 */
import { isShoalError, type ShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createEnvelope, type Envelope, type OpenResult } from '../src/wire/envelope.js'
import { Keyring, MAX_KEYS, parseKey } from '../src/wire/keyring.js'

const key = (fill: number) => new Uint8Array(32).fill(fill)
const K1 = key(1)
const K2 = key(2)
const K3 = key(3)

function thrown(fn: () => unknown): ShoalError {
  try {
    fn()
  } catch (err) {
    if (isShoalError(err)) return err
    throw err
  }
  throw new Error('expected a ShoalError, nothing was thrown')
}

function opened(result: OpenResult): Uint8Array {
  if (!result.ok) throw new Error(`dropped: ${result.reason}`)
  return Uint8Array.from(result.body)
}

function reason(result: OpenResult): string {
  return result.ok ? 'ok' : result.reason
}

const bytes = fc.uint8Array({ maxLength: 300 })

describe('plain envelope', () => {
  const envelope = createEnvelope({ cluster: 'web' })

  it('writes the magic, the kind and the cluster name before the body', () => {
    expect(Array.from(envelope.seal(Uint8Array.of(9, 8)))).toEqual([0x53, 1, 3, 0x77, 0x65, 0x62, 9, 8])
    expect(envelope.encrypted).toBe(false)
  })

  it('opens what it sealed', () => {
    fc.assert(
      fc.property(bytes, (body) => {
        expect(opened(envelope.open(envelope.seal(body)))).toEqual(body)
      }),
    )
  })

  it("drops another cluster's datagrams as 'cluster'", () => {
    const other = createEnvelope({ cluster: 'web2' })
    expect(reason(envelope.open(other.seal(Uint8Array.of(1))))).toBe('cluster')
    expect(reason(envelope.open(createEnvelope({ cluster: 'weB' }).seal(Uint8Array.of(1))))).toBe('cluster')
    expect(reason(envelope.open(createEnvelope({ cluster: '' }).seal(Uint8Array.of(1))))).toBe('cluster')
  })

  it('drops short, foreign and encrypted datagrams with their reason', () => {
    expect(reason(envelope.open(new Uint8Array(0)))).toBe('short')
    expect(reason(envelope.open(Uint8Array.of(0x53)))).toBe('short')
    expect(reason(envelope.open(Uint8Array.of(0x53, 1)))).toBe('short')
    expect(reason(envelope.open(Uint8Array.of(0x53, 1, 3, 0x77, 0x65)))).toBe('short')
    expect(reason(envelope.open(Uint8Array.of(0x54, 1, 3, 0x77, 0x65, 0x62)))).toBe('magic')
    expect(reason(envelope.open(Uint8Array.of(0x53, 3, 3, 0x77, 0x65, 0x62)))).toBe('magic')
    const secret = createEnvelope({ cluster: 'web', keyring: new Keyring([K1]) })
    expect(reason(envelope.open(secret.seal(Uint8Array.of(1))))).toBe('encryption')
  })

  it('takes an empty cluster name and one of 255 bytes, and refuses longer', () => {
    const empty = createEnvelope({ cluster: '' })
    expect(opened(empty.open(empty.seal(Uint8Array.of(5))))).toEqual(Uint8Array.of(5))
    const long = createEnvelope({ cluster: `${'é'.repeat(127)}x` })
    expect(opened(long.open(long.seal(Uint8Array.of(5))))).toEqual(Uint8Array.of(5))
    expect(thrown(() => createEnvelope({ cluster: 'é'.repeat(128) })).code).toBe('ERR_INVALID_ARGUMENT')
    expect(thrown(() => createEnvelope({ cluster: '\udc00' })).code).toBe('ERR_INVALID_ARGUMENT')
    expect(thrown(() => createEnvelope({ cluster: 1 as unknown as string })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    )
    expect(thrown(() => createEnvelope({ cluster: 'a', keyring: {} as Keyring })).code).toBe(
      'ERR_INVALID_ARGUMENT',
    )
  })
})

describe('encrypted envelope', () => {
  const seal = (env: Envelope, body: Uint8Array) => env.seal(body)

  it('opens what it sealed, and the datagram is nonce + ciphertext + tag', () => {
    const envelope = createEnvelope({ cluster: 'web', keyring: new Keyring([K1]) })
    expect(envelope.encrypted).toBe(true)
    fc.assert(
      fc.property(bytes, (body) => {
        const data = seal(envelope, body)
        expect(data.length).toBe(2 + 12 + body.length + 16)
        expect([data[0], data[1]]).toEqual([0x53, 2])
        expect(opened(envelope.open(data))).toEqual(body)
      }),
    )
  })

  it('uses the injected nonce, so sealing is deterministic', () => {
    const fixed = (nonce: Uint8Array) => nonce.fill(7)
    const a = createEnvelope({ cluster: 'web', keyring: new Keyring([K1]), randomNonce: fixed })
    const b = createEnvelope({ cluster: 'web', keyring: new Keyring([K1]), randomNonce: fixed })
    const sealed = a.seal(Uint8Array.of(1, 2, 3))
    expect(Array.from(sealed.subarray(2, 14))).toEqual(new Array(12).fill(7))
    expect(b.seal(Uint8Array.of(1, 2, 3))).toEqual(sealed)
    // without injection two seals differ
    const c = createEnvelope({ cluster: 'web', keyring: new Keyring([K1]) })
    expect(c.seal(Uint8Array.of(1))).not.toEqual(c.seal(Uint8Array.of(1)))
  })

  it("drops another cluster's datagrams as 'auth' (the name is authenticated)", () => {
    const ours = createEnvelope({ cluster: 'web', keyring: new Keyring([K1]) })
    const theirs = createEnvelope({ cluster: 'db', keyring: new Keyring([K1]) })
    expect(reason(ours.open(theirs.seal(Uint8Array.of(1))))).toBe('auth')
  })

  it("drops datagrams sealed with a key it does not hold as 'auth'", () => {
    const ours = createEnvelope({ cluster: 'web', keyring: new Keyring([K1, K2]) })
    const theirs = createEnvelope({ cluster: 'web', keyring: new Keyring([K3]) })
    expect(reason(ours.open(theirs.seal(Uint8Array.of(1))))).toBe('auth')
  })

  it("drops plain datagrams as 'encryption' unless acceptPlain is set", () => {
    const plain = createEnvelope({ cluster: 'web' })
    const strict = createEnvelope({ cluster: 'web', keyring: new Keyring([K1]) })
    const upgrading = createEnvelope({ cluster: 'web', keyring: new Keyring([K1]), acceptPlain: true })
    const datagram = plain.seal(Uint8Array.of(4, 2))
    expect(reason(strict.open(datagram))).toBe('encryption')
    expect(opened(upgrading.open(datagram))).toEqual(Uint8Array.of(4, 2))
    expect(reason(upgrading.open(createEnvelope({ cluster: 'db' }).seal(Uint8Array.of(1))))).toBe('cluster')
    // it still seals encrypted, which the plain members cannot read yet
    expect(reason(plain.open(upgrading.seal(Uint8Array.of(1))))).toBe('encryption')
    expect(opened(strict.open(upgrading.seal(Uint8Array.of(1))))).toEqual(Uint8Array.of(1))
  })

  it("drops datagrams too short for nonce and tag as 'short'", () => {
    const envelope = createEnvelope({ cluster: 'web', keyring: new Keyring([K1]) })
    const data = envelope.seal(new Uint8Array(0))
    expect(data.length).toBe(30)
    expect(opened(envelope.open(data))).toEqual(new Uint8Array(0))
    expect(reason(envelope.open(data.subarray(0, 29)))).toBe('short')
  })

  it('rotates keys: old datagrams stay readable until the old key is removed', () => {
    const aRing = new Keyring([K1])
    const bRing = new Keyring([K1])
    const a = createEnvelope({ cluster: 'web', keyring: aRing })
    const b = createEnvelope({ cluster: 'web', keyring: bRing })
    const old = b.seal(Uint8Array.of(1))
    // install everywhere, then use on a: b reads a's new datagrams, a reads b's old ones
    aRing.install(K2)
    bRing.install(K2)
    aRing.use(K2)
    const fresh = a.seal(Uint8Array.of(2))
    expect(opened(b.open(fresh))).toEqual(Uint8Array.of(2))
    expect(opened(a.open(old))).toEqual(Uint8Array.of(1))
    // a member that never installed K2 cannot read it
    const c = createEnvelope({ cluster: 'web', keyring: new Keyring([K1]) })
    expect(reason(c.open(fresh))).toBe('auth')
    // once K1 is removed, datagrams sealed with it are dropped
    bRing.use(K2)
    aRing.remove(K1)
    expect(reason(a.open(old))).toBe('auth')
    expect(opened(a.open(b.seal(Uint8Array.of(3))))).toEqual(Uint8Array.of(3))
  })

  it('drops a datagram tampered in any byte, without throwing', () => {
    const ring = new Keyring([K1, K2])
    const envelope = createEnvelope({ cluster: 'web', keyring: ring, acceptPlain: true })
    fc.assert(
      fc.property(bytes, fc.nat(), fc.integer({ min: 1, max: 255 }), (body, where, flip) => {
        const data = envelope.seal(body)
        const i = where % data.length
        data[i] = (data[i] as number) ^ flip
        const result = envelope.open(data)
        expect(result.ok).toBe(false)
        // the header bytes give their own reasons; the rest fail authentication
        if (i >= 2) expect(reason(result)).toBe('auth')
      }),
    )
  })

  it('never throws on any bytes, plain or encrypted', () => {
    const envelopes = [
      createEnvelope({ cluster: 'web' }),
      createEnvelope({ cluster: 'web', keyring: new Keyring([K1]) }),
      createEnvelope({ cluster: 'web', keyring: new Keyring([K1]), acceptPlain: true }),
    ]
    fc.assert(
      fc.property(fc.constantFrom(0x53, 0x00), fc.constantFrom(1, 2, 3), bytes, (magic, kind, rest) => {
        const data = Uint8Array.of(magic, kind, ...rest)
        for (const envelope of envelopes) {
          const result = envelope.open(data)
          if (result.ok) expect(result.body).toBeInstanceOf(Uint8Array)
        }
      }),
    )
    expect(reason(envelopes[0]?.open('x' as unknown as Uint8Array) as OpenResult)).toBe('short')
  })
})

describe('Keyring', () => {
  it('keeps the first key as primary and tries all', () => {
    const ring = new Keyring([K1, K2, K1])
    expect(ring.size).toBe(2)
    expect(ring.primary).toEqual(K1)
    expect(ring.keys).toEqual([K1, K2])
    expect(ring.has(K2)).toBe(true)
    expect(ring.has(K3)).toBe(false)
  })

  it('holds copies: changing the given or returned arrays changes nothing', () => {
    const given = key(9)
    const ring = new Keyring([given])
    given.fill(0)
    expect(ring.primary).toEqual(key(9))
    ring.primary.fill(1)
    const keys = ring.keys
    ;(keys[0] as Uint8Array).fill(1)
    expect(ring.primary).toEqual(key(9))
  })

  it('uses, installs and removes', () => {
    const ring = new Keyring([K1])
    ring.install(K2)
    ring.install(K2)
    expect(ring.size).toBe(2)
    ring.use(K2)
    expect(ring.primary).toEqual(K2)
    expect(ring.keys).toEqual([K2, K1])
    expect(ring.remove(K1)).toBe(true)
    expect(ring.remove(K1)).toBe(false)
    expect(ring.keys).toEqual([K2])
  })

  it('refuses bad keys, a missing or removed primary, and more than MAX_KEYS', () => {
    const code = (fn: () => unknown) => thrown(fn).code
    expect(code(() => new Keyring([]))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => new Keyring([new Uint8Array(16)]))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => new Keyring([new Uint8Array(33)]))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => new Keyring(['k'.repeat(32) as unknown as Uint8Array]))).toBe('ERR_INVALID_ARGUMENT')
    const ring = new Keyring([K1])
    expect(code(() => ring.install(new Uint8Array(31)))).toBe('ERR_INVALID_ARGUMENT')
    expect(code(() => ring.use(K2))).toBe('ERR_INVALID_ARGUMENT')
    expect(thrown(() => ring.remove(K1)).message).toMatch(/primary/)
    for (let i = 2; i <= MAX_KEYS; i++) ring.install(key(i))
    expect(ring.size).toBe(MAX_KEYS)
    expect(thrown(() => ring.install(key(200))).message).toMatch(/at most 16 keys/)
    ring.install(key(2)) // already there: no error
  })

  it('accepts a Buffer as a key', () => {
    const ring = new Keyring([Buffer.alloc(32, 5)])
    expect(ring.primary).toEqual(key(5))
  })
})

describe('parseKey', () => {
  const raw = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 3)

  it('reads 64 hex digits in either case', () => {
    const text = Buffer.from(raw).toString('hex')
    expect(parseKey(text)).toEqual(raw)
    expect(parseKey(text.toUpperCase())).toEqual(raw)
    expect(parseKey(`  ${text}\n`)).toEqual(raw)
  })

  it('reads base64, standard or URL-safe, padded or not', () => {
    const b64 = Buffer.from(raw).toString('base64')
    expect(b64).toHaveLength(44)
    expect(parseKey(b64)).toEqual(raw)
    expect(parseKey(b64.replace('=', ''))).toEqual(raw)
    expect(parseKey(Buffer.from(raw).toString('base64url'))).toEqual(raw)
  })

  it('refuses anything else', () => {
    for (const text of [
      '',
      'abc',
      'z'.repeat(64),
      '00'.repeat(31),
      '00'.repeat(33),
      Buffer.alloc(31).toString('base64'),
    ]) {
      expect(thrown(() => parseKey(text)).code).toBe('ERR_INVALID_ARGUMENT')
    }
  })
})
