/**
 * The table behind the frequent-items sketches, as DataSketches builds it: open addressing with
 * linear probing over a power-of-two array, at most 75 % full; each slot records its drift (1 +
 * its distance from its home slot) so that a deletion can pull later members of its cluster back
 * without rehashing. When the table is full at its largest size, a purge subtracts the median of
 * a sample of the counts (the first 1,024 active counts in slot order) from every count and
 * deletes those no longer positive, sweeping from the back of the array ("reverse purge").
 * Subclasses keep the keys; this class keeps the counts, the drifts and each slot's hash.
 */

/** log2 of the smallest table. */
export const LG_MIN_MAP_SIZE = 3
/** log2 of the largest table this implementation accepts (64 Mi slots). */
export const LG_MAX_MAP_SIZE = 26
/** Counts sampled to estimate the median in a purge. */
export const SAMPLE_SIZE = 1024
/** The fraction of the table that may be occupied. */
export const LOAD_FACTOR = 0.75

const GOLDEN_RATIO_RECIPROCAL = (Math.sqrt(5) - 1) / 2

/** The k-th smallest (0-based) of `values[0, n)`; reorders `values`. */
export function kthSmallest(values: Float64Array, n: number, k: number): number {
  let lo = 0
  let hi = n - 1
  while (hi > lo) {
    // median of three as the pivot, then Hoare partition
    const mid = (lo + hi) >>> 1
    const a = values[lo] as number
    const b = values[mid] as number
    const c = values[hi] as number
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c))
    let i = lo
    let j = hi
    while (i <= j) {
      while ((values[i] as number) < pivot) i++
      while ((values[j] as number) > pivot) j--
      if (i <= j) {
        const t = values[i] as number
        values[i] = values[j] as number
        values[j] = t
        i++
        j--
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else return values[k] as number
  }
  return values[k] as number
}

/** Counts, drifts and slot hashes of a reverse-purge table; the keys live in a subclass. */
export abstract class ReversePurgeMap {
  /** log2 of the array length. */
  lgLength = 0
  /** Array length − 1. */
  mask = 0
  /** Active slots allowed before the table must grow or purge. */
  capacity = 0
  /** 0 for an empty slot, else 1 + the distance from the key's home slot. */
  states: Uint16Array = new Uint16Array(0)
  /** Count per slot. */
  values: Float64Array = new Float64Array(0)
  /** Slot hash per slot (its low bits are the home slot). */
  hashes: Int32Array = new Int32Array(0)
  /** Active slots. */
  numActive = 0

  /** Replaces the arrays by empty ones of length 2^lgLength; the subclass replaces its keys. */
  protected allocate(lgLength: number): void {
    const length = 1 << lgLength
    this.lgLength = lgLength
    this.mask = length - 1
    this.capacity = Math.floor(length * LOAD_FACTOR)
    this.states = new Uint16Array(length)
    this.values = new Float64Array(length)
    this.hashes = new Int32Array(length)
    this.numActive = 0
  }

  /** Moves the key of slot `from` to slot `to` (the counts, hashes and drifts are moved here). */
  protected abstract moveKey(from: number, to: number): void
  /** Forgets the key of `slot`, which is being deleted. */
  protected abstract removeKey(slot: number): void
  /** Doubles the array length, reinserting every key in slot order. */
  abstract grow(): void

  /** The first empty slot from `hash`'s home slot on, with its drift in `this.drift`. */
  emptySlotFor(hash: number): number {
    const states = this.states
    const mask = this.mask
    let slot = hash & mask
    let drift = 1
    while (states[slot] !== 0) {
      slot = (slot + 1) & mask
      drift++
    }
    this.drift = drift
    return slot
  }

  /** The drift found by the last probe. */
  drift = 1

  /**
   * Subtracts the (sampled) median count from every count, deletes the keys left with none,
   * and returns the amount subtracted.
   */
  purge(sampleSize: number): number {
    const states = this.states
    const values = this.values
    const limit = Math.min(sampleSize, this.numActive)
    const samples = new Float64Array(limit)
    for (let slot = 0, taken = 0; taken < limit; slot++) {
      if (states[slot] !== 0) samples[taken++] = values[slot] as number
    }
    const median = kthSmallest(samples, limit, limit >>> 1)
    for (let slot = 0; slot < values.length; slot++) {
      if (states[slot] !== 0) values[slot] = (values[slot] as number) - median
    }
    this.#keepOnlyPositive()
    return median
  }

  #keepOnlyPositive(): void {
    const states = this.states
    const values = this.values
    // the first empty slot from the back ends a cluster; sweep towards the front from there,
    // then sweep the cluster that wraps around the end of the array
    let first = states.length - 1
    while (states[first] !== 0) first--
    for (let slot = first; slot-- > 0; ) {
      if (states[slot] !== 0 && (values[slot] as number) <= 0) this.#delete(slot)
    }
    for (let slot = states.length; slot-- > first; ) {
      if (states[slot] !== 0 && (values[slot] as number) <= 0) this.#delete(slot)
    }
  }

  /** Empties `slot`, moving later members of its cluster back so that every probe still works. */
  #delete(slot: number): void {
    const states = this.states
    const values = this.values
    const hashes = this.hashes
    const mask = this.mask
    states[slot] = 0
    this.removeKey(slot)
    this.numActive--
    let drift = 1
    let probe = (slot + 1) & mask
    while (states[probe] !== 0) {
      const state = states[probe] as number
      if (state > drift) {
        this.moveKey(probe, slot)
        values[slot] = values[probe] as number
        hashes[slot] = hashes[probe] as number
        states[slot] = state - drift
        states[probe] = 0
        drift = 0
        slot = probe
      }
      probe = (probe + 1) & mask
      drift++
    }
  }

  /** Active slots in slot order. */
  activeSlots(): Int32Array {
    const out = new Int32Array(this.numActive)
    const states = this.states
    for (let slot = 0, j = 0; j < out.length; slot++) if (states[slot] !== 0) out[j++] = slot
    return out
  }

  /**
   * Active slots in DataSketches' merge and query order: strides of the golden ratio times the
   * length (odd, so every slot is visited), which spreads a merge's inserts over the table.
   */
  goldenSlots(): Int32Array {
    const out = new Int32Array(this.numActive)
    const states = this.states
    const mask = this.mask
    const stride = Math.floor(states.length * GOLDEN_RATIO_RECIPROCAL) | 1
    let slot = -stride
    for (let j = 0; j < out.length; ) {
      slot = (slot + stride) & mask
      if (states[slot] !== 0) out[j++] = slot
    }
    return out
  }
}
