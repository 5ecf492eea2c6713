import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManualClock, type TargetStateChange } from '@shoal/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileHealthSource } from '../../src/server/file-health-source.js'
import { parseHealthFeed } from '../../src/server/health-feed.js'

describe('parseHealthFeed', () => {
  it('reads text lines with comments and reasons, and JSON', () => {
    const text = parseHealthFeed('# feed\nweb-1 down  disk full \n\nweb-2 UP\nweb-3 drain # deploy\n')
    expect(text.ok && [...text.states]).toEqual([
      ['web-1', { state: 'down', reason: 'disk full' }],
      ['web-2', { state: 'up', reason: '' }],
      ['web-3', { state: 'draining', reason: '' }],
    ])
    const json = parseHealthFeed('{ "a": "down", "b": { "state": "draining", "reason": "r" } }')
    expect(json.ok && [...json.states]).toEqual([
      ['a', { state: 'down', reason: '' }],
      ['b', { state: 'draining', reason: 'r' }],
    ])
  })

  it('refuses the whole file for one bad line, with the line', () => {
    expect(parseHealthFeed('a up\nb sideways\n')).toEqual({
      ok: false,
      reason: "line 2: unknown state 'sideways' (expected up, down or drain)",
    })
    expect(parseHealthFeed('a up\na down\n')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/line 2/),
    })
    expect(parseHealthFeed('lonely\n')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no state/),
    })
    expect(parseHealthFeed('{ "a": 3 }')).toMatchObject({ ok: false })
    expect(parseHealthFeed('{ broken')).toMatchObject({ ok: false, reason: expect.stringMatching(/JSON/) })
    expect(parseHealthFeed('a up\nb up\nc up\n', 2)).toMatchObject({ ok: false })
  })
})

describe('FileHealthSource', () => {
  let dir: string
  let source: FileHealthSource | undefined
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shoal-dns-health-'))
  })
  afterEach(async () => {
    await source?.stop()
    source = undefined
    await rm(dir, { recursive: true, force: true })
  })

  it('reads the file, reports changes, keeps states when the file turns bad, and is ready after a good read', async () => {
    const file = join(dir, 'health.txt')
    const errors: string[] = []
    source = new FileHealthSource({ file, clock: new ManualClock(), onError: (r) => errors.push(r) })
    await source.start()
    expect(source.isReady).toBe(false)
    expect(errors[0]).toMatch(/cannot read/)
    const changes: TargetStateChange[] = []
    source.subscribe((c) => changes.push(c))
    const ready = source.ready()

    await writeFile(file, 'web-1 up\nweb-2 down maintenance\n')
    await source.poll()
    await ready
    expect(source.isReady).toBe(true)
    expect(source.stateOf('web-1')).toBe('up')
    expect(source.stateOf('web-2')).toBe('down')
    expect(changes.map((c) => [c.target, c.state, c.previous, c.reason])).toEqual([
      ['web-1', 'up', undefined, `health feed ${file}`],
      ['web-2', 'down', undefined, 'maintenance'],
    ])

    await writeFile(file, 'web-1 down\nweb-2 ???\n')
    await source.poll()
    expect(errors.at(-1)).toMatch(/line 2/)
    expect(source.stateOf('web-1')).toBe('up')

    await writeFile(file, 'web-1 drain deploy\n')
    await source.poll()
    expect(source.stateOf('web-1')).toBe('draining')
    // a target the file stops naming keeps its state
    expect(source.stateOf('web-2')).toBe('down')
    expect(changes).toHaveLength(3)
  })

  it('polls on its clock', async () => {
    const file = join(dir, 'h.json')
    await writeFile(file, '{ "a": "up" }')
    const clock = new ManualClock()
    source = new FileHealthSource({ file, clock, pollMs: 500 })
    await source.start()
    expect(source.stateOf('a')).toBe('up')
    await writeFile(file, '{ "a": "down", "b": "up" }')
    const changed = new Promise<void>((resolve) => source?.subscribe(() => resolve()))
    clock.advance(500)
    await changed
    expect(source.stateOf('a')).toBe('down')
  })
})
