import { readFile, stat } from 'node:fs/promises'
import {
  type AbortOptions,
  type Clock,
  createLogger,
  type HealthSource,
  type Logger,
  MAX_STATE_FILE_ENTRIES,
  parseStateFile,
  type Startable,
  systemClock,
  type TargetState,
  type TargetStateChange,
  type TimerHandle,
} from '@shoal/core'

/** Settings of {@link FileHealthSource}. */
export interface FileHealthSourceOptions {
  /** The feed file (see `parseStateFile` from `@shoal/core` for its two forms). */
  readonly file: string
  /** How often the file is looked at for changes, in milliseconds (default 1000). */
  readonly pollMs?: number | undefined
  /** Most targets the file may name (default 100 000). */
  readonly maxEntries?: number | undefined
  /** Time and timers (default the system clock, unref'd). */
  readonly clock?: Clock | undefined
  /** Where read errors are reported (default `shoal:dns` debuglog). */
  readonly logger?: Logger | undefined
  /** Called with a reason when the file cannot be read or is refused; the previous states stay. */
  readonly onError?: ((reason: string) => void) | undefined
}

/**
 * A {@link HealthSource} fed by a file that some other process writes (a monitoring system, a
 * deploy script, `@shoal/health`'s state file): gdnsd's `extfile`, and what `abh/geodns#73`
 * asks for. The file is polled; a file that cannot be read or parsed is refused whole and the
 * previous states stay. A target the file stops naming keeps its last state (a feed that loses
 * a line must not flap an answer); name it `up` to clear it.
 *
 * `ready()` resolves once the file has been read successfully, which is what `/healthz` waits
 * for before it reports the node healthy.
 *
 * @example
 * ```ts
 * const health = new FileHealthSource({ file: '/run/shoal/health.txt' })
 * await health.start()
 * health.stateOf('web-1') // 'up' | 'down' | 'draining' | undefined
 * ```
 */
export class FileHealthSource implements HealthSource, Startable {
  readonly #file: string
  readonly #pollMs: number
  readonly #max: number
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #onError: ((reason: string) => void) | undefined
  readonly #states = new Map<string, { state: TargetState; reason: string }>()
  readonly #listeners = new Set<(change: TargetStateChange) => void>()
  #timer: TimerHandle | undefined
  #running = false
  #signature = ''
  #ready = false
  #readyWaiters: (() => void)[] = []
  #reading: Promise<void> | undefined

  /** @param options - the file and how often to look at it */
  constructor(options: FileHealthSourceOptions) {
    this.#file = options.file
    this.#pollMs = options.pollMs ?? 1000
    this.#max = options.maxEntries ?? MAX_STATE_FILE_ENTRIES
    this.#clock = options.clock ?? systemClock
    this.#logger = options.logger ?? createLogger('dns')
    this.#onError = options.onError
  }

  /** Whether the file has been read successfully once. */
  get isReady(): boolean {
    return this.#ready
  }

  /** The current state of `target`, `undefined` when the file never named it. */
  stateOf(target: string): TargetState | undefined {
    return this.#states.get(target)?.state
  }

  /** Calls `listener` on every later change, synchronously, in file order. */
  subscribe(listener: (change: TargetStateChange) => void): () => void {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  /** Resolves once the file has been read successfully (at once if it has). */
  ready(options: AbortOptions = {}): Promise<void> {
    if (this.#ready) return Promise.resolve()
    options.signal?.throwIfAborted()
    return new Promise<void>((resolve, reject) => {
      const signal = options.signal
      const onAbort = (): void => reject(signal?.reason)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#readyWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      })
    })
  }

  /** Reads the file once and starts polling it. */
  async start(): Promise<void> {
    if (this.#running) return
    this.#running = true
    await this.poll()
    this.#schedule()
  }

  /** Stops polling. */
  async stop(): Promise<void> {
    this.#running = false
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#reading
  }

  /** Same as {@link FileHealthSource.stop}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }

  /** Looks at the file now (SIGHUP, tests); re-reads it if it changed. Never throws. */
  poll(): Promise<void> {
    this.#reading ??= this.#read().finally(() => {
      this.#reading = undefined
    })
    return this.#reading
  }

  #schedule(): void {
    if (!this.#running) return
    this.#timer = this.#clock.setTimeout(() => {
      void this.poll().then(() => this.#schedule())
    }, this.#pollMs)
  }

  async #read(): Promise<void> {
    let text: string
    try {
      const info = await stat(this.#file)
      const signature = `${info.ino}:${info.size}:${info.mtimeMs}`
      if (signature === this.#signature && this.#ready) return
      text = await readFile(this.#file, 'utf8')
      this.#signature = signature
    } catch (error) {
      this.#fail(`cannot read ${this.#file}: ${(error as Error).message}`)
      return
    }
    const parsed = parseStateFile(text, this.#max)
    if (!parsed.ok) {
      // a refused file is read again on the next change only
      this.#fail(`${this.#file}: ${parsed.reason}`)
      return
    }
    const time = this.#clock.now()
    for (const [target, next] of parsed.states) {
      const previous = this.#states.get(target)
      if (previous !== undefined && previous.state === next.state) {
        previous.reason = next.reason
        continue
      }
      this.#states.set(target, next)
      const change: TargetStateChange = {
        target,
        state: next.state,
        previous: previous?.state,
        reason: next.reason === '' ? `health feed ${this.#file}` : next.reason,
        time,
      }
      for (const listener of this.#listeners) listener(change)
    }
    if (!this.#ready) {
      this.#ready = true
      const waiters = this.#readyWaiters
      this.#readyWaiters = []
      for (const wake of waiters) wake()
    }
  }

  #fail(reason: string): void {
    this.#logger.warn('%s', reason)
    this.#onError?.(reason)
  }
}
