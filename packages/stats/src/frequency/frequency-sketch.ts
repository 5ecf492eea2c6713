import { type FrequentItemsOptions, lgMaxMapSizeOf, queryThreshold } from './options.js'
import { ErrorType, type FrequentItemsRow } from './query.js'
import { LOAD_FACTOR, SAMPLE_SIZE } from './reverse-purge-map.js'

/** What the shared queries need of a reverse-purge table that can hand out the key of a slot. */
export interface KeyedPurgeMap<Key> {
  /** log2 of the table's length. */
  readonly lgLength: number
  /** Items tracked now. */
  readonly numActive: number
  /** Items the table holds before it grows or purges. */
  readonly capacity: number
  /** Counts, by slot. */
  readonly values: Float64Array
  /** Doubles the table. */
  grow(): void
  /** Subtracts the median of a sample of counts, drops what falls to zero, and returns the median. */
  purge(sampleSize: number): number
  /** The slots holding items, in the order DataSketches reads them. */
  goldenSlots(): Int32Array
  /** The key in `slot`. */
  key(slot: number): Key
}

/**
 * What the DataSketches frequency sketches share whatever their items: the table, the offset
 * (the error purges have caused), the stream length, and every query on them. Subclasses keep
 * the hot path (how an item is hashed and stored) and the image's item encoding.
 */
export abstract class FrequencySketch<Item, Key, Map extends KeyedPurgeMap<Key>> {
  /** log2 of the maximum map size. */
  protected readonly lgMax: number
  /** How many counts a purge samples for its median. */
  protected readonly sampleSize: number
  /** The table of items and counts. */
  protected map: Map
  /** The sum of the medians purges subtracted: the largest error of any count. */
  protected offset = 0
  /** The sum of all counts seen. */
  protected streamLength = 0

  /**
   * @param options - the maximum map size (default 1024)
   * @param map - the empty starting table
   */
  protected constructor(options: FrequentItemsOptions, map: Map) {
    this.lgMax = lgMaxMapSizeOf(options)
    this.sampleSize = Math.min(SAMPLE_SIZE, Math.floor((1 << this.lgMax) * LOAD_FACTOR))
    this.map = map
  }

  /** The a-priori error factor of a sketch of `maxMapSize`: 3.5 / maxMapSize. */
  static epsilon(maxMapSize: number): number {
    return 3.5 / (1 << lgMaxMapSizeOf({ maxMapSize }))
  }

  /** The a-priori bound on the error of any count, for a stream of `streamLength`. */
  static aprioriError(maxMapSize: number, streamLength: number): number {
    return FrequencySketch.epsilon(maxMapSize) * streamLength
  }

  /** log2 of the maximum map size. */
  get lgMaxMapSize(): number {
    return this.lgMax
  }

  /** The maximum map size. */
  get maxMapSize(): number {
    return 1 << this.lgMax
  }

  /** The number of items tracked now. */
  get numActiveItems(): number {
    return this.map.numActive
  }

  /** Whether no item is tracked. */
  get isEmpty(): boolean {
    return this.map.numActive === 0
  }

  /** How many items the current table holds before it grows or purges. */
  get currentMapCapacity(): number {
    return this.map.capacity
  }

  /** How many items the largest table holds (0.75 · maxMapSize). */
  get maximumMapCapacity(): number {
    return Math.floor((1 << this.lgMax) * LOAD_FACTOR)
  }

  /** The count stored for `item` (0 when untracked). */
  protected abstract countOf(item: Item): number

  /** Grows a full table while it may, and purges it after. */
  protected growOrPurge(): void {
    const map = this.map
    if (map.lgLength < this.lgMax) map.grow()
    else this.offset += map.purge(this.sampleSize)
  }

  /** The estimated count of `item`: its lower bound plus the maximum error if tracked, else 0. */
  getEstimate(item: Item): number {
    const count = this.countOf(item)
    return count > 0 ? count + this.offset : 0
  }

  /** A count the true count of `item` is never below (0 if untracked). */
  getLowerBound(item: Item): number {
    return this.countOf(item)
  }

  /** A count the true count of `item` is never above. */
  getUpperBound(item: Item): number {
    return this.countOf(item) + this.offset
  }

  /** The largest possible error of any estimate (the sum of the medians subtracted by purges). */
  getMaximumError(): number {
    return this.offset
  }

  /** The sum of all counts seen (merged streams included). */
  getStreamLength(): number {
    return this.streamLength
  }

  /**
   * The tracked items that qualify, sorted by estimate (highest first). The threshold defaults
   * to the maximum error and is never below it. `NO_FALSE_POSITIVES` keeps items whose lower
   * bound reaches it, `NO_FALSE_NEGATIVES` those whose upper bound does.
   */
  getFrequentItems(errorType: ErrorType, threshold?: number | undefined): FrequentItemsRow<Key>[] {
    const limit = queryThreshold(errorType, threshold, this.offset)
    const noFalsePositives = errorType === ErrorType.NO_FALSE_POSITIVES
    const map = this.map
    const rows: FrequentItemsRow<Key>[] = []
    for (const slot of map.goldenSlots()) {
      const lowerBound = map.values[slot] as number
      const upperBound = lowerBound + this.offset
      if ((noFalsePositives ? lowerBound : upperBound) >= limit)
        rows.push({ item: map.key(slot), estimate: upperBound, lowerBound, upperBound })
    }
    return rows.sort((a, b) => b.estimate - a.estimate)
  }
}
