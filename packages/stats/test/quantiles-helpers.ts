import { isShoalError, type Random } from '@shoal/core'

/** A standard normal draw (Box–Muller). */
export function normal(random: Random): number {
  const u = random.next() || Number.MIN_VALUE
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next())
}

/** Latencies in µs: lognormal around 8.2 ms with a 1 % tail twenty times slower. */
export function latencies(random: Random, n: number): Float64Array {
  const values = new Float64Array(n)
  for (let i = 0; i < n; i++)
    values[i] = Math.exp(Math.log(8200) + normal(random)) * (random.next() < 0.01 ? 20 : 1)
  return values
}

/** Uniform values in [lo, hi). */
export function uniform(random: Random, n: number, lo: number, hi: number): Float64Array {
  const values = new Float64Array(n)
  for (let i = 0; i < n; i++) values[i] = lo + (hi - lo) * random.next()
  return values
}

/** Negatives, zeros and positives over many magnitudes (10^−6 … 10^9). */
export function mixedSigns(random: Random, n: number): Float64Array {
  const values = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const kind = random.next()
    const magnitude = 10 ** (-6 + 15 * random.next())
    values[i] = kind < 0.05 ? 0 : kind < 0.4 ? -magnitude : magnitude
  }
  return values
}

/** Sorted copy. */
export function sorted(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort()
}

/** Whether `fn` throws a ShoalError with `code` (anything else fails the test by rethrowing). */
export function throwsCode(fn: () => unknown, code: `ERR_${string}`): boolean {
  try {
    fn()
    return false
  } catch (err) {
    if (isShoalError(err, code)) return true
    throw err
  }
}

/** Applies a few random edits (set, insert, delete, truncate) to a copy of `bytes`. */
export function mutate(bytes: Uint8Array, random: Random): Uint8Array {
  let out = Array.from(bytes)
  const edits = 1 + random.int(4)
  for (let e = 0; e < edits; e++) {
    const kind = random.int(5)
    const at = out.length === 0 ? 0 : random.int(out.length)
    if (kind === 0 || kind === 1) {
      if (out.length > 0) out[at] = random.int(256)
    } else if (kind === 2) out.splice(at, 0, random.int(256))
    else if (kind === 3) out.splice(at, 1)
    else out = out.slice(0, at)
  }
  return Uint8Array.from(out)
}
