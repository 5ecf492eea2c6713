/**
 * A stable, machine-readable error code: `ERR_` followed by upper snake case.
 * Codes never change meaning once published; check them instead of `instanceof`.
 */
export type ShoalErrorCode = `ERR_${string}`

/** Options of {@link ShoalError}: the standard `cause` plus structured details. */
export interface ShoalErrorOptions extends ErrorOptions {
  /** Structured facts about the failure (a position, a limit, a name) for programs to read. */
  readonly details?: Readonly<Record<string, unknown>> | undefined
}

/**
 * The one error class of every shoal package.
 *
 * @example
 * ```ts
 * try { compile('%{') } catch (err) { if (isShoalError(err, 'ERR_INVALID_FORMAT')) report(err.details) }
 * ```
 */
export class ShoalError extends Error {
  /** The stable code that says what went wrong. */
  readonly code: ShoalErrorCode
  /** Structured facts about the failure, empty when there are none. */
  readonly details: Readonly<Record<string, unknown>>

  /**
   * @param code - stable code, `ERR_UPPER_SNAKE`
   * @param message - a sentence a person can act on
   * @param options - `cause` and structured `details`
   */
  constructor(code: ShoalErrorCode, message: string, options: ShoalErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ShoalError'
    this.code = code
    this.details = options.details ?? {}
  }
}

/**
 * Whether `err` is a {@link ShoalError}, optionally with the given code. Works across duplicate
 * copies of this package (ESM and CommonJS, or two installed versions), where `instanceof` does not.
 */
export function isShoalError(err: unknown, code?: ShoalErrorCode): err is ShoalError {
  if (!(err instanceof Error) || err.name !== 'ShoalError') return false
  const actual = (err as { code?: unknown }).code
  return typeof actual === 'string' && (code === undefined || actual === code)
}

/** Builds the `ERR_INVALID_ARGUMENT` error that public functions throw at once on bad input. */
export function invalidArgument(message: string, details?: Readonly<Record<string, unknown>>): ShoalError {
  return new ShoalError('ERR_INVALID_ARGUMENT', message, { details })
}
