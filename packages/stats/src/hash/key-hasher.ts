import { type Hash128, hash128, murmur3x64128 } from './murmur3.js'
import { WasmMurmur3 } from './murmur3-wasm.js'

/** The WebAssembly hash, shared by every hasher of the process (undefined where unavailable). */
const WASM = WasmMurmur3.create()

/** The seed Apache DataSketches hashes with (`DEFAULT_UPDATE_SEED`). */
export const DEFAULT_SEED = 9001

/** A key any sketch accepts: text (hashed as UTF-8), an integer (as a 64-bit two's-complement long), or bytes. */
export type SketchKey = string | number | bigint | Uint8Array

/**
 * Hashes keys the way Apache DataSketches does, so that images interoperate: strings as their
 * UTF-8 bytes, integers as 8 little-endian bytes of a 64-bit long, byte arrays as they are, all
 * with MurmurHash3 x64-128 and seed 9001. One hash per key can feed every sketch that needs one.
 * Reuses its buffers: the returned {@link Hash128} is overwritten by the next call.
 */
export class KeyHasher {
  readonly #seed: number
  readonly #out = hash128()
  #buffer = new Uint8Array(256)
  readonly #long = new Uint8Array(8)
  readonly #longView = new DataView(this.#long.buffer)

  /** @param seed - the hash seed (default 9001) */
  constructor(seed = DEFAULT_SEED) {
    this.#seed = seed
  }

  /**
   * Hashes one key. Numbers must be safe integers (DataSketches hashes doubles differently; use
   * {@link KeyHasher.hashDouble} for those).
   */
  hash(key: SketchKey): Hash128 {
    if (typeof key === 'string') return this.hashString(key)
    if (typeof key === 'number') return this.hashInteger(key)
    if (typeof key === 'bigint') return this.hashLong(key)
    return this.#bytes(key, key.length)
  }

  /** Hashes a string as its UTF-8 bytes. */
  hashString(key: string): Hash128 {
    const wasm = WASM
    const buffer = wasm === undefined ? this.#scratch(key.length * 3) : wasm.input(key.length * 3)
    let length = key.length
    if (length > 24) {
      // the native encoder beats a character loop once strings are longer than a few words
      length = UTF8.encodeInto(key, buffer).written
    } else {
      for (let i = 0; i < length; i++) {
        const c = key.charCodeAt(i)
        if (c > 0x7f) {
          length = UTF8.encodeInto(key, buffer).written
          break
        }
        buffer[i] = c
      }
    }
    return wasm === undefined
      ? murmur3x64128(buffer, 0, length, this.#seed, this.#out)
      : wasm.hash(length, this.#seed, this.#out)
  }

  #scratch(capacity: number): Uint8Array {
    if (this.#buffer.length < capacity) this.#buffer = new Uint8Array(capacity)
    return this.#buffer
  }

  /** Hashes `bytes[0, length)`. */
  #bytes(bytes: Uint8Array, length: number): Hash128 {
    const wasm = WASM
    if (wasm === undefined) return murmur3x64128(bytes, 0, length, this.#seed, this.#out)
    wasm.input(length).set(bytes.subarray(0, length))
    return wasm.hash(length, this.#seed, this.#out)
  }

  /** Hashes a safe integer as the 8 little-endian bytes of a 64-bit long, without a bigint. */
  hashInteger(key: number): Hash128 {
    this.#longView.setUint32(0, key >>> 0, true)
    this.#longView.setUint32(4, Math.floor(key / 4294967296) >>> 0, true)
    return this.#bytes(this.#long, 8)
  }

  /** Hashes a 64-bit signed integer as 8 little-endian bytes. */
  hashLong(key: bigint): Hash128 {
    this.#longView.setBigInt64(0, BigInt.asIntN(64, key), true)
    return this.#bytes(this.#long, 8)
  }

  /** Hashes a double the way DataSketches does: canonical NaN, and +0 for −0. */
  hashDouble(key: number): Hash128 {
    this.#longView.setFloat64(0, key === 0 ? 0 : Number.isNaN(key) ? Number.NaN : key, true)
    return this.#bytes(this.#long, 8)
  }
}

const UTF8 = new TextEncoder()
