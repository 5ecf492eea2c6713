import { createRandom, isShoalError, ManualClock } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EventTimeWindows } from '../src/time/event-time-windows.js'
import { Pane } from '../src/time/pane.js'
import { PaneHistory } from '../src/time/pane-history.js'
import { PaneMerger, type PaneRejection } from '../src/time/pane-merger.js'
import { CountSum, countSum } from './time-helpers.js'

const eventArbitrary = fc.record({
  node: fc.integer({ min: 0, max: 3 }),
  t: fc.integer({ min: 0, max: 20_000 }),
  v: fc.integer({ min: -50, max: 50 }),
})

/** Closed panes of `events` aggregated by one node called `source`. */
function aggregateOn(source: string, events: readonly { t: number; v: number }[]): Pane<CountSum>[] {
  const windows = new EventTimeWindows<number, CountSum>({
    aggregate: countSum,
    source,
    clock: new ManualClock(),
    allowedLateness: '1h',
  })
  const panes: Pane<CountSum>[] = []
  windows.addEventListener('pane-closed', (event) => panes.push(event.detail))
  for (const { t, v } of events) windows.add(v, t)
  windows.flush()
  return panes
}

const summary = (panes: readonly Pane<CountSum>[]) =>
  panes.map((p) => ({ start: p.startMs, count: p.aggregate.count, sum: p.aggregate.sum, events: p.events }))

describe('PaneMerger', () => {
  it('merges panes shipped by many sources, in any order, into what one aggregator would have seen', () => {
    fc.assert(
      fc.property(
        fc.array(eventArbitrary, { maxLength: 200 }),
        fc.nat(),
        fc.boolean(),
        (events, seed, asBytes) => {
          const single = aggregateOn('all', events)
          const shipped = [0, 1, 2, 3].flatMap((node) =>
            aggregateOn(
              `node-${node}`,
              events.filter((e) => e.node === node),
            ),
          )
          // any arrival order: a seeded Fisher–Yates shuffle
          const random = createRandom(seed)
          for (let i = shipped.length - 1; i > 0; i--) {
            const j = random.int(i + 1)
            ;[shipped[i], shipped[j]] = [shipped[j] as Pane<CountSum>, shipped[i] as Pane<CountSum>]
          }
          const merger = new PaneMerger({ aggregate: countSum })
          for (const pane of shipped) expect(merger.accept(asBytes ? pane.toBytes() : pane)).toBe(true)
          const merged = merger.seal(Number.MAX_SAFE_INTEGER - 1_000)
          expect(summary(merged)).toEqual(summary(single))
          expect(merged.every((p) => p.source === 'merged')).toBe(true)
        },
      ),
    )
  })

  it('merges a pane a source ships twice only once', () => {
    const merger = new PaneMerger({ aggregate: countSum })
    const [pane] = aggregateOn('web-1', [{ t: 1_200, v: 5 }])
    if (pane === undefined) throw new Error('no pane')
    expect(merger.accept(pane)).toBe(true)
    expect(merger.accept(pane.toBytes())).toBe(false)
    expect(merger.peek(1_000)?.aggregate.sum).toBe(5)
    expect(merger.sourcesOf(1_000)).toEqual(['web-1'])
    expect(merger.stats.rejected.duplicate).toBe(1)
  })

  it('refuses panes of sealed intervals, other durations and unreadable bytes, without throwing', () => {
    const rejections: Array<[PaneRejection, string | undefined]> = []
    const merger = new PaneMerger({
      aggregate: countSum,
      maxPanes: 2,
      onReject: (reason, detail) => rejections.push([reason, detail.error?.code]),
    })
    const pane = (startMs: number, durationMs = 1_000) =>
      new Pane({ source: 'a', startMs, durationMs, events: 0, late: 0, aggregate: new CountSum() })
    merger.accept(pane(0))
    merger.accept(pane(1_000))
    expect(merger.accept(pane(2_000))).toBe(false) // full
    expect(merger.seal(1_000).map((p) => p.startMs)).toEqual([0])
    expect(merger.accept(pane(0))).toBe(false) // sealed
    expect(merger.accept(pane(60_000, 60_000))).toBe(false)
    expect(merger.accept(Uint8Array.of(1, 2, 3))).toBe(false)
    expect(rejections).toEqual([
      ['full', undefined],
      ['sealed', undefined],
      ['duration', undefined],
      ['invalid', 'ERR_INVALID_SKETCH'],
    ])
    expect(merger.stats).toEqual({
      accepted: 2,
      rejected: { invalid: 1, duration: 1, duplicate: 0, sealed: 1, full: 1 },
      held: 1,
    })
  })

  it('feeds sealed panes into a history for windows across sources', () => {
    const merger = new PaneMerger({ aggregate: countSum })
    const history = new PaneHistory({ aggregate: countSum, source: 'merged' })
    for (const node of ['a', 'b'])
      for (const pane of aggregateOn(
        node,
        Array.from({ length: 20 }, (_, s) => ({ t: s * 1_000, v: 1 })),
      ))
        merger.accept(pane)
    for (const pane of merger.seal(20_000)) history.append(pane)
    history.advanceTo(20_000)
    expect(history.window('10s')).toMatchObject({ count: 20, sum: 20 })
  })

  it('throws ERR_INVALID_ARGUMENT for bad options', () => {
    let caught: unknown
    try {
      new PaneMerger({ aggregate: countSum, pane: '1.5ms' })
    } catch (err) {
      caught = err
    }
    expect(isShoalError(caught, 'ERR_INVALID_ARGUMENT')).toBe(true)
  })
})
