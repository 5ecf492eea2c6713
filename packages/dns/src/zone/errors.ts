import { ShoalError } from '@shoal/core'

/** The codes of zone file errors: text that cannot be read, or a zone that cannot be served. */
export type ZoneErrorCode = 'ERR_ZONE_SYNTAX' | 'ERR_ZONE_INVALID'

/** Something in a zone file that works but deserves a look (the zone still loads). */
export interface ZoneWarning {
  /** The file, as given to the parser (`options.file`, or the `$INCLUDE` path). */
  readonly file: string
  /** The 1-based line. */
  readonly line: number
  /** What to look at, for a person. */
  readonly message: string
}

/** The most errors collected from one zone before the parser stops reading. */
export const DEFAULT_MAX_ERRORS = 100

/**
 * One error of a zone file: a {@link ShoalError} whose message starts with `file:line:` and whose
 * details hold `{ file, line }`.
 */
export function zoneIssue(code: ZoneErrorCode, file: string, line: number, message: string): ShoalError {
  return new ShoalError(code, `${file}:${line}: ${message}`, { details: { file, line } })
}

/**
 * The error `parseZone` and `loadZoneFile` throw: the first error's code, `file` and `line`, a
 * message that lists every error, and in `details.errors` each error on its own (a
 * {@link ShoalError} with `{ file, line }`), `details.warnings` and `details.truncated` (whether the
 * parser stopped at the error cap).
 */
export function zoneFailure(
  errors: readonly ShoalError[],
  warnings: readonly ZoneWarning[],
  truncated: boolean,
): ShoalError {
  const first = errors[0] as ShoalError
  const more = truncated ? `, and more after the first ${errors.length} (the rest was not read)` : ''
  const message =
    errors.length === 1
      ? first.message
      : `${errors.length} errors in the zone${more}:\n${errors.map((e) => `  ${e.message}`).join('\n')}`
  return new ShoalError(first.code, message, {
    details: { file: first.details.file, line: first.details.line, errors, warnings, truncated },
  })
}
