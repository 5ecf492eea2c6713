/**
 * Points on a 32-bit hash circle, each owned by a backend slot, sorted for successor lookups:
 * the continuum of the hash rings and of multi-probe consistent hashing.
 *
 * Building sorts stably (a two-pass radix sort on 16-bit digits), so among equal points the one
 * generated first comes first, and then keeps only that first one of each run of equal points:
 * nginx collapses its ring that way, and for libketama and `hashring`, whose searches settle on
 * the first of equal points, the lookup is the same.
 *
 * A lookup reads a bucket index over the top bits of the hash (about two points per bucket) and
 * searches only that bucket, so it costs a couple of memory reads at any size, where a binary
 * search over 160 000 points takes 17 dependent steps that mostly miss the cache.
 *
 * @internal
 */
export class SortedPoints {
  /** Point values, ascending and distinct; only the first {@link SortedPoints.length} are used. */
  points = new Uint32Array(0)
  /** The slot owning each point. */
  owners = new Int32Array(0)
  /** Number of points. */
  length = 0
  // bucket b holds the points whose top `bits` bits are b: indices start[b] … start[b + 1] − 1
  #start = new Uint32Array(2)
  #shift = 32
  // radix-sort scratch, kept between builds
  #tmpPoints = new Uint32Array(0)
  #tmpOwners = new Int32Array(0)
  #counts = new Uint32Array(65536)

  /**
   * Makes room for `count` points: then write them into {@link SortedPoints.points} and
   * {@link SortedPoints.owners} in generation order and call {@link SortedPoints.build}.
   */
  reserve(count: number): void {
    if (this.points.length < count) {
      this.points = new Uint32Array(count)
      this.owners = new Int32Array(count)
      this.#tmpPoints = new Uint32Array(count)
      this.#tmpOwners = new Int32Array(count)
    }
  }

  /** Sorts the first `count` points written after {@link SortedPoints.reserve}, collapses equal ones and indexes them. */
  build(count: number): void {
    this.#radixPass(this.points, this.owners, this.#tmpPoints, this.#tmpOwners, count, 0)
    this.#radixPass(this.#tmpPoints, this.#tmpOwners, this.points, this.owners, count, 16)
    const points = this.points
    const owners = this.owners
    let kept = 0
    for (let i = 0; i < count; i++) {
      const p = points[i] as number
      if (kept > 0 && points[kept - 1] === p) continue
      points[kept] = p
      owners[kept] = owners[i] as number
      kept++
    }
    this.length = kept
    this.#index()
  }

  /**
   * Index of the first point ≥ `hash`, wrapping to 0 past the last point; -1 when there are no
   * points.
   */
  successor(hash: number): number {
    const length = this.length
    if (length === 0) return -1
    const points = this.points
    const start = this.#start
    const bucket = hash >>> this.#shift
    let lo = start[bucket] as number
    let hi = start[bucket + 1] as number
    // lower bound within the bucket; every point of later buckets is larger than hash
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((points[mid] as number) < hash) lo = mid + 1
      else hi = mid
    }
    return lo === length ? 0 : lo
  }

  #index(): void {
    const length = this.length
    // about two points per bucket; 2^1 … 2^20 buckets
    let bits = 1
    while (bits < 20 && 2 ** (bits + 1) < length) bits++
    const buckets = 2 ** bits
    if (this.#start.length < buckets + 1) this.#start = new Uint32Array(buckets + 1)
    const start = this.#start
    const shift = 32 - bits
    const points = this.points
    let i = 0
    for (let b = 0; b <= buckets; b++) {
      while (i < length && (points[i] as number) >>> shift < b) i++
      start[b] = i
    }
    this.#shift = shift
  }

  // One stable counting-sort pass on the 16-bit digit at `shift`.
  #radixPass(
    fromPoints: Uint32Array,
    fromOwners: Int32Array,
    toPoints: Uint32Array,
    toOwners: Int32Array,
    count: number,
    shift: number,
  ): void {
    const counts = this.#counts
    counts.fill(0)
    for (let i = 0; i < count; i++) {
      const digit = ((fromPoints[i] as number) >>> shift) & 0xffff
      counts[digit] = (counts[digit] as number) + 1
    }
    let sum = 0
    for (let d = 0; d < 65536; d++) {
      const c = counts[d] as number
      counts[d] = sum
      sum += c
    }
    for (let i = 0; i < count; i++) {
      const p = fromPoints[i] as number
      const digit = (p >>> shift) & 0xffff
      const at = counts[digit] as number
      counts[digit] = at + 1
      toPoints[at] = p
      toOwners[at] = fromOwners[i] as number
    }
  }
}
