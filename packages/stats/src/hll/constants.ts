/**
 * Constants of the Apache DataSketches HLL sketch and its binary image (family 7, serial
 * version 1): preamble offsets, flag bits, mode bits, coupon layout and table sizes.
 */

/** The register width a sketch compacts to in HLL mode: 4, 6 or 8 bits per register. */
export const HllTargetType = {
  /** 4-bit registers holding offsets from a current minimum, with an exception table. Smallest. */
  HLL_4: 'HLL_4',
  /** 6-bit packed registers. */
  HLL_6: 'HLL_6',
  /** One byte per register. Fastest. */
  HLL_8: 'HLL_8',
} as const

/** One of {@link HllTargetType}'s values. */
export type HllTargetType = (typeof HllTargetType)[keyof typeof HllTargetType]

/** What a sketch currently stores: a coupon list, a coupon hash set, or the HLL registers. */
export const HllMode = {
  /** Up to 7 coupons in an array, while very small. */
  LIST: 'LIST',
  /** Coupons in an open-addressing hash set, while small. */
  SET: 'SET',
  /** 2^lgK registers. */
  HLL: 'HLL',
} as const

/** One of {@link HllMode}'s values. */
export type HllMode = (typeof HllMode)[keyof typeof HllMode]

/** Target type codes in the image's mode byte (bits 2–3). */
export const TYPE_CODE = { HLL_4: 0, HLL_6: 1, HLL_8: 2 } as const
/** Target types by their code. */
export const TYPE_BY_CODE: readonly HllTargetType[] = ['HLL_4', 'HLL_6', 'HLL_8']

/** Current-mode codes in the image's mode byte (bits 0–1). */
export const MODE_LIST = 0
export const MODE_SET = 1
export const MODE_HLL = 2

/** The smallest and largest lgK, and the default. */
export const MIN_LG_K = 4
export const MAX_LG_K = 21
export const DEFAULT_LG_K = 12

/** DataSketches family id of HLL images, and the only serial version. */
export const FAMILY_ID = 7
export const SERIAL_VERSION = 1

/** Preamble sizes in 32-bit ints by mode. */
export const LIST_PREINTS = 2
export const SET_PREINTS = 3
export const HLL_PREINTS = 10

/** Byte offsets of the preamble fields. */
export const PREINTS_BYTE = 0
export const SER_VER_BYTE = 1
export const FAMILY_BYTE = 2
export const LG_K_BYTE = 3
export const LG_ARR_BYTE = 4
export const FLAGS_BYTE = 5
export const LIST_COUNT_BYTE = 6
export const CUR_MIN_BYTE = 6
export const MODE_BYTE = 7
export const LIST_START = 8
export const SET_COUNT_INT = 8
export const SET_START = 12
export const HIP_ACCUM_DOUBLE = 8
export const KXQ0_DOUBLE = 16
export const KXQ1_DOUBLE = 24
export const CUR_MIN_COUNT_INT = 32
export const AUX_COUNT_INT = 36
export const HLL_START = 40

/** Flag bits (byte 5). */
export const READ_ONLY_FLAG = 2
export const EMPTY_FLAG = 4
export const COMPACT_FLAG = 8
export const OUT_OF_ORDER_FLAG = 16
/** Java's union marks stale cur-min and KxQ fields with this bit; C++ uses it for "start full size". */
export const REBUILD_FLAG = 32

/** A coupon: a 26-bit slot address in the low bits and a 6-bit value above. */
export const KEY_BITS_26 = 26
export const KEY_MASK_26 = (1 << KEY_BITS_26) - 1

/** Coupon list and hash set sizing. */
export const LG_INIT_LIST_SIZE = 3
export const LG_INIT_SET_SIZE = 5
export const RESIZE_NUMER = 3
export const RESIZE_DENOM = 4

/** The HLL_4 nibble that means "look in the exception table". */
export const AUX_TOKEN = 15

/** log2 of the initial exception-table size by lgK (0 … 21). */
export const LG_AUX_ARR_INTS: readonly number[] = [
  0, 2, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 10, 11, 12, 13,
]

/** 2^-i for i = 0 … 63. */
export const INVERSE_POWERS_OF_2: Float64Array = (() => {
  const table = new Float64Array(64)
  for (let i = 0; i < 64; i++) table[i] = 2 ** -i
  return table
})()
