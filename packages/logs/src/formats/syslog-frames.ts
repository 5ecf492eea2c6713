import { invalidArgument } from '@shoal/core'
import { type BadLine, SAMPLE_CHARS } from '../bad-line.js'
import type { BadLineLog } from '../bad-line-log.js'
import { DEFAULT_MAX_LINE_BYTES, type LineSink, type LineSplitterOptions } from '../line-splitter.js'
import { BatchSink, type ByteSource, type ParseOptions, type RecordBatch } from '../parse-stream.js'
import { SyslogParser, type SyslogParserOptions, type SyslogRecord } from './syslog.js'

/** Receives what a {@link SyslogFramer} finds: frames, oversize frames and a frame cut short by the end of the stream. */
export interface SyslogFrameSink extends LineSink {
  /**
   * The stream ended inside an octet-counted frame.
   * @param frame - the frame's 1-based number
   * @param offset - the byte offset of its first byte (its MSG-LEN)
   * @param sample - the frame's first bytes, as a binary string
   * @param missing - how many bytes the frame still lacked
   */
  truncated(frame: number, offset: number, sample: string, missing: number): void
}

const LF = 10
const CR = 13
const SP = 32
/** MSG-LEN longer than this many digits is not taken for a length (the frame is then read as a line). */
const MAX_LENGTH_DIGITS = 10

enum Mode {
  Start,
  Length,
  Octets,
  Line,
  SkipOctets,
  SkipLine,
}

/**
 * Splits a syslog TCP byte stream into messages (RFC 6587), across chunk boundaries, in bounded
 * memory. Each frame is told apart by its first byte, as RFC 6587 §3.4 permits:
 *
 * - **octet counting** (§3.4.1): `MSG-LEN SP SYSLOG-MSG`, MSG-LEN a decimal without leading zero:
 *   exactly MSG-LEN bytes follow, newlines included;
 * - **non-transparent framing** (§3.4.2): anything else is a message ended by LF (a CR before it
 *   is dropped, as is a last message without LF at the end of the stream).
 *
 * CR and LF between frames are skipped, so octet-counted frames may be followed by a newline.
 * A frame longer than `maxLineBytes` is reported once through `sink.oversize` and skipped: an
 * octet-counted one by its length (the framing stays in step), a newline-ended one up to its LF.
 * A non-transparent message that starts with a nonzero digit followed by digits and a space is
 * read as octet-counted: RFC 6587 expects such messages to start with `<`.
 *
 * Frames are handed out as binary strings (one character per byte), the input of
 * {@link SyslogParser.parseBinary}; `Buffer.from(frame, 'latin1')` gives the bytes back.
 */
export class SyslogFramer {
  readonly #max: number
  #mode = Mode.Start
  #carry = ''
  #need = 0
  #length = 0
  #frameStart = 0
  // Whether the sample of a line being skipped stopped short of the line.
  #sampleCut = false
  #frame: number
  #offset: number
  #consumed: number

  /** @param options - `maxLineBytes` (the longest frame, default 65,536), `startOffset`, `startLine` */
  constructor(options: LineSplitterOptions = {}) {
    const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
    if (!Number.isSafeInteger(max) || max < 1)
      throw invalidArgument(`maxLineBytes must be a positive integer, got ${max}`)
    this.#max = max
    this.#offset = options.startOffset ?? 0
    this.#consumed = this.#offset
    this.#frame = options.startLine ?? 0
  }

  /** Number of the last complete frame handed out (1-based). */
  get frame(): number {
    return this.#frame
  }

  /** Byte offset just past the last complete frame: where to resume without repeating or losing one. */
  get offset(): number {
    return this.#offset
  }

  /** Feeds one chunk, handing every frame it completes to `sink`. */
  push(chunk: Uint8Array | string, sink: SyslogFrameSink): void {
    const text = typeof chunk === 'string' ? chunk : latin1(chunk)
    const base = this.#consumed
    this.#consumed += text.length
    const n = text.length
    let i = 0
    while (i < n) {
      switch (this.#mode) {
        case Mode.Start: {
          const c = text.charCodeAt(i)
          if (c === LF || c === CR) {
            i++
            this.#offset = base + i
            break
          }
          this.#frameStart = base + i
          this.#carry = ''
          if (c >= 49 && c <= 57) {
            this.#mode = Mode.Length
            this.#length = 0
          } else this.#mode = Mode.Line
          break
        }
        case Mode.Length: {
          const from = i
          let digits = this.#carry.length
          while (i < n && digits <= MAX_LENGTH_DIGITS) {
            const d = text.charCodeAt(i) - 48
            if (d < 0 || d > 9) break
            this.#length = this.#length * 10 + d
            digits++
            i++
          }
          this.#carry += text.slice(from, i)
          if (i === n) break
          if (text.charCodeAt(i) === SP && digits <= MAX_LENGTH_DIGITS) {
            i++
            this.#carry = ''
            this.#need = this.#length
            this.#mode = this.#length > this.#max ? Mode.SkipOctets : Mode.Octets
          } else this.#mode = Mode.Line // not a length after all: the digits start a line
          break
        }
        case Mode.Octets: {
          const take = Math.min(this.#need, n - i)
          const piece = text.slice(i, i + take)
          i += take
          this.#need -= take
          if (this.#need > 0) {
            this.#carry += piece
            break
          }
          const frame = this.#carry.length === 0 ? piece : this.#carry + piece
          this.#carry = ''
          this.#finish(base + i)
          sink.line(frame, this.#frame, this.#frameStart)
          break
        }
        case Mode.SkipOctets: {
          const take = Math.min(this.#need, n - i)
          if (this.#carry.length < SAMPLE_CHARS)
            this.#carry += text.slice(i, i + Math.min(take, SAMPLE_CHARS - this.#carry.length))
          i += take
          this.#need -= take
          if (this.#need > 0) break
          const sample = this.#carry
          this.#carry = ''
          this.#finish(base + i)
          sink.oversize(this.#frame, this.#frameStart, sample)
          break
        }
        case Mode.Line: {
          const nl = text.indexOf('\n', i)
          if (nl < 0) {
            this.#carry += text.slice(i)
            i = n
            // +1: the CR of a CRLF may arrive before its LF
            if (this.#carry.length > this.#max + 1) {
              this.#sampleCut = this.#carry.length > SAMPLE_CHARS
              if (this.#sampleCut) this.#carry = this.#carry.slice(0, SAMPLE_CHARS)
              this.#mode = Mode.SkipLine
            }
            break
          }
          let frame = this.#carry.length === 0 ? text.slice(i, nl) : this.#carry + text.slice(i, nl)
          this.#carry = ''
          i = nl + 1
          if (frame.charCodeAt(frame.length - 1) === CR) frame = frame.slice(0, -1)
          this.#finish(base + i)
          if (frame.length > this.#max)
            sink.oversize(this.#frame, this.#frameStart, frame.slice(0, SAMPLE_CHARS))
          else sink.line(frame, this.#frame, this.#frameStart)
          break
        }
        case Mode.SkipLine: {
          const nl = text.indexOf('\n', i)
          this.#extendSample(text, i, nl < 0 ? n : nl)
          if (nl < 0) {
            i = n
            break
          }
          i = nl + 1
          const sample = this.#lineSample()
          this.#finish(base + i)
          sink.oversize(this.#frame, this.#frameStart, sample)
          break
        }
      }
    }
  }

  /** Ends the stream: a last newline-framed message without LF is handed out; a cut octet-counted frame is reported. */
  end(sink: SyslogFrameSink): void {
    const mode = this.#mode
    const carry = this.#carry
    this.#carry = ''
    switch (mode) {
      case Mode.Start:
        return
      case Mode.Length:
      case Mode.Line: {
        const frame = carry.charCodeAt(carry.length - 1) === CR ? carry.slice(0, -1) : carry
        this.#finish(this.#consumed)
        if (frame.length > this.#max)
          sink.oversize(this.#frame, this.#frameStart, frame.slice(0, SAMPLE_CHARS))
        else sink.line(frame, this.#frame, this.#frameStart)
        return
      }
      case Mode.Octets: {
        const missing = this.#need
        this.#finish(this.#consumed)
        sink.truncated(this.#frame, this.#frameStart, carry.slice(0, SAMPLE_CHARS), missing)
        return
      }
      case Mode.SkipOctets:
        this.#finish(this.#consumed)
        sink.oversize(this.#frame, this.#frameStart, carry)
        return
      case Mode.SkipLine: {
        this.#carry = carry
        const sample = this.#lineSample()
        this.#finish(this.#consumed)
        sink.oversize(this.#frame, this.#frameStart, sample)
        return
      }
    }
  }

  /** Adds `text[from, to)` to the sample of a line being skipped, up to SAMPLE_CHARS. */
  #extendSample(text: string, from: number, to: number): void {
    if (this.#sampleCut) return
    const room = SAMPLE_CHARS - this.#carry.length
    if (to - from > room) {
      this.#carry += text.slice(from, from + room)
      this.#sampleCut = true
    } else this.#carry += text.slice(from, to)
  }

  /** The sample of a skipped line, as a whole-line frame would give it (no CR of a CRLF). */
  #lineSample(): string {
    const sample = this.#carry
    this.#carry = ''
    return !this.#sampleCut && sample.charCodeAt(sample.length - 1) === CR ? sample.slice(0, -1) : sample
  }

  #finish(next: number): void {
    this.#frame++
    this.#offset = next
    this.#mode = Mode.Start
  }
}

function latin1(chunk: Uint8Array): string {
  const buffer = Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  return buffer.toString('latin1', 0, buffer.length)
}

function bytesOf(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
}

/** Options of {@link syslogFrames}: the framing limits and where rejected frames go. */
export interface SyslogFramesOptions extends LineSplitterOptions {
  /** Aborts the iteration; it then rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined
  /** Counts every rejected frame (oversize, truncated) and keeps samples. */
  readonly badLines?: BadLineLog | undefined
  /** Called with every rejected frame, as it is found. */
  readonly onBadLine?: ((bad: BadLine) => void) | undefined
}

/** Options of {@link parseSyslogStream}: stream options (`maxLineBytes` is the longest frame) and parser options. */
export interface SyslogStreamOptions extends ParseOptions, SyslogParserOptions {}

function oversizeBad(frame: number, offset: number, sample: string): BadLine {
  return {
    reason: 'oversize',
    line: frame,
    offset,
    column: sample.length,
    message: 'frame longer than maxLineBytes',
    sample,
  }
}

function truncatedBad(frame: number, offset: number, sample: string, missing: number): BadLine {
  return {
    reason: 'missing-field',
    line: frame,
    offset,
    column: sample.length,
    message: `stream ended inside an octet-counted frame, ${missing} bytes short`,
    sample,
  }
}

/** Collects the frames of one chunk for {@link syslogFrames}. */
class FrameCollector implements SyslogFrameSink {
  frames: string[] = []
  readonly #options: SyslogFramesOptions

  constructor(options: SyslogFramesOptions) {
    this.#options = options
  }

  line(text: string): void {
    this.frames.push(text)
  }

  oversize(frame: number, offset: number, sample: string): void {
    this.#reject(oversizeBad(frame, offset, sample))
  }

  truncated(frame: number, offset: number, sample: string, missing: number): void {
    this.#reject(truncatedBad(frame, offset, sample, missing))
  }

  #reject(bad: BadLine): void {
    this.#options.badLines?.add(bad)
    this.#options.onBadLine?.(bad)
  }
}

/**
 * Splits a syslog TCP stream into messages, octet-counted or newline-framed (RFC 6587; see
 * {@link SyslogFramer}). Yields each message as a binary string (one character per byte);
 * oversize and truncated frames go to `onBadLine` and `badLines`, never into the output.
 *
 * @example
 * ```ts
 * for await (const frame of syslogFrames(socket)) handle(parser.parseBinary(frame))
 * ```
 */
export function syslogFrames(source: ByteSource, options: SyslogFramesOptions = {}): AsyncGenerator<string> {
  const framer = new SyslogFramer(options)
  return frames(source, framer, new FrameCollector(options), options.signal)
}

async function* frames(
  source: ByteSource,
  framer: SyslogFramer,
  sink: FrameCollector,
  signal: AbortSignal | undefined,
): AsyncGenerator<string> {
  signal?.throwIfAborted()
  for await (const chunk of source) {
    signal?.throwIfAborted()
    framer.push(bytesOf(chunk), sink)
    if (sink.frames.length > 0) {
      const frames = sink.frames
      sink.frames = []
      yield* frames
    }
  }
  framer.end(sink)
  yield* sink.frames
}

/** Collects one batch of parsed syslog frames: the stream readers' sink, plus truncated frames. */
class SyslogBatchSink extends BatchSink<SyslogRecord> implements SyslogFrameSink {
  constructor(options: SyslogStreamOptions) {
    super(new SyslogParser(options), options)
  }

  override oversize(frame: number, offset: number, sample: string): void {
    this.reject(oversizeBad(frame, offset, sample))
  }

  truncated(frame: number, offset: number, sample: string, missing: number): void {
    this.reject(truncatedBad(frame, offset, sample, missing))
  }
}

/**
 * Parses a syslog TCP stream (octet-counted or newline-framed, RFC 6587) into one
 * {@link RecordBatch} per input chunk. In the batches, `line` counts frames, not lines, and
 * `offset` is the byte offset just past the last complete frame. Bad frames never stop the
 * stream: they come back in `errors` (reason `oversize`, `missing-field` for a frame cut short
 * by the end of the stream, or whatever the parser says).
 *
 * @example
 * ```ts
 * for await (const batch of parseSyslogStream(socket, { timeZone: 'local' })) {
 *   for (const record of batch.records) handle(record.appName, record.message)
 * }
 * ```
 * @throws ShoalError `ERR_INVALID_ARGUMENT` at once for a bad option
 */
export function parseSyslogStream(
  source: ByteSource,
  options: SyslogStreamOptions = {},
): AsyncGenerator<RecordBatch<SyslogRecord>> {
  const framer = new SyslogFramer(options)
  return batches(source, framer, new SyslogBatchSink(options), options.signal)
}

async function* batches(
  source: ByteSource,
  framer: SyslogFramer,
  sink: SyslogBatchSink,
  signal: AbortSignal | undefined,
): AsyncGenerator<RecordBatch<SyslogRecord>> {
  signal?.throwIfAborted()
  for await (const chunk of source) {
    signal?.throwIfAborted()
    framer.push(bytesOf(chunk), sink)
    if (sink.pending) yield sink.take({ line: framer.frame, offset: framer.offset })
  }
  framer.end(sink)
  if (sink.pending) yield sink.take({ line: framer.frame, offset: framer.offset })
}
