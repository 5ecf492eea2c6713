import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { HllSketch } from '../src/hll/hll-sketch.js'

const DATA = new URL('../../../../shared/data/datasketches/', import.meta.url)
const available = existsSync(DATA)
if (!available)
  console.warn(
    `skipping the DataSketches HLL fixture tests: ${DATA.pathname} is not there (../shared is absent)`,
  )

interface Fixture {
  lang: 'java' | 'cpp'
  file: string
  n: number
  type: 'HLL_4' | 'HLL_6' | 'HLL_8'
  bytes: Uint8Array
}

function fixtures(): Fixture[] {
  if (!available) return []
  const out: Fixture[] = []
  for (const lang of ['java', 'cpp'] as const) {
    for (const file of readdirSync(new URL(`${lang}/`, DATA))) {
      const match = /^hll([468])_n(\d+)_/.exec(file)
      if (match === null) continue
      out.push({
        lang,
        file,
        n: Number(match[2]),
        type: `HLL_${match[1]}` as Fixture['type'],
        bytes: new Uint8Array(readFileSync(new URL(`${lang}/${file}`, DATA))),
      })
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file))
}

/**
 * An image with a compact SET's coupons sorted and the compact flag set: a re-read SET image
 * lists the same coupons, possibly in another order (DataSketches re-inserts them too).
 */
function canonical(image: Uint8Array): Uint8Array {
  const out = image.slice()
  out[5] = (out[5] as number) | 8
  if (out[0] === 3 && out.length > 12) {
    const coupons = new Uint32Array(out.buffer.slice(12))
    coupons.sort()
    out.set(new Uint8Array(coupons.buffer), 12)
  }
  return out
}

/** The sketch DataSketches made for the fixture: lgK 12, update(i) for i = 0 … n − 1 as longs. */
function ownSketch(n: number, type: Fixture['type']): HllSketch {
  const sketch = new HllSketch({ lgK: 12, targetType: type })
  for (let i = 0; i < n; i++) sketch.update(i)
  return sketch
}

describe.skipIf(!available)('DataSketches HLL fixtures (Java and C++)', () => {
  const all = fixtures()

  it('finds all 48 HLL images', () => {
    expect(all).toHaveLength(48)
  })

  it.each(all.map((f) => [f.file, f] as const))('%s reads with the documented estimate', (_name, f) => {
    const sketch = HllSketch.fromBytes(f.bytes)
    expect(sketch.lgK).toBe(12)
    expect(sketch.targetType).toBe(f.type)
    if (f.n === 0) {
      expect(sketch.isEmpty).toBe(true)
      expect(sketch.estimate).toBe(0)
      return
    }
    expect(sketch.isEmpty).toBe(false)
    expect(Math.abs(sketch.estimate - f.n) / f.n).toBeLessThan(0.02)
    expect(sketch.lowerBound(1)).toBeLessThanOrEqual(sketch.estimate)
    expect(sketch.upperBound(1)).toBeGreaterThanOrEqual(sketch.estimate)
    expect(sketch.mode).toBe(f.n <= 1 ? 'LIST' : f.n <= 100 ? 'SET' : 'HLL')
  })

  it.each(all.map((f) => [f.file, f] as const))(
    '%s: our sketch of the same keys has the same state',
    (_name, f) => {
      const image = HllSketch.fromBytes(f.bytes)
      const own = ownSketch(f.n, f.type)
      expect(own.mode).toBe(image.mode)
      expect(own.estimate).toBe(image.estimate)
      expect(own.compositeEstimate).toBe(image.compositeEstimate)
      for (const sd of [1, 2, 3]) {
        expect(own.lowerBound(sd)).toBe(image.lowerBound(sd))
        expect(own.upperBound(sd)).toBe(image.upperBound(sd))
      }
      const ours = own.toBytes()
      if (f.lang === 'cpp') {
        expect(ours).toEqual(f.bytes)
      } else {
        // Java leaves the compact flag off HLL_6/HLL_8 arrays (their compact and updatable layouts are
        // the same); C++ and we set it. Every other byte is the same.
        const expected = f.bytes.slice()
        if (own.mode === 'HLL' && f.type !== 'HLL_4') expected[5] = (expected[5] as number) | 8
        expect(ours).toEqual(expected)
      }
    },
  )

  it.each(all.map((f) => [f.file, f] as const))(
    '%s round-trips through our reader and writer',
    (_name, f) => {
      const once = HllSketch.fromBytes(f.bytes).toBytes()
      expect(canonical(once)).toEqual(canonical(f.bytes.slice()))
      const twice = HllSketch.fromBytes(once).toBytes()
      expect(canonical(twice)).toEqual(canonical(once))
      // the updatable layout keeps the table as it is: exact identity
      const updatable = HllSketch.fromBytes(f.bytes).toBytes({ updatable: true })
      expect(HllSketch.fromBytes(updatable).toBytes({ updatable: true })).toEqual(updatable)
      expect(HllSketch.fromBytes(updatable).estimate).toBe(HllSketch.fromBytes(f.bytes).estimate)
    },
  )

  it('merges the Java and C++ images of the same keys into the same keys', () => {
    for (const n of [10, 1000, 100000]) {
      const java = HllSketch.fromBytes(
        (all.find((f) => f.lang === 'java' && f.n === n && f.type === 'HLL_8') as Fixture).bytes,
      )
      const cpp = HllSketch.fromBytes(
        (all.find((f) => f.lang === 'cpp' && f.n === n && f.type === 'HLL_4') as Fixture).bytes,
      )
      java.merge(cpp)
      expect(Math.abs(java.estimate - n) / n).toBeLessThan(0.03)
    }
  })
})
