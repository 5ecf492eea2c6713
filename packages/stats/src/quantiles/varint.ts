import type { ByteReader } from '../bytes/byte-reader.js'
import type { ByteWriter } from '../bytes/byte-writer.js'
import { invalidSketch } from '../errors.js'

/** The most bytes of an unsigned varint holding a safe integer (8 × 7 = 56 bits ≥ 53). */
const MAX_VARINT_BYTES = 8

/** Writes a non-negative safe integer as an unsigned LEB128 varint (7 bits a byte, low first). */
export function writeVarint(writer: ByteWriter, value: number): void {
  while (value >= 0x80) {
    writer.u8((value % 0x80) | 0x80)
    value = Math.floor(value / 0x80)
  }
  writer.u8(value)
}

/** Reads an unsigned LEB128 varint; throws `ERR_INVALID_SKETCH` if it is not a safe integer. */
export function readVarint(reader: ByteReader, what: string): number {
  const at = reader.offset
  let value = 0
  let scale = 1
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const byte = reader.u8()
    value += (byte & 0x7f) * scale
    if (byte < 0x80) {
      if (value > Number.MAX_SAFE_INTEGER || (byte === 0 && i > 0))
        throw invalidSketch(`${what} is not a canonical safe-integer varint`, at)
      return value
    }
    scale *= 0x80
  }
  throw invalidSketch(`${what} is a varint longer than ${MAX_VARINT_BYTES} bytes`, at)
}

/** Writes a safe integer as a zigzag varint (0, −1, 1, −2, … as 0, 1, 2, 3, …). */
export function writeZigzag(writer: ByteWriter, value: number): void {
  writeVarint(writer, value >= 0 ? value * 2 : -value * 2 - 1)
}

/** Reads a zigzag varint. */
export function readZigzag(reader: ByteReader, what: string): number {
  const z = readVarint(reader, what)
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2
}
