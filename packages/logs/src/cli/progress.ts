import type { Writable } from 'node:stream'

/** A one-line progress report on a terminal, redrawn at most five times a second. */
export class Progress {
  readonly #stream: Writable & { isTTY?: boolean }
  #last = 0
  #shown = false

  constructor(stream: Writable) {
    this.#stream = stream
  }

  /** Redraws the line if the stream is a terminal and enough time has passed. */
  update(name: string, lines: number, offset: number, size: number | undefined): void {
    if (this.#stream.isTTY !== true) return
    const now = Date.now()
    if (now - this.#last < 200) return
    this.#last = now
    const share =
      size === undefined || size === 0 ? '' : ` ${Math.min(100, (offset / size) * 100).toFixed(1)}%`
    this.#stream.write(`\r${name}:${share} ${lines.toLocaleString('en')} lines\u001b[K`)
    this.#shown = true
  }

  /** Clears the line. */
  done(): void {
    if (this.#shown) this.#stream.write('\r\u001b[K')
    this.#shown = false
  }
}
