/**
 * Distinct counting compatible with Apache DataSketches' HLL sketch: same hashing (MurmurHash3
 * x64-128, seed 9001), same coupon, list, set and register states, same HIP and composite
 * estimators and bounds, same union semantics, and the same binary images.
 */
import { ShoalError } from '@shoal/core'
import { KeyHasher, type SketchKey } from '../hash/key-hasher.js'
import type { Hash128 } from '../hash/murmur3.js'
import type { Sketch } from '../sketch.js'
import {
  DEFAULT_LG_K,
  HllMode,
  HllTargetType,
  MAX_LG_K,
  MIN_LG_K,
  TYPE_BY_CODE,
  TYPE_CODE,
} from './constants.js'
import { couponOf } from './coupons.js'
import { type HllImageOptions, readImage, writeImage } from './image.js'
import { HllState } from './state.js'
import { unionStates } from './union.js'

/** Options of a new {@link HllSketch}. */
export interface HllSketchOptions {
  /** log2 of the number of registers, 4–21 (default 12: RSE ≈ 1.3 % with HIP, 1.6 % after unions). */
  lgK?: number | undefined
  /**
   * Register width once in HLL mode (default `HLL_4`, DataSketches' default: half the memory of
   * HLL_8 and the same estimates; HLL_8 updates fastest).
   */
  targetType?: HllTargetType | undefined
}

/** A plain-data view of an {@link HllSketch}. */
export interface HllSketchJSON {
  /** Always `'hll'`. */
  kind: 'hll'
  /** log2 of the number of registers. */
  lgK: number
  /** Register width in HLL mode. */
  targetType: HllTargetType
  /** Current mode. */
  mode: HllMode
  /** True if nothing was added. */
  empty: boolean
  /** True if the sketch is a union result (composite estimator). */
  outOfOrder: boolean
  /** Distinct count estimate. */
  estimate: number
  /** Lower bound at 2 standard deviations (≈ 95 %). */
  lowerBound: number
  /** Upper bound at 2 standard deviations (≈ 95 %). */
  upperBound: number
}

const hasher = new KeyHasher()

function invalidArgument(message: string): ShoalError {
  return new ShoalError('ERR_INVALID_ARGUMENT', message)
}

function checkStdDev(numStdDev: number): void {
  if (numStdDev !== 1 && numStdDev !== 2 && numStdDev !== 3)
    throw invalidArgument(`numStdDev must be 1, 2 or 3, not ${numStdDev}`)
}

/**
 * A HyperLogLog distinct-count sketch with Apache DataSketches semantics and images.
 *
 * While few keys have been seen it keeps their 32-bit coupons exactly (LIST, then SET mode), then
 * 2^lgK registers of the target width (HLL mode). The estimate is the HIP estimator's for a
 * sketch fed directly and the composite estimator's for the result of a merge, as in DataSketches.
 * A sketch allocates nothing per update.
 *
 * @example
 * ```ts
 * const visitors = new HllSketch({ lgK: 12 })
 * visitors.update('203.0.113.7|Mozilla/5.0 …')
 * visitors.estimate // ≈ 1
 * const copy = HllSketch.fromBytes(visitors.toBytes())
 * ```
 */
export class HllSketch implements Sketch<HllSketch> {
  #state: HllState

  /** @param options - lgK (4–21, default 12) and target type (default HLL_4) */
  constructor(options?: HllSketchOptions) {
    const lgK = options?.lgK ?? DEFAULT_LG_K
    if (!Number.isInteger(lgK) || lgK < MIN_LG_K || lgK > MAX_LG_K)
      throw invalidArgument(`lgK must be an integer from ${MIN_LG_K} to ${MAX_LG_K}, not ${lgK}`)
    const type = options?.targetType ?? HllTargetType.HLL_4
    const code = TYPE_CODE[type]
    if (code === undefined)
      throw invalidArgument(`targetType must be HLL_4, HLL_6 or HLL_8, not ${String(type)}`)
    this.#state = new HllState(lgK, code)
  }

  static #wrap(state: HllState): HllSketch {
    const sketch = new HllSketch({ lgK: state.lgK, targetType: TYPE_BY_CODE[state.typeCode] })
    sketch.#state = state
    return sketch
  }

  /**
   * Reads a DataSketches HLL image (compact or updatable; LIST, SET or HLL mode; HLL_4, HLL_6
   * or HLL_8) written by this class, DataSketches Java or C++, or any compatible writer.
   * Throws `ERR_INVALID_SKETCH` for anything malformed.
   */
  static fromBytes(bytes: Uint8Array): HllSketch {
    return HllSketch.#wrap(readImage(bytes))
  }

  /** log2 of the number of registers. */
  get lgK(): number {
    return this.#state.lgK
  }

  /** The register width in HLL mode. */
  get targetType(): HllTargetType {
    return TYPE_BY_CODE[this.#state.typeCode] as HllTargetType
  }

  /** The current mode: `LIST`, `SET` or `HLL`. */
  get mode(): HllMode {
    const mode = this.#state.mode
    return mode === 0 ? HllMode.LIST : mode === 1 ? HllMode.SET : HllMode.HLL
  }

  /** True if nothing has been added. */
  get isEmpty(): boolean {
    return this.#state.isEmpty()
  }

  /** True if this sketch is the result of a merge of HLL arrays (it then uses the composite estimator). */
  get isOutOfOrder(): boolean {
    return this.#state.hll?.outOfOrder === true
  }

  /** The distinct-count estimate. */
  get estimate(): number {
    return this.#state.estimate()
  }

  /** The composite (non-HIP) estimate, which DataSketches uses after unions. */
  get compositeEstimate(): number {
    return this.#state.compositeEstimate()
  }

  /** Adds a key: a string (hashed as UTF-8), a safe integer or bigint (as a 64-bit long), or bytes. Empty strings and byte arrays are ignored, as in DataSketches. */
  update(key: SketchKey): void {
    if (typeof key === 'string') {
      if (key.length === 0) return
      this.#state.couponUpdate(couponOf(hasher.hashString(key)))
      return
    }
    if (typeof key === 'number') {
      if (!Number.isSafeInteger(key))
        throw invalidArgument(`numeric keys must be safe integers (use updateDouble for ${key})`)
      this.#state.couponUpdate(couponOf(hasher.hashInteger(key)))
      return
    }
    if (typeof key !== 'bigint' && key.length === 0) return
    this.#state.couponUpdate(couponOf(hasher.hash(key)))
  }

  /** Adds a double the way DataSketches' `update(double)` does (−0 as +0, one NaN). */
  updateDouble(value: number): void {
    this.#state.couponUpdate(couponOf(hasher.hashDouble(value)))
  }

  /** Adds a key already hashed with MurmurHash3 x64-128 and seed 9001 ({@link KeyHasher}): hash once, feed many sketches. */
  updateHash(hash: Hash128): void {
    this.#state.couponUpdate(couponOf(hash))
  }

  /** The lower bound of the distinct count at `numStdDev` standard deviations (1, 2 or 3; default 2). */
  lowerBound(numStdDev = 2): number {
    checkStdDev(numStdDev)
    return this.#state.lowerBound(numStdDev)
  }

  /** The upper bound of the distinct count at `numStdDev` standard deviations (1, 2 or 3; default 2). */
  upperBound(numStdDev = 2): number {
    checkStdDev(numStdDev)
    return this.#state.upperBound(numStdDev)
  }

  /**
   * Adds everything `other` has seen (union), as DataSketches' HLL Union with this sketch's lgK
   * as its maximum: any lgK and target type merge; the result keeps this sketch's target type,
   * at the smaller lgK when `other` is in HLL mode with a smaller lgK.
   */
  merge(other: HllSketch): void {
    const theirs = other.#state
    if (theirs.isEmpty()) return
    this.#state = unionStates(this.#state, theirs)
  }

  /** A deep copy, optionally in another target type. */
  copy(targetType?: HllTargetType): HllSketch {
    const code = targetType === undefined ? this.#state.typeCode : TYPE_CODE[targetType]
    if (code === undefined)
      throw invalidArgument(`targetType must be HLL_4, HLL_6 or HLL_8, not ${String(targetType)}`)
    return HllSketch.#wrap(this.#state.copy(code))
  }

  /** Forgets everything added (keeps lgK and target type). */
  reset(): void {
    this.#state = new HllState(this.#state.lgK, this.#state.typeCode)
  }

  /** The DataSketches image: compact by default, or the updatable layout with `{ updatable: true }`. */
  toBytes(options?: HllImageOptions): Uint8Array {
    return writeImage(this.#state, options)
  }

  /** A plain-data view (not a serialization format). */
  toJSON(): HllSketchJSON {
    return {
      kind: 'hll',
      lgK: this.lgK,
      targetType: this.targetType,
      mode: this.mode,
      empty: this.isEmpty,
      outOfOrder: this.isOutOfOrder,
      estimate: this.estimate,
      lowerBound: this.lowerBound(2),
      upperBound: this.upperBound(2),
    }
  }
}
