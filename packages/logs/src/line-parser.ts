import type { LineFailure } from './bad-line.js'

/** The result of {@link LineParser.parseLine}. */
export type LineResult<R> =
  | { readonly ok: true; readonly record: R }
  | { readonly ok: false; readonly failure: LineFailure }

/**
 * A parser of one log format, line by line. Every format in this package (Apache, nginx,
 * syslog, W3C, JSON lines, logfmt) is one of these, and every stream reader takes one.
 *
 * Parsers never throw on bad data: a line that does not fit comes back as a {@link LineFailure}.
 * Parsers of self-describing formats (W3C `#Fields`) keep state between lines: use one parser
 * per stream.
 */
export interface LineParser<R> {
  /** The format's name, e.g. `combined` or the format string it was compiled from. */
  readonly name: string
  /**
   * Parses one line given as a *binary string*: each character holds one byte of the line
   * (what `buffer.toString('latin1')` gives), without the line end. This is the fast path the
   * stream readers use: chunks are decoded once, losslessly, and only fields holding bytes
   * ≥ 0x80 are decoded again as UTF-8.
   *
   * @param ascii - a hint from the caller: true when the line is known to hold no byte ≥ 0x80
   * @returns the record, or a {@link LineFailure} saying why the line was rejected
   */
  parseBinary(line: string, ascii?: boolean): R | LineFailure
  /**
   * Parses one line of text (a JavaScript string as usual) or of bytes, without the line end.
   */
  parseLine(line: string | Uint8Array): LineResult<R>
}
