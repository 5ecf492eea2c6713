import fc from 'fast-check'

/** A label of letters (either case), digits, `-` and `_`: what every codec writes the same way. */
export const label = fc.stringMatching(/^[A-Za-z0-9_-]{1,15}$/)

/** A name of 0–4 such labels, without the final dot (`''` for the root). */
export const hostname = fc.array(label, { minLength: 0, maxLength: 4 }).map((labels) => labels.join('.'))

/** A name of 1–4 labels. */
export const nonRootName = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'))

/** Flips the case of some letters of `name`, as 0x20 randomisation does. */
export const recase = (name: string, flips: readonly boolean[]): string =>
  Array.from(name, (c, i) => (flips[i % Math.max(flips.length, 1)] ? c.toUpperCase() : c.toLowerCase())).join(
    '',
  )

/** An IPv4 or IPv6 client subnet: family, source prefix, and the address masked to it. */
export const clientSubnet = fc
  .oneof(
    fc.record({
      family: fc.constant(1 as const),
      bytes: fc.uint8Array({ minLength: 4, maxLength: 4 }),
      source: fc.integer({ min: 0, max: 32 }),
    }),
    fc.record({
      family: fc.constant(2 as const),
      bytes: fc.uint8Array({ minLength: 16, maxLength: 16 }),
      source: fc.integer({ min: 0, max: 128 }),
    }),
  )
  .map(({ family, bytes, source }) => {
    const masked = bytes.map((b, i) => {
      const bits = source - 8 * i
      return bits >= 8 ? b : bits <= 0 ? 0 : b & (0xff << (8 - bits)) & 0xff
    })
    return { family, sourcePrefix: source, address: masked }
  })
