import { ShoalError } from '@shoal/core'

/**
 * The error of a pool configuration that cannot be compiled: code `ERR_DNS_CONFIG`, a message that
 * starts with where the problem is (`pools.www.chain[2]`) and says what to change, and that path
 * in `details.path`.
 */
export function configError(path: string, message: string): ShoalError {
  return new ShoalError('ERR_DNS_CONFIG', `${path}: ${message}`, { details: { path } })
}

/** Throws {@link configError} when `value` is not a plain object with only the `allowed` keys. */
export function checkObject(
  value: unknown,
  path: string,
  allowed: readonly string[],
): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw configError(path, `expected an object, got ${describe(value)}`)
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      throw configError(path, `unknown field "${key}" (known: ${allowed.join(', ')})`)
  }
  return value as Record<string, unknown>
}

/** A short description of a configuration value for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  if (typeof value === 'object') return 'an object'
  return String(value)
}
