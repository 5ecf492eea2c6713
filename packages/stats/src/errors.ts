import { ShoalError } from '@shoal/core'

/**
 * The error for bytes that are not a valid serialized sketch: code `ERR_INVALID_SKETCH`, with
 * the offset where reading stopped in `details`. Deserializers throw it (and nothing else) for
 * any malformed, truncated or hostile input.
 */
export function invalidSketch(message: string, offset: number): ShoalError {
  return new ShoalError('ERR_INVALID_SKETCH', `${message} (at byte ${offset})`, { details: { offset } })
}

/** The error for merging two sketches that cannot be merged (different kinds or parameters). */
export function incompatibleSketches(message: string): ShoalError {
  return new ShoalError('ERR_INCOMPATIBLE_SKETCH', message)
}
