/** Cubic (Lagrange) interpolation over four points, as DataSketches' HLL estimators use it. */

function cubic(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  x3: number,
  y3: number,
  x: number,
): number {
  const l0 = ((x - x1) * (x - x2) * (x - x3)) / ((x0 - x1) * (x0 - x2) * (x0 - x3))
  const l1 = ((x - x0) * (x - x2) * (x - x3)) / ((x1 - x0) * (x1 - x2) * (x1 - x3))
  const l2 = ((x - x0) * (x - x1) * (x - x3)) / ((x2 - x0) * (x2 - x1) * (x2 - x3))
  const l3 = ((x - x0) * (x - x1) * (x - x2)) / ((x3 - x0) * (x3 - x1) * (x3 - x2))
  return y0 * l0 + y1 * l1 + y2 * l2 + y3 * l3
}

/** The index j with xs[j] ≤ x < xs[j + 1] (xs ascending, xs[0] ≤ x < xs[last]). */
function straddle(xs: ArrayLike<number>, x: number): number {
  let lo = 0
  let hi = xs.length - 1
  while (hi - lo > 1) {
    const mid = lo + ((hi - lo) >> 1)
    if ((xs[mid] as number) <= x) lo = mid
    else hi = mid
  }
  return lo
}

/** The first of the four points to interpolate through, given the straddling index. */
function firstPoint(offset: number, length: number): number {
  if (offset === 0) return 0
  if (offset === length - 2) return offset - 2
  return offset - 1
}

/** Interpolates y(x) through the tables xs and ys (x within [xs[0], xs[last]]). */
export function interpolateXY(xs: ArrayLike<number>, ys: ArrayLike<number>, x: number): number {
  const last = xs.length - 1
  if (x === xs[last]) return ys[last] as number
  const i = firstPoint(straddle(xs, x), xs.length)
  return cubic(
    xs[i] as number,
    ys[i] as number,
    xs[i + 1] as number,
    ys[i + 1] as number,
    xs[i + 2] as number,
    ys[i + 2] as number,
    xs[i + 3] as number,
    ys[i + 3] as number,
    x,
  )
}

/** Interpolates y(x) where y = yStride · index and the x values are in xs (x within [xs[0], xs[last]]). */
export function interpolateXStride(xs: ArrayLike<number>, yStride: number, x: number): number {
  const last = xs.length - 1
  if (x === xs[last]) return yStride * last
  const i = firstPoint(straddle(xs, x), xs.length)
  return cubic(
    xs[i] as number,
    yStride * i,
    xs[i + 1] as number,
    yStride * (i + 1),
    xs[i + 2] as number,
    yStride * (i + 2),
    xs[i + 3] as number,
    yStride * (i + 3),
    x,
  )
}
