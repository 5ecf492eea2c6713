import { isAscii } from 'node:buffer'
import { invalidArgument } from '@shoal/core'

/** Receives what a {@link LineSplitter} finds. */
export interface LineSink {
  /**
   * A complete line as a binary string (one character per byte), without `\n` or `\r\n`.
   * @param text - the line
   * @param line - its 1-based line number
   * @param offset - the byte offset of its first byte
   * @param ascii - true when the line is known to hold no byte ≥ 0x80 (false or absent: unknown)
   */
  line(text: string, line: number, offset: number, ascii?: boolean): void
  /**
   * A line longer than the limit; its bytes were dropped up to the next newline.
   * @param sample - the line's first bytes, as a binary string
   */
  oversize(line: number, offset: number, sample: string): void
}

/** Options of {@link LineSplitter}. */
export interface LineSplitterOptions {
  /** Longest line accepted, in bytes without the line end (default 65,536). */
  readonly maxLineBytes?: number | undefined
  /** Byte offset of the first byte fed (default 0): set when resuming in the middle of a file. */
  readonly startOffset?: number | undefined
  /** Line number of the first line fed, minus one (default 0). */
  readonly startLine?: number | undefined
}

/** The default {@link LineSplitterOptions.maxLineBytes}. */
export const DEFAULT_MAX_LINE_BYTES = 65_536

const SAMPLE_BYTES = 200
const CR = 13

/**
 * Splits a byte stream into lines across chunk boundaries. Each chunk is decoded once, as
 * latin1 (lossless: one character per byte), and lines are slices of it. A partial line is
 * carried to the next chunk; `\n` and `\r\n` both end a line; a line over `maxLineBytes` is
 * reported once and skipped up to the next newline, so memory stays bounded whatever the input.
 */
export class LineSplitter {
  readonly #maxLineBytes: number
  #carry = ''
  #dropping = false
  #dropSample = ''
  #line: number
  #offset: number
  #consumed: number

  /** @param options - limits and the starting position */
  constructor(options: LineSplitterOptions = {}) {
    const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
    if (!Number.isSafeInteger(max) || max < 1)
      throw invalidArgument(`maxLineBytes must be a positive integer, got ${max}`)
    this.#maxLineBytes = max
    this.#offset = options.startOffset ?? 0
    this.#consumed = this.#offset
    this.#line = options.startLine ?? 0
  }

  /** Number of the last complete line handed out (lines are 1-based). */
  get line(): number {
    return this.#line
  }

  /** Byte offset just past the last complete line: where to resume without repeating or losing a line. */
  get offset(): number {
    return this.#offset
  }

  /** Bytes fed so far (including a partial line still carried), counted from the start offset's origin. */
  get consumed(): number {
    return this.#consumed
  }

  /** Bytes of a partial line waiting for its end. */
  get pending(): number {
    return this.#consumed - this.#offset
  }

  /** Feeds one chunk, handing every line it completes to `sink`. */
  push(chunk: Uint8Array | string, sink: LineSink): void {
    const text = typeof chunk === 'string' ? chunk : latin1(chunk)
    // one native scan of the chunk spares every parser a scan of every line
    const ascii = typeof chunk !== 'string' && isAscii(chunk)
    const base = this.#consumed
    this.#consumed += text.length
    let start = 0
    if (this.#carry.length > 0 || this.#dropping) {
      const nl = text.indexOf('\n')
      if (nl < 0) {
        this.#extendCarry(text)
        return
      }
      if (this.#dropping) {
        this.#growSample(text, nl)
        this.#endDrop(base + nl + 1, sink)
      } else {
        const whole = this.#carry + text.slice(0, nl)
        this.#carry = ''
        this.#emit(whole, base + nl + 1, sink)
      }
      start = nl + 1
    }
    const max = this.#maxLineBytes
    for (;;) {
      const nl = text.indexOf('\n', start)
      if (nl < 0) break
      const end = nl > start && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl
      const line = ++this.#line
      const offset = this.#offset
      this.#offset = base + nl + 1
      if (end - start > max) sink.oversize(line, offset, text.slice(start, start + SAMPLE_BYTES))
      else sink.line(text.slice(start, end), line, offset, ascii)
      start = nl + 1
    }
    if (start < text.length) this.#extendCarry(start === 0 ? text : text.slice(start))
  }

  /** Ends the stream: a last line without a newline is handed out as a line. */
  end(sink: LineSink): void {
    if (this.#dropping) this.#endDrop(this.#consumed, sink)
    else if (this.#carry.length > 0) {
      const last = this.#carry
      this.#carry = ''
      this.#emit(last, this.#consumed, sink)
    }
  }

  /** Forgets a partial line (after a file was truncated or replaced) and restarts at byte `offset`. */
  reset(offset = 0): void {
    this.#carry = ''
    this.#dropping = false
    this.#dropSample = ''
    this.#offset = offset
    this.#consumed = offset
  }

  #extendCarry(text: string): void {
    if (this.#dropping) {
      this.#growSample(text, text.length)
      return
    }
    // +1: the \r of a \r\n line end may arrive before its \n
    if (this.#carry.length + text.length > this.#maxLineBytes + 1) {
      this.#dropping = true
      this.#dropSample = this.#carry.slice(0, SAMPLE_BYTES)
      this.#carry = ''
      this.#growSample(text, text.length)
      return
    }
    this.#carry = this.#carry.length === 0 ? text : this.#carry + text
  }

  /** Adds the start of `text[0, end)` to the sample of a line being dropped, up to the sample size. */
  #growSample(text: string, end: number): void {
    const room = SAMPLE_BYTES - this.#dropSample.length
    if (room > 0) this.#dropSample += text.slice(0, Math.min(end, room))
  }

  #endDrop(next: number, sink: LineSink): void {
    const line = ++this.#line
    const offset = this.#offset
    this.#offset = next
    this.#dropping = false
    const sample = this.#dropSample
    this.#dropSample = ''
    sink.oversize(line, offset, sample)
  }

  #emit(whole: string, next: number, sink: LineSink): void {
    const line = ++this.#line
    const offset = this.#offset
    this.#offset = next
    const text = whole.length > 0 && whole.charCodeAt(whole.length - 1) === CR ? whole.slice(0, -1) : whole
    if (text.length > this.#maxLineBytes) sink.oversize(line, offset, text.slice(0, SAMPLE_BYTES))
    else sink.line(text, line, offset, false)
  }
}

function latin1(chunk: Uint8Array): string {
  const buffer = Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  return buffer.toString('latin1', 0, buffer.length)
}
