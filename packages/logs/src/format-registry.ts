import { accessParser } from './access/access-parsers.js'
import { ACCESS_PRESETS } from './access/presets.js'
import { apacheErrorParser } from './error-log/apache-error-parser.js'
import { jsonLinesParser } from './formats/json-lines.js'
import { logfmtParser } from './formats/logfmt.js'
import { syslogParser } from './formats/syslog.js'
import { w3cParser } from './formats/w3c.js'
import type { LineParser } from './line-parser.js'
import type { SkipLine } from './skip-line.js'
import type { InvalidUtf8Policy } from './text.js'

/** Options of {@link createParser}: each applies to the formats that have it. */
export interface CreateParserOptions {
  /** Access logs: `strict` or `lenient` (default). */
  readonly mode?: 'strict' | 'lenient' | undefined
  /** nginx formats: the `escape=` of the `log_format` (default `default`). */
  readonly escape?: 'default' | 'json' | 'none' | undefined
  /** Every format: what to do with text that is not valid UTF-8 (default `replace`). */
  readonly invalidUtf8?: InvalidUtf8Policy | undefined
}

/** The names {@link createParser} knows besides the access-log presets. */
const OTHER_FORMATS = ['apache_error', 'syslog', 'w3c', 'json', 'logfmt'] as const

/**
 * Every named format: the access-log presets ({@link ACCESS_PRESETS}), then `apache_error`,
 * `syslog` (RFC 5424 and 3164), `w3c` (extended log files), `json` (JSON lines) and `logfmt`.
 * Ordered from the most specific to the least, which is how {@link detect} breaks ties.
 */
export const FORMAT_NAMES: readonly string[] = [
  ...Object.keys(ACCESS_PRESETS).sort((a, b) => specificity(b) - specificity(a)),
  ...OTHER_FORMATS,
]

function specificity(preset: string): number {
  const definition = ACCESS_PRESETS[preset]
  if (definition === undefined) return 0
  const fields = (definition.format.match(/[%$]/g) ?? []).length
  // between two presets that read the same lines, Apache's names are the expected answer
  return fields * 2 + (definition.syntax === 'apache' ? 1 : 0)
}

/**
 * A parser for a format name ({@link FORMAT_NAMES}) or an access-log format string (Apache
 * `LogFormat` or nginx `log_format`). Throws `ERR_INVALID_FORMAT` for a bad format string.
 *
 * @example
 * ```ts
 * const parser = createParser('syslog')
 * const custom = createParser('%h %t "%r" %>s %D')
 * ```
 */
export function createParser(formatOrName: string, options: CreateParserOptions = {}): LineParser<unknown> {
  const policy = { invalidUtf8: options.invalidUtf8 }
  switch (formatOrName) {
    case 'apache_error':
      return apacheErrorParser(policy)
    case 'syslog':
      return syslogParser(policy)
    case 'w3c':
      return w3cParser(policy) as LineParser<unknown | SkipLine>
    case 'json':
      return jsonLinesParser(policy)
    case 'logfmt':
      return logfmtParser(policy)
    default:
      return accessParser(formatOrName, options)
  }
}
