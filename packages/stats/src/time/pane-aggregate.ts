/**
 * What the windows need from an aggregate to combine panes: absorb another of its kind (without
 * changing `other`) and write itself as bytes. Every block of this package qualifies.
 */
export interface MergeableAggregate<Self> {
  /** Adds everything `other` has seen to this one; `other` is left unchanged. */
  merge(other: Self): void
  /** The binary image, read back by {@link AggregateFactory.fromBytes}. */
  toBytes(): Uint8Array
}

/**
 * The aggregate held by each pane: it absorbs events of type `E` one by one, and merges with
 * others of its kind. A pane's aggregate can be a single block or a record of many (a counter, a
 * quantile sketch and a distinct count, say), as long as it merges as a whole.
 *
 * @example
 * ```ts
 * class CountSum implements PaneAggregate<number, CountSum> {
 *   count = 0
 *   sum = 0
 *   add(value: number): void { this.count++; this.sum += value }
 *   merge(other: CountSum): void { this.count += other.count; this.sum += other.sum }
 *   toBytes(): Uint8Array { return new Uint8Array(new Float64Array([this.count, this.sum]).buffer) }
 * }
 * ```
 */
export interface PaneAggregate<E, Self> extends MergeableAggregate<Self> {
  /** Absorbs one event. */
  add(event: E): void
}

/**
 * Makes aggregates of one kind and configuration: empty ones for new panes and merges, and
 * ones read from bytes for panes shipped between processes.
 */
export interface AggregateFactory<A> {
  /** A new, empty aggregate. */
  create(): A
  /**
   * Reads an aggregate written by its `toBytes()`. Must throw `ERR_INVALID_SKETCH` for bytes
   * it cannot read (any other error is reported as `ERR_INVALID_SKETCH` by the pane reader).
   */
  fromBytes(bytes: Uint8Array): A
}
