import type { BigIntStats } from 'node:fs'
import { type FileHandle, open, stat } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import { performance } from 'node:perf_hooks'
import {
  type AbortOptions,
  createLogger,
  invalidArgument,
  isShoalError,
  type Logger,
  ShoalError,
} from '@shoal/core'
import { checkCheckpoint, type FileCheckpoint } from './checkpoint.js'
import type { FileOpenCause, FileOpened, FollowEvent } from './events.js'
import { findByInode } from './find-inode.js'
import { type Follower, stoppable } from './follower.js'
import { Waker } from './waker.js'

/** Options of {@link followFile}, {@link followBatches} and {@link followRecords}. */
export interface FollowFileOptions extends AbortOptions {
  /**
   * Where to begin when there is no checkpoint and the file exists: `'end'` (the default, like
   * `tail -F`) begins just past its last newline, so that a line being written at that moment is
   * read whole (at its very end if the last `readChunkBytes` hold no newline); `'start'` begins
   * at byte 0. A file that appears after following began is always read from 0.
   */
  readonly from?: 'start' | 'end' | undefined
  /**
   * Resume where a previous run stopped (its last {@link FollowBatch.checkpoint}); `from` is then
   * ignored. Its `path` must name the same file as the path followed. What happens is told by
   * the first {@link FileOpened.cause}:
   *
   * - the file at the path has the checkpoint's inode and at least `offset` bytes: reading goes on
   *   at `offset` (`checkpoint`);
   * - it has the inode but fewer bytes (copy-truncated meanwhile): read from 0
   *   (`checkpoint-truncated`);
   * - it has another inode, or there is none: the checkpoint's file is looked for by inode in the
   *   same directory; if found with at least `offset` bytes (`access.log` renamed `access.log.1`)
   *   it is read from `offset` to its end, then the file at the path from 0
   *   (`checkpoint-rotated`); if not (deleted, compressed), the file at the path is read from 0 as
   *   soon as there is one (`checkpoint-lost`: what was written to the old file after the
   *   checkpoint is not recovered).
   *
   * An inode number reused by a new file that is already longer than `offset` cannot be told from
   * the checkpoint's file: reading then goes on at `offset` of the new file.
   */
  readonly checkpoint?: FileCheckpoint | undefined
  /**
   * Milliseconds between checks of the file for growth, rotation and truncation (default 250).
   * Where `fs.watch` works on the file's directory, a change wakes the follower earlier; it is
   * only a hint, never relied on.
   */
  readonly pollIntervalMs?: number | undefined
  /**
   * After a rotation by rename, the process writing the log may go on appending to the old file
   * until it reopens its log (logrotate's `postrotate` signal). The old file is read until it has
   * given nothing more for this many milliseconds (default 1,000) before the new file is opened,
   * so those lines are not lost; `0` switches as soon as the old file is read to its end.
   */
  readonly rotateWaitMs?: number | undefined
  /** Largest read, in bytes (default 65,536): the largest {@link FileChunk.data}. */
  readonly readChunkBytes?: number | undefined
  /**
   * Whether a follower waiting for the file to grow keeps the process alive (default `false`:
   * like every shoal library, it holds unref'd timers and watchers only). Set it in a program
   * whose only work is following a file; a service with sockets open needs no such thing.
   */
  readonly keepAlive?: boolean | undefined
  /** Where to report rotations and unreadable files (default `util.debuglog('shoal:logs')`). */
  readonly logger?: Logger | undefined
}

interface Settings {
  readonly from: 'start' | 'end'
  readonly checkpoint: FileCheckpoint | undefined
  readonly pollIntervalMs: number
  readonly rotateWaitMs: number
  readonly readChunkBytes: number
  readonly keepAlive: boolean
  readonly logger: Logger
  readonly signal: AbortSignal | undefined
}

/** The longest timer Node accepts. */
const MAX_TIMER_MS = 2_147_483_647
const MAX_CHUNK_BYTES = 1 << 30

/**
 * Follows a file with `tail -F` semantics, yielding its bytes as they are written and the events
 * a line reader needs ({@link FollowEvent}):
 *
 * - growth is read in chunks of at most `readChunkBytes`, in order, each with its inode and offset;
 * - rotation by rename (the path now names another file): the old file is read to its end, and
 *   until it stays quiet for `rotateWaitMs`, then `rotated` is reported and the new file is read
 *   from 0 (`opened`, cause `rotated`);
 * - rotation by copy-truncate (the file is now shorter than what was read): `truncated` is
 *   reported and the same file is read again from 0. A file truncated and then written past the
 *   old offset between two checks cannot be told from one that grew;
 * - a missing file (not yet created, or removed and not yet replaced) is polled for until it
 *   appears, then read from 0 (cause `created`); permission errors are treated alike and logged;
 * - `options.checkpoint` resumes a previous run (see {@link FollowFileOptions.checkpoint}).
 *
 * The iterator never ends by itself. Stop it with `break`, `return()`, `await using` or
 * `options.signal`: every file descriptor and watcher is closed, even if a `next()` is pending.
 * Errors other than a missing or forbidden file (the path is a directory, an I/O error) end
 * the iteration with a `ShoalError` of code `ERR_FILE_IO`.
 *
 * @param path - the file to follow; it need not exist yet
 * @param options - where to begin, checkpoint, timings
 * @throws `ERR_INVALID_ARGUMENT` at once for a bad path or option
 *
 * @example
 * ```ts
 * for await (const item of followFile('/var/log/nginx/access.log', { signal })) {
 *   if (item.kind === 'data') process.stdout.write(item.data)
 * }
 * ```
 */
export function followFile(path: string, options: FollowFileOptions = {}): Follower<FollowEvent> {
  return stoppable(followSource(path, options))
}

/**
 * Checks `path` and `options` at once and returns the generator behind {@link followFile}, to be
 * started with the stop signal of the {@link Follower} that wraps it (the parsing followers
 * compose it this way).
 */
export function followSource(
  path: string,
  options: FollowFileOptions = {},
): (stop: AbortSignal) => AsyncGenerator<FollowEvent, void, undefined> {
  const settings = settle(path, options)
  return (stop) => new FileTail(path, settings, stop).run()
}

function settle(path: string, options: FollowFileOptions): Settings {
  if (typeof path !== 'string' || path.length === 0)
    throw invalidArgument(`path must be a non-empty string, got ${JSON.stringify(path)}`)
  if (typeof options !== 'object' || options === null) throw invalidArgument('options must be an object')
  const from = options.from ?? 'end'
  if (from !== 'start' && from !== 'end')
    throw invalidArgument(`from must be 'start' or 'end', got ${JSON.stringify(from)}`)
  const pollIntervalMs = options.pollIntervalMs ?? 250
  if (!(typeof pollIntervalMs === 'number' && pollIntervalMs > 0 && pollIntervalMs <= MAX_TIMER_MS))
    throw invalidArgument(`pollIntervalMs must be a number of milliseconds above 0, got ${pollIntervalMs}`)
  const rotateWaitMs = options.rotateWaitMs ?? 1000
  if (!(typeof rotateWaitMs === 'number' && rotateWaitMs >= 0 && rotateWaitMs <= MAX_TIMER_MS))
    throw invalidArgument(`rotateWaitMs must be a number of milliseconds, 0 or more, got ${rotateWaitMs}`)
  const readChunkBytes = options.readChunkBytes ?? 65_536
  if (!Number.isSafeInteger(readChunkBytes) || readChunkBytes < 1 || readChunkBytes > MAX_CHUNK_BYTES)
    throw invalidArgument(
      `readChunkBytes must be an integer from 1 to ${MAX_CHUNK_BYTES}, got ${readChunkBytes}`,
    )
  if (options.checkpoint !== undefined) checkCheckpoint(options.checkpoint, path)
  const keepAlive = options.keepAlive ?? false
  if (typeof keepAlive !== 'boolean') throw invalidArgument(`keepAlive must be a boolean, got ${keepAlive}`)
  return {
    from,
    checkpoint: options.checkpoint,
    pollIntervalMs,
    rotateWaitMs,
    readChunkBytes,
    keepAlive,
    logger: options.logger ?? createLogger('logs'),
    signal: options.signal,
  }
}

/** A file open for reading, its identity, and how far it was read. */
interface Reading {
  readonly handle: FileHandle
  readonly dev: bigint
  readonly ino: bigint
  /** Size when opened. */
  readonly size: number
  /** Offset of the next byte to read. */
  pos: number
  /**
   * Set when the path was seen naming another file or none: when that was seen, or when this
   * file last grew after that.
   */
  replacedAt: number | undefined
}

/** Where following begins. */
interface Beginning {
  readonly file: Reading | undefined
  readonly opened: FileOpened | undefined
  /** The cause of the next file opened at the path. */
  readonly next: FileOpenCause
}

function noop(): void {}

/** One run of {@link followFile}: its open files, its waker and its loop. */
class FileTail {
  readonly #path: string
  readonly #s: Settings
  readonly #stop: AbortSignal
  readonly #waker: Waker
  readonly #handles = new Set<FileHandle>()
  readonly #closing = new Set<Promise<void>>()
  #suspended = false
  #scratch: Buffer
  #problem = ''

  constructor(path: string, settings: Settings, stop: AbortSignal) {
    this.#path = path
    this.#s = settings
    this.#stop = stop
    this.#waker = new Waker(dirname(path), basename(path), settings.keepAlive)
    this.#scratch = Buffer.allocUnsafe(settings.readChunkBytes)
  }

  async *run(): AsyncGenerator<FollowEvent, void, undefined> {
    const { signal } = this.#s
    signal?.throwIfAborted()
    signal?.addEventListener('abort', this.#onAbort, { once: true })
    this.#stop.addEventListener('abort', this.#waker.wake, { once: true })
    try {
      const loop = this.#loop()
      for (;;) {
        const next = await loop.next()
        if (next.done) return
        // between yields nothing is in flight: an abort may close the files at once
        this.#suspended = true
        yield next.value
        this.#suspended = false
      }
    } catch (err) {
      if (signal?.aborted) throw signal.reason
      throw isShoalError(err) ? err : fileError(this.#path, err)
    } finally {
      signal?.removeEventListener('abort', this.#onAbort)
      this.#stop.removeEventListener('abort', this.#waker.wake)
      this.#waker.close()
      for (const handle of this.#handles) this.#close(handle)
      await Promise.all(this.#closing)
    }
  }

  async *#loop(): AsyncGenerator<FollowEvent, void, undefined> {
    const path = this.#path
    const { pollIntervalMs, rotateWaitMs, logger } = this.#s
    const begin = await this.#begin()
    let file = begin.file
    let cause = begin.next
    if (this.#halted()) return
    if (begin.opened !== undefined) yield begin.opened
    for (;;) {
      if (this.#halted()) return
      if (file === undefined) {
        const opened = await this.#tryOpen(path)
        if (opened === undefined) {
          await this.#waker.sleep(pollIntervalMs)
          continue
        }
        file = opened
        logger.debug('%s: following inode %s from 0 (%s)', path, file.ino, cause)
        const event: FileOpened = { kind: 'opened', path, inode: file.ino, offset: 0, cause }
        cause = 'created'
        if (this.#halted()) return
        yield event
        continue
      }
      const offset = file.pos
      const { bytesRead } = await file.handle.read(this.#scratch, 0, this.#scratch.length, offset)
      if (bytesRead > 0) {
        file.pos = offset + bytesRead
        if (file.replacedAt !== undefined) file.replacedAt = performance.now()
        const data = this.#take(bytesRead)
        if (this.#halted()) return
        yield { kind: 'data', data, path, inode: file.ino, offset }
        continue
      }
      // at the end of the file: was it truncated, replaced or removed?
      const size = Number((await file.handle.stat({ bigint: true })).size)
      if (size < file.pos) {
        logger.debug('%s: inode %s truncated to %d bytes at offset %d', path, file.ino, size, file.pos)
        const event = { kind: 'truncated', path, inode: file.ino, offset: file.pos, size } as const
        file.pos = 0
        if (this.#halted()) return
        yield event
        continue
      }
      const now = await this.#statPath(path)
      if (now !== undefined && now.ino === file.ino && now.dev === file.dev) {
        file.replacedAt = undefined
        await this.#waker.sleep(pollIntervalMs)
        continue
      }
      const time = performance.now()
      if (file.replacedAt === undefined) {
        // read once more: the writer may have appended since the last read
        file.replacedAt = time
        continue
      }
      const quiet = time - file.replacedAt
      if (quiet < rotateWaitMs) {
        await this.#waker.sleep(Math.min(pollIntervalMs, rotateWaitMs - quiet))
        continue
      }
      const old = file
      file = undefined
      cause = now === undefined ? 'created' : 'rotated'
      await this.#close(old.handle)
      logger.debug('%s: inode %s %s at %d bytes', path, old.ino, now ? 'replaced' : 'removed', old.pos)
      if (this.#halted()) return
      yield { kind: 'rotated', path, inode: old.ino, offset: old.pos, replaced: now !== undefined }
    }
  }

  /** Opens the file to read first, as the options say. */
  async #begin(): Promise<Beginning> {
    const path = this.#path
    const { checkpoint, from } = this.#s
    const current = await this.#tryOpen(path)
    const opened = (file: Reading, cause: FileOpenCause, rotatedPath?: string): FileOpened => {
      this.#s.logger.debug('%s: following inode %s from %d (%s)', path, file.ino, file.pos, cause)
      return rotatedPath === undefined
        ? { kind: 'opened', path, inode: file.ino, offset: file.pos, cause }
        : { kind: 'opened', path, inode: file.ino, offset: file.pos, cause, rotatedPath }
    }
    if (checkpoint === undefined) {
      if (current === undefined) {
        this.#s.logger.debug('%s: no such file yet, waiting for it', path)
        return { file: undefined, opened: undefined, next: 'created' }
      }
      if (from === 'end') current.pos = await this.#lineStart(current)
      return { file: current, opened: opened(current, 'start'), next: 'created' }
    }
    if (current !== undefined && current.ino === checkpoint.inode) {
      if (current.size >= checkpoint.offset) {
        current.pos = checkpoint.offset
        return { file: current, opened: opened(current, 'checkpoint'), next: 'created' }
      }
      return { file: current, opened: opened(current, 'checkpoint-truncated'), next: 'created' }
    }
    const found = await findByInode(dirname(path), basename(path), checkpoint.inode, checkpoint.offset)
    const rotated = found === undefined ? undefined : await this.#tryOpen(found)
    if (rotated !== undefined && rotated.ino === checkpoint.inode && rotated.size >= checkpoint.offset) {
      if (current !== undefined) await this.#close(current.handle)
      rotated.pos = checkpoint.offset
      return { file: rotated, opened: opened(rotated, 'checkpoint-rotated', found), next: 'rotated' }
    }
    if (rotated !== undefined) await this.#close(rotated.handle)
    this.#s.logger.warn('%s: the file of the checkpoint (inode %s) is gone', path, checkpoint.inode)
    if (current === undefined) {
      this.#s.logger.debug('%s: no such file yet, waiting for it', path)
      return { file: undefined, opened: undefined, next: 'checkpoint-lost' }
    }
    return { file: current, opened: opened(current, 'checkpoint-lost'), next: 'created' }
  }

  /** Offset just past the last newline in the last `readChunkBytes` of the file. */
  async #lineStart(file: Reading): Promise<number> {
    const size = file.size
    if (size === 0) return 0
    const length = Math.min(size, this.#scratch.length)
    const { bytesRead } = await file.handle.read(this.#scratch, 0, length, size - length)
    const newline = this.#scratch.lastIndexOf(10, bytesRead - 1)
    if (newline >= 0) return size - length + newline + 1
    return length === size ? 0 : size
  }

  /** Opens `path`, or says why not: `undefined` when it is missing or forbidden. */
  async #tryOpen(path: string): Promise<Reading | undefined> {
    let handle: FileHandle
    try {
      handle = await open(path, 'r')
    } catch (err) {
      return this.#unreachable(path, err)
    }
    this.#handles.add(handle)
    let stats: BigIntStats
    try {
      stats = await handle.stat({ bigint: true })
    } catch (err) {
      await this.#close(handle)
      throw err
    }
    if (!stats.isFile()) {
      await this.#close(handle)
      throw new ShoalError('ERR_FILE_IO', `cannot follow ${path}: not a regular file`, { details: { path } })
    }
    this.#problem = ''
    return {
      handle,
      dev: stats.dev,
      ino: stats.ino,
      size: Number(stats.size),
      pos: 0,
      replacedAt: undefined,
    }
  }

  /** What the path names now: `undefined` when it is missing or forbidden. */
  async #statPath(path: string): Promise<BigIntStats | undefined> {
    try {
      return await stat(path, { bigint: true })
    } catch (err) {
      return this.#unreachable(path, err)
    }
  }

  #unreachable(path: string, err: unknown): undefined {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    if (code === 'EACCES' || code === 'EPERM') {
      if (this.#problem !== code) this.#s.logger.warn('%s: %s; retrying', path, (err as Error).message)
      this.#problem = code
      return undefined
    }
    throw fileError(path, err)
  }

  /** The first `n` bytes read, in a buffer of their own. */
  #take(n: number): Buffer {
    const scratch = this.#scratch
    if (n < scratch.length) return Buffer.from(scratch.subarray(0, n))
    this.#scratch = Buffer.allocUnsafe(scratch.length)
    return scratch
  }

  /**
   * Closes a file once. Its promise is kept until it settles: a second `close()` of a Node
   * `FileHandle` may resolve before the descriptor is actually closed.
   */
  #close(handle: FileHandle): Promise<void> {
    this.#handles.delete(handle)
    const closing = handle.close().catch(noop)
    this.#closing.add(closing)
    closing.then(() => this.#closing.delete(closing), noop)
    return closing
  }

  /** Throws when the signal aborted; true when the follower was stopped. */
  #halted(): boolean {
    this.#s.signal?.throwIfAborted()
    return this.#stop.aborted
  }

  readonly #onAbort = (): void => {
    this.#waker.close()
    // while the loop runs, it notices the abort at its next step and closes everything itself:
    // closing a file under an operation in flight would race with it
    if (this.#suspended) for (const handle of this.#handles) this.#close(handle)
  }
}

function fileError(path: string, err: unknown): ShoalError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  const message = err instanceof Error ? err.message : String(err)
  return new ShoalError('ERR_FILE_IO', `cannot follow ${path}: ${message}`, {
    cause: err,
    details: code === undefined ? { path } : { path, code },
  })
}
