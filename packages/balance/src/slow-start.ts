import { invalidArgument } from '@shoal/core'

/**
 * Slow start (Envoy's formula): a backend that was just added, or just came back up, gets
 * `weight × max(minWeightPercent / 100, (max(t, 1) / window) ^ (1 / aggression))` for the first
 * `windowMs` milliseconds, so a cold JVM or an empty cache is not handed its full share at once.
 *
 * The ramp changes the effective weight that the weighted and load-aware pickers read. Keyed
 * placements (rings, Maglev, rendezvous) are built from the configured weight, so a key's home
 * does not move while a backend warms up, and every process agrees on it (Envoy likewise applies
 * slow start to round robin and least request only).
 */
export interface SlowStartOptions {
  /** Length of the ramp in milliseconds (required, > 0). */
  readonly windowMs: number
  /** Curve shape: 1 is linear, larger ramps faster at first (default 1). */
  readonly aggression?: number | undefined
  /** Floor of the weight factor, in percent (default 10, as Envoy). */
  readonly minWeightPercent?: number | undefined
  /** When to ramp: new backends, recovered backends, or both (default `both`). */
  readonly on?: 'added' | 'recovered' | 'both' | undefined
}

/** A validated {@link SlowStartOptions} with the ramp as a function. */
export class SlowStartRamp {
  readonly windowMs: number
  readonly aggression: number
  readonly minFactor: number
  readonly onAdded: boolean
  readonly onRecovered: boolean

  constructor(options: SlowStartOptions) {
    const { windowMs, aggression = 1, minWeightPercent = 10, on = 'both' } = options
    if (!(windowMs > 0) || !Number.isFinite(windowMs))
      throw invalidArgument(`slowStart.windowMs must be a positive number of milliseconds, got ${windowMs}`)
    if (!(aggression > 0) || !Number.isFinite(aggression))
      throw invalidArgument(`slowStart.aggression must be a positive number, got ${aggression}`)
    if (!(minWeightPercent >= 0 && minWeightPercent <= 100))
      throw invalidArgument(`slowStart.minWeightPercent must be within 0..100, got ${minWeightPercent}`)
    this.windowMs = windowMs
    this.aggression = aggression
    this.minFactor = minWeightPercent / 100
    this.onAdded = on !== 'recovered'
    this.onRecovered = on !== 'added'
  }

  /** The weight factor `elapsedMs` after the ramp began: in [minFactor, 1], 1 once the window has passed. */
  factor(elapsedMs: number): number {
    if (elapsedMs >= this.windowMs) return 1
    const time = Math.max(elapsedMs, 1) / this.windowMs
    return Math.max(this.minFactor, time ** (1 / this.aggression))
  }
}
