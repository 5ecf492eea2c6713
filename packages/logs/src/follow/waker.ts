import { type FSWatcher, watch } from 'node:fs'

/**
 * Sleeps between polls of a followed file, and wakes early when the file's directory reports a
 * change to it (`fs.watch`, where it works). Watching is only a hint: events may be late,
 * coalesced or missing (network file systems, some containers), so every sleep is bounded by the
 * poll interval. A wake-up that arrives while the follower is busy is remembered, so the next
 * sleep returns at once. Nothing here keeps the process alive unless `keepAlive` is set, and then
 * only while a sleep is pending.
 */
export class Waker {
  readonly #dir: string
  readonly #name: string
  readonly #keepAlive: boolean
  #watcher: FSWatcher | undefined
  #canWatch = true
  #woken = false
  #closed = false
  #timer: NodeJS.Timeout | undefined
  #resolve: (() => void) | undefined

  /**
   * @param dir - the directory of the followed file
   * @param name - the followed file's name in it
   * @param keepAlive - whether a pending sleep keeps the process alive
   */
  constructor(dir: string, name: string, keepAlive: boolean) {
    this.#dir = dir
    this.#name = name
    this.#keepAlive = keepAlive
  }

  /** Ends the current sleep, or the next one if none is pending. */
  readonly wake = (): void => {
    const resolve = this.#resolve
    if (resolve === undefined) {
      this.#woken = true
      return
    }
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#resolve = undefined
    resolve()
  }

  /** Sleeps at most `ms` milliseconds. */
  sleep(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#watch()
    if (this.#woken) {
      this.#woken = false
      return Promise.resolve()
    }
    return new Promise<void>((resolve) => {
      this.#resolve = resolve
      this.#timer = setTimeout(this.#elapsed, ms)
      if (!this.#keepAlive) this.#timer.unref()
    })
  }

  /** Stops watching and ends a pending sleep; later sleeps return at once. */
  close(): void {
    this.#closed = true
    this.#watcher?.close()
    this.#watcher = undefined
    this.wake()
  }

  readonly #elapsed = (): void => {
    const resolve = this.#resolve
    this.#timer = undefined
    this.#resolve = undefined
    resolve?.()
  }

  #watch(): void {
    if (this.#watcher !== undefined || !this.#canWatch) return
    let watcher: FSWatcher
    try {
      watcher = watch(this.#dir, { persistent: false }, (_event, filename) => {
        if (filename === null || filename === this.#name) this.wake()
      })
    } catch (err) {
      // a missing directory may appear later; anything else (no inotify watches left, an
      // unsupported file system) will not get better: poll only
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOENT' && code !== 'ENOTDIR') this.#canWatch = false
      return
    }
    watcher.on('error', () => {
      // the directory went away: try again at the next sleep, poll meanwhile
      watcher.close()
      if (this.#watcher === watcher) this.#watcher = undefined
    })
    this.#watcher = watcher
  }
}
