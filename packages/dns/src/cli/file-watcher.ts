import { stat } from 'node:fs/promises'

/**
 * Polls a set of files (the configuration and the zone files) and calls `onChange` once when any
 * of them changed (content replaced, rewritten, appeared or vanished), after a quiet period so a
 * half-written save is not reloaded. Polling survives editors that replace files by renaming,
 * which `fs.watch` does not. Its timer never keeps the process alive.
 */
export class FileWatcher {
  readonly #onChange: () => void
  readonly #intervalMs: number
  #files: readonly string[] = []
  #signatures = new Map<string, string>()
  #timer: NodeJS.Timeout | undefined
  #pending = false
  #polling = false

  /**
   * @param onChange - called after a change, once the files have been quiet for one interval
   * @param intervalMs - how often to look (default 1000)
   */
  constructor(onChange: () => void, intervalMs = 1000) {
    this.#onChange = onChange
    this.#intervalMs = intervalMs
  }

  /** Starts (or restarts) watching `files`, taking their current state as the baseline. */
  async watch(files: readonly string[]): Promise<void> {
    this.#files = [...new Set(files)]
    this.#signatures = await this.#read()
    this.#pending = false
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.#poll(), this.#intervalMs)
      this.#timer.unref()
    }
  }

  /** Stops watching. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
  }

  async #poll(): Promise<void> {
    if (this.#polling) return
    this.#polling = true
    try {
      const now = await this.#read()
      let changed = false
      for (const file of this.#files) if (now.get(file) !== this.#signatures.get(file)) changed = true
      this.#signatures = now
      if (changed) this.#pending = true
      else if (this.#pending) {
        // quiet for a whole interval after a change: the writer is done
        this.#pending = false
        this.#onChange()
      }
    } finally {
      this.#polling = false
    }
  }

  async #read(): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    await Promise.all(
      this.#files.map(async (file) => {
        try {
          const info = await stat(file)
          out.set(file, `${info.ino}:${info.size}:${info.mtimeMs}`)
        } catch {
          out.set(file, 'missing')
        }
      }),
    )
    return out
  }
}
