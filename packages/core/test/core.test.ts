import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import {
  createLogger,
  createRandom,
  invalidArgument,
  isShoalError,
  ManualClock,
  ShoalError,
  silentLogger,
  sleep,
  systemClock,
  TypedEventTarget,
} from '../src/index.js'

describe('ShoalError', () => {
  it('carries code, cause and details', () => {
    const cause = new Error('root')
    const err = new ShoalError('ERR_X', 'boom', { cause, details: { at: 3 } })
    expect(err.code).toBe('ERR_X')
    expect(err.cause).toBe(cause)
    expect(err.details).toEqual({ at: 3 })
    expect(err.message).toBe('boom')
    expect(err).toBeInstanceOf(Error)
  })

  it('is recognised by code across copies, not by instanceof', () => {
    const foreign = Object.assign(new Error('x'), { name: 'ShoalError', code: 'ERR_Y' })
    expect(isShoalError(foreign)).toBe(true)
    expect(isShoalError(foreign, 'ERR_Y')).toBe(true)
    expect(isShoalError(foreign, 'ERR_Z')).toBe(false)
    expect(isShoalError(new Error('plain'))).toBe(false)
    expect(isShoalError({ name: 'ShoalError', code: 'ERR_Y' })).toBe(false)
    expect(isShoalError(invalidArgument('bad'), 'ERR_INVALID_ARGUMENT')).toBe(true)
  })
})

describe('sleep', () => {
  it('resolves after the delay', async () => {
    const started = performance.now()
    await sleep(5)
    expect(performance.now() - started).toBeGreaterThanOrEqual(4)
  })

  it('rejects with the abort reason', async () => {
    const controller = new AbortController()
    const pending = sleep(10_000, { signal: controller.signal })
    controller.abort(new Error('stop'))
    await expect(pending).rejects.toThrow('stop')
    await expect(sleep(1, { signal: AbortSignal.abort('early') })).rejects.toBe('early')
  })
})

describe('ManualClock', () => {
  it('fires timers in due order, ties in set order, each at its own time', () => {
    const clock = new ManualClock(100)
    const seen: string[] = []
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20)
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10)
    clock.setTimeout(() => seen.push(`c@${clock.now()}`), 20)
    const cancelled = clock.setTimeout(() => seen.push('never'), 5)
    clock.clearTimeout(cancelled)
    clock.advance(15)
    expect(seen).toEqual(['a@110'])
    expect(clock.now()).toBe(115)
    clock.advance(100)
    expect(seen).toEqual(['a@110', 'b@120', 'c@120'])
    expect(clock.pending).toBe(0)
  })

  it('fires timers set by callbacks within the same step', () => {
    const clock = new ManualClock()
    const seen: number[] = []
    clock.setTimeout(() => clock.setTimeout(() => seen.push(clock.now()), 5), 5)
    clock.advance(10)
    expect(seen).toEqual([10])
  })

  it('system clock timers run and can be cancelled', async () => {
    const fired = vi.fn()
    const handle = systemClock.setTimeout(fired, 1)
    systemClock.clearTimeout(handle)
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 2))
    expect(fired).not.toHaveBeenCalled()
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(1000)
  })
})

describe('createRandom', () => {
  it('is deterministic per seed and differs across seeds', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = createRandom(seed)
        const b = createRandom(seed)
        const xs = Array.from({ length: 8 }, () => a.uint32())
        expect(Array.from({ length: 8 }, () => b.uint32())).toEqual(xs)
      }),
    )
    expect(createRandom(1).uint32()).not.toBe(createRandom(2).uint32())
  })

  it('next() is in [0, 1) and int() in range, roughly uniform', () => {
    const random = createRandom(7)
    const buckets = new Array<number>(10).fill(0)
    for (let i = 0; i < 100_000; i++) {
      const x = random.next()
      expect(x >= 0 && x < 1).toBe(true)
      const k = random.int(10)
      buckets[k] = (buckets[k] ?? 0) + 1
    }
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500)
  })

  it('rejects bad arguments with ERR_INVALID_ARGUMENT', () => {
    expect(() => createRandom(1.5)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    expect(() => createRandom(1).int(0)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
  })

  it('forks independent, reproducible children', () => {
    const a = createRandom(3).fork()
    const b = createRandom(3).fork()
    expect(a.uint32()).toBe(b.uint32())
  })
})

describe('TypedEventTarget', () => {
  it('delivers typed details and honours once and signal', () => {
    const target = new TypedEventTarget<{ change: { path: string } }>()
    const seen: string[] = []
    const controller = new AbortController()
    target.addEventListener('change', (event) => seen.push(`a:${event.detail.path}`), {
      signal: controller.signal,
    })
    target.addEventListener('change', (event) => seen.push(`b:${event.detail.path}`), { once: true })
    const removed = (event: CustomEvent<{ path: string }>): void => {
      seen.push(`c:${event.detail.path}`)
    }
    target.addEventListener('change', removed)
    target.removeEventListener('change', removed)
    target.emit('change', { path: '/1' })
    controller.abort()
    target.emit('change', { path: '/2' })
    expect(seen).toEqual(['a:/1', 'b:/1'])
  })
})

describe('loggers', () => {
  it('never throw and are silent by default', () => {
    const logger = createLogger('core-test')
    for (const log of [logger, silentLogger]) {
      log.debug('x %d', 1)
      log.info('x')
      log.warn('x')
      log.error('x')
    }
  })
})
