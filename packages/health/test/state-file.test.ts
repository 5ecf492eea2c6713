import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManualClock, parseStateFile, type StateFileEntry } from '@shoal/core'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type FeedErrorEvent, HealthChecker } from '../src/health-checker.js'
import { StateFileWatcher } from '../src/state-file-watcher.js'
import { closeAll, nextState, onClose } from './servers.js'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-health-'))
})

afterEach(async () => {
  await closeAll()
  await rm(dir, { recursive: true, force: true })
})

/** Writes a temporary file and renames it over `path`, as writers should. */
async function replace(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`
  await writeFile(temp, text)
  await rename(temp, path)
}

function states(text: string) {
  const result = parseStateFile(text)
  if (!result.ok) throw new Error(result.reason)
  return Object.fromEntries(result.states)
}

describe('parseStateFile', () => {
  it('reads the text form: target, state, reason; comments and blank lines skipped', () => {
    expect(
      states(
        '# maintenance window\n\nweb-1 down  disk replaced, rebooting\r\nweb-2 DRAIN # deploy\n  web-3   up\n[::1]:80 draining',
      ),
    ).toEqual({
      'web-1': { state: 'down', reason: 'disk replaced, rebooting' },
      'web-2': { state: 'draining', reason: '' },
      'web-3': { state: 'up', reason: '' },
      '[::1]:80': { state: 'draining', reason: '' },
    })
    expect(states('')).toEqual({})
  })

  it('reads the JSON form: a state, or { state, reason }', () => {
    expect(states('{ "a": "down", "b": { "state": "Drain", "reason": "deploy" } }')).toEqual({
      a: { state: 'down', reason: '' },
      b: { state: 'draining', reason: 'deploy' },
    })
  })

  it('refuses the whole file for one bad line, saying which', () => {
    const refused = (text: string, max?: number) => {
      const result = parseStateFile(text, max)
      return result.ok ? 'accepted' : result.reason
    }
    expect(refused('a up\nb sideways\nc down')).toBe(
      "line 2: unknown state 'sideways' (expected up, down or drain)",
    )
    expect(refused('a up\n\nlonely')).toBe("line 3: 'lonely' has no state (expected 'target up|down|drain')")
    expect(refused('a up\nb down\na down')).toBe("line 3: target 'a' is already on line 1")
    expect(refused('a constructor')).toMatch(/unknown state 'constructor'/)
    expect(refused('{ "a": "down", }')).toMatch(/^not valid JSON: /)
    expect(refused('{ "a": 5 }')).toBe(`target 'a': state must be "up", "down" or "drain", got 5`)
    expect(refused('{ "a": { "state": "up", "reason": 3 } }')).toBe("target 'a': reason must be a string")
    expect(refused('{ "a": { "state": "toString" } }')).toMatch(/state must be/)
    expect(refused('a up\nb up\nc up', 2)).toBe('more than 2 targets')
    expect(refused('{ "a": "up", "b": "up" }', 1)).toBe('more than 1 targets')
  })

  it('never throws on any text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), (text) => {
        const result = parseStateFile(text)
        expect(typeof result.ok).toBe('boolean')
      }),
      { numRuns: 1000 },
    )
  })
})

describe('the state file feed', () => {
  it('applies the file at start, follows atomic replacements, keeps the states over a bad file, clears on delete', async () => {
    const path = join(dir, 'states')
    await writeFile(path, 'web-1 down disk replaced\n')
    const health = new HealthChecker({ stateFile: path })
    onClose(() => health.stop())
    const errors: FeedErrorEvent[] = []
    health.addEventListener('feed-error', (event) => errors.push(event.detail))
    health.add('web-1')
    health.add('web-2')
    await health.start()
    expect(health.stateOf('web-1')).toBe('down')
    expect(health.status('web-1')?.reason).toBe('state file: disk replaced')
    expect(health.stateOf('web-2')).toBe('up')

    const drained = nextState(health, 'web-2', 'draining')
    await replace(path, '{ "web-1": "down", "web-2": { "state": "drain", "reason": "deploy" } }')
    expect((await drained)?.reason).toBe('state file: deploy')

    const reported = new Promise<FeedErrorEvent>((resolve) =>
      health.addEventListener('feed-error', (event) => resolve(event.detail), { once: true }),
    )
    await replace(path, 'web-1 up\nweb-2 upp\n')
    expect((await reported).reason).toBe(
      `${path}: line 2: unknown state 'upp' (expected up, down or drain); the previous states stay in force`,
    )
    expect(health.stateOf('web-1')).toBe('down')
    expect(health.stateOf('web-2')).toBe('draining')
    expect(health.stats.feedErrors).toBe(1)

    health.add('web-3') // a target added later takes its state from the file
    expect(health.stateOf('web-3')).toBe('up')
    const web3Down = nextState(health, 'web-3', 'down')
    await replace(path, 'web-1 down\nweb-2 drain\nweb-3 down\n')
    await web3Down

    const cleared = nextState(health, 'web-1', 'up')
    await rm(path)
    expect((await cleared)?.reason).toBe('no active check')
    expect(health.stateOf('web-2')).toBe('up')
    expect(errors).toHaveLength(1)
  })

  it('keeps API-set external states when the file changes, and admin still overrides the file', async () => {
    const path = join(dir, 'states.txt')
    await writeFile(path, 'a down\n')
    const health = new HealthChecker({ stateFile: { path, pollInterval: 100 } })
    onClose(() => health.stop())
    health.add('a')
    health.add('b')
    await health.start()
    health.setExternal('b', 'down', 'orchestrator')
    health.setAdmin('a', 'up')
    expect(health.stateOf('a')).toBe('up')
    health.setAdmin('a', undefined)
    expect(health.stateOf('a')).toBe('down') // the file's state again
    const aUp = nextState(health, 'a', 'up')
    await replace(path, '# nothing forced\n')
    expect((await aUp)?.reason).toBe('no active check')
    expect(health.stateOf('b')).toBe('down')
    expect(health.status('b')?.reason).toBe('external: orchestrator')
  })

  it('notices changes by polling alone when fs.watch is unavailable, and reports unreadable files', async () => {
    const path = join(dir, 'polled')
    const clock = new ManualClock()
    const seen: ReadonlyMap<string, StateFileEntry>[] = []
    const errors: string[] = []
    let wake: (() => void) | undefined
    const next = () =>
      new Promise<void>((resolve) => {
        wake = resolve
      })
    const watcher = new StateFileWatcher({
      path,
      clock,
      pollInterval: 1000,
      settle: 10,
      maxBytes: 64,
      watch: false,
      onStates: (states) => {
        seen.push(states)
        wake?.()
      },
      onError: (reason) => {
        errors.push(reason)
        wake?.()
      },
    })
    onClose(() => watcher.stop())
    await watcher.start() // no file yet: nothing to apply
    expect(seen).toHaveLength(0)

    await writeFile(path, 'a down\n')
    let arrived = next()
    clock.advance(999)
    clock.advance(1)
    await arrived
    expect(Object.fromEntries(seen[0] ?? [])).toEqual({ a: { state: 'down', reason: '' } })

    await writeFile(path, `a down ${'x'.repeat(100)}\n`)
    arrived = next()
    clock.advance(1000)
    await arrived
    expect(errors).toEqual([`${path} is 108 bytes, more than the 64 allowed`])

    await rm(path)
    arrived = next()
    clock.advance(1000)
    await arrived
    expect(seen.at(-1)?.size).toBe(0)
    watcher.stop()
    expect(clock.pending).toBe(0)
  })
})
