import { ShoalError } from '@shoal/core'

/**
 * The error thrown when a format string cannot be compiled: code `ERR_INVALID_FORMAT`, with the
 * format and the 0-based position of the problem in `details`.
 */
export function formatError(format: string, position: number, problem: string): ShoalError {
  const pointer = `${format}\n${' '.repeat(Math.max(0, position))}^`
  return new ShoalError(
    'ERR_INVALID_FORMAT',
    `${problem} at position ${position} of the format:\n${pointer}`,
    {
      details: { format, position },
    },
  )
}
