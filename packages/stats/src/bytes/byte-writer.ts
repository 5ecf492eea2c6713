/** Writes little-endian values into a growing buffer. */
export class ByteWriter {
  #bytes: Uint8Array
  #view: DataView
  #at = 0

  /** @param capacity - the initial size in bytes (it grows as needed) */
  constructor(capacity = 64) {
    this.#bytes = new Uint8Array(Math.max(8, capacity))
    this.#view = new DataView(this.#bytes.buffer)
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#at
  }

  #room(count: number): void {
    if (this.#at + count <= this.#bytes.length) return
    const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.#at + count))
    grown.set(this.#bytes.subarray(0, this.#at))
    this.#bytes = grown
    this.#view = new DataView(grown.buffer)
  }

  u8(value: number): this {
    this.#room(1)
    this.#view.setUint8(this.#at++, value)
    return this
  }

  u16(value: number): this {
    this.#room(2)
    this.#view.setUint16(this.#at, value, true)
    this.#at += 2
    return this
  }

  u32(value: number): this {
    this.#room(4)
    this.#view.setUint32(this.#at, value, true)
    this.#at += 4
    return this
  }

  i32(value: number): this {
    this.#room(4)
    this.#view.setInt32(this.#at, value, true)
    this.#at += 4
    return this
  }

  i64(value: bigint): this {
    this.#room(8)
    this.#view.setBigInt64(this.#at, value, true)
    this.#at += 8
    return this
  }

  /** A non-negative safe integer as 64 bits. */
  u64(value: number): this {
    return this.i64(BigInt(value))
  }

  f32(value: number): this {
    this.#room(4)
    this.#view.setFloat32(this.#at, value, true)
    this.#at += 4
    return this
  }

  f64(value: number): this {
    this.#room(8)
    this.#view.setFloat64(this.#at, value, true)
    this.#at += 8
    return this
  }

  bytes(value: Uint8Array): this {
    this.#room(value.length)
    this.#bytes.set(value, this.#at)
    this.#at += value.length
    return this
  }

  /** Writes `value` at an earlier position (a length or flag filled in once known). */
  patchU8(at: number, value: number): this {
    this.#view.setUint8(at, value)
    return this
  }

  /** The bytes written, as a copy of exactly the right length. */
  finish(): Uint8Array {
    return this.#bytes.slice(0, this.#at)
  }
}
