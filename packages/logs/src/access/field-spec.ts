/**
 * How a field's text is read and turned into a value.
 *
 * - `string`: text, unescaped and decoded; `-` is null
 * - `int`: a decimal integer; `-` is null
 * - `bytes`: a byte count where `-` means 0 (Apache `%b`)
 * - `number`: a decimal number; `-` is null
 * - `duration`: a number scaled to microseconds by {@link FieldSpec.scale}
 * - `durations`: a list of durations (nginx `$upstream_response_time`: `0.010, 0.004 : -`)
 * - `hex-int`: a hexadecimal integer
 * - `clf-time`: `dd/Mon/yyyy:HH:MM:SS ±zzzz`, bracketed when {@link FieldSpec.bracketed}
 * - `strftime`: a time in the layout {@link FieldSpec.pattern}
 * - `iso-time`: an ISO 8601 / RFC 3339 time
 * - `epoch`: seconds since the epoch times {@link FieldSpec.scale} (to milliseconds)
 * - `time-fraction`: a fraction of a second added to the time field before it
 * - `request`: a request line, split into method, target and protocol
 */
export type FieldKind =
  | 'string'
  | 'int'
  | 'bytes'
  | 'number'
  | 'duration'
  | 'durations'
  | 'hex-int'
  | 'clf-time'
  | 'strftime'
  | 'iso-time'
  | 'epoch'
  | 'time-fraction'
  | 'request'

/** One field of a compiled format. */
export interface FieldSpec {
  /** The record property the value goes to (for `request`: the raw request line). */
  readonly name: string
  /** How the text is read. */
  readonly kind: FieldKind
  /** The directive or variable as written in the format, e.g. `%>s` or `$status`. */
  readonly directive: string
  /** Multiplier for `duration` (to µs), `epoch` (to ms) and `time-fraction` (to ms). */
  readonly scale: number
  /** Whether a `clf-time` value carries its own `[` `]`. */
  readonly bracketed: boolean
  /** The strftime layout of a `strftime` field. */
  readonly pattern: string
}

/** Builds a {@link FieldSpec} with defaults for the parts a kind does not use. */
export function fieldSpec(
  name: string,
  kind: FieldKind,
  directive: string,
  extra: Partial<FieldSpec> = {},
): FieldSpec {
  return { name, kind, directive, scale: 1, bracketed: false, pattern: '', ...extra }
}

/** A piece of a compiled format: literal text, or a field. */
export type Segment = { readonly literal: string } | { readonly field: FieldSpec }

/** camelCase of a header or variable name: `X-Forwarded-For` → `xForwardedFor`, `UNIQUE_ID` → `uniqueId`. */
export function camelName(name: string, prefix = ''): string {
  const words = name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0)
  const joined = words
    .map((word, i) => (i === 0 && prefix === '' ? word : word.charAt(0).toUpperCase() + word.slice(1)))
    .join('')
  return prefix + joined
}
