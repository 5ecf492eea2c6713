/**
 * The preamble of a DataSketches frequent-items image (serial version 1, family 10), shared by
 * the string and the long sketch:
 *
 * | bytes | field |
 * | --- | --- |
 * | 0 | preamble longs: 1 when empty, else 4 |
 * | 1 | serial version: 1 |
 * | 2 | family: 10 (frequency) |
 * | 3 | lgMaxMapSize |
 * | 4 | lgCurMapSize |
 * | 5 | flags: empty is bit 2 for Java and bit 0 for C++; both are written, either is read |
 * | 6–7 | unused (0) |
 * | 8–11 | number of active items (then 4 unused bytes) |
 * | 16–23 | stream length (sum of all counts) |
 * | 24–31 | offset (the maximum error) |
 *
 * Then the counts (8 bytes each) and the items, both in table slot order. Everything is
 * little-endian.
 */

import { ByteReader } from '../bytes/byte-reader.js'
import type { ByteWriter } from '../bytes/byte-writer.js'
import { invalidSketch } from '../errors.js'
import { LG_MAX_MAP_SIZE, LG_MIN_MAP_SIZE, LOAD_FACTOR } from './reverse-purge-map.js'

/** The DataSketches family id of the frequent-items sketches. */
export const FREQUENCY_FAMILY_ID = 10
const SERIAL_VERSION = 1
const PREAMBLE_LONGS_EMPTY = 1
const PREAMBLE_LONGS_FULL = 4
const EMPTY_FLAGS = 0b101

/** What the preamble says. */
export interface FrequencyPreamble {
  readonly lgMaxMapSize: number
  readonly lgCurMapSize: number
  readonly numActive: number
  readonly streamLength: number
  readonly offset: number
  /** The counts, read and checked (positive safe integers). */
  readonly counts: Float64Array
}

/** Writes the preamble and the counts of the slots `slots`. */
export function writeFrequencyPreamble(
  w: ByteWriter,
  lgMaxMapSize: number,
  lgCurMapSize: number,
  streamLength: number,
  offset: number,
  values: Float64Array,
  slots: Int32Array,
): void {
  const empty = slots.length === 0
  w.u8(empty ? PREAMBLE_LONGS_EMPTY : PREAMBLE_LONGS_FULL)
    .u8(SERIAL_VERSION)
    .u8(FREQUENCY_FAMILY_ID)
    .u8(lgMaxMapSize)
    .u8(lgCurMapSize)
    .u8(empty ? EMPTY_FLAGS : 0)
    .u16(0)
  if (empty) return
  w.u32(slots.length).u32(0).u64(streamLength).u64(offset)
  for (const slot of slots) w.u64(values[slot] as number)
}

/**
 * Reads and checks the preamble and the counts, leaving `r` at the first item. Every size is
 * checked against the bytes present before anything is allocated; `maxLgCurMapSize` bounds the
 * table the image asks for.
 */
export function readFrequencyPreamble(
  r: ByteReader,
  maxLgCurMapSize: number,
  minItemBytes: number,
): FrequencyPreamble {
  const preLongs = r.u8() & 0x3f
  const serVer = r.u8()
  const family = r.u8()
  const lgMaxMapSize = r.u8()
  const lgCurMapSize = r.u8()
  const flags = r.u8()
  r.u16()
  if (serVer !== SERIAL_VERSION) throw invalidSketch(`frequent-items serial version ${serVer} is not 1`, 1)
  if (family !== FREQUENCY_FAMILY_ID)
    throw invalidSketch(`family ${family} is not frequent items (${FREQUENCY_FAMILY_ID})`, 2)
  if (lgMaxMapSize < LG_MIN_MAP_SIZE || lgMaxMapSize > LG_MAX_MAP_SIZE)
    throw invalidSketch(`lgMaxMapSize ${lgMaxMapSize} is outside ${LG_MIN_MAP_SIZE}–${LG_MAX_MAP_SIZE}`, 3)
  if (lgCurMapSize < LG_MIN_MAP_SIZE || lgCurMapSize > lgMaxMapSize)
    throw invalidSketch(`lgCurMapSize ${lgCurMapSize} is outside ${LG_MIN_MAP_SIZE}–${lgMaxMapSize}`, 4)
  if (lgCurMapSize > maxLgCurMapSize)
    throw invalidSketch(
      `lgCurMapSize ${lgCurMapSize} exceeds the limit ${maxLgCurMapSize} (raise it with the maxLgCurMapSize option)`,
      4,
    )
  const empty = (flags & EMPTY_FLAGS) !== 0
  if (preLongs !== PREAMBLE_LONGS_EMPTY && preLongs !== PREAMBLE_LONGS_FULL)
    throw invalidSketch(`preamble longs ${preLongs} is neither 1 nor 4`, 0)
  if (empty !== (preLongs === PREAMBLE_LONGS_EMPTY))
    throw invalidSketch('the empty flag and the preamble length disagree', 5)
  if (empty) return { lgMaxMapSize, lgCurMapSize, numActive: 0, streamLength: 0, offset: 0, counts: EMPTY }
  const numActive = r.u32()
  r.u32()
  const streamLength = r.u64Safe('stream length')
  const offset = r.u64Safe('offset')
  const maxActive = Math.floor((1 << lgMaxMapSize) * LOAD_FACTOR)
  if (numActive > maxActive)
    throw invalidSketch(`${numActive} active items exceed the table's capacity ${maxActive}`, 8)
  r.need(numActive * (8 + minItemBytes), 'item list')
  const counts = new Float64Array(numActive)
  let sum = 0
  for (let i = 0; i < numActive; i++) {
    const at = r.offset
    const count = r.u64Safe('count')
    if (count === 0) throw invalidSketch('an item has a count of 0', at)
    counts[i] = count
    sum += count
  }
  // stored counts are lower bounds of true counts, which sum to the stream length
  if (sum > streamLength)
    throw invalidSketch(`the counts (${sum}) exceed the stream length ${streamLength}`, 16)
  return { lgMaxMapSize, lgCurMapSize, numActive, streamLength, offset, counts }
}

const EMPTY = new Float64Array(0)

/** A reader over `bytes`, with the type check every `fromBytes` needs. */
export function frequencyReader(bytes: Uint8Array): ByteReader {
  if (!(bytes instanceof Uint8Array)) throw invalidSketch('an image must be a Uint8Array', 0)
  return new ByteReader(bytes)
}
