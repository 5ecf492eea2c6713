import fc from 'fast-check'

/** Strings of arbitrary UTF-16 code units: lone surrogates, pairs in and out of order, NUL. */
export const codeUnits = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 0x80, max: 0x7ff }),
      fc.integer({ min: 0xd800, max: 0xdfff }),
      fc.integer({ min: 0, max: 0xffff }),
    ),
    { maxLength: 60 },
  )
  .map((units) => String.fromCharCode(...units))

/**
 * Keys of every kind the hashes must agree on: ASCII of lengths around the 4-, 16- and 64-byte
 * boundaries, well-formed Unicode (graphemes, astral characters), arbitrary code points, and raw
 * code units with lone surrogates.
 */
export const anyText = fc.oneof(
  fc.string({ maxLength: 140 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  codeUnits,
)

/** The UTF-8 bytes of a string as TextEncoder writes them (a lone surrogate becomes EF BF BD). */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text)
}
