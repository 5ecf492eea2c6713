import type { Random } from '@shoal/core'

/**
 * How long a datagram takes on a link, in virtual ms. Random delays reorder datagrams.
 *
 * @example
 * ```ts
 * const lan: DelayDistribution = { kind: 'uniform', min: 0.1, max: 2 }
 * const wan: DelayDistribution = { kind: 'normal', mean: 40, stddev: 10 }
 * ```
 */
export type DelayDistribution =
  | { readonly kind: 'constant'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly min: number; readonly max: number }
  /** `min` plus an exponential tail of mean `mean` (a long tail of late datagrams). */
  | { readonly kind: 'exponential'; readonly mean: number; readonly min?: number }
  /** Normal around `mean`, cut at 0 (Box–Muller). */
  | { readonly kind: 'normal'; readonly mean: number; readonly stddev: number }

/**
 * The behaviour of one direction of a link (from one node to another). Links are directed, so
 * `a → b` and `b → a` can differ (asymmetric links).
 *
 * @example
 * ```ts
 * const lossy: LinkOptions = { loss: 0.05, duplicate: 0.01, delay: { kind: 'exponential', mean: 3 } }
 * ```
 */
export interface LinkOptions {
  /** Probability in [0, 1] that a datagram is lost. Default 0. */
  readonly loss?: number
  /** Probability in [0, 1] that a datagram is delivered twice. Default 0. */
  readonly duplicate?: number
  /** Delay distribution. Default constant 1 ms. */
  readonly delay?: DelayDistribution
  /** Bytes per second the link carries; datagrams queue behind each other. Default unlimited. */
  readonly bandwidth?: number
  /** Bytes that may wait in the link's queue; a datagram that does not fit is dropped. Default unlimited. */
  readonly queueBytes?: number
  /** `false` cuts this direction (datagrams dropped as `down`). Default `true`. */
  readonly up?: boolean
}

/**
 * Draws one delay (ms, ≥ 0) from a distribution.
 *
 * @example
 * ```ts
 * import { createRandom } from '@shoal/core'
 * sampleDelay({ kind: 'constant', ms: 3 }, createRandom(1)) // 3
 * ```
 */
export function sampleDelay(delay: DelayDistribution, random: Random): number {
  switch (delay.kind) {
    case 'constant':
      return delay.ms
    case 'uniform':
      return delay.min + (delay.max - delay.min) * random.next()
    case 'exponential':
      return (delay.min ?? 0) - delay.mean * Math.log(1 - random.next())
    case 'normal': {
      const u = 1 - random.next()
      const v = random.next()
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
      return Math.max(0, delay.mean + delay.stddev * z)
    }
  }
}
