import { invalidArgument } from '@shoal/core'
import { type Duration, parseDuration } from './duration.js'

/**
 * One level of pane history: panes of `duration`, of which at least the newest `keep` are
 * retained. The first level is the pane size; each further level rolls the one before up into
 * panes of a longer duration (a multiple of it).
 */
export interface RollupLevel {
  /** Pane duration at this level, e.g. `'1s'`, `'1m'` (or milliseconds). */
  readonly duration: Duration
  /** How many of the newest panes of this level are kept at least (a positive integer). */
  readonly keep: number
}

/** A {@link RollupLevel} with its duration in milliseconds and its memory bound. */
export interface ResolvedRollupLevel {
  /** Pane duration in milliseconds. */
  readonly durationMs: number
  /** Panes retained at least. */
  readonly keep: number
  /**
   * The most panes this level ever holds: `keep + next/duration − 1` (panes are dropped in whole
   * blocks of the next level's duration, once that level holds them), or `keep` on the last level.
   */
  readonly maxPanes: number
}

/**
 * The default levels: 1 s panes (keep 300: 5 min), 1 min (keep 60: 1 h), 5 min (keep 36: 3 h)
 * and 1 h (keep 24: 24 h). At most 359 + 64 + 47 + 24 = 494 closed panes, however long the input.
 */
export const DEFAULT_ROLLUPS: readonly RollupLevel[] = Object.freeze([
  Object.freeze({ duration: '1s', keep: 300 }),
  Object.freeze({ duration: '1m', keep: 60 }),
  Object.freeze({ duration: '5m', keep: 36 }),
  Object.freeze({ duration: '1h', keep: 24 }),
])

/** The most levels accepted. */
export const MAX_ROLLUP_LEVELS = 8

/**
 * Checks `levels` and returns them in milliseconds with each level's pane bound. Throws
 * `ERR_INVALID_ARGUMENT` unless there are 1–8 levels, each a whole number of milliseconds and
 * a multiple (greater than 1) of the one before, each keeping a positive whole number of panes.
 */
export function resolveRollups(levels: readonly RollupLevel[] = DEFAULT_ROLLUPS): ResolvedRollupLevel[] {
  if (!Array.isArray(levels) || levels.length === 0 || levels.length > MAX_ROLLUP_LEVELS)
    throw invalidArgument(`levels must be a list of 1 to ${MAX_ROLLUP_LEVELS} roll-up levels`)
  const durations = levels.map((level, i) => {
    if (typeof level !== 'object' || level === null)
      throw invalidArgument(`levels[${i}] must be an object { duration, keep }`)
    const ms = parseDuration(level.duration, `levels[${i}].duration`, { allowZero: false, integer: true })
    if (!Number.isSafeInteger(level.keep) || level.keep < 1 || level.keep > 1_000_000)
      throw invalidArgument(
        `levels[${i}].keep must be an integer from 1 to 1000000, got ${String(level.keep)}`,
      )
    return ms
  })
  return levels.map((level, i) => {
    const durationMs = durations[i] as number
    const next = durations[i + 1]
    if (next !== undefined && (next <= durationMs || next % durationMs !== 0))
      throw invalidArgument(
        `levels[${i + 1}].duration (${next} ms) must be a multiple of levels[${i}].duration (${durationMs} ms) and longer`,
      )
    return {
      durationMs,
      keep: level.keep,
      maxPanes: next === undefined ? level.keep : level.keep + next / durationMs - 1,
    }
  })
}

/** The most closed panes a history with `levels` holds: the sum of each level's `maxPanes`. */
export function maxHistoryPanes(levels: readonly RollupLevel[] = DEFAULT_ROLLUPS): number {
  let total = 0
  for (const level of resolveRollups(levels)) total += level.maxPanes
  return total
}
