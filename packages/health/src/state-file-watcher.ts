import { type FSWatcher, watch } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import type { Clock, TimerHandle } from '@shoal/core'
import { parseStateFile, type StateFileEntry } from '@shoal/core'

/** Options of a {@link StateFileWatcher}. */
export interface StateFileWatcherOptions {
  /** The file to follow. */
  readonly path: string
  /** Drives the poll and the settle timers. */
  readonly clock: Clock
  /** Milliseconds between polls of the file's metadata, the fallback where `fs.watch` says nothing. */
  readonly pollInterval: number
  /** Milliseconds to wait after a change event before reading, so a burst of writes reads once. */
  readonly settle: number
  /** The largest file accepted, in bytes. */
  readonly maxBytes: number
  /** Receives the states of each new good version of the file (an empty map once it is deleted). */
  readonly onStates: (states: ReadonlyMap<string, StateFileEntry>) => void
  /** Receives what is wrong with a bad version; the previous states stay in force. */
  readonly onError: (reason: string, error?: unknown) => void
  /** Whether to use `fs.watch` (default `true`); without it, polling alone notices changes. */
  readonly watch?: boolean | undefined
}

const MISSING = '\0missing'

/**
 * Follows a state file: reads it whole at start, again shortly after `fs.watch` reports a change
 * to it (the directory is watched, so a file replaced by `rename` is seen), and whenever a poll of
 * its metadata finds it changed (where watching is unavailable or misses events). Each version is
 * read in one `readFile` and applied only if all of it parses: writers should write a temporary
 * file and rename it over the old one. A deleted file clears the states it gave (as gdnsd does
 * with its `admin_state` file); a bad file is reported and changes nothing.
 */
export class StateFileWatcher {
  readonly #options: StateFileWatcherOptions
  readonly #dir: string
  readonly #name: string
  #watcher: FSWatcher | undefined
  #pollTimer: TimerHandle | undefined
  #settleTimer: TimerHandle | undefined
  #signature: string | undefined
  #applied: string | undefined
  #running = false
  #busy: Promise<void> | undefined
  #again = false

  constructor(options: StateFileWatcherOptions) {
    this.#options = options
    this.#dir = dirname(options.path)
    this.#name = basename(options.path)
  }

  /** Reads the file once, then follows it. */
  async start(): Promise<void> {
    if (this.#running) return
    this.#running = true
    await this.reload()
    if (!this.#running) return
    if (this.#options.watch !== false) this.#watch()
    this.#schedulePoll()
  }

  /** Stops following the file. */
  stop(): void {
    this.#running = false
    this.#watcher?.close()
    this.#watcher = undefined
    if (this.#pollTimer !== undefined) this.#options.clock.clearTimeout(this.#pollTimer)
    if (this.#settleTimer !== undefined) this.#options.clock.clearTimeout(this.#settleTimer)
    this.#pollTimer = undefined
    this.#settleTimer = undefined
  }

  /** Reads the file now (reads never overlap: one asked for during a read runs after it). */
  reload(): Promise<void> {
    if (this.#busy !== undefined) {
      this.#again = true
      return this.#busy
    }
    this.#busy = (async () => {
      try {
        do {
          this.#again = false
          await this.#read()
        } while (this.#again && this.#running)
      } finally {
        this.#busy = undefined
      }
    })()
    return this.#busy
  }

  async #read(): Promise<void> {
    const { path, maxBytes } = this.#options
    let text: string
    try {
      const info = await stat(path)
      this.#signature = signature(info)
      if (!info.isFile()) {
        this.#options.onError(`${path} is not a regular file`)
        return
      }
      if (info.size > maxBytes) {
        this.#options.onError(`${path} is ${info.size} bytes, more than the ${maxBytes} allowed`)
        return
      }
      const bytes = await readFile(path)
      if (bytes.length > maxBytes) {
        this.#options.onError(`${path} grew past the ${maxBytes} bytes allowed while being read`)
        return
      }
      text = bytes.toString('utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.#signature = MISSING
        if (this.#applied !== undefined && this.#applied !== MISSING) this.#options.onStates(new Map())
        this.#applied = MISSING
        return
      }
      this.#signature = `error:${(error as Error).message}`
      this.#options.onError(`cannot read ${path}: ${(error as Error).message}`, error)
      return
    }
    if (text === this.#applied) return
    const parsed = parseStateFile(text)
    if (!parsed.ok) {
      this.#options.onError(`${path}: ${parsed.reason}; the previous states stay in force`)
      return
    }
    this.#applied = text
    this.#options.onStates(parsed.states)
  }

  #watch(): void {
    try {
      const watcher = watch(this.#dir, { persistent: false }, (_event, filename) => {
        if (filename === null || filename === this.#name) this.#changed()
      })
      watcher.on('error', () => {
        // the directory went away, or watching broke: polling carries on alone
        watcher.close()
        if (this.#watcher === watcher) this.#watcher = undefined
      })
      this.#watcher = watcher
    } catch {
      // no fs.watch here (some file systems, exhausted inotify watches): polling carries on alone
    }
  }

  #changed(): void {
    if (!this.#running || this.#settleTimer !== undefined) return
    this.#settleTimer = this.#options.clock.setTimeout(() => {
      this.#settleTimer = undefined
      if (this.#running) void this.reload()
    }, this.#options.settle)
  }

  #schedulePoll(): void {
    if (!this.#running) return
    this.#pollTimer = this.#options.clock.setTimeout(() => {
      this.#pollTimer = undefined
      void this.#poll()
    }, this.#options.pollInterval)
  }

  async #poll(): Promise<void> {
    if (!this.#running) return
    let now: string
    try {
      now = signature(await stat(this.#options.path))
    } catch (error) {
      now = (error as NodeJS.ErrnoException).code === 'ENOENT' ? MISSING : `error:${(error as Error).message}`
    }
    if (now !== this.#signature) await this.reload()
    this.#schedulePoll()
  }
}

function signature(info: { ino: number; size: number; mtimeMs: number; ctimeMs: number }): string {
  return `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`
}
