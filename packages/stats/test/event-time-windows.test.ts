import { isShoalError, ManualClock } from '@shoal/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EventTimeWindows, type EventTimeWindowsOptions } from '../src/time/event-time-windows.js'
import type { Pane } from '../src/time/pane.js'
import { type CountSum, countSum } from './time-helpers.js'

type Options = Omit<EventTimeWindowsOptions<number, CountSum>, 'aggregate'>

function windows(options: Options = {}): { w: EventTimeWindows<number, CountSum>; closed: Pane<CountSum>[] } {
  const w = new EventTimeWindows<number, CountSum>({
    aggregate: countSum,
    clock: new ManualClock(),
    ...options,
  })
  const closed: Pane<CountSum>[] = []
  w.addEventListener('pane-closed', (event) => closed.push(event.detail))
  return { w, closed }
}

const view = (panes: readonly Pane<CountSum>[]) =>
  panes.map((p) => ({
    start: p.startMs,
    count: p.aggregate.count,
    sum: p.aggregate.sum,
    events: p.events,
    late: p.late,
  }))

/** Exact panes of `events`, computed directly. */
function expectedPanes(events: readonly { t: number; v: number }[], paneMs: number) {
  const byStart = new Map<number, { count: number; sum: number }>()
  for (const { t, v } of events) {
    const start = Math.floor(t / paneMs) * paneMs
    const entry = byStart.get(start) ?? { count: 0, sum: 0 }
    entry.count++
    entry.sum += v
    byStart.set(start, entry)
  }
  return [...byStart.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([start, { count, sum }]) => ({ start, count, sum, events: count, late: 0 }))
}

describe('EventTimeWindows', () => {
  it('closes a pane when the watermark (max event time − lateness) passes its end', () => {
    const { w, closed } = windows({ allowedLateness: '5s' })
    w.add(1, 1_000)
    w.add(2, 1_500)
    w.add(3, 2_200)
    expect(closed).toEqual([])
    w.add(4, 6_999) // watermark 1 999: pane [1000, 2000) not passed yet
    expect(closed).toEqual([])
    w.add(5, 7_000) // watermark 2 000: closes [1000, 2000)
    expect(view(closed)).toEqual([{ start: 1_000, count: 2, sum: 3, events: 2, late: 0 }])
    expect(w.closedThroughMs).toBe(2_000)
    expect(Object.isFrozen(closed[0])).toBe(true)
  })

  it('gives the same panes for shuffled event times bounded by the lateness as for sorted input', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            t: fc.integer({ min: 0, max: 60_000 }),
            v: fc.integer({ min: -100, max: 100 }),
            jitter: fc.integer({ min: 0, max: 5_000 }),
          }),
          { maxLength: 300 },
        ),
        fc.constantFrom(1_000, 250, 5_000),
        (raw, paneMs) => {
          const levels = [{ duration: paneMs, keep: 1_000 }]
          const sorted = [...raw].sort((a, b) => a.t - b.t)
          // arrival order by t + jitter, jitter ≤ lateness: no event trails the newest by more than the lateness
          const shuffled = [...raw].sort((a, b) => a.t + a.jitter - (b.t + b.jitter))
          const run = (events: typeof raw) => {
            const { w, closed } = windows({ allowedLateness: 5_000, levels })
            for (const e of events) expect(w.add(e.v, e.t)).toBe(true)
            w.flush()
            expect(w.stats.late).toBe(0)
            return view(closed)
          }
          const fromSorted = run(sorted)
          expect(run(shuffled)).toEqual(fromSorted)
          expect(fromSorted).toEqual(expectedPanes(raw, paneMs))
        },
      ),
    )
  })

  it('gives the same panes with many sources, each out of order within the lateness', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            source: fc.constantFrom('a', 'b', 'c'),
            t: fc.integer({ min: 0, max: 30_000 }),
            v: fc.integer({ min: 0, max: 9 }),
            jitter: fc.integer({ min: 0, max: 2_000 }),
          }),
          { maxLength: 200 },
        ),
        (raw) => {
          const { w, closed } = windows({ allowedLateness: 2_000, idleTimeout: '1h' })
          for (const e of [...raw].sort((a, b) => a.t + a.jitter - (b.t + b.jitter)))
            w.add(e.v, e.t, e.source)
          w.flush()
          expect(w.stats.late).toBe(0)
          expect(view(closed)).toEqual(expectedPanes(raw, 1_000))
        },
      ),
    )
  })

  it('counts late events without reopening closed panes (policy count)', () => {
    const late: number[] = []
    const { w, closed } = windows({
      allowedLateness: 0,
      latePolicy: 'count',
      onLate: (_e, t) => late.push(t),
    })
    w.add(1, 500)
    w.add(1, 2_100) // closes [0, 1000) and [1000, 2000)
    expect(view(closed)).toEqual([{ start: 0, count: 1, sum: 1, events: 1, late: 0 }])
    expect(w.add(7, 900)).toBe(false) // [0, 1000) is closed
    expect(late).toEqual([900])
    expect(w.stats).toMatchObject({ late: 1, folded: 0, events: 2 })
    w.add(1, 3_000)
    // the late event is counted against the oldest open pane, not added
    expect(view(closed)[1]).toEqual({ start: 2_000, count: 1, sum: 1, events: 1, late: 1 })
    expect(closed[0]?.aggregate.count).toBe(1)
  })

  it('folds late events into the oldest open pane (policy fold)', () => {
    const { w, closed } = windows({ allowedLateness: 0, latePolicy: 'fold' })
    w.add(1, 500)
    w.add(10, 2_500)
    w.add(10, 3_500) // closes up to 3000
    expect(w.openPanes()).toEqual([3_000])
    expect(w.add(100, 100)).toBe(true) // late: folded into [3000, 4000)
    w.flush()
    expect(view(closed)).toEqual([
      { start: 0, count: 1, sum: 1, events: 1, late: 0 },
      { start: 2_000, count: 1, sum: 10, events: 1, late: 0 },
      { start: 3_000, count: 2, sum: 110, events: 2, late: 1 },
    ])
    expect(w.stats).toMatchObject({ late: 1, folded: 1, events: 4 })
    // totals stay exact with fold
    expect(w.window(Number.POSITIVE_INFINITY).sum).toBe(121)
  })

  it('does not let an idle source hold back the watermark (processing-time idleness)', () => {
    const clock = new ManualClock(0)
    const { w, closed } = windows({
      clock,
      allowedLateness: '1s',
      idleTimeout: '10s',
      followClockWhenIdle: false,
    })
    w.advance(0)
    w.add(1, 0, 'quiet')
    for (let s = 0; s <= 30; s++) {
      clock.advance(1_000)
      w.advance()
      w.add(1, clock.now(), 'busy')
    }
    // 'quiet' fell silent at 0 and went idle after 10 s: the watermark follows 'busy'
    expect(w.watermarks.sources().find((s) => s.sourceId === 'quiet')?.idle).toBe(true)
    expect(w.watermarkMs).toBe(31_000 - 1_000)
    expect(closed.length).toBeGreaterThan(25)
    // it is live again when it speaks, and holds the watermark where it was (never backwards)
    w.add(1, 30_500, 'quiet')
    expect(w.watermarks.sources().find((s) => s.sourceId === 'quiet')?.idle).toBe(false)
    expect(w.watermarkMs).toBe(30_000)
  })

  it('holds the watermark at the slowest live source until it goes idle', () => {
    const clock = new ManualClock(0)
    const { w } = windows({ clock, allowedLateness: 0, idleTimeout: '5s', followClockWhenIdle: false })
    w.advance(0)
    w.add(1, 1_000, 'slow')
    w.add(1, 9_000, 'fast')
    expect(w.watermarkMs).toBe(1_000)
    clock.advance(5_000)
    w.advance()
    w.add(1, 9_100, 'fast')
    expect(w.watermarkMs).toBe(1_000) // silent for exactly the timeout: still live
    clock.advance(1)
    w.advance()
    expect(w.watermarks.sources().map((s) => [s.sourceId, s.idle])).toEqual([
      ['slow', true],
      ['fast', false],
    ])
    expect(w.watermarkMs).toBe(9_100)
  })

  it('measures idleness in event time when asked (no clock involved)', () => {
    const { w } = windows({ allowedLateness: 0, idleTimeout: '5s', idleBasis: 'event-time' })
    w.add(1, 1_000, 'slow')
    w.add(1, 6_000, 'fast')
    expect(w.watermarkMs).toBe(1_000)
    w.add(1, 6_001, 'fast') // slow lags by more than 5 s of event time
    expect(w.watermarkMs).toBe(6_001)
  })

  it('follows processing time when every source is idle, so the last panes close', () => {
    const clock = new ManualClock(100_000)
    const { w, closed } = windows({ clock, allowedLateness: '5s', idleTimeout: '10s' })
    w.advance()
    w.add(1, 100_200)
    expect(closed).toEqual([])
    clock.advance(10_001)
    w.advance()
    expect(view(closed)).toEqual([{ start: 100_000, count: 1, sum: 1, events: 1, late: 0 }])
  })

  it('stamps events without a time with the clock', () => {
    const clock = new ManualClock(42_123)
    const { w, closed } = windows({ clock, allowedLateness: 0 })
    w.add(5)
    w.add(6, null)
    clock.advance(1_000)
    w.add(7)
    expect(view(closed)).toEqual([{ start: 42_000, count: 2, sum: 11, events: 2, late: 0 }])
  })

  it('counts events with a non-finite time instead of throwing', () => {
    const drops: string[] = []
    const { w } = windows({ onDrop: (reason) => drops.push(reason) })
    expect(w.add(1, Number.NaN)).toBe(false)
    expect(w.add(1, Number.POSITIVE_INFINITY)).toBe(false)
    expect(w.stats.invalidTime).toBe(2)
    expect(drops).toEqual(['invalid-time', 'invalid-time'])
  })

  it('refuses events of new sources when the source table is full of live ones', () => {
    const drops: string[] = []
    const { w } = windows({
      maxSources: 2,
      onDrop: (reason, _e, source) => drops.push(`${reason}:${source}`),
    })
    w.add(1, 0, 'a')
    w.add(1, 0, 'b')
    expect(w.add(1, 0, 'c')).toBe(false)
    expect(drops).toEqual(['source-limit:c'])
    expect(w.stats.sourceLimit).toBe(1)
  })

  it('bounds open panes: opening one more closes the oldest first', () => {
    const { w, closed } = windows({ allowedLateness: '1h', maxOpenPanes: 3 })
    for (const t of [0, 1_000, 2_000, 3_000]) w.add(1, t)
    expect(w.openPanes()).toEqual([1_000, 2_000, 3_000])
    expect(view(closed).map((p) => p.start)).toEqual([0])
    expect(w.stats.forcedCloses).toBe(1)
    w.add(1, 500) // its pane was force-closed: late, folded into the oldest open
    expect(w.stats.late).toBe(1)
  })

  it('answers sliding windows as merges of closed panes, optionally with the open ones', () => {
    const { w } = windows({ allowedLateness: 0 })
    for (let s = 0; s < 120; s++) w.add(s, s * 1_000 + 10)
    // closed through 119 000; pane 119 000 is open
    expect(w.closedThroughMs).toBe(119_000)
    const tenSeconds = w.query('10s')
    expect(tenSeconds).toMatchObject({ startMs: 109_000, endMs: 119_000, panes: 10, events: 10 })
    expect(tenSeconds.aggregate.sum).toBe(109 + 110 + 111 + 112 + 113 + 114 + 115 + 116 + 117 + 118)
    expect(w.window('1m').count).toBe(60)
    const withOpen = w.query('10s', { includeOpen: true })
    expect(withOpen).toMatchObject({ startMs: 110_000, endMs: 120_000, panes: 10 })
    expect(withOpen.aggregate.sum).toBe(110 + 111 + 112 + 113 + 114 + 115 + 116 + 117 + 118 + 119)
    expect(w.window(Number.POSITIVE_INFINITY).count).toBe(119)
    expect(w.window(Number.POSITIVE_INFINITY, { includeOpen: true }).count).toBe(120)
    expect(w.query('10s', { endMs: 50_000 })).toMatchObject({ startMs: 40_000, endMs: 50_000, panes: 10 })
    // a window returns a new aggregate: changing it changes nothing held
    w.window('10s').add(1_000_000)
    expect(w.window('10s').sum).toBe(tenSeconds.aggregate.sum)
  })

  it('serves the last 10 s, 1 min, 5 min, 1 h and since start from the default roll-ups', () => {
    const { w } = windows({ allowedLateness: 0 })
    const seconds = 2 * 3_600 + 45 // 2 h 45 s of one event a second
    for (let s = 0; s <= seconds; s++) w.add(1, s * 1_000)
    expect(w.closedThroughMs).toBe(seconds * 1_000)
    const end = seconds * 1_000
    expect(w.query('10s')).toMatchObject({ startMs: end - 10_000, endMs: end, events: 10, panes: 10 })
    expect(w.query('1m')).toMatchObject({ startMs: end - 60_000, events: 60, panes: 60 })
    expect(w.query('5m')).toMatchObject({ startMs: end - 300_000, events: 300, panes: 300 })
    // older than the 1 s level: whole minutes, so the hour starts at the next minute boundary
    const hour = w.query('1h')
    expect(hour).toMatchObject({ startMs: 3_600_000 + 60_000, endMs: end })
    expect(hour.events).toBe((end - hour.startMs) / 1_000)
    expect(hour.panes).toBeLessThan(400)
    expect(w.query(Number.POSITIVE_INFINITY)).toMatchObject({ events: seconds })
    expect(w.history.size).toBeLessThanOrEqual(494)
  })

  it('publishes closed panes as an async iterable and ends it on stop', async () => {
    const { w } = windows({ allowedLateness: 0 })
    const panes = w.panes()
    w.add(1, 0)
    w.add(2, 1_000)
    w.add(3, 2_000)
    await w.stop()
    const seen: number[] = []
    for await (const pane of panes) seen.push(pane.startMs)
    expect(seen).toEqual([0, 1_000])
  })

  it('drops the oldest panes for a slow iterator instead of growing', async () => {
    const { w } = windows({ allowedLateness: 0 })
    const panes = w.panes({ bufferSize: 2 })
    for (let s = 0; s <= 5; s++) w.add(1, s * 1_000)
    expect(panes.dropped).toBe(3)
    expect((await panes.next()).value?.startMs).toBe(3_000)
    await panes.return()
  })

  it('rejects an aborted iterator with the reason', async () => {
    const { w } = windows()
    const controller = new AbortController()
    const panes = w.panes({ signal: controller.signal })
    const next = panes.next()
    controller.abort(new Error('enough'))
    await expect(next).rejects.toThrow('enough')
  })

  it('ticks with the injected clock after start(), and not after stop()', async () => {
    const clock = new ManualClock(0)
    const { w, closed } = windows({ clock, allowedLateness: '2s', idleTimeout: '3s' })
    await w.start()
    w.add(1, 0)
    clock.advance(3_000) // ticks at 1, 2, 3 s: the source is not idle yet
    expect(closed).toEqual([])
    clock.advance(2_000) // idle after 3 s of silence: watermark follows the clock (5 s − 2 s)
    expect(view(closed).map((p) => p.start)).toEqual([0])
    await w.stop()
    w.add(1, 10_000)
    clock.advance(60_000)
    expect(closed.length).toBe(1)
    expect(clock.pending).toBe(0)
  })

  it('emits one watermark event per call that closes an interval', () => {
    const { w } = windows({ allowedLateness: 0 })
    const progress: number[] = []
    w.addEventListener('watermark', (event) => progress.push(event.detail.closedThroughMs))
    w.add(1, 0)
    w.add(1, 500)
    w.add(1, 5_500)
    w.add(1, 5_700)
    expect(progress).toEqual([0, 5_000])
  })

  it('throws ERR_INVALID_ARGUMENT for bad options', () => {
    const bad: Options[] = [
      { allowedLateness: 'soon' },
      { idleTimeout: 0 },
      { latePolicy: 'drop' as 'fold' },
      {
        levels: [
          { duration: '1s', keep: 10 },
          { duration: '1500ms', keep: 10 },
        ],
      },
      { levels: [] },
      { maxOpenPanes: 0 },
      { source: 'x'.repeat(300) },
    ]
    for (const options of bad) {
      let caught: unknown
      try {
        windows(options)
      } catch (err) {
        caught = err
      }
      expect(isShoalError(caught, 'ERR_INVALID_ARGUMENT'), JSON.stringify(options)).toBe(true)
    }
  })
})
