import type { Random } from '@shoal/core'
import { levelCapacity, totalCapacity } from './kll-capacity.js'

/*
 * The compaction steps of a KLL sketch, as DataSketches performs them (Karnin, Lang and Liberty,
 * "Optimal quantile approximation in streams", FOCS 2016, with DataSketches' lazy scheme).
 *
 * The items of all levels live in one Float64Array; `levels[h]` is where level h starts and
 * `levels[h + 1]` where it ends. Level 0 sits lowest and fills downwards (the next item goes to
 * `levels[0] − 1`); the free space is below it. Levels above 0 are sorted.
 *
 * Compacting a level sorts it (level 0 only), keeps one item aside if the count is odd, then keeps
 * every other item, from a random start (0 or 1), each with twice the weight, and merges them into
 * the level above. The random start is what makes the rank error unbiased: DataSketches draws one
 * fresh random bit for each compaction.
 */

/** Runs up to this length are sorted in place by insertion (cheaper than the builtin's setup). */
const INSERTION_SORT_MAX = 48

/** Sorts `items[from … to)` ascending, in place. */
export function sortRange(items: Float64Array, from: number, to: number): void {
  if (to - from > INSERTION_SORT_MAX) {
    items.subarray(from, to).sort()
    return
  }
  for (let i = from + 1; i < to; i++) {
    const item = items[i] as number
    let j = i - 1
    while (j >= from && (items[j] as number) > item) {
      items[j + 1] = items[j] as number
      j--
    }
    items[j + 1] = item
  }
}

/** One random bit: 0 or 1. */
export function randomBit(random: Random): number {
  return random.uint32() >>> 31
}

/** Keeps every other item of the even-length run [start, start + length), packed into its lower half. */
export function halveDown(items: Float64Array, start: number, length: number, bit: number): void {
  const half = length >> 1
  for (let i = start, j = start + bit; i < start + half; i++, j += 2) items[i] = items[j] as number
}

/** Keeps every other item of the even-length run [start, start + length), packed into its upper half. */
export function halveUp(items: Float64Array, start: number, length: number, bit: number): void {
  const half = length >> 1
  for (let i = start + length - 1, j = start + length - 1 - bit; i >= start + half; i--, j -= 2)
    items[i] = items[j] as number
}

/**
 * Merges the sorted runs [startA, startA + lengthA) and [startB, startB + lengthB) of `items` into
 * [startC, …), in place: run A must end at or before startC, and startC must not pass run B's read
 * position, as in a compaction (A is the halved level just below C, B the level above).
 */
export function mergeInPlace(
  items: Float64Array,
  startA: number,
  lengthA: number,
  startB: number,
  lengthB: number,
  startC: number,
): void {
  const endA = startA + lengthA
  const endB = startB + lengthB
  const endC = startC + lengthA + lengthB
  let a = startA
  let b = startB
  for (let c = startC; c < endC; c++) {
    if (a < endA && (b === endB || (items[a] as number) < (items[b] as number)))
      items[c] = items[a++] as number
    else items[c] = items[b++] as number
  }
}

/** Merges two sorted runs of different arrays into `out` at `startOut`. */
export function mergeRuns(
  a: Float64Array,
  startA: number,
  lengthA: number,
  b: Float64Array,
  startB: number,
  lengthB: number,
  out: Float64Array,
  startOut: number,
): void {
  const endA = startA + lengthA
  const endB = startB + lengthB
  let i = startA
  let j = startB
  let o = startOut
  while (i < endA && j < endB)
    out[o++] = (a[i] as number) < (b[j] as number) ? (a[i++] as number) : (b[j++] as number)
  while (i < endA) out[o++] = a[i++] as number
  while (j < endB) out[o++] = b[j++] as number
}

/** What {@link generalCompress} leaves. */
export interface CompressResult {
  /** The number of levels after compression. */
  readonly numLevels: number
  /** The total capacity for that many levels. */
  readonly capacity: number
  /** The items kept, in `items[outLevels[0] … outLevels[numLevels])`. */
  readonly retained: number
}

/**
 * DataSketches' general compression, used by merges: walks the levels from the bottom and, while
 * the sketch holds more than its capacity, compacts every level at or over its own capacity
 * (adding a level on top when the top one is compacted). Reads levels from `inLevels` and writes
 * their new boundaries to `outLevels`, moving items down within `items`. Both level arrays must
 * have room for two more entries than the final number of levels.
 */
export function generalCompress(
  k: number,
  m: number,
  numLevelsIn: number,
  items: Float64Array,
  inLevels: Int32Array,
  outLevels: Int32Array,
  levelZeroSorted: boolean,
  random: Random,
): CompressResult {
  let numLevels = numLevelsIn
  let retained = (inLevels[numLevels] as number) - (inLevels[0] as number)
  let target = totalCapacity(k, m, numLevels)
  outLevels[0] = 0
  for (let level = 0; ; level++) {
    // above the current top level there is an empty level, for convenience
    if (level === numLevels - 1) inLevels[level + 2] = inLevels[level + 1] as number
    const rawBeg = inLevels[level] as number
    const rawLim = inLevels[level + 1] as number
    const rawPop = rawLim - rawBeg
    const out = outLevels[level] as number
    if (retained < target || rawPop < levelCapacity(k, numLevels, level, m)) {
      // move the level down as it is
      items.copyWithin(out, rawBeg, rawLim)
      outLevels[level + 1] = out + rawPop
    } else {
      const popAbove = (inLevels[level + 2] as number) - rawLim
      const odd = rawPop & 1
      const adjBeg = rawBeg + odd
      const adjPop = rawPop - odd
      const half = adjPop >> 1
      if (odd === 1) {
        items[out] = items[rawBeg] as number
        outLevels[level + 1] = out + 1
      } else {
        outLevels[level + 1] = out
      }
      if (level === 0 && !levelZeroSorted) sortRange(items, adjBeg, adjBeg + adjPop)
      if (popAbove === 0) {
        halveUp(items, adjBeg, adjPop, randomBit(random))
      } else {
        halveDown(items, adjBeg, adjPop, randomBit(random))
        mergeInPlace(items, adjBeg, half, rawLim, popAbove, adjBeg + half)
      }
      retained -= half
      inLevels[level + 1] = rawLim - half
      if (level === numLevels - 1) {
        numLevels++
        target += levelCapacity(k, numLevels, 0, m)
      }
    }
    if (level === numLevels - 1) break
  }
  return { numLevels, capacity: target, retained }
}
