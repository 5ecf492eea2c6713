import { invalidSketch } from '../errors.js'
import type { ByteReader } from './byte-reader.js'
import type { ByteWriter } from './byte-writer.js'

/**
 * The first bytes of every image in shoal's own formats (DataSketches images keep their own
 * layout): `S` `H`, the block kind, and the format version of that kind.
 */
export const BLOCK_KINDS = {
  counter: 1,
  'counter-by-key': 2,
  rate: 3,
  ddsketch: 4,
  'count-min': 5,
  'decayed-counter': 6,
  pane: 7,
  'web-stats': 8,
  'unique-count': 9,
} as const

/** A block kind with its own image format. */
export type BlockKind = keyof typeof BLOCK_KINDS

const MAGIC_S = 0x53
const MAGIC_H = 0x48

/** Writes the envelope of an image of `kind` in format `version` (1–255). */
export function writeEnvelope(writer: ByteWriter, kind: BlockKind, version: number): void {
  writer.u8(MAGIC_S).u8(MAGIC_H).u8(BLOCK_KINDS[kind]).u8(version)
}

/** Reads the envelope of an image that must be of `kind`; returns its format version, which must be ≤ `newest`. */
export function readEnvelope(reader: ByteReader, kind: BlockKind, newest: number): number {
  const at = reader.offset
  if (reader.u8() !== MAGIC_S || reader.u8() !== MAGIC_H)
    throw invalidSketch('not a shoal sketch image (bad magic)', at)
  const found = reader.u8()
  if (found !== BLOCK_KINDS[kind])
    throw invalidSketch(`expected a ${kind} image, found kind ${found}`, at + 2)
  const version = reader.u8()
  if (version < 1 || version > newest)
    throw invalidSketch(`${kind} format version ${version} is not supported (newest: ${newest})`, at + 3)
  return version
}
