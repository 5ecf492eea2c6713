/**
 * Why a line was not accepted. Bad data is always reported as one of these, never thrown.
 *
 * - `literal-mismatch`: text between fields differs from the format (wrong format, or a damaged line)
 * - `unterminated-quote`: a quoted field never closes
 * - `bad-int`, `bad-number`: a numeric field holds something else
 * - `bad-time`: a timestamp does not match its layout or names an impossible date
 * - `missing-field`: the line ends before the format does
 * - `trailing-data`: strict mode, the line goes on after the last field
 * - `oversize`: the line is longer than `maxLineBytes` (reported once; the reader resyncs at the next newline)
 * - `encoding`: a field is not valid UTF-8 and the policy is `reject`
 * - `empty`: the line is empty or blank
 * - `syntax`: the line breaks the grammar of a self-describing format (JSON, logfmt, syslog, W3C)
 */
export type BadLineReason =
  | 'literal-mismatch'
  | 'unterminated-quote'
  | 'bad-int'
  | 'bad-number'
  | 'bad-time'
  | 'missing-field'
  | 'trailing-data'
  | 'oversize'
  | 'encoding'
  | 'empty'
  | 'syntax'

/** Every {@link BadLineReason}, in a stable order (for counters and reports). */
export const BAD_LINE_REASONS: readonly BadLineReason[] = [
  'literal-mismatch',
  'unterminated-quote',
  'bad-int',
  'bad-number',
  'bad-time',
  'missing-field',
  'trailing-data',
  'oversize',
  'encoding',
  'empty',
  'syntax',
]

/**
 * What a parser says about one line it could not accept: the reason, where in the line
 * (0-based column, in bytes for lines read from bytes) and a sentence for people.
 */
export class LineFailure {
  /** Why the line was rejected. */
  readonly reason: BadLineReason
  /** Where the parser stopped, as a 0-based column of the line. */
  readonly column: number
  /** A human-readable explanation, naming the field or literal expected. */
  readonly message: string

  /**
   * @param reason - why the line was rejected
   * @param column - where the parser stopped
   * @param message - a human-readable explanation
   */
  constructor(reason: BadLineReason, column: number, message: string) {
    this.reason = reason
    this.column = column
    this.message = message
  }
}

/** The longest {@link BadLine.sample} kept, in characters. */
export const SAMPLE_CHARS = 200

/** A rejected line, located in its stream. */
export interface BadLine {
  /** Why the line was rejected. */
  readonly reason: BadLineReason
  /** 1-based line number in the stream. */
  readonly line: number
  /** Byte offset of the line's first byte in the stream. */
  readonly offset: number
  /** Where in the line the parser stopped (0-based). */
  readonly column: number
  /** A human-readable explanation. */
  readonly message: string
  /** The start of the line (at most {@link SAMPLE_CHARS} characters), for people to look at. */
  readonly sample: string
}

/** Builds the {@link BadLine} record for a failure at `line`/`offset` of a stream. */
export function badLine(failure: LineFailure, text: string, line: number, offset: number): BadLine {
  return {
    reason: failure.reason,
    line,
    offset,
    column: failure.column,
    message: failure.message,
    sample: text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text,
  }
}
