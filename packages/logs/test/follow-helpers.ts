import { existsSync, readdirSync, readlinkSync } from 'node:fs'
import { mkdtemp, realpath, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from '@shoal/core'
import { LineFailure } from '../src/bad-line.js'
import type { LineParser } from '../src/line-parser.js'

/** A parser that takes every line as it is; lines starting with `bad` are rejected. */
export const raw: LineParser<string> = {
  name: 'raw',
  parseBinary: (line) => (line.startsWith('bad') ? new LineFailure('syntax', 0, 'starts with bad') : line),
  parseLine: (line) => {
    const text = typeof line === 'string' ? line : Buffer.from(line).toString('latin1')
    return text.startsWith('bad')
      ? { ok: false, failure: new LineFailure('syntax', 0, 'starts with bad') }
      : { ok: true, record: text }
  },
}

/** A fresh temporary directory (its real path, so that /proc links compare), removed by `cleanup`. */
export async function makeTempDir(): Promise<string> {
  return realpath(await mkdtemp(join(tmpdir(), 'shoal-follow-')))
}

/** Removes a directory made by {@link makeTempDir}. */
export async function removeTempDir(dir: string | undefined): Promise<void> {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
}

/** Whether this platform lets a test list the process's open files. */
export const canListFds = existsSync('/proc/self/fd')

/** How many file descriptors of this process point into `dir`. */
export function openFdsUnder(dir: string): number {
  let count = 0
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${dir}/`)) count++
    } catch {
      // closed meanwhile
    }
  }
  return count
}

/** `n` numbered lines, each ending with a newline. */
export function numberedLines(prefix: string, n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${String(from + i).padStart(4, '0')}`)
}

/** Lines joined as file content, each followed by `\n`. */
export function text(lines: readonly string[]): string {
  return lines.map((line) => `${line}\n`).join('')
}

/**
 * Pulls every item of an async iterator in the background, so that a test can wait (with a
 * deadline) for what it expects to arrive, and stop the iterator whenever it likes.
 */
export class Collector<T> {
  readonly items: T[] = []
  error: unknown
  done = false
  readonly #iterator: AsyncIterator<T>
  readonly #waiters = new Set<() => void>()
  readonly finished: Promise<void>

  constructor(iterator: AsyncIterator<T>) {
    this.#iterator = iterator
    this.finished = this.#run()
  }

  /** Waits until `predicate` holds for the items so far; fails after `timeoutMs`. */
  async until(predicate: (items: readonly T[]) => boolean, what: string, timeoutMs = 5000): Promise<void> {
    const deadline = performance.now() + timeoutMs
    while (!predicate(this.items)) {
      if (this.error !== undefined) throw this.error
      if (this.done) throw new Error(`iterator ended before ${what}`)
      const left = deadline - performance.now()
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiters.add(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  async #run(): Promise<void> {
    try {
      for (;;) {
        const result = await this.#iterator.next()
        if (result.done) break
        this.items.push(result.value)
        this.#notify()
      }
    } catch (err) {
      this.error = err
    } finally {
      this.done = true
      this.#notify()
    }
  }

  #notify(): void {
    for (const wake of this.#waiters) wake()
    this.#waiters.clear()
  }
}

/** A logger that remembers every message, formatted loosely, for tests to wait on. */
export class RecordingLogger implements Logger {
  readonly messages: string[] = []
  readonly #listeners = new Set<() => void>()

  debug(message: string, ...args: unknown[]): void {
    this.#add(message, args)
  }
  info(message: string, ...args: unknown[]): void {
    this.#add(message, args)
  }
  warn(message: string, ...args: unknown[]): void {
    this.#add(message, args)
  }
  error(message: string, ...args: unknown[]): void {
    this.#add(message, args)
  }

  /** Resolves once a message containing `part` was logged; fails after `timeoutMs`. */
  async waitFor(part: string, timeoutMs = 5000): Promise<void> {
    const deadline = performance.now() + timeoutMs
    while (!this.messages.some((message) => message.includes(part))) {
      const left = deadline - performance.now()
      if (left <= 0) throw new Error(`timed out waiting for a log message with ${JSON.stringify(part)}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#listeners.add(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  #add(message: string, args: unknown[]): void {
    this.messages.push([message, ...args.map(String)].join(' '))
    for (const listener of this.#listeners) listener()
    this.#listeners.clear()
  }
}
