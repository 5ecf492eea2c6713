import { invalidArgument } from '@shoal/core'
import { ErrorType } from './query.js'
import { LG_MAX_MAP_SIZE, LG_MIN_MAP_SIZE } from './reverse-purge-map.js'

/** Options of {@link FrequentItemsSketch} and {@link FrequentLongsSketch}: give one of the two sizes. */
export interface FrequentItemsOptions {
  /**
   * The largest table, a power of two from 8 to 2^26 (default 1024). The sketch tracks up to 75 %
   * of it as items; its error is at most 3.5 / maxMapSize of the stream length.
   */
  readonly maxMapSize?: number | undefined
  /** log2 of `maxMapSize` (3–26), as DataSketches images store it. */
  readonly lgMaxMapSize?: number | undefined
}

/** Options of `fromBytes` for the frequent-items sketches. */
export interface FrequentItemsReadOptions {
  /**
   * The largest current table (log2) an image may ask for (default 18: 256 Ki slots, about 6
   * MiB); it bounds what a hostile image can make the reader allocate. Raise it to read images
   * of larger sketches.
   */
  readonly maxLgCurMapSize?: number | undefined
}

/** The log2 of the maximum map size from options; throws `ERR_INVALID_ARGUMENT` on a bad one. */
export function lgMaxMapSizeOf(options: FrequentItemsOptions): number {
  const { maxMapSize, lgMaxMapSize } = options
  if (maxMapSize !== undefined && lgMaxMapSize !== undefined)
    throw invalidArgument('give maxMapSize or lgMaxMapSize, not both')
  if (lgMaxMapSize !== undefined) {
    if (!Number.isInteger(lgMaxMapSize) || lgMaxMapSize < LG_MIN_MAP_SIZE || lgMaxMapSize > LG_MAX_MAP_SIZE)
      throw invalidArgument(
        `lgMaxMapSize must be an integer from ${LG_MIN_MAP_SIZE} to ${LG_MAX_MAP_SIZE}, got ${lgMaxMapSize}`,
      )
    return lgMaxMapSize
  }
  const size = maxMapSize ?? 1024
  const lg = Math.log2(size)
  if (!Number.isInteger(lg) || lg < LG_MIN_MAP_SIZE || lg > LG_MAX_MAP_SIZE)
    throw invalidArgument(`maxMapSize must be a power of two from 8 to 2^${LG_MAX_MAP_SIZE}, got ${size}`)
  return lg
}

/** Checks a weight given to `update`; returns false for 0 (nothing to do). */
export function checkCount(count: number): boolean {
  if (!Number.isSafeInteger(count) || count < 0)
    throw invalidArgument(`count must be a non-negative safe integer, got ${count}`)
  return count !== 0
}

/** Checks the error type of a query and returns the threshold to use. */
export function queryThreshold(
  errorType: ErrorType,
  threshold: number | undefined,
  maximumError: number,
): number {
  if (errorType !== ErrorType.NO_FALSE_POSITIVES && errorType !== ErrorType.NO_FALSE_NEGATIVES)
    throw invalidArgument(
      `errorType must be NO_FALSE_POSITIVES or NO_FALSE_NEGATIVES, got ${String(errorType)}`,
    )
  if (threshold === undefined) return maximumError
  if (typeof threshold !== 'number' || Number.isNaN(threshold))
    throw invalidArgument(`threshold must be a number, got ${String(threshold)}`)
  return Math.max(threshold, maximumError)
}

/** The default bound on the table size an image may ask for. */
export const DEFAULT_MAX_LG_CUR_MAP_SIZE = 18

/** Checks `fromBytes` options and returns the table size limit. */
export function maxLgCurOf(options: FrequentItemsReadOptions | undefined): number {
  const limit = options?.maxLgCurMapSize ?? DEFAULT_MAX_LG_CUR_MAP_SIZE
  if (!Number.isInteger(limit) || limit < LG_MIN_MAP_SIZE || limit > LG_MAX_MAP_SIZE)
    throw invalidArgument(`maxLgCurMapSize must be an integer from ${LG_MIN_MAP_SIZE} to ${LG_MAX_MAP_SIZE}`)
  return limit
}
