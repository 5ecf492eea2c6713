import { isShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatDuration, parseDuration, tryParseDuration } from '../src/time/duration.js'

describe('durations', () => {
  it('reads milliseconds and unit text', () => {
    expect(parseDuration(250)).toBe(250)
    expect(parseDuration('500ms')).toBe(500)
    expect(parseDuration('10s')).toBe(10_000)
    expect(parseDuration('1m')).toBe(60_000)
    expect(parseDuration('5m')).toBe(300_000)
    expect(parseDuration('1h')).toBe(3_600_000)
    expect(parseDuration('1d')).toBe(86_400_000)
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(parseDuration('1.5s')).toBe(1_500)
    expect(parseDuration(' 2m ')).toBe(120_000)
  })

  it('refuses what is not a duration with a message naming the field', () => {
    for (const value of [
      'soon',
      '10',
      '-1s',
      '1 m',
      '1w',
      '',
      -5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      null,
      {},
      [],
    ])
      expect(tryParseDuration(value), String(value)).toBeUndefined()
    let caught: unknown
    try {
      parseDuration('soon', 'window')
    } catch (err) {
      caught = err
    }
    expect(isShoalError(caught, 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect((caught as Error).message).toBe("window must be a duration like '1m', got 'soon'")
    expect(() => parseDuration(0, 'pane', { allowZero: false })).toThrow('pane must be longer than zero')
    expect(() => parseDuration('0.5ms', 'pane', { integer: true })).toThrow('whole number of milliseconds')
  })

  it('formats what it reads back', () => {
    expect(formatDuration(90_000)).toBe('1m30s')
    expect(formatDuration(0)).toBe('0s')
    fc.assert(
      fc.property(fc.nat({ max: 10 * 86_400_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms)
      }),
    )
  })
})
