import { invalidArgument, isShoalError, ShoalError } from '@shoal/core'
import { ByteReader } from '../bytes/byte-reader.js'
import { ByteWriter } from '../bytes/byte-writer.js'
import { readEnvelope, writeEnvelope } from '../bytes/envelope.js'
import { invalidSketch } from '../errors.js'
import type { AggregateFactory, MergeableAggregate } from './pane-aggregate.js'

/** The newest pane image format this code writes and reads. */
const PANE_FORMAT = 1
/** The longest source id, in UTF-8 bytes. */
export const MAX_SOURCE_BYTES = 256

const UTF8 = new TextEncoder()

/** What a {@link Pane} is made of. */
export interface PaneInit<A> {
  /** Id of the process or node that aggregated the pane (a host name, say). */
  readonly source: string
  /** Start of the pane in event time, epoch milliseconds; a multiple of `durationMs`. */
  readonly startMs: number
  /** Length of the pane in milliseconds. */
  readonly durationMs: number
  /** Events added to the aggregate (late events folded in included). */
  readonly events: number
  /** Late events counted while this pane was the oldest open one (folded in or not). */
  readonly late: number
  /** What the pane aggregated. */
  readonly aggregate: A
}

/**
 * A closed pane: the aggregate of every event whose event time fell in `[startMs, endMs)`,
 * as seen by `source`. Panes are immutable (the object is frozen; treat `aggregate` as
 * read-only too: windows merge it into new aggregates, never into it), serialize to a `pane`
 * image, and merge with panes of the same interval from other sources in any order.
 */
export class Pane<A extends MergeableAggregate<A>> {
  /** Id of the process or node that aggregated the pane. */
  readonly source: string
  /** Start of the pane in event time, epoch milliseconds. */
  readonly startMs: number
  /** Length of the pane in milliseconds. */
  readonly durationMs: number
  /** End of the pane (exclusive): `startMs + durationMs`. */
  readonly endMs: number
  /** Events added to the aggregate. */
  readonly events: number
  /** Late events counted against this pane. */
  readonly late: number
  /** What the pane aggregated (read-only). */
  readonly aggregate: A

  /** Throws `ERR_INVALID_ARGUMENT` for an id that is too long or times that are not aligned. */
  constructor(init: PaneInit<A>) {
    checkPaneFields(init.source, init.startMs, init.durationMs, init.events, init.late, invalidArgument)
    this.source = init.source
    this.startMs = init.startMs
    this.durationMs = init.durationMs
    this.endMs = init.startMs + init.durationMs
    this.events = init.events
    this.late = init.late
    this.aggregate = init.aggregate
    Object.freeze(this)
  }

  /**
   * The `pane` image: shoal envelope (kind `pane`, version 1), a flags byte (0), the source id
   * (u16 length and UTF-8), start (i64), duration, events and late counts (u64 each), then the
   * aggregate's image (u32 length and bytes). Little-endian throughout.
   */
  toBytes(): Uint8Array {
    const source = UTF8.encode(this.source)
    const aggregate = this.aggregate.toBytes()
    const writer = new ByteWriter(48 + source.length + aggregate.length)
    writeEnvelope(writer, 'pane', PANE_FORMAT)
    writer.u8(0).u16(source.length).bytes(source)
    writer.i64(BigInt(this.startMs)).u64(this.durationMs).u64(this.events).u64(this.late)
    writer.u32(aggregate.length).bytes(aggregate)
    return writer.finish()
  }

  /** The pane's fields for people and dashboards, with the aggregate's own JSON view when it has one. */
  toJSON(): Record<string, unknown> {
    const view = this.aggregate as unknown as { toJSON?: () => unknown }
    return {
      source: this.source,
      startMs: this.startMs,
      durationMs: this.durationMs,
      events: this.events,
      late: this.late,
      aggregate: typeof view.toJSON === 'function' ? view.toJSON() : undefined,
    }
  }

  /**
   * Reads a `pane` image, its aggregate through `factory`. Throws `ERR_INVALID_SKETCH` (and
   * nothing else) for anything malformed, truncated or hostile.
   */
  static fromBytes<A extends MergeableAggregate<A>>(
    bytes: Uint8Array,
    factory: AggregateFactory<A>,
  ): Pane<A> {
    if (!(bytes instanceof Uint8Array)) throw invalidSketch('a pane image must be a Uint8Array', 0)
    const reader = new ByteReader(bytes)
    readEnvelope(reader, 'pane', PANE_FORMAT)
    const flags = reader.u8()
    if (flags !== 0) throw invalidSketch(`unknown pane flags 0x${flags.toString(16)}`, reader.offset - 1)
    const sourceLength = reader.u16()
    if (sourceLength > MAX_SOURCE_BYTES)
      throw invalidSketch(
        `the source id is ${sourceLength} bytes (at most ${MAX_SOURCE_BYTES})`,
        reader.offset - 2,
      )
    const source = reader.utf8(sourceLength)
    const at = reader.offset
    const start = reader.i64()
    if (start > BigInt(Number.MAX_SAFE_INTEGER) || start < BigInt(Number.MIN_SAFE_INTEGER))
      throw invalidSketch(`pane start ${start} is out of range`, at)
    const startMs = Number(start)
    const durationMs = reader.u64Safe('duration')
    const events = reader.u64Safe('event count')
    const late = reader.u64Safe('late count')
    checkPaneFields(source, startMs, durationMs, events, late, (message) => invalidSketch(message, at))
    const length = reader.u32()
    const image = reader.bytes(length)
    reader.end()
    let aggregate: A
    try {
      aggregate = factory.fromBytes(image)
    } catch (err) {
      if (isShoalError(err, 'ERR_INVALID_SKETCH')) throw err
      throw new ShoalError(
        'ERR_INVALID_SKETCH',
        `the pane's aggregate could not be read: ${err instanceof Error ? err.message : String(err)} (at byte ${bytes.length - length})`,
        { cause: err, details: { offset: bytes.length - length } },
      )
    }
    return new Pane({ source, startMs, durationMs, events, late, aggregate })
  }
}

function checkPaneFields(
  source: string,
  startMs: number,
  durationMs: number,
  events: number,
  late: number,
  fail: (message: string) => Error,
): void {
  if (typeof source !== 'string' || UTF8.encode(source).length > MAX_SOURCE_BYTES)
    throw fail(`a pane source must be a string of at most ${MAX_SOURCE_BYTES} UTF-8 bytes`)
  if (!Number.isSafeInteger(durationMs) || durationMs <= 0)
    throw fail(`a pane duration must be a positive whole number of milliseconds, got ${durationMs}`)
  if (!Number.isSafeInteger(startMs) || startMs % durationMs !== 0)
    throw fail(`a pane start must be a multiple of its duration (${durationMs} ms), got ${startMs}`)
  if (!Number.isSafeInteger(startMs + durationMs)) throw fail(`a pane end must be a safe integer`)
  if (!Number.isSafeInteger(events) || events < 0)
    throw fail(`a pane event count must be a non-negative integer, got ${events}`)
  if (!Number.isSafeInteger(late) || late < 0)
    throw fail(`a pane late count must be a non-negative integer, got ${late}`)
}
