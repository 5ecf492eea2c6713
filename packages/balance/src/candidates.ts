/**
 * The candidate list a pipeline works on: backend slots in a reused `Int32Array` plus a length,
 * so filtering and sampling never allocate (mod_backhand's `ServerSlot *servers, int *n`).
 */
export class Candidates {
  /** Backend slots; only the first {@link Candidates.length} entries are candidates. */
  slots: Int32Array
  /** How many entries of {@link Candidates.slots} are candidates. */
  length = 0

  /** @param capacity - initial room, grown on demand */
  constructor(capacity = 16) {
    this.slots = new Int32Array(Math.max(1, capacity))
  }

  /** Appends `slot`, growing the buffer when full. */
  push(slot: number): void {
    if (this.length === this.slots.length) {
      const grown = new Int32Array(this.slots.length * 2)
      grown.set(this.slots)
      this.slots = grown
    }
    this.slots[this.length++] = slot
  }

  /** Makes this list a copy of `other`. */
  copyFrom(other: Candidates): void {
    if (this.slots.length < other.length) this.slots = new Int32Array(other.slots.length)
    this.slots.set(other.slots.subarray(0, other.length))
    this.length = other.length
  }

  /** Keeps only the candidates for which `keep(slot)` is true, in order. */
  filter(keep: (slot: number) => boolean): void {
    let kept = 0
    for (let i = 0; i < this.length; i++) {
      const slot = this.slots[i] as number
      if (keep(slot)) this.slots[kept++] = slot
    }
    this.length = kept
  }

  /** Swaps entries `i` and `j`. */
  swap(i: number, j: number): void {
    const slot = this.slots[i] as number
    this.slots[i] = this.slots[j] as number
    this.slots[j] = slot
  }

  /** True when both lists hold the same slots in the same order. */
  equals(other: Candidates): boolean {
    if (this.length !== other.length) return false
    for (let i = 0; i < this.length; i++) if (this.slots[i] !== other.slots[i]) return false
    return true
  }
}
