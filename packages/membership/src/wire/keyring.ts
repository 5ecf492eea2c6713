/**
 * The keys a cluster encrypts with, as memberlist's keyring: one primary key seals, every key
 * installed opens. Rotation: install the new key on every member, then `use` it everywhere, then
 * remove the old one once no member seals with it.
 */
import { createSecretKey, type KeyObject } from 'node:crypto'
import { invalidArgument } from '@shoal/core'

/** The length of an AES-256 key in bytes. */
export const KEY_BYTES = 32

/** The most keys a {@link Keyring} holds. */
export const MAX_KEYS = 16

interface Entry {
  readonly bytes: Uint8Array
  readonly secret: KeyObject
}

let readSecrets: (ring: Keyring) => readonly KeyObject[]

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array)) throw invalidArgument('a key must be a Uint8Array of 32 bytes')
  if (key.length !== KEY_BYTES)
    throw invalidArgument(`an AES-256 key is ${KEY_BYTES} bytes long, got ${key.length}`, {
      length: key.length,
    })
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/**
 * AES-256 keys: the primary seals, all are tried to open (the primary first). Holds copies of the
 * keys it is given, at most {@link MAX_KEYS}. Changes take effect at the next seal or open of
 * every envelope that shares the keyring.
 *
 * @example
 * ```ts
 * const ring = new Keyring([parseKey(process.env.CLUSTER_KEY ?? '')])
 * // rotation, on every member: install, then use, then remove the old key
 * ring.install(next)
 * ring.use(next)
 * ring.remove(previous)
 * ```
 */
export class Keyring {
  // Primary first.
  #entries: readonly Entry[] = []
  #secrets: readonly KeyObject[] = []

  static {
    readSecrets = (ring) => ring.#secrets
  }

  /**
   * @param keys - one to {@link MAX_KEYS} keys of 32 bytes; the first is the primary. A key
   *   given twice is kept once.
   * @throws `ERR_INVALID_ARGUMENT` when there is no key, too many, or one is not 32 bytes
   */
  constructor(keys: readonly Uint8Array[]) {
    if (!Array.isArray(keys) || keys.length === 0) throw invalidArgument('a keyring needs at least one key')
    for (const key of keys) this.install(key)
  }

  /** Copies of the keys, the primary first. */
  get keys(): Uint8Array[] {
    return this.#entries.map((e) => Uint8Array.from(e.bytes))
  }

  /** A copy of the primary key, the one that seals. */
  get primary(): Uint8Array {
    return Uint8Array.from((this.#entries[0] as Entry).bytes)
  }

  /** How many keys the ring holds. */
  get size(): number {
    return this.#entries.length
  }

  /** Whether `key` is installed. */
  has(key: Uint8Array): boolean {
    return this.#indexOf(key) >= 0
  }

  /**
   * Adds `key` to the keys tried to open (after the others); installing a key that is already
   * there does nothing. The first key installed becomes the primary.
   *
   * @throws `ERR_INVALID_ARGUMENT` when the key is not 32 bytes or the ring already holds
   *   {@link MAX_KEYS} keys
   */
  install(key: Uint8Array): void {
    checkKey(key)
    if (this.#indexOf(key) >= 0) return
    if (this.#entries.length >= MAX_KEYS)
      throw invalidArgument(`a keyring holds at most ${MAX_KEYS} keys; remove one first`)
    const bytes = Uint8Array.from(key)
    this.#set([...this.#entries, { bytes, secret: createSecretKey(bytes) }])
  }

  /**
   * Makes the installed `key` the primary: the one that seals from now on.
   *
   * @throws `ERR_INVALID_ARGUMENT` when the key is not installed
   */
  use(key: Uint8Array): void {
    checkKey(key)
    const i = this.#indexOf(key)
    if (i < 0) throw invalidArgument('the key to use is not installed; install it first')
    const entry = this.#entries[i] as Entry
    this.#set([entry, ...this.#entries.filter((e) => e !== entry)])
  }

  /**
   * Removes `key`, which may then no longer open anything.
   *
   * @returns whether the key was installed
   * @throws `ERR_INVALID_ARGUMENT` when `key` is the primary (make another the primary first)
   */
  remove(key: Uint8Array): boolean {
    checkKey(key)
    const i = this.#indexOf(key)
    if (i < 0) return false
    if (i === 0) throw invalidArgument('the primary key cannot be removed; use another key first')
    this.#set(this.#entries.filter((_, j) => j !== i))
    return true
  }

  #indexOf(key: Uint8Array): number {
    return this.#entries.findIndex((e) => sameBytes(e.bytes, key))
  }

  #set(entries: readonly Entry[]): void {
    this.#entries = entries
    this.#secrets = entries.map((e) => e.secret)
  }
}

/**
 * The keys of `ring` as key objects, the primary first, without copying: for the envelope only.
 *
 * @internal
 */
export function keyringSecrets(ring: Keyring): readonly KeyObject[] {
  return readSecrets(ring)
}

/**
 * Reads a key written as 64 hexadecimal digits or as base64 (standard or URL-safe, padding
 * optional) of 32 bytes, as a `--key` flag or an environment variable gives it. Surrounding
 * white space is ignored.
 *
 * @param text - the key as text
 * @returns the 32 key bytes
 * @throws `ERR_INVALID_ARGUMENT` when the text is neither form or does not hold 32 bytes
 *
 * @example
 * ```ts
 * const ring = new Keyring([parseKey('cg8StVXbQJ0gPvMd9o7yrg6GEpmZzcZJjzKHZuAtbsE=')])
 * ```
 */
export function parseKey(text: string): Uint8Array {
  if (typeof text !== 'string') throw invalidArgument('a key must be given as a string')
  const t = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Uint8Array.from(Buffer.from(t, 'hex'))
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const bytes = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
    if (bytes.length === KEY_BYTES) return Uint8Array.from(bytes)
  }
  throw invalidArgument('a key is 32 bytes written as base64 (44 characters) or as 64 hexadecimal digits')
}
