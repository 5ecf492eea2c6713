import type { CompiledPool, Variant } from './pool.js'
import type { FilterName } from './spec.js'
import type { RunState } from './state.js'

/**
 * A compiled filter: sifts or reorders the candidate indices `cand[0, len)` in place and returns
 * the new length. It reads candidate metadata from the pool's arrays and the query from the run
 * state, and reports the prefix length its decision depended on through `s.contribute`.
 */
export interface Filter {
  readonly name: FilterName
  /**
   * Whether the filter reads anything but health and the query's family (the client, randomness,
   * a counter, the query name). The filters before the first dynamic one run once per health epoch.
   */
  readonly dynamic: boolean
  apply(pool: CompiledPool, v: Variant, cand: Int32Array, len: number, s: RunState): number
}

/**
 * Sorts `cand[0, len)` by `keys[0, len)` ascending (the keys of each position), keeping ties in
 * their order, without allocating: insertion sort for short lists, merge sort through the pool's
 * scratch for long ones.
 */
export function sortByKeys(pool: CompiledPool, cand: Int32Array, keys: Float64Array, len: number): void {
  if (len <= 32) {
    for (let i = 1; i < len; i++) {
      const k = keys[i] as number
      const c = cand[i] as number
      let j = i - 1
      while (j >= 0 && (keys[j] as number) > k) {
        keys[j + 1] = keys[j] as number
        cand[j + 1] = cand[j] as number
        j--
      }
      keys[j + 1] = k
      cand[j + 1] = c
    }
    return
  }
  mergeSort(cand, keys, pool.tmp, pool.keys2, len)
}

function mergeSort(
  cand: Int32Array,
  keys: Float64Array,
  tc: Int32Array,
  tk: Float64Array,
  len: number,
): void {
  let src = cand
  let srcK = keys
  let dst = tc
  let dstK = tk
  for (let width = 1; width < len; width *= 2) {
    for (let lo = 0; lo < len; lo += 2 * width) {
      const mid = Math.min(lo + width, len)
      const hi = Math.min(lo + 2 * width, len)
      let i = lo
      let j = mid
      let o = lo
      while (i < mid && j < hi) {
        if ((srcK[j] as number) < (srcK[i] as number)) {
          dstK[o] = srcK[j] as number
          dst[o++] = src[j++] as number
        } else {
          dstK[o] = srcK[i] as number
          dst[o++] = src[i++] as number
        }
      }
      while (i < mid) {
        dstK[o] = srcK[i] as number
        dst[o++] = src[i++] as number
      }
      while (j < hi) {
        dstK[o] = srcK[j] as number
        dst[o++] = src[j++] as number
      }
    }
    const t = src
    src = dst
    dst = t
    const tkk = srcK
    srcK = dstK
    dstK = tkk
  }
  if (src !== cand) {
    for (let i = 0; i < len; i++) {
      cand[i] = src[i] as number
      keys[i] = srcK[i] as number
    }
  }
}

/** Moves the candidates whose position has `first[position] === 1` ahead of the others, keeping both in order. */
export function partitionFirst(pool: CompiledPool, cand: Int32Array, len: number, first: Uint8Array): void {
  const tmp = pool.tmp
  let front = 0
  let back = 0
  for (let i = 0; i < len; i++) {
    const c = cand[i] as number
    if (first[i] === 1) cand[front++] = c
    else tmp[back++] = c
  }
  for (let i = 0; i < back; i++) cand[front + i] = tmp[i] as number
}
