import { isShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Pane } from '../src/time/pane.js'
import { CountSum, countSum } from './time-helpers.js'

const paneArbitrary = fc
  .record({
    source: fc.string({ unit: 'grapheme', maxLength: 40 }),
    index: fc.integer({ min: -1_000_000, max: 1_000_000 }),
    durationMs: fc.constantFrom(1, 250, 1_000, 60_000, 3_600_000),
    events: fc.nat(),
    late: fc.nat(),
    count: fc.nat(),
    sum: fc.integer(),
  })
  .map(({ source, index, durationMs, events, late, count, sum }) => {
    const aggregate = new CountSum()
    aggregate.count = count
    aggregate.sum = sum
    return new Pane({ source, startMs: index * durationMs, durationMs, events, late, aggregate })
  })

const fields = (pane: Pane<CountSum>) => ({ ...pane.toJSON(), endMs: pane.endMs })

function expectOnlyInvalidSketch(bytes: Uint8Array): void {
  try {
    const pane = Pane.fromBytes(bytes, countSum)
    // what reads back is a valid pane that writes the same bytes
    expect(pane.toBytes()).toEqual(bytes)
  } catch (err) {
    if (!isShoalError(err, 'ERR_INVALID_SKETCH')) throw err
  }
}

describe('pane images', () => {
  it('round-trips every field and the aggregate', () => {
    fc.assert(
      fc.property(paneArbitrary, (pane) => {
        const bytes = pane.toBytes()
        const back = Pane.fromBytes(bytes, countSum)
        expect(fields(back)).toEqual(fields(pane))
        expect(back.toBytes()).toEqual(bytes)
        expect(Object.isFrozen(back)).toBe(true)
      }),
    )
  })

  it('starts with the shoal envelope of kind pane, version 1', () => {
    const aggregate = new CountSum()
    aggregate.add(3)
    const bytes = new Pane({
      source: 'web-1',
      startMs: 2_000,
      durationMs: 1_000,
      events: 1,
      late: 0,
      aggregate,
    }).toBytes()
    expect([...bytes.subarray(0, 4)]).toEqual([0x53, 0x48, 7, 1])
    expect(bytes.length).toBe(4 + 1 + 2 + 5 + 8 * 4 + 4 + 18)
  })

  it('throws only ERR_INVALID_SKETCH for random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), expectOnlyInvalidSketch), { numRuns: 2_000 })
  })

  it('throws only ERR_INVALID_SKETCH for mutated and truncated images', () => {
    fc.assert(
      fc.property(
        paneArbitrary,
        fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.nat(),
        (pane, mutations, cut) => {
          const bytes = pane.toBytes()
          const mutated = bytes.slice()
          for (const { at, value } of mutations) mutated[at % mutated.length] = value
          expectOnlyInvalidSketch(mutated)
          expectOnlyInvalidSketch(bytes.subarray(0, cut % bytes.length))
          expectOnlyInvalidSketch(Uint8Array.of(...bytes, 0))
        },
      ),
      { numRuns: 2_000 },
    )
  })

  it('reports an aggregate reader that throws something else as ERR_INVALID_SKETCH', () => {
    const bytes = new Pane({
      source: 's',
      startMs: 0,
      durationMs: 1_000,
      events: 0,
      late: 0,
      aggregate: new CountSum(),
    }).toBytes()
    const broken = {
      create: () => new CountSum(),
      fromBytes: (): CountSum => {
        throw new RangeError('boom')
      },
    }
    let caught: unknown
    try {
      Pane.fromBytes(bytes, broken)
    } catch (err) {
      caught = err
    }
    expect(isShoalError(caught, 'ERR_INVALID_SKETCH')).toBe(true)
    expect((caught as Error).message).toContain('boom')
  })

  it('refuses to build a pane with unaligned or invalid fields', () => {
    const aggregate = new CountSum()
    for (const init of [
      { startMs: 1_500, durationMs: 1_000 },
      { startMs: 0, durationMs: 0 },
      { startMs: 0, durationMs: 1.5 },
      { startMs: Number.NaN, durationMs: 1_000 },
    ]) {
      let caught: unknown
      try {
        new Pane({ source: 's', events: 0, late: 0, aggregate, ...init })
      } catch (err) {
        caught = err
      }
      expect(isShoalError(caught, 'ERR_INVALID_ARGUMENT'), JSON.stringify(init)).toBe(true)
    }
  })
})
