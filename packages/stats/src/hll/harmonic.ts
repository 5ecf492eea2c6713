/** Harmonic numbers and the "bitmap" (improved linear counting) estimator built on them. */

const EXACT: Float64Array = Float64Array.of(
  0.0,
  1.0,
  1.5,
  11.0 / 6.0,
  25.0 / 12.0,
  137.0 / 60.0,
  49.0 / 20.0,
  363.0 / 140.0,
  761.0 / 280.0,
  7129.0 / 2520.0,
  7381.0 / 2520.0,
  83711.0 / 27720.0,
  86021.0 / 27720.0,
  1145993.0 / 360360.0,
  1171733.0 / 360360.0,
  1195757.0 / 360360.0,
  2436559.0 / 720720.0,
  42142223.0 / 12252240.0,
  14274301.0 / 4084080.0,
  275295799.0 / 77597520.0,
  55835135.0 / 15519504.0,
  18858053.0 / 5173168.0,
  19093197.0 / 5173168.0,
  444316699.0 / 118982864.0,
  1347822955.0 / 356948592.0,
)

const EULER_MASCHERONI = 0.5772156649015329

/** H(n) = 1 + 1/2 + … + 1/n: exact below 25, the asymptotic series above. */
export function harmonicNumber(n: number): number {
  if (n < EXACT.length) return EXACT[n] as number
  const invSq = 1 / (n * n)
  let sum = Math.log(n) + EULER_MASCHERONI + 1 / (2 * n)
  let pow = invSq
  sum -= pow / 12
  pow *= invSq
  sum += pow / 120
  pow *= invSq
  sum -= pow / 252
  pow *= invSq
  sum += pow / 240
  return sum
}

/** The expected number of distinct keys that set `bitsSet` of `length` bits: length · (H(length) − H(length − bitsSet)). */
export function bitmapEstimate(length: number, bitsSet: number): number {
  return length * (harmonicNumber(length) - harmonicNumber(length - bitsSet))
}
