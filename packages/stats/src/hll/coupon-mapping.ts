/**
 * The estimator of the coupon (LIST and SET) modes: the expected number of distinct keys given
 * the number of distinct 32-bit coupons seen, for the implied coupon sketch with k = 2^26
 * addresses. DataSketches' table of 40 points, interpolated cubically.
 */
import { interpolateXY } from './interpolation.js'

const X = Float64Array.of(
  0,
  1,
  20,
  400,
  8000,
  160000,
  300000,
  600000,
  900000,
  1200000,
  1500000,
  1800000,
  2100000,
  2400000,
  2700000,
  3000000,
  3300000,
  3600000,
  3900000,
  4200000,
  4500000,
  4800000,
  5100000,
  5400000,
  5700000,
  6000000,
  6300000,
  6600000,
  6900000,
  7200000,
  7500000,
  7800000,
  8100000,
  8400000,
  8700000,
  9000000,
  9300000,
  9600000,
  9900000,
  10200000,
)

const Y = Float64Array.of(
  0,
  1,
  20.00000094374026,
  400.0003963713384,
  8000.158929460209,
  160063.60677637596,
  300223.70715976635,
  600895.593385617,
  902016.8065120955,
  1203588.498319951,
  1505611.8245524743,
  1808087.9449319066,
  2111018.0231759353,
  2414403.22701425,
  2718244.728205189,
  3022543.702552454,
  3327301.329921909,
  3632518.794258454,
  3938197.283602969,
  4244337.990109356,
  4550942.110061649,
  4858010.843891189,
  5165545.396193897,
  5473546.975747645,
  5782016.7955296505,
  6090956.072734016,
  6400366.028789296,
  6710247.889376201,
  7020602.884445314,
  7331432.248234972,
  7642737.219289148,
  7954519.0404754765,
  8266778.959003342,
  8579518.226442046,
  8892738.098739047,
  9206439.836238328,
  9520624.703698829,
  9835293.97031292,
  10150448.909725029,
  10466090.800050326,
)

/** The estimate of the coupon modes for `count` distinct coupons (never below `count`). */
export function couponEstimate(count: number): number {
  return Math.max(interpolateXY(X, Y, count), count)
}

/** The coupon estimator's raw value for `count` coupons (before the floor at `count`). */
export function couponRawEstimate(count: number): number {
  return interpolateXY(X, Y, count)
}
