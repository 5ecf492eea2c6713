import { ByteReader } from '../bytes/byte-reader.js'
import { ByteWriter } from '../bytes/byte-writer.js'
import { readEnvelope, writeEnvelope } from '../bytes/envelope.js'
import { invalidSketch } from '../errors.js'
import { type CollapseSide, DenseStore } from './dense-store.js'
import { LogarithmicMapping, MIN_RELATIVE_ACCURACY } from './log-mapping.js'
import { readVarint, readZigzag, writeVarint, writeZigzag } from './varint.js'

/** The newest DDSketch image version this module writes and reads. */
export const DDSKETCH_FORMAT_VERSION = 1

/** The largest `maxBins` a DDSketch accepts (2^20 bins, 8 MiB per store). */
export const MAX_BINS_LIMIT = 1 << 20

/** Mapping kinds in the image (only the exact logarithmic mapping exists today). */
const MAPPING_LOGARITHMIC = 1

const FLAG_EMPTY = 1
const FLAG_INTEGER_COUNTS = 2

/** Everything a DDSketch image holds. */
export interface DDSketchParts {
  readonly relativeAccuracy: number
  readonly maxBins: number
  readonly zeroCount: number
  readonly count: number
  readonly sum: number
  readonly min: number
  readonly max: number
  readonly positive: DenseStore
  readonly negative: DenseStore
}

/*
 * Image layout, version 1 (little-endian; varints are unsigned LEB128, zigzag for signed):
 *
 *   envelope     'S' 'H' kind=ddsketch version=1               4 bytes
 *   mapping      u8, 1 = exact logarithmic
 *   α            f64
 *   maxBins      varint
 *   flags        u8: bit 0 empty, bit 1 every count is an integer (varint counts, else f64)
 *   -- when not empty:
 *   min max sum  f64 × 3
 *   zero count   count
 *   positive     store (collapses its lowest indices)
 *   negative     store of the magnitudes of negative values (collapses its highest indices)
 *
 *   store        span varint (0 = empty), then first index (zigzag) and span counts, the first
 *                and last non-zero; zeros inside the span take one byte each as varints.
 */

/** Writes the image of a DDSketch. */
export function writeDDSketch(parts: DDSketchParts): Uint8Array {
  const span = storeSpan(parts.positive) + storeSpan(parts.negative)
  const writer = new ByteWriter(48 + span * 2)
  writeEnvelope(writer, 'ddsketch', DDSKETCH_FORMAT_VERSION)
  writer.u8(MAPPING_LOGARITHMIC)
  writer.f64(parts.relativeAccuracy)
  writeVarint(writer, parts.maxBins)
  if (parts.count === 0) {
    writer.u8(FLAG_EMPTY | FLAG_INTEGER_COUNTS)
    return writer.finish()
  }
  const integers =
    Number.isSafeInteger(parts.zeroCount) && integralStore(parts.positive) && integralStore(parts.negative)
  writer.u8(integers ? FLAG_INTEGER_COUNTS : 0)
  writer.f64(parts.min).f64(parts.max).f64(parts.sum)
  writeCount(writer, parts.zeroCount, integers)
  writeStore(writer, parts.positive, integers)
  writeStore(writer, parts.negative, integers)
  return writer.finish()
}

/** Reads a DDSketch image; throws `ERR_INVALID_SKETCH` for anything else. */
export function readDDSketch(bytes: Uint8Array): DDSketchParts {
  const reader = new ByteReader(bytes)
  readEnvelope(reader, 'ddsketch', DDSKETCH_FORMAT_VERSION)
  const mappingAt = reader.offset
  const mapping = reader.u8()
  if (mapping !== MAPPING_LOGARITHMIC)
    throw invalidSketch(`unknown DDSketch index mapping ${mapping}`, mappingAt)
  const alphaAt = reader.offset
  const relativeAccuracy = reader.f64()
  if (!(relativeAccuracy >= MIN_RELATIVE_ACCURACY && relativeAccuracy < 1))
    throw invalidSketch(`relative accuracy ${relativeAccuracy} is out of range`, alphaAt)
  const binsAt = reader.offset
  const maxBins = readVarint(reader, 'maxBins')
  if (maxBins < 1 || maxBins > MAX_BINS_LIMIT)
    throw invalidSketch(`maxBins ${maxBins} is out of range [1, ${MAX_BINS_LIMIT}]`, binsAt)
  const flagsAt = reader.offset
  const flags = reader.u8()
  if ((flags & ~(FLAG_EMPTY | FLAG_INTEGER_COUNTS)) !== 0)
    throw invalidSketch(`unknown DDSketch flags 0x${flags.toString(16)}`, flagsAt)
  if ((flags & FLAG_EMPTY) !== 0) {
    reader.end()
    return {
      relativeAccuracy,
      maxBins,
      zeroCount: 0,
      count: 0,
      sum: 0,
      min: Number.POSITIVE_INFINITY,
      max: Number.NEGATIVE_INFINITY,
      positive: new DenseStore(maxBins, 'lowest'),
      negative: new DenseStore(maxBins, 'highest'),
    }
  }
  const integers = (flags & FLAG_INTEGER_COUNTS) !== 0
  const statsAt = reader.offset
  const min = reader.f64()
  const max = reader.f64()
  const sum = reader.f64()
  if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max))
    throw invalidSketch(`min ${min} and max ${max} are not an ordered pair of finite numbers`, statsAt)
  const zeroCount = readCount(reader, integers)
  const range = new LogarithmicMapping(relativeAccuracy)
  const positive = readStore(reader, maxBins, 'lowest', integers, range)
  const negative = readStore(reader, maxBins, 'highest', integers, range)
  reader.end()
  const count = zeroCount + positive.total() + negative.total()
  if (!(count > 0 && count < Number.POSITIVE_INFINITY))
    throw invalidSketch(`a non-empty DDSketch has total count ${count}`, statsAt)
  return { relativeAccuracy, maxBins, zeroCount, count, sum, min, max, positive, negative }
}

function storeSpan(store: DenseStore): number {
  return store.isEmpty ? 0 : store.maxIndex - store.minIndex + 1
}

function integralStore(store: DenseStore): boolean {
  if (store.isEmpty) return true
  for (let i = store.minIndex; i <= store.maxIndex; i++)
    if (!Number.isSafeInteger(store.countAt(i))) return false
  return true
}

function writeCount(writer: ByteWriter, count: number, integers: boolean): void {
  if (integers) writeVarint(writer, count)
  else writer.f64(count)
}

function readCount(reader: ByteReader, integers: boolean): number {
  if (integers) return readVarint(reader, 'a bin count')
  const at = reader.offset
  const count = reader.f64()
  if (!(count >= 0 && count < Number.POSITIVE_INFINITY))
    throw invalidSketch(`bin count ${count} is not a finite non-negative number`, at)
  return count
}

function writeStore(writer: ByteWriter, store: DenseStore, integers: boolean): void {
  const span = storeSpan(store)
  writeVarint(writer, span)
  if (span === 0) return
  writeZigzag(writer, store.minIndex)
  for (let i = store.minIndex; i <= store.maxIndex; i++) writeCount(writer, store.countAt(i), integers)
}

function readStore(
  reader: ByteReader,
  maxBins: number,
  collapse: CollapseSide,
  integers: boolean,
  range: LogarithmicMapping,
): DenseStore {
  const spanAt = reader.offset
  const span = readVarint(reader, 'a store span')
  if (span === 0) return new DenseStore(maxBins, collapse)
  if (span > maxBins) throw invalidSketch(`a store spans ${span} bins, more than maxBins ${maxBins}`, spanAt)
  const startAt = reader.offset
  const start = readZigzag(reader, 'a store start index')
  if (start < range.minIndex || start + span - 1 > range.maxIndex)
    throw invalidSketch(
      `store indices ${start}…${start + span - 1} are outside the mapping's ${range.minIndex}…${range.maxIndex}`,
      startAt,
    )
  // every count takes at least one byte (eight as f64): check before allocating
  reader.need(span * (integers ? 1 : 8), 'store counts')
  const counts = new Float64Array(span)
  for (let i = 0; i < span; i++) counts[i] = readCount(reader, integers)
  if (counts[0] === 0 || counts[span - 1] === 0)
    throw invalidSketch('a store span begins or ends with an empty bin', startAt)
  return DenseStore.fromCounts(maxBins, collapse, start, counts)
}
