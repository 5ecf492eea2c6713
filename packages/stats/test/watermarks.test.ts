import { isShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Watermarks } from '../src/time/watermarks.js'

describe('Watermarks', () => {
  it('is the newest event time minus the allowed lateness (5 s by default)', () => {
    const marks = new Watermarks()
    expect(marks.watermarkMs).toBe(Number.NEGATIVE_INFINITY)
    marks.observe('a', 10_000)
    expect(marks.watermarkMs).toBe(5_000)
    marks.observe('a', 8_000)
    expect(marks.watermarkMs).toBe(5_000)
    marks.observe('a', 12_000)
    expect(marks.watermarkMs).toBe(7_000)
  })

  it('is the minimum over live sources and never moves back (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ source: fc.constantFrom('a', 'b', 'c'), t: fc.integer({ min: 0, max: 100_000 }) }),
            fc.record({ now: fc.integer({ min: 0, max: 100_000 }) }),
          ),
          { maxLength: 100 },
        ),
        (steps) => {
          const marks = new Watermarks({ allowedLateness: 1_000, idleTimeout: 10_000 })
          let previous = marks.watermarkMs
          for (const step of steps) {
            if ('now' in step) marks.advance(step.now)
            else marks.observe(step.source, step.t)
            expect(marks.watermarkMs).toBeGreaterThanOrEqual(previous)
            previous = marks.watermarkMs
            const live = marks.sources().filter((s) => !s.idle)
            if (live.length > 0) {
              const min = Math.min(...live.map((s) => s.watermarkMs))
              // the watermark is the live minimum unless it already was higher before
              expect(marks.watermarkMs).toBeGreaterThanOrEqual(min)
              if (marks.watermarkMs > min) expect(marks.watermarkMs).toBe(previous)
            }
          }
        },
      ),
    )
  })

  it('evicts the longest-idle source when the table is full, and refuses when none is idle', () => {
    const marks = new Watermarks({ maxSources: 2, idleTimeout: 1_000 })
    marks.advance(0)
    expect(marks.observe('a', 0)).toBe(true)
    expect(marks.observe('b', 0)).toBe(true)
    expect(marks.observe('c', 0)).toBe(false)
    marks.advance(500)
    marks.observe('b', 1)
    marks.advance(1_200) // a idle (silent 1.2 s), b live (0.7 s)
    expect(marks.observe('c', 0)).toBe(true)
    expect(marks.sources().map((s) => s.sourceId)).toEqual(['b', 'c'])
  })

  it('throws ERR_INVALID_ARGUMENT for bad options', () => {
    for (const options of [
      { allowedLateness: -1 },
      { idleTimeout: 'never' },
      { idleBasis: 'wall' },
      { maxSources: 0 },
    ]) {
      let caught: unknown
      try {
        new Watermarks(options as never)
      } catch (err) {
        caught = err
      }
      expect(isShoalError(caught, 'ERR_INVALID_ARGUMENT'), JSON.stringify(options)).toBe(true)
    }
  })
})
