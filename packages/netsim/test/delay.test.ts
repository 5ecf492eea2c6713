import { createRandom } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import { type DelayDistribution, sampleDelay } from '../src/index.js'

function stats(delay: DelayDistribution) {
  const random = createRandom(9)
  const xs = Array.from({ length: 20_000 }, () => sampleDelay(delay, random))
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  return { mean, min: Math.min(...xs), max: Math.max(...xs) }
}

describe('delay distributions', () => {
  it('constant', () => {
    expect(stats({ kind: 'constant', ms: 4 })).toEqual({ mean: 4, min: 4, max: 4 })
  })
  it('uniform stays in [min, max) around the middle', () => {
    const s = stats({ kind: 'uniform', min: 2, max: 6 })
    expect(s.min).toBeGreaterThanOrEqual(2)
    expect(s.max).toBeLessThan(6)
    expect(s.mean).toBeCloseTo(4, 1)
  })
  it('exponential has its mean above its floor and a long tail', () => {
    const s = stats({ kind: 'exponential', mean: 3, min: 1 })
    expect(s.min).toBeGreaterThanOrEqual(1)
    expect(s.mean).toBeCloseTo(4, 0)
    expect(s.max).toBeGreaterThan(20)
  })
  it('normal is centred and never negative', () => {
    const s = stats({ kind: 'normal', mean: 10, stddev: 2 })
    expect(s.mean).toBeCloseTo(10, 0)
    expect(s.min).toBeGreaterThanOrEqual(0)
    expect(stats({ kind: 'normal', mean: 1, stddev: 5 }).min).toBe(0)
  })
})
