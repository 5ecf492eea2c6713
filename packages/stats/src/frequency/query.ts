/**
 * Which mistake a frequent-items query may make:
 *
 * - `NO_FALSE_POSITIVES`: every item returned truly has a count of at least the threshold (its
 *   lower bound reaches it); some frequent items may be missing.
 * - `NO_FALSE_NEGATIVES`: every item whose true count exceeds the threshold is returned (its
 *   upper bound reaches it); some returned items may be less frequent.
 */
export const ErrorType = {
  /** Return only items whose lower bound reaches the threshold. */
  NO_FALSE_POSITIVES: 'NO_FALSE_POSITIVES',
  /** Return every item whose upper bound reaches the threshold. */
  NO_FALSE_NEGATIVES: 'NO_FALSE_NEGATIVES',
} as const

/** One of the {@link ErrorType} values. */
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType]

/** One row of a frequent-items query: an item with its estimated count and the bounds of its true count. */
export interface FrequentItemsRow<T> {
  /** The item. */
  readonly item: T
  /** The estimated count: the lower bound plus the sketch's maximum error, as DataSketches reports it. */
  readonly estimate: number
  /** A count the true count is never below. */
  readonly lowerBound: number
  /** A count the true count is never above. */
  readonly upperBound: number
}

/** The JSON view of a frequent-items sketch. */
export interface FrequentItemsSummary<T> {
  /** The sketch class. */
  readonly type: 'FrequentItemsSketch' | 'FrequentLongsSketch'
  /** The maximum map size. */
  readonly maxMapSize: number
  /** The sum of all counts seen. */
  readonly streamLength: number
  /** The largest possible error of any estimate. */
  readonly maximumError: number
  /** Every tracked item with its bounds, highest estimate first. */
  readonly items: readonly FrequentItemsRow<T>[]
}
