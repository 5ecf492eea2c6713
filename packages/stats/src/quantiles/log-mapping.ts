import { invalidArgument } from '@shoal/core'

/**
 * The smallest magnitude that {@link LogarithmicMapping} gives a bin of its own: 2^−1022, the
 * smallest normal double. Non-zero values of smaller magnitude (subnormals) are counted with the
 * zeros, because their few significant bits cannot carry a relative accuracy anyway.
 */
export const MIN_INDEXABLE_VALUE = 2.2250738585072014e-308

/** The finest relative accuracy a {@link LogarithmicMapping} accepts (below it, bin indices lose precision). */
export const MIN_RELATIVE_ACCURACY = 1e-9

/**
 * The exact logarithmic index mapping of DDSketch (Masson, Rim and Lee, VLDB 2019): with
 * γ = (1 + α) / (1 − α), a magnitude x > 0 falls in bin i = ⌈log_γ x⌉, which covers (γ^(i−1), γ^i],
 * and the bin is represented by 2γ^i / (1 + γ). Every x in the bin is then within α of that
 * representative, relative to x.
 *
 * It computes one natural logarithm per value. The approximate mappings of other DDSketch
 * implementations (linear or cubic interpolation of the binary exponent) trade a few percent of
 * bins for a cheaper index; the exact mapping keeps the bin count minimal and the bin edges
 * identical on every platform, and it keeps an add well under 100 ns.
 */
export class LogarithmicMapping {
  /** The relative accuracy α. */
  readonly relativeAccuracy: number
  /** γ = (1 + α) / (1 − α), the ratio between consecutive bin edges. */
  readonly gamma: number
  /** 1 / ln γ: the bin index of x is ⌈ln x · multiplier⌉. */
  readonly multiplier: number
  /** The index of the bin that holds {@link MIN_INDEXABLE_VALUE}. */
  readonly minIndex: number
  /** The index of the bin that holds `Number.MAX_VALUE`. */
  readonly maxIndex: number
  readonly #lnGamma: number
  readonly #lnRepresentative: number

  /**
   * @param relativeAccuracy - α, in [{@link MIN_RELATIVE_ACCURACY}, 1)
   * @throws `ERR_INVALID_ARGUMENT` if α is out of range
   */
  constructor(relativeAccuracy: number) {
    if (
      typeof relativeAccuracy !== 'number' ||
      !(relativeAccuracy >= MIN_RELATIVE_ACCURACY && relativeAccuracy < 1)
    )
      throw invalidArgument(
        `relativeAccuracy must be in (0, 1) and at least ${MIN_RELATIVE_ACCURACY}, got ${relativeAccuracy}`,
      )
    this.relativeAccuracy = relativeAccuracy
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    this.#lnGamma = Math.log(this.gamma)
    this.multiplier = 1 / this.#lnGamma
    this.#lnRepresentative = Math.log(2 / (1 + this.gamma))
    this.minIndex = this.index(MIN_INDEXABLE_VALUE)
    this.maxIndex = this.index(Number.MAX_VALUE)
  }

  /** The bin index of a magnitude in [{@link MIN_INDEXABLE_VALUE}, `Number.MAX_VALUE`]. */
  index(magnitude: number): number {
    return Math.ceil(Math.log(magnitude) * this.multiplier)
  }

  /** The representative magnitude of bin `index` (may exceed `Number.MAX_VALUE` for the top bin). */
  value(index: number): number {
    return Math.exp(index * this.#lnGamma + this.#lnRepresentative)
  }

  /** The exclusive lower edge of bin `index`. */
  lowerBound(index: number): number {
    return Math.exp((index - 1) * this.#lnGamma)
  }

  /** The inclusive upper edge of bin `index`. */
  upperBound(index: number): number {
    return Math.exp(index * this.#lnGamma)
  }
}
