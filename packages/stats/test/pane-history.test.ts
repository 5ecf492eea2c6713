import { isShoalError } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Pane } from '../src/time/pane.js'
import { PaneHistory } from '../src/time/pane-history.js'
import { DEFAULT_ROLLUPS, maxHistoryPanes, resolveRollups } from '../src/time/rollup-levels.js'
import { CountSum, countSum } from './time-helpers.js'

function pane(startMs: number, values: readonly number[], durationMs = 1_000): Pane<CountSum> {
  const aggregate = new CountSum()
  for (const v of values) aggregate.add(v)
  return new Pane({ source: 'test', startMs, durationMs, events: values.length, late: 0, aggregate })
}

/** The value of the event in second `s` of the scripted day. */
const valueAt = (s: number) => (s % 7) + 1

describe('roll-up levels', () => {
  it('documents the pane bound of the default levels: 494 panes for 24 h', () => {
    expect(resolveRollups(DEFAULT_ROLLUPS)).toEqual([
      { durationMs: 1_000, keep: 300, maxPanes: 359 },
      { durationMs: 60_000, keep: 60, maxPanes: 64 },
      { durationMs: 300_000, keep: 36, maxPanes: 47 },
      { durationMs: 3_600_000, keep: 24, maxPanes: 24 },
    ])
    expect(maxHistoryPanes()).toBe(494)
  })

  it('refuses levels that do not nest', () => {
    for (const levels of [
      [
        { duration: '1m', keep: 1 },
        { duration: '90s', keep: 1 },
      ],
      [
        { duration: '1m', keep: 1 },
        { duration: '1m', keep: 1 },
      ],
      [{ duration: '1s', keep: 0 }],
      [{ duration: '0.5ms', keep: 1 }],
      [{ duration: 'soon', keep: 1 }],
    ]) {
      let caught: unknown
      try {
        resolveRollups(levels)
      } catch (err) {
        caught = err
      }
      expect(isShoalError(caught, 'ERR_INVALID_ARGUMENT'), JSON.stringify(levels)).toBe(true)
    }
  })
})

describe('PaneHistory', () => {
  it('keeps exactly the documented number of panes at each level over 26 h, and sums are preserved', () => {
    const history = new PaneHistory({ aggregate: countSum })
    const levels = history.levels
    const seenMax = levels.map(() => 0)
    const hours = 26
    let grandTotal = 0
    for (let s = 0; s < hours * 3_600; s++) {
      history.append(pane(s * 1_000, [valueAt(s)]))
      grandTotal += valueAt(s)
      for (let level = 0; level < levels.length; level++)
        seenMax[level] = Math.max(seenMax[level] as number, history.panes(level).length)
    }
    expect(seenMax).toEqual(levels.map((level) => level.maxPanes))
    expect(seenMax).toEqual([359, 64, 47, 24])
    expect(history.size).toBeLessThanOrEqual(maxHistoryPanes())
    // every retained pane at every level holds exactly the sum of its seconds
    const sumOfSeconds = (startMs: number, endMs: number) => {
      let sum = 0
      for (let s = startMs / 1_000; s < endMs / 1_000; s++) sum += valueAt(s)
      return sum
    }
    for (let level = 0; level < levels.length; level++) {
      const panes = history.panes(level)
      expect(panes.length).toBeGreaterThanOrEqual((levels[level] as { keep: number }).keep)
      for (const p of panes) {
        expect(p.aggregate.sum).toBe(sumOfSeconds(p.startMs, p.endMs))
        expect(p.events).toBe(p.durationMs / 1_000)
      }
    }
    // the since-start total is exact however much was rolled up
    expect(history.total()).toMatchObject({ events: hours * 3_600, panes: hours * 3_600 })
    expect(history.total().aggregate.sum).toBe(grandTotal)
    // the last 24 h: whole hours beyond the finer levels, exact sums of what is covered
    const day = history.query('24h')
    expect(day.endMs).toBe(hours * 3_600_000)
    expect(day.startMs).toBe((hours - 24) * 3_600_000)
    expect(day.aggregate.sum).toBe(sumOfSeconds(day.startMs, day.endMs))
    const hour = history.query('1h')
    expect(hour).toMatchObject({ startMs: (hours - 1) * 3_600_000, events: 3_600 })
  })

  it('answers windows with the finest panes held and exact sums over what they cover (property)', () => {
    const levels = [
      { duration: '1s', keep: 10 },
      { duration: '10s', keep: 6 },
      { duration: '1m', keep: 5 },
    ]
    fc.assert(
      fc.property(
        fc.array(fc.record({ s: fc.integer({ min: 0, max: 900 }), v: fc.integer({ min: 1, max: 50 }) }), {
          maxLength: 400,
        }),
        fc.integer({ min: 1, max: 900 }),
        fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 200 }),
        (events, lastSecond, durations, back) => {
          const history = new PaneHistory({ aggregate: countSum, levels })
          const bySecond = new Map<number, number[]>()
          for (const { s, v } of events) if (s < lastSecond) bySecond.set(s, [...(bySecond.get(s) ?? []), v])
          for (const s of [...bySecond.keys()].sort((a, b) => a - b))
            history.append(pane(s * 1_000, bySecond.get(s) ?? []))
          history.advanceTo(lastSecond * 1_000)
          for (const level of history.levels)
            expect(history.panes(history.levels.indexOf(level)).length).toBeLessThanOrEqual(level.maxPanes)
          for (const duration of durations) {
            const endMs = Math.max(0, lastSecond - back) * 1_000
            const result = history.query(duration, { endMs })
            expect(result.endMs).toBeLessThanOrEqual(endMs)
            expect(result.startMs).toBeGreaterThanOrEqual(endMs - duration)
            // and, unless the end falls where only coarser panes remain, as far back as the
            // coarsest panes allow within what the top level retains
            const topRetained = Math.floor((lastSecond * 1_000) / 60_000) * 60_000 - 5 * 60_000
            const reach = Math.max(endMs - duration, topRetained)
            if (result.startMs === result.endMs) {
              // nothing covered: then no pane held at any level lies wholly inside the window
              for (let level = 0; level < history.levels.length; level++)
                for (const p of history.panes(level))
                  expect(
                    p.startMs < endMs - duration || p.endMs > endMs,
                    `level ${level} pane ${p.startMs}`,
                  ).toBe(true)
            } else if (result.endMs === endMs) expect(result.startMs).toBeLessThan(reach + 60_000)
            else expect(result.endMs).toBeGreaterThan(endMs - 60_000)
            let count = 0
            let sum = 0
            for (const { s, v } of events)
              if (s < lastSecond && s * 1_000 >= result.startMs && s * 1_000 < result.endMs) {
                count++
                sum += v
              }
            expect(result.aggregate.count).toBe(count)
            expect(result.aggregate.sum).toBe(sum)
            expect(result.events).toBe(count)
          }
        },
      ),
    )
  })

  it('covers a window with fine panes for the recent part and coarse panes for the rest', () => {
    const history = new PaneHistory({
      aggregate: countSum,
      levels: [
        { duration: '1s', keep: 60 },
        { duration: '1m', keep: 60 },
      ],
    })
    for (let s = 0; s < 3 * 3_600; s++) history.append(pane(s * 1_000, [1]))
    history.advanceTo(3 * 3_600_000 + 30_000) // 30 s of silence
    const result = history.query('1h')
    // the start rounds up to the first whole minute: 59 min 30 s covered
    expect(result).toMatchObject({ startMs: 2 * 3_600_000 + 60_000, endMs: 3 * 3_600_000 + 30_000 })
    expect(result.events).toBe(59 * 60)
    expect(history.query('10s')).toMatchObject({ events: 0, panes: 0 })
  })

  it('refuses panes out of order or of another size', () => {
    const history = new PaneHistory({ aggregate: countSum })
    history.append(pane(5_000, [1]))
    for (const bad of [pane(4_000, [1]), pane(60_000, [1], 60_000)]) {
      let caught: unknown
      try {
        history.append(bad)
      } catch (err) {
        caught = err
      }
      expect(isShoalError(caught, 'ERR_INVALID_ARGUMENT')).toBe(true)
    }
  })
})
