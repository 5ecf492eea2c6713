/**
 * The envelope around every body on the wire: it binds the body to a cluster name and, with a
 * keyring, encrypts and authenticates it with AES-256-GCM.
 *
 * ```text
 * plain     = 0x53  0x01  nameLength:u8  name  body
 * encrypted = 0x53  0x02  nonce(12)  ciphertext  tag(16)
 *             AAD = 0x53 0x02 name  (so another cluster's datagram fails authentication)
 * ```
 */
import { createCipheriv, createDecipheriv, randomFillSync } from 'node:crypto'
import { invalidArgument } from '@shoal/core'
import { Keyring, keyringSecrets } from './keyring.js'

/** The first byte of every envelope. */
export const ENVELOPE_MAGIC = 0x53

const KIND_PLAIN = 1
const KIND_ENCRYPTED = 2
const NONCE_BYTES = 12
const TAG_BYTES = 16
const HEADER_BYTES = 2

/**
 * Why {@link Envelope.open} dropped a datagram:
 * - `short`: too short for its header, name, nonce or tag;
 * - `magic`: not a shoal membership datagram (first byte, or an unknown kind);
 * - `cluster`: a plain datagram of another cluster;
 * - `encryption`: plain where encryption is required, or encrypted where no keyring is set;
 * - `auth`: no key of the keyring authenticates it (wrong key, another cluster, tampering).
 */
export type EnvelopeDropReason = 'short' | 'magic' | 'cluster' | 'encryption' | 'auth'

/** What {@link Envelope.open} makes of a datagram: its body, or why it was dropped. */
export type OpenResult =
  | { readonly ok: true; readonly body: Uint8Array }
  | { readonly ok: false; readonly reason: EnvelopeDropReason }

/** Seals bodies into datagrams and opens datagrams into bodies for one cluster. */
export interface Envelope {
  /** The cluster name datagrams are bound to. */
  readonly cluster: string
  /** Whether `seal` encrypts (a keyring was given). */
  readonly encrypted: boolean
  /**
   * Wraps `body` for the wire: encrypted with the keyring's primary key when there is a keyring,
   * else with the cluster name in clear. Returns a new array.
   */
  seal(body: Uint8Array): Uint8Array
  /**
   * Unwraps a datagram. Never throws on any bytes: a datagram that is not for us comes back as
   * `{ ok: false, reason }`. A plain body is a view into `data`; a decrypted one is new.
   */
  open(data: Uint8Array): OpenResult
}

/** Options of {@link createEnvelope}. */
export interface EnvelopeOptions {
  /** The cluster name, at most 255 bytes of UTF-8; datagrams of other clusters are dropped. */
  readonly cluster: string
  /** Keys to encrypt with (AES-256-GCM); without, datagrams carry the cluster name in clear. */
  readonly keyring?: Keyring | undefined
  /**
   * With a keyring, also accept plain datagrams of our cluster (default false): for a rolling
   * upgrade from an unencrypted cluster. `seal` still encrypts.
   */
  readonly acceptPlain?: boolean | undefined
  /**
   * Fills a 12-byte nonce (default: `crypto.randomFillSync`). For deterministic simulations only:
   * a nonce repeated under one key breaks GCM's confidentiality and authenticity.
   */
  readonly randomNonce?: ((nonce: Uint8Array) => void) | undefined
}

const DROP_SHORT: OpenResult = Object.freeze({ ok: false, reason: 'short' })
const DROP_MAGIC: OpenResult = Object.freeze({ ok: false, reason: 'magic' })
const DROP_CLUSTER: OpenResult = Object.freeze({ ok: false, reason: 'cluster' })
const DROP_ENCRYPTION: OpenResult = Object.freeze({ ok: false, reason: 'encryption' })
const DROP_AUTH: OpenResult = Object.freeze({ ok: false, reason: 'auth' })

function defaultNonce(nonce: Uint8Array): void {
  randomFillSync(nonce)
}

class ClusterEnvelope implements Envelope {
  readonly cluster: string
  readonly encrypted: boolean
  readonly #name: Uint8Array
  readonly #plainHeader: Uint8Array
  readonly #aad: Uint8Array
  readonly #keyring: Keyring | undefined
  readonly #acceptPlain: boolean
  readonly #randomNonce: (nonce: Uint8Array) => void

  constructor(options: EnvelopeOptions, name: Uint8Array) {
    this.cluster = options.cluster
    this.#name = name
    this.#keyring = options.keyring
    this.encrypted = options.keyring !== undefined
    this.#acceptPlain = options.acceptPlain ?? false
    this.#randomNonce = options.randomNonce ?? defaultNonce
    this.#plainHeader = new Uint8Array(HEADER_BYTES + 1 + name.length)
    this.#plainHeader.set([ENVELOPE_MAGIC, KIND_PLAIN, name.length])
    this.#plainHeader.set(name, HEADER_BYTES + 1)
    this.#aad = new Uint8Array(HEADER_BYTES + name.length)
    this.#aad.set([ENVELOPE_MAGIC, KIND_ENCRYPTED])
    this.#aad.set(name, HEADER_BYTES)
  }

  seal(body: Uint8Array): Uint8Array {
    if (!(body instanceof Uint8Array)) throw invalidArgument('seal takes the body as a Uint8Array')
    const keyring = this.#keyring
    if (keyring === undefined) {
      const header = this.#plainHeader
      const out = new Uint8Array(header.length + body.length)
      out.set(header)
      out.set(body, header.length)
      return out
    }
    const key = keyringSecrets(keyring)[0]
    const out = new Uint8Array(HEADER_BYTES + NONCE_BYTES + body.length + TAG_BYTES)
    out[0] = ENVELOPE_MAGIC
    out[1] = KIND_ENCRYPTED
    const nonce = out.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES)
    this.#randomNonce(nonce)
    const cipher = createCipheriv('aes-256-gcm', key as NonNullable<typeof key>, nonce)
    cipher.setAAD(this.#aad)
    let at = HEADER_BYTES + NONCE_BYTES
    const head = cipher.update(body)
    out.set(head, at)
    at += head.length
    const tail = cipher.final()
    out.set(tail, at)
    at += tail.length
    out.set(cipher.getAuthTag(), at)
    return out
  }

  open(data: Uint8Array): OpenResult {
    if (!(data instanceof Uint8Array) || data.length < HEADER_BYTES) return DROP_SHORT
    if (data[0] !== ENVELOPE_MAGIC) return DROP_MAGIC
    const kind = data[1]
    if (kind === KIND_PLAIN) {
      if (this.#keyring !== undefined && !this.#acceptPlain) return DROP_ENCRYPTION
      if (data.length < HEADER_BYTES + 1) return DROP_SHORT
      const name = this.#name
      const length = data[HEADER_BYTES] as number
      const start = HEADER_BYTES + 1
      if (data.length < start + length) return DROP_SHORT
      if (length !== name.length) return DROP_CLUSTER
      for (let i = 0; i < length; i++) if (data[start + i] !== name[i]) return DROP_CLUSTER
      return { ok: true, body: data.subarray(start + length) }
    }
    if (kind !== KIND_ENCRYPTED) return DROP_MAGIC
    const keyring = this.#keyring
    if (keyring === undefined) return DROP_ENCRYPTION
    if (data.length < HEADER_BYTES + NONCE_BYTES + TAG_BYTES) return DROP_SHORT
    const nonce = data.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES)
    const sealed = data.subarray(HEADER_BYTES + NONCE_BYTES, data.length - TAG_BYTES)
    const tag = data.subarray(data.length - TAG_BYTES)
    for (const key of keyringSecrets(keyring)) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce)
        decipher.setAAD(this.#aad)
        decipher.setAuthTag(tag)
        const head = decipher.update(sealed)
        const tail = decipher.final()
        return { ok: true, body: tail.length === 0 ? head : Buffer.concat([head, tail]) }
      } catch {
        // not this key (or tampered): try the next
      }
    }
    return DROP_AUTH
  }
}

/**
 * Creates the envelope of one cluster: with a keyring, datagrams are encrypted and authenticated
 * with AES-256-GCM (the cluster name in the associated data); without, they carry the cluster
 * name in clear, which keeps clusters apart but protects nothing.
 *
 * @param options - the cluster name, the keyring, and the upgrade and test options
 * @returns the envelope
 * @throws `ERR_INVALID_ARGUMENT` when the cluster name is not a string of at most 255 bytes of
 *   UTF-8, or an option has the wrong type
 *
 * @example
 * ```ts
 * const envelope = createEnvelope({ cluster: 'web', keyring: new Keyring([parseKey(keyText)]) })
 * port.send(envelope.seal(encodeMessages([ping])), peer)
 * const opened = envelope.open(datagram)
 * if (opened.ok) handle(decodeMessages(opened.body))
 * else drops[opened.reason]++
 * ```
 */
export function createEnvelope(options: EnvelopeOptions): Envelope {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('createEnvelope takes an options object')
  const { cluster, keyring, acceptPlain, randomNonce } = options
  if (typeof cluster !== 'string') throw invalidArgument('cluster must be a string')
  if (/\p{Cs}/u.test(cluster)) throw invalidArgument('cluster holds a lone UTF-16 surrogate')
  const name = new TextEncoder().encode(cluster)
  if (name.length > 255)
    throw invalidArgument(`cluster takes ${name.length} bytes of UTF-8, more than 255`, {
      length: name.length,
    })
  if (keyring !== undefined && !(keyring instanceof Keyring))
    throw invalidArgument('keyring must be a Keyring')
  if (acceptPlain !== undefined && typeof acceptPlain !== 'boolean')
    throw invalidArgument('acceptPlain must be a boolean')
  if (randomNonce !== undefined && typeof randomNonce !== 'function')
    throw invalidArgument('randomNonce must be a function')
  return new ClusterEnvelope(options, name)
}
