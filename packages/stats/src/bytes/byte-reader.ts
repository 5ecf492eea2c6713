import { invalidSketch } from '../errors.js'

/**
 * Reads little-endian values from bytes, checking every bound: a read past the end, or a length
 * that cannot fit, throws `ERR_INVALID_SKETCH` instead of reading garbage or allocating without limit.
 */
export class ByteReader {
  readonly #view: DataView
  readonly #bytes: Uint8Array
  #at = 0

  /** @param bytes - the serialized image */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  /** The read position. */
  get offset(): number {
    return this.#at
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.#bytes.length - this.#at
  }

  /** Moves the read position to `offset` (checked). */
  seek(offset: number): void {
    if (offset < 0 || offset > this.#bytes.length)
      throw invalidSketch(`offset ${offset} is outside the ${this.#bytes.length}-byte image`, this.#at)
    this.#at = offset
  }

  /** Throws unless `count` more bytes are there. */
  need(count: number, what = 'value'): void {
    if (!(count >= 0) || count > this.remaining)
      throw invalidSketch(
        `the image ends inside a ${what} (${count} bytes needed, ${this.remaining} left)`,
        this.#at,
      )
  }

  u8(): number {
    this.need(1)
    return this.#view.getUint8(this.#at++)
  }

  u16(): number {
    this.need(2)
    const value = this.#view.getUint16(this.#at, true)
    this.#at += 2
    return value
  }

  u32(): number {
    this.need(4)
    const value = this.#view.getUint32(this.#at, true)
    this.#at += 4
    return value
  }

  i32(): number {
    this.need(4)
    const value = this.#view.getInt32(this.#at, true)
    this.#at += 4
    return value
  }

  /** A 64-bit signed integer as a bigint. */
  i64(): bigint {
    this.need(8)
    const value = this.#view.getBigInt64(this.#at, true)
    this.#at += 8
    return value
  }

  /** A 64-bit unsigned integer as a number; throws if it exceeds 2^53 − 1. */
  u64Safe(what = 'count'): number {
    this.need(8)
    const value = this.#view.getBigUint64(this.#at, true)
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw invalidSketch(`${what} ${value} is too large`, this.#at)
    this.#at += 8
    return Number(value)
  }

  f32(): number {
    this.need(4)
    const value = this.#view.getFloat32(this.#at, true)
    this.#at += 4
    return value
  }

  f64(): number {
    this.need(8)
    const value = this.#view.getFloat64(this.#at, true)
    this.#at += 8
    return value
  }

  /** The next `count` bytes, as a view (no copy). */
  bytes(count: number): Uint8Array {
    this.need(count, 'byte run')
    const value = this.#bytes.subarray(this.#at, this.#at + count)
    this.#at += count
    return value
  }

  /** A UTF-8 string of `count` bytes; invalid UTF-8 is an error, not a replacement character. */
  utf8(count: number): string {
    const bytes = this.bytes(count)
    try {
      return UTF8.decode(bytes)
    } catch {
      throw invalidSketch('a string is not valid UTF-8', this.#at - count)
    }
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (this.remaining !== 0)
      throw invalidSketch(`${this.remaining} bytes follow the end of the image`, this.#at)
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true })
