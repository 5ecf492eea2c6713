import { createReadStream } from 'node:fs'
import type { AbortOptions } from '@shoal/core'
import { type BadLine, badLine, LineFailure } from './bad-line.js'
import type { BadLineLog } from './bad-line-log.js'
import type { LineParser } from './line-parser.js'
import { type LineSink, LineSplitter, type LineSplitterOptions } from './line-splitter.js'
import { SKIP_LINE, type SkipLine } from './skip-line.js'

/** Bytes to parse: a Node `Readable`, any (async) iterable of chunks. Strings are taken as UTF-8 text. */
export type ByteSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>

/** Options of {@link parseBatches}, {@link parseRecords} and {@link parseBuffer}. */
export interface ParseOptions extends AbortOptions, LineSplitterOptions {
  /** Empty lines are counted and skipped (default); `false` reports them as bad lines with reason `empty`. */
  readonly skipEmpty?: boolean | undefined
  /** Counts every rejected line and keeps samples. */
  readonly badLines?: BadLineLog | undefined
  /** Called with every rejected line, as it is found. */
  readonly onBadLine?: ((bad: BadLine) => void) | undefined
}

/** The records and rejected lines of one chunk of input, in line order within each array. */
export interface RecordBatch<R> {
  /** Records parsed from the lines this chunk completed. */
  readonly records: R[]
  /** Lines rejected, with their line numbers and offsets. */
  readonly errors: BadLine[]
  /** Empty lines skipped. */
  readonly emptyLines: number
  /** Number of the last line this batch covers (1-based; 0 before any line). */
  readonly line: number
  /** Byte offset just past the last complete line: a checkpoint to resume from. */
  readonly offset: number
}

/** The most input bytes one batch covers. */
const BATCH_BYTES = 64 * 1024

const EMPTY = new LineFailure('empty', 0, 'empty line')

/** Collects one batch; the splitter calls it for every line. Shared with the file followers (not public API). */
export class BatchSink<R> implements LineSink {
  records: Exclude<R, SkipLine>[] = []
  errors: BadLine[] = []
  emptyLines = 0
  readonly #parser: LineParser<R>
  readonly #skipEmpty: boolean
  readonly #options: ParseOptions

  constructor(parser: LineParser<R>, options: ParseOptions) {
    this.#parser = parser
    this.#skipEmpty = options.skipEmpty ?? true
    this.#options = options
  }

  line(text: string, line: number, offset: number, ascii?: boolean): void {
    if (text.length === 0) {
      if (this.#skipEmpty) this.emptyLines++
      else this.reject(badLine(EMPTY, text, line, offset))
      return
    }
    const result = this.#parser.parseBinary(text, ascii)
    if (result === SKIP_LINE) return
    if (result instanceof LineFailure) this.reject(badLine(result, text, line, offset))
    else this.records.push(result as Exclude<R, SkipLine>)
  }

  oversize(line: number, offset: number, sample: string): void {
    this.reject({
      reason: 'oversize',
      line,
      offset,
      column: sample.length,
      message: 'line longer than maxLineBytes',
      sample,
    })
  }

  /** Whether anything was collected since the last {@link BatchSink.take}. */
  get pending(): boolean {
    return this.records.length > 0 || this.errors.length > 0 || this.emptyLines > 0
  }

  /** Hands out what was collected, positioned at `at` (a splitter's, or a framer's, line and offset). */
  take(at: { readonly line: number; readonly offset: number }): RecordBatch<Exclude<R, SkipLine>> {
    const batch = {
      records: this.records,
      errors: this.errors,
      emptyLines: this.emptyLines,
      line: at.line,
      offset: at.offset,
    }
    this.records = []
    this.errors = []
    this.emptyLines = 0
    return batch
  }

  protected reject(bad: BadLine): void {
    this.errors.push(bad)
    this.#options.badLines?.add(bad)
    this.#options.onBadLine?.(bad)
  }
}

function bytesOf(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
}

/**
 * Parses a byte stream into {@link RecordBatch}es, one per input chunk or per 64 KiB of it,
 * whichever is smaller. Lines may straddle chunks;
 * the last line needs no newline. Bad lines never stop the stream: they come back in `errors`.
 * Lines the parser skips ({@link SKIP_LINE}, such as W3C directives) produce nothing.
 *
 * @example
 * ```ts
 * for await (const batch of parseBatches(createReadStream('access.log'), apacheParser('combined'))) {
 *   for (const record of batch.records) total += record.bytes ?? 0
 * }
 * ```
 */
export async function* parseBatches<R>(
  source: ByteSource,
  parser: LineParser<R>,
  options: ParseOptions = {},
): AsyncGenerator<RecordBatch<Exclude<R, SkipLine>>> {
  const { signal } = options
  signal?.throwIfAborted()
  const splitter = new LineSplitter(options)
  const sink = new BatchSink(parser, options)
  for await (const chunk of source) {
    signal?.throwIfAborted()
    const bytes = bytesOf(chunk)
    // Large chunks are parsed a piece at a time: a batch's records are short-lived garbage, and
    // small batches keep few of them alive when the young generation is collected (≈20 % faster).
    for (let at = 0; at < bytes.length; at += BATCH_BYTES) {
      splitter.push(bytes.length <= BATCH_BYTES ? bytes : bytes.subarray(at, at + BATCH_BYTES), sink)
      if (sink.pending) yield sink.take(splitter)
    }
  }
  splitter.end(sink)
  if (sink.pending) yield sink.take(splitter)
}

/**
 * Parses a byte stream record by record. Rejected lines go to `options.onBadLine` and
 * `options.badLines`; use {@link parseBatches} to receive them in line with the records.
 */
export async function* parseRecords<R>(
  source: ByteSource,
  parser: LineParser<R>,
  options: ParseOptions = {},
): AsyncGenerator<Exclude<R, SkipLine>> {
  for await (const batch of parseBatches(source, parser, options)) yield* batch.records
}

/** Parses a whole buffer or text at once, synchronously, into one {@link RecordBatch}. */
export function parseBuffer<R>(
  data: Uint8Array | string,
  parser: LineParser<R>,
  options: Omit<ParseOptions, 'signal'> = {},
): RecordBatch<Exclude<R, SkipLine>> {
  const splitter = new LineSplitter(options)
  const sink = new BatchSink(parser, options)
  splitter.push(bytesOf(data), sink)
  splitter.end(sink)
  return sink.take(splitter)
}

/** Options of {@link parseFile}. */
export interface ParseFileOptions extends ParseOptions {
  /** Bytes read at a time (default 1 MiB). */
  readonly readChunkBytes?: number | undefined
}

/** Parses a whole file, batch by batch: {@link parseBatches} over a read stream of `path`. */
export async function* parseFile<R>(
  path: string,
  parser: LineParser<R>,
  options: ParseFileOptions = {},
): AsyncGenerator<RecordBatch<Exclude<R, SkipLine>>> {
  const stream = createReadStream(path, { highWaterMark: options.readChunkBytes ?? 1024 * 1024 })
  try {
    yield* parseBatches(stream, parser, options)
  } finally {
    stream.destroy()
  }
}
