import { isShoalError } from '@shoal/core'
import { expect } from 'vitest'
import type { DnsDecodeError } from '../../src/wire/index.js'

/** Bytes from hex written with spaces, line breaks and `#` comments for readability. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/#[^\n]*/g, '').replace(/\s+/g, '')
  if (!/^(?:[0-9a-f]{2})*$/i.test(digits)) throw new Error(`bad hex: ${digits}`)
  return Uint8Array.from(Buffer.from(digits, 'hex'))
}

/** Bytes as lower-case hex without spaces. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')
}

/** The DnsDecodeError `fn` throws; fails the test when it throws something else or nothing. */
export function decodeError(fn: () => unknown): DnsDecodeError {
  try {
    fn()
  } catch (err) {
    expect(isShoalError(err, 'ERR_DNS_DECODE'), String(err)).toBe(true)
    return err as DnsDecodeError
  }
  throw new Error('expected a DnsDecodeError, nothing was thrown')
}

/** Lower-cases the ASCII letters of `bytes` (a copy): names compare without case. */
export function lowerBytes(bytes: Uint8Array): Uint8Array {
  return bytes.map((b) => (b >= 0x41 && b <= 0x5a ? b + 32 : b))
}

/** A small deterministic PRNG (xorshift32) for the mutation fuzzer: replayable from its seed. */
export class Xorshift {
  #state: number
  constructor(seed: number) {
    this.#state = seed >>> 0 || 0x9e3779b9
  }
  /** An integer in [0, n). */
  int(n: number): number {
    let x = this.#state
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    this.#state = x >>> 0
    return this.#state % n
  }
}
