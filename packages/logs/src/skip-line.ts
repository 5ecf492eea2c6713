/**
 * What a parser returns for a line that is valid but holds no record: the directives of
 * self-describing formats (W3C `#Fields:`, `#Date:` …). Stream readers drop it silently: it is
 * neither a record nor a bad line.
 *
 * A parser that may skip lines says so in its type, `LineParser<MyRecord | SkipLine>`;
 * {@link parseBatches} and {@link parseRecords} remove `SkipLine` from the record type they
 * produce. Code that calls {@link LineParser.parseBinary} itself compares the result with
 * `SKIP_LINE` before treating it as a record.
 *
 * It is a registered symbol (`Symbol.for`), so two copies of this package agree on it.
 */
export const SKIP_LINE: unique symbol = Symbol.for('@shoal/logs.skip-line')

/** The type of {@link SKIP_LINE}. */
export type SkipLine = typeof SKIP_LINE
