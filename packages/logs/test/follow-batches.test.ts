import { appendFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isShoalError } from '@shoal/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BadLine } from '../src/bad-line.js'
import { BadLineLog } from '../src/bad-line-log.js'
import type { FileCheckpoint } from '../src/follow/checkpoint.js'
import { type FollowBatch, followBatches, followRecords } from '../src/follow/follow-batches.js'
import {
  Collector,
  canListFds,
  makeTempDir,
  numberedLines,
  openFdsUnder,
  RecordingLogger,
  raw,
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

function follow(
  path: string,
  options: Parameters<typeof followBatches>[2] = {},
): Collector<FollowBatch<string>> {
  const follower = followBatches(path, raw, { ...FAST, ...options })
  stops.push(() => follower.return())
  return new Collector(follower)
}

function linesOf(batches: readonly FollowBatch<string>[]): string[] {
  return batches.flatMap((batch) => batch.records)
}

function inodeOf(path: string): bigint {
  return statSync(path, { bigint: true }).ino
}

describe('followBatches', () => {
  it('parses what is there and what is appended, lines straddling writes included', async () => {
    const path = tempPath()
    writeFileSync(path, text(['one', 'two']))
    const inode = inodeOf(path)
    const c = follow(path, { from: 'start' })
    await c.until((batches) => linesOf(batches).length === 2, 'the first lines')
    appendFileSync(path, 'thr')
    appendFileSync(path, 'ee\r\nfour\n')
    await c.until((batches) => linesOf(batches).length === 4, 'the appended lines')
    expect(linesOf(c.items)).toEqual(['one', 'two', 'three', 'four'])
    const last = c.items.at(-1) as FollowBatch<string>
    expect(last.checkpoint).toEqual({ path, inode, offset: statSync(path).size })
    expect(last.line).toBe(4)
    expect(c.items[0]).toMatchObject({
      records: [],
      event: { kind: 'opened', cause: 'start' },
      checkpoint: { path, inode, offset: 0 },
    })
  })

  it('reports bad lines in the batch and to the bad-line log, and goes on', async () => {
    const path = tempPath()
    writeFileSync(path, text(['good', 'bad one', '', 'fine']))
    const log = new BadLineLog()
    const seen: BadLine[] = []
    const c = follow(path, { from: 'start', badLines: log, onBadLine: (bad) => seen.push(bad) })
    await c.until((batches) => linesOf(batches).length === 2, 'the good lines')
    const errors = c.items.flatMap((batch) => batch.errors)
    expect(errors).toMatchObject([{ reason: 'syntax', line: 2, offset: 5 }])
    expect(seen).toEqual(errors)
    expect(log.total).toBe(1)
    expect(c.items.reduce((sum, batch) => sum + batch.emptyLines, 0)).toBe(1)
  })

  it('flushes the partial last line of a renamed file, then parses the new one', async () => {
    const path = tempPath()
    writeFileSync(path, text(numberedLines('old', 3)))
    const oldInode = inodeOf(path)
    const c = follow(path, { from: 'start' })
    await c.until((batches) => linesOf(batches).length === 3, 'the first lines')
    appendFileSync(path, `${text(numberedLines('old', 3, 3))}cut short`)
    renameSync(path, tempPath('access.log.1'))
    writeFileSync(path, text(numberedLines('new', 2)))
    const newInode = inodeOf(path)
    await c.until((batches) => linesOf(batches).includes('new-0001'), 'the new file')
    expect(linesOf(c.items)).toEqual([...numberedLines('old', 6), 'cut short', ...numberedLines('new', 2)])
    const rotated = c.items.find((batch) => batch.event?.kind === 'rotated') as FollowBatch<string>
    expect(rotated.checkpoint).toEqual({
      path,
      inode: oldInode,
      offset: statSync(tempPath('access.log.1')).size,
    })
    const opened = c.items.filter((batch) => batch.event?.kind === 'opened').at(-1) as FollowBatch<string>
    expect(opened.checkpoint).toEqual({ path, inode: newInode, offset: 0 })
    expect(c.items.at(-1)?.line).toBe(2)
  })

  it('starts over after a copy-truncate, with a checkpoint at 0', async () => {
    const path = tempPath()
    const before = numberedLines('before', 10)
    writeFileSync(path, text(before))
    const inode = inodeOf(path)
    const c = follow(path, { from: 'start' })
    await c.until((batches) => linesOf(batches).length === 10, 'the first lines')
    writeFileSync(tempPath('access.log.1'), text(before))
    truncateSync(path, 0)
    appendFileSync(path, text(['after']))
    await c.until((batches) => linesOf(batches).includes('after'), 'the line after the truncation')
    expect(linesOf(c.items)).toEqual([...before, 'after'])
    const truncated = c.items.find((batch) => batch.event?.kind === 'truncated') as FollowBatch<string>
    expect(truncated.checkpoint).toEqual({ path, inode, offset: 0 })
    expect(c.items.at(-1)?.checkpoint).toEqual({ path, inode, offset: 6 })
  })

  it('parses a file that appears after following began', async () => {
    const path = tempPath()
    const logger = new RecordingLogger()
    const c = follow(path, { logger })
    await logger.waitFor('no such file yet')
    writeFileSync(path, text(['hello']))
    await c.until((batches) => linesOf(batches).length === 1, 'the line')
    expect(linesOf(c.items)).toEqual(['hello'])
    expect(c.items[0]?.event).toMatchObject({ kind: 'opened', cause: 'created', offset: 0 })
  })

  describe('resuming from a checkpoint', () => {
    /** Follows until `stopAfter` batches with records arrived; returns the lines and the last checkpoint. */
    async function firstRun(
      path: string,
      stopAfter: number,
    ): Promise<{ lines: string[]; checkpoint: FileCheckpoint }> {
      const follower = followBatches(path, raw, { ...FAST, from: 'start', readChunkBytes: 7 })
      const lines: string[] = []
      let checkpoint: FileCheckpoint | undefined
      let seen = 0
      for await (const batch of follower) {
        lines.push(...batch.records)
        checkpoint = batch.checkpoint
        if (batch.records.length > 0 && ++seen === stopAfter) break
      }
      if (checkpoint === undefined) throw new Error('no batch')
      return { lines, checkpoint }
    }

    async function secondRun(path: string, checkpoint: FileCheckpoint, until: number): Promise<string[]> {
      const c = follow(path, { checkpoint, readChunkBytes: 7 })
      await c.until((batches) => linesOf(batches).length >= until, `${until} lines`)
      return linesOf(c.items)
    }

    it('neither loses nor repeats a line, wherever the first run stopped', async () => {
      const path = tempPath()
      const all = numberedLines('line', 12)
      for (let stopAfter = 1; stopAfter <= 6; stopAfter++) {
        writeFileSync(path, text(all.slice(0, 8)))
        const first = await firstRun(path, stopAfter)
        expect(first.lines.length).toBeGreaterThan(0)
        // the process was down; the writer went on
        appendFileSync(path, text(all.slice(8)))
        const rest = await secondRun(path, first.checkpoint, all.length - first.lines.length)
        expect([...first.lines, ...rest], `stopped after ${stopAfter} batches`).toEqual(all)
        for (const stop of stops) await stop()
        stops = []
      }
    })

    it('finishes the file rotated while it was down, then the new one, each line once', async () => {
      const path = tempPath()
      const old = numberedLines('old', 10)
      writeFileSync(path, text(old.slice(0, 6)))
      const first = await firstRun(path, 2)
      appendFileSync(path, text(old.slice(6)))
      renameSync(path, tempPath('access.log.2024'))
      writeFileSync(path, text(numberedLines('new', 3)))
      const rest = await secondRun(path, first.checkpoint, old.length + 3 - first.lines.length)
      expect([...first.lines, ...rest]).toEqual([...old, ...numberedLines('new', 3)])
    })

    it('resumes within a line that was only partly written when it stopped', async () => {
      const path = tempPath()
      writeFileSync(path, 'complete\npart')
      const follower = followBatches(path, raw, { ...FAST, from: 'start' })
      let checkpoint: FileCheckpoint | undefined
      for await (const batch of follower) {
        checkpoint = batch.checkpoint
        if (batch.records.length > 0) break
      }
      expect(checkpoint?.offset).toBe(9)
      appendFileSync(path, 'ial\n')
      const rest = await secondRun(path, checkpoint as FileCheckpoint, 1)
      expect(rest).toEqual(['partial'])
    })
  })

  describe('stopping', () => {
    it('closes the file and rejects with the reason on abort', async () => {
      const path = tempPath()
      writeFileSync(path, 'a\n')
      const controller = new AbortController()
      const follower = followBatches(path, raw, { ...FAST, from: 'start', signal: controller.signal })
      stops.push(() => follower.return())
      await follower.next()
      expect((await follower.next()).value?.records).toEqual(['a'])
      const pending = follower.next()
      const reason = new Error('aborted here')
      controller.abort(reason)
      await expect(pending).rejects.toBe(reason)
      if (canListFds) expect(openFdsUnder(dir as string)).toBe(0)
    })

    it('ends pending next() calls as done on return(), for batches and for records', async () => {
      const path = tempPath()
      writeFileSync(path, '')
      const batches = followBatches(path, raw, { pollIntervalMs: 60_000 })
      await batches.next()
      const pendingBatch = batches.next()
      await batches.return()
      await expect(pendingBatch).resolves.toEqual({ done: true, value: undefined })
      const records = followRecords(path, raw, { pollIntervalMs: 60_000 })
      const pendingRecord = records.next()
      if (canListFds) {
        // the first next() opens the file before it waits
        const deadline = performance.now() + 5000
        while (openFdsUnder(dir as string) === 0 && performance.now() < deadline)
          await new Promise((resolve) => setImmediate(resolve))
      }
      await records.return()
      await expect(pendingRecord).resolves.toEqual({ done: true, value: undefined })
      if (canListFds) expect(openFdsUnder(dir as string)).toBe(0)
    })

    it('throws ERR_INVALID_ARGUMENT at once for a bad parser or line limit', () => {
      const path = tempPath()
      expect(() => followBatches(path, {} as typeof raw)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      )
      let thrown: unknown
      try {
        followRecords(path, raw, { maxLineBytes: 0 })
      } catch (err) {
        thrown = err
      }
      expect(isShoalError(thrown, 'ERR_INVALID_ARGUMENT')).toBe(true)
    })
  })
})

describe('followRecords', () => {
  it('yields records one by one across a rotation', async () => {
    const path = tempPath()
    writeFileSync(path, text(['a', 'b']))
    const follower = followRecords(path, raw, { ...FAST, from: 'start' })
    stops.push(() => follower.return())
    const c = new Collector(follower)
    await c.until((records) => records.length === 2, 'the first records')
    renameSync(path, tempPath('access.log.1'))
    writeFileSync(path, text(['c']))
    await c.until((records) => records.length === 3, 'the record of the new file')
    expect(c.items).toEqual(['a', 'b', 'c'])
  })
})
