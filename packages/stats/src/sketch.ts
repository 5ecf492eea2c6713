/**
 * What every block of this package is: it absorbs another of its kind (so many nodes or many
 * subscribers can each aggregate and a merger can combine them, in any order), and it is written
 * as versioned bytes and viewed as JSON. Each block class also has a static `fromBytes(bytes)`
 * that throws `ERR_INVALID_SKETCH` for anything it cannot read.
 */
export interface Sketch<Self> {
  /** Adds everything `other` has seen to this one; throws `ERR_INCOMPATIBLE_SKETCH` if their parameters differ. */
  merge(other: Self): void
  /** The versioned binary image. */
  toBytes(): Uint8Array
  /** A plain-data view for people and dashboards (not a serialization format). */
  toJSON(): unknown
}
