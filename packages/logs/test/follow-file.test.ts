import {
  appendFileSync,
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { isShoalError } from '@shoal/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FileChunk, FollowEvent } from '../src/follow/events.js'
import { followFile } from '../src/follow/follow-file.js'
import {
  Collector,
  canListFds,
  makeTempDir,
  numberedLines,
  openFdsUnder,
  RecordingLogger,
  removeTempDir,
  text,
} from './follow-helpers.js'

const FAST = { pollIntervalMs: 10, rotateWaitMs: 0 } as const

let dir: string | undefined
let stops: Array<() => Promise<unknown>> = []

beforeEach(async () => {
  dir = await makeTempDir()
})

afterEach(async () => {
  for (const stop of stops) await stop()
  stops = []
  await removeTempDir(dir)
  dir = undefined
})

function tempPath(name = 'access.log'): string {
  if (dir === undefined) throw new Error('no temp dir')
  return join(dir, name)
}

function follow(path: string, options: Parameters<typeof followFile>[1] = {}): Collector<FollowEvent> {
  const follower = followFile(path, { ...FAST, ...options })
  stops.push(() => follower.return())
  return new Collector(follower)
}

function chunks(items: readonly FollowEvent[]): FileChunk[] {
  return items.filter((item): item is FileChunk => item.kind === 'data')
}

/** The bytes read from inode `inode`, checking that its chunks are contiguous from `from`. */
function bytesOf(items: readonly FollowEvent[], inode: bigint, from = 0): string {
  let offset = from
  let out = ''
  for (const chunk of chunks(items)) {
    if (chunk.inode !== inode) continue
    expect(chunk.offset).toBe(offset)
    offset += chunk.data.length
    out += chunk.data.toString('latin1')
  }
  return out
}

function readBytes(items: readonly FollowEvent[]): number {
  return chunks(items).reduce((sum, chunk) => sum + chunk.data.length, 0)
}

function inodeOf(path: string): bigint {
  return statSync(path, { bigint: true }).ino
}

describe('followFile', () => {
  it("reads a file from the start, then what is appended, when from is 'start'", async () => {
    const path = tempPath()
    const first = text(numberedLines('a', 50))
    writeFileSync(path, first)
    const inode = inodeOf(path)
    const c = follow(path, { from: 'start', readChunkBytes: 64 })
    await c.until((items) => readBytes(items) === first.length, 'the existing content')
    expect(c.items[0]).toEqual({ kind: 'opened', path, inode, offset: 0, cause: 'start' })
    for (const chunk of chunks(c.items)) expect(chunk.data.length).toBeLessThanOrEqual(64)
    const more = text(numberedLines('b', 5))
    appendFileSync(path, more)
    await c.until((items) => readBytes(items) === first.length + more.length, 'the appended lines')
    expect(bytesOf(c.items, inode)).toBe(first + more)
    expect(c.items.filter((item) => item.kind !== 'data')).toHaveLength(1)
  })

  it("skips what is already there by default ('end') and reads only what is appended", async () => {
    const path = tempPath()
    const before = text(numberedLines('old', 20))
    writeFileSync(path, before)
    const inode = inodeOf(path)
    const c = follow(path)
    await c.until((items) => items.length > 0, 'the opened event')
    expect(c.items[0]).toEqual({ kind: 'opened', path, inode, offset: before.length, cause: 'start' })
    const added: string[] = []
    for (let i = 0; i < 5; i++) {
      const line = `new-${i}\n`
      added.push(line)
      appendFileSync(path, line)
      await c.until((items) => readBytes(items) === added.join('').length, `appended line ${i}`)
    }
    expect(bytesOf(c.items, inode, before.length)).toBe(added.join(''))
  })

  it("begins a line being written when following starts from 'end' at its first byte", async () => {
    const path = tempPath()
    writeFileSync(path, 'complete line\nhalf a li')
    const c = follow(path)
    await c.until((items) => items.length > 0, 'the opened event')
    expect(c.items[0]).toMatchObject({ kind: 'opened', offset: 'complete line\n'.length })
    appendFileSync(path, 'ne\n')
    await c.until((items) => readBytes(items) === 'half a line\n'.length, 'the rest of the line')
    expect(
      chunks(c.items)
        .map((chunk) => chunk.data.toString())
        .join(''),
    ).toBe('half a line\n')
  })

  it('reads the whole of a file that has no newline yet, from the end', async () => {
    const path = tempPath()
    writeFileSync(path, 'no newline yet')
    const c = follow(path)
    await c.until((items) => readBytes(items) === 14, 'the partial line')
    expect(c.items[0]).toMatchObject({ kind: 'opened', offset: 0, cause: 'start' })
  })

  it('drains the old file after a rename, then reads the new one from 0, losing and repeating nothing', async () => {
    const path = tempPath()
    const old = numberedLines('old', 30)
    writeFileSync(path, text(old.slice(0, 10)))
    const oldInode = inodeOf(path)
    const c = follow(path, { from: 'start' })
    await c.until((items) => readBytes(items) === text(old.slice(0, 10)).length, 'the first lines')
    // the writer appends right before the rotation, so the follower has not read these yet
    appendFileSync(path, text(old.slice(10)))
    // rotate so that the path is never missing: the old file keeps a name, the new one takes the path
    writeFileSync(tempPath('access.log.new'), text(numberedLines('new', 5)))
    linkSync(path, tempPath('access.log.1'))
    renameSync(tempPath('access.log.new'), path)
    const newInode = inodeOf(path)
    expect(newInode).not.toBe(oldInode)
    await c.until((items) => bytesOf(items, newInode) === text(numberedLines('new', 5)), 'the new file')
    expect(bytesOf(c.items, oldInode)).toBe(text(old))
    const events = c.items.filter((item) => item.kind !== 'data')
    expect(events).toEqual([
      { kind: 'opened', path, inode: oldInode, offset: 0, cause: 'start' },
      { kind: 'rotated', path, inode: oldInode, offset: text(old).length, replaced: true },
      { kind: 'opened', path, inode: newInode, offset: 0, cause: 'rotated' },
    ])
    // every chunk of the old file comes before the rotation event
    const rotatedAt = c.items.findIndex((item) => item.kind === 'rotated')
    expect(c.items.slice(rotatedAt).every((item) => item.kind !== 'data' || item.inode === newInode)).toBe(
      true,
    )
  })

  it('keeps reading the old file while its writer has not reopened its log (rotateWaitMs)', async () => {
    const path = tempPath()
    writeFileSync(path, 'first\n')
    const oldInode = inodeOf(path)
    const writer = openSync(path, 'a')
    try {
      const c = follow(path, { from: 'start', rotateWaitMs: 400 })
      await c.until((items) => readBytes(items) === 6, 'the first line')
      renameSync(path, tempPath('access.log.1'))
      writeFileSync(path, 'new file\n')
      const newInode = inodeOf(path)
      // the writer still holds the old file: these land in access.log.1
      writeSync(writer, 'late 1\n')
      writeSync(writer, 'late 2\n')
      await c.until((items) => bytesOf(items, newInode) === 'new file\n', 'the new file')
      expect(bytesOf(c.items, oldInode)).toBe('first\nlate 1\nlate 2\n')
      expect(c.items.filter((item) => item.kind === 'rotated')).toEqual([
        { kind: 'rotated', path, inode: oldInode, offset: 20, replaced: true },
      ])
    } finally {
      closeSync(writer)
    }
  })

  it('restarts at 0 of the same file after a copy-truncate, and says so', async () => {
    const path = tempPath()
    const before = text(numberedLines('before', 20))
    writeFileSync(path, before)
    const inode = inodeOf(path)
    const c = follow(path, { from: 'start' })
    await c.until((items) => readBytes(items) === before.length, 'the first lines')
    writeFileSync(tempPath('access.log.1'), before)
    truncateSync(path, 0)
    appendFileSync(path, 'after-1\nafter-2\n')
    await c.until((items) => items.some((item) => item.kind === 'truncated'), 'the truncation')
    await c.until((items) => readBytes(items) === before.length + 16, 'the lines after the truncation')
    const at = c.items.findIndex((item) => item.kind === 'truncated')
    const truncated = c.items[at]
    expect(truncated).toMatchObject({ kind: 'truncated', path, inode, offset: before.length })
    expect((truncated as { size: number }).size).toBeLessThan(before.length)
    expect(bytesOf(c.items.slice(0, at), inode)).toBe(before)
    expect(bytesOf(c.items.slice(at), inode)).toBe('after-1\nafter-2\n')
  })

  it('waits for a file that does not exist yet, then reads it from 0 whatever from says', async () => {
    const path = tempPath()
    const logger = new RecordingLogger()
    const c = follow(path, { logger })
    await logger.waitFor('no such file yet')
    writeFileSync(path, 'born\n')
    const inode = inodeOf(path)
    await c.until((items) => readBytes(items) === 5, 'the new file')
    expect(c.items[0]).toEqual({ kind: 'opened', path, inode, offset: 0, cause: 'created' })
    expect(bytesOf(c.items, inode)).toBe('born\n')
  })

  it('waits for a file in a directory that does not exist yet', async () => {
    const path = join(tempPath('later'), 'app.log')
    const logger = new RecordingLogger()
    const c = follow(path, { logger })
    await logger.waitFor('no such file yet')
    mkdirSync(tempPath('later'))
    writeFileSync(path, 'x\n')
    await c.until((items) => readBytes(items) === 2, 'the new file')
    expect(c.items[0]).toMatchObject({ kind: 'opened', cause: 'created', offset: 0 })
  })

  it('survives a file missing for a while, and reads it from 0 when it comes back', async () => {
    const path = tempPath()
    writeFileSync(path, 'one\n')
    const first = inodeOf(path)
    const c = follow(path, { from: 'start' })
    await c.until((items) => readBytes(items) === 4, 'the first file')
    unlinkSync(path)
    await c.until((items) => items.some((item) => item.kind === 'rotated'), 'the removal')
    expect(c.items.at(-1)).toEqual({ kind: 'rotated', path, inode: first, offset: 4, replaced: false })
    expect(canListFds ? openFdsUnder(dir as string) : 0).toBe(0)
    writeFileSync(path, 'two\n')
    const second = inodeOf(path)
    await c.until((items) => readBytes(items) === 8, 'the file again')
    expect(c.items.filter((item) => item.kind === 'opened').at(-1)).toEqual({
      kind: 'opened',
      path,
      inode: second,
      offset: 0,
      cause: 'created',
    })
    // the new file may well reuse the old one's inode number: look past the event only
    const reopened = c.items.findLastIndex((item) => item.kind === 'opened')
    expect(bytesOf(c.items.slice(reopened), second)).toBe('two\n')
  })

  describe('checkpoints', () => {
    it('goes on at the offset when the file is the same', async () => {
      const path = tempPath()
      writeFileSync(path, 'a\nb\nc\n')
      const inode = inodeOf(path)
      const c = follow(path, { checkpoint: { path, inode, offset: 2 } })
      await c.until((items) => readBytes(items) === 4, 'the rest')
      expect(c.items[0]).toEqual({ kind: 'opened', path, inode, offset: 2, cause: 'checkpoint' })
      expect(bytesOf(c.items, inode, 2)).toBe('b\nc\n')
    })

    it('reads from 0 when the file shrank below the offset', async () => {
      const path = tempPath()
      writeFileSync(path, 'a\n')
      const inode = inodeOf(path)
      const c = follow(path, { checkpoint: { path, inode, offset: 100 } })
      await c.until((items) => readBytes(items) === 2, 'the file')
      expect(c.items[0]).toEqual({ kind: 'opened', path, inode, offset: 0, cause: 'checkpoint-truncated' })
    })

    it('finishes the rotated file found by inode, then reads the new one from 0', async () => {
      const path = tempPath()
      writeFileSync(path, 'a\nb\n')
      const oldInode = inodeOf(path)
      appendFileSync(path, 'c\n')
      renameSync(path, tempPath('access.log.1'))
      writeFileSync(path, 'd\n')
      const newInode = inodeOf(path)
      const c = follow(path, { checkpoint: { path, inode: oldInode, offset: 4 } })
      await c.until((items) => bytesOf(items, newInode) === 'd\n', 'the new file')
      expect(bytesOf(c.items, oldInode, 4)).toBe('c\n')
      expect(c.items.filter((item) => item.kind !== 'data')).toEqual([
        {
          kind: 'opened',
          path,
          inode: oldInode,
          offset: 4,
          cause: 'checkpoint-rotated',
          rotatedPath: tempPath('access.log.1'),
        },
        { kind: 'rotated', path, inode: oldInode, offset: 6, replaced: true },
        { kind: 'opened', path, inode: newInode, offset: 0, cause: 'rotated' },
      ])
    })

    it('reads the file from 0 and says the checkpoint was lost when its file is gone', async () => {
      const path = tempPath()
      writeFileSync(path, 'x\n')
      const inode = inodeOf(path)
      const c = follow(path, { checkpoint: { path, inode: inode + 1_000_000n, offset: 10 } })
      await c.until((items) => readBytes(items) === 2, 'the file')
      expect(c.items[0]).toEqual({ kind: 'opened', path, inode, offset: 0, cause: 'checkpoint-lost' })
    })
  })

  describe('stopping', () => {
    it('closes every file and rejects with the reason when the signal aborts during a wait', async () => {
      const path = tempPath()
      writeFileSync(path, 'a\n')
      const controller = new AbortController()
      const follower = followFile(path, { ...FAST, from: 'start', signal: controller.signal })
      stops.push(() => follower.return())
      expect((await follower.next()).value).toMatchObject({ kind: 'opened' })
      expect((await follower.next()).value).toMatchObject({ kind: 'data' })
      const pending = follower.next()
      if (canListFds) expect(openFdsUnder(dir as string)).toBe(1)
      const reason = new Error('enough')
      controller.abort(reason)
      await expect(pending).rejects.toBe(reason)
      if (canListFds) expect(openFdsUnder(dir as string)).toBe(0)
      expect(await follower.next()).toEqual({ done: true, value: undefined })
    })

    it('closes every file at once when the signal aborts while nobody is pulling', async () => {
      const path = tempPath()
      writeFileSync(path, 'a\n')
      const controller = new AbortController()
      const follower = followFile(path, { ...FAST, signal: controller.signal })
      stops.push(() => follower.return())
      await follower.next()
      if (canListFds) expect(openFdsUnder(dir as string)).toBe(1)
      controller.abort(new Error('stop'))
      if (canListFds) {
        const deadline = performance.now() + 5000
        while (openFdsUnder(dir as string) > 0 && performance.now() < deadline)
          await new Promise((resolve) => setImmediate(resolve))
        expect(openFdsUnder(dir as string)).toBe(0)
      }
      await expect(follower.next()).rejects.toThrow('stop')
    })

    it('rejects at the first next() when the signal already aborted', async () => {
      const follower = followFile(tempPath(), { signal: AbortSignal.abort(new Error('early')) })
      await expect(follower.next()).rejects.toThrow('early')
    })

    it('ends a pending next() as done when return() is called', async () => {
      const path = tempPath()
      writeFileSync(path, '')
      const follower = followFile(path, { pollIntervalMs: 60_000 })
      await follower.next()
      const pending = follower.next()
      await follower.return()
      await expect(pending).resolves.toEqual({ done: true, value: undefined })
      if (canListFds) expect(openFdsUnder(dir as string)).toBe(0)
    })

    it('closes everything when a for await loop breaks, and with await using', async () => {
      const path = tempPath()
      writeFileSync(path, 'a\n')
      for await (const item of followFile(path, FAST)) {
        expect(item.kind).toBe('opened')
        break
      }
      if (canListFds) expect(openFdsUnder(dir as string)).toBe(0)
      {
        await using follower = followFile(path, FAST)
        await follower.next()
        if (canListFds) expect(openFdsUnder(dir as string)).toBe(1)
      }
      if (canListFds) expect(openFdsUnder(dir as string)).toBe(0)
    })
  })

  describe('bad arguments and files', () => {
    it('throws ERR_INVALID_ARGUMENT at once', () => {
      const path = tempPath()
      const bad: Array<[string, () => unknown]> = [
        ['empty path', () => followFile('')],
        ['from', () => followFile(path, { from: 'middle' as 'end' })],
        ['pollIntervalMs', () => followFile(path, { pollIntervalMs: 0 })],
        ['rotateWaitMs', () => followFile(path, { rotateWaitMs: -1 })],
        ['readChunkBytes', () => followFile(path, { readChunkBytes: 1.5 })],
        ['checkpoint path', () => followFile(path, { checkpoint: { path: 'other', inode: 1n, offset: 0 } })],
        [
          'checkpoint inode',
          () => followFile(path, { checkpoint: { path, inode: 1 as unknown as bigint, offset: 0 } }),
        ],
        ['checkpoint offset', () => followFile(path, { checkpoint: { path, inode: 1n, offset: -1 } })],
      ]
      for (const [what, call] of bad) {
        let thrown: unknown
        try {
          call()
        } catch (err) {
          thrown = err
        }
        expect(isShoalError(thrown, 'ERR_INVALID_ARGUMENT'), what).toBe(true)
      }
    })

    it('ends with ERR_FILE_IO when the path is a directory', async () => {
      const path = tempPath('adir')
      mkdirSync(path)
      const follower = followFile(path, FAST)
      const err = await follower.next().catch((e: unknown) => e)
      expect(isShoalError(err, 'ERR_FILE_IO')).toBe(true)
    })
  })
})
