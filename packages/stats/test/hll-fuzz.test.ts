import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { isShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HllSketch } from '../src/hll/hll-sketch.js'

const DATA = new URL('../../../../shared/data/datasketches/', import.meta.url)

/** Images of every mode and type: ours, plus the DataSketches fixtures when ../shared is there. */
function seeds(): Uint8Array[] {
  const out: Uint8Array[] = []
  for (const type of ['HLL_4', 'HLL_6', 'HLL_8'] as const) {
    for (const n of [0, 3, 50, 2000, 100000]) {
      for (const lgK of [4, 8, 11]) {
        const sketch = new HllSketch({ lgK, targetType: type })
        for (let i = 0; i < n; i++) sketch.update(i)
        out.push(sketch.toBytes(), sketch.toBytes({ updatable: true }))
        if (n === 2000) {
          const other = new HllSketch({ lgK, targetType: 'HLL_8' })
          for (let i = 0; i < n; i++) other.update(-i)
          sketch.merge(other)
          out.push(sketch.toBytes())
        }
      }
    }
  }
  if (existsSync(DATA)) {
    for (const lang of ['java', 'cpp'])
      for (const file of readdirSync(new URL(`${lang}/`, DATA)))
        if (file.startsWith('hll')) out.push(new Uint8Array(readFileSync(new URL(`${lang}/${file}`, DATA))))
  } else console.warn(`fuzzing HLL images without the DataSketches fixtures: ${DATA.pathname} is absent`)
  return out
}

/** Reading either gives a sketch that works, or throws ERR_INVALID_SKETCH and nothing else. */
function readOrReject(bytes: Uint8Array): void {
  let sketch: HllSketch
  try {
    sketch = HllSketch.fromBytes(bytes)
  } catch (error) {
    if (!(isShoalError(error) && error.code === 'ERR_INVALID_SKETCH')) throw error
    return
  }
  // whatever was accepted must behave: estimate, bounds, updates, merges, serialization
  expect(Number.isNaN(sketch.estimate)).toBe(false)
  sketch.lowerBound(1)
  sketch.upperBound(3)
  for (let i = 0; i < 50; i++) sketch.update(`fuzz ${i}`)
  const other = new HllSketch({ lgK: 8, targetType: 'HLL_4' })
  for (let i = 0; i < 500; i++) other.update(i)
  const merged = sketch.copy('HLL_4')
  merged.merge(other)
  other.merge(sketch)
  HllSketch.fromBytes(sketch.toBytes())
  HllSketch.fromBytes(merged.toBytes({ updatable: true }))
}

describe('HllSketch.fromBytes under fuzzing', () => {
  const images = seeds()

  it('rejects random bytes with ERR_INVALID_SKETCH or reads them into a working sketch', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), readOrReject), { numRuns: 3000 })
  })

  it('rejects random bytes behind a valid preamble, or reads them into a working sketch', () => {
    const preamble = fc.tuple(
      fc.constantFrom(2, 3, 10),
      fc.integer({ min: 4, max: 21 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 10 }),
    )
    fc.assert(
      fc.property(
        preamble,
        fc.uint8Array({ maxLength: 3000 }),
        ([pre, lgK, lgArr, flags, b6, mode], rest) => {
          const bytes = new Uint8Array(8 + rest.length)
          bytes.set([pre, 1, 7, lgK, lgArr, flags, b6, mode])
          bytes.set(rest, 8)
          readOrReject(bytes)
        },
      ),
      { numRuns: 3000 },
    )
  })

  it('rejects mutated and truncated images with ERR_INVALID_SKETCH or reads them into a working sketch', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: images.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.option(fc.nat()),
        (which, edits, cut) => {
          const image = (images[which] as Uint8Array).slice()
          for (const [at, value] of edits) if (image.length > 0) image[at % image.length] = value
          readOrReject(cut === null ? image : image.subarray(0, cut % (image.length + 1)))
        },
      ),
      { numRuns: 3000 },
    )
  })

  it('reads every unmutated seed image', () => {
    for (const image of images) expect(() => HllSketch.fromBytes(image)).not.toThrow()
  })
})
