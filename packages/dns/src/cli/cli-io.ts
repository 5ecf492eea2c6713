import type { Writable } from 'node:stream'

/** The streams a CLI run writes; the real process's by default, buffers in tests. */
export interface CliIo {
  readonly stdout: Writable
  readonly stderr: Writable
  /** Stops `serve` (SIGINT, SIGTERM). */
  readonly signal?: AbortSignal | undefined
  /** Called for each SIGHUP-style reload request `serve` should act on; `serve` subscribes through it. */
  readonly onReloadRequest?: ((listener: () => void) => () => void) | undefined
}

/** Exit codes: 0 ok, 1 failure (configuration or zone errors, a socket that cannot be bound), 2 usage. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const

/** Writes text, waiting for the stream to drain when its buffer is full (so piped output is never dropped). */
export async function write(stream: Writable, text: string): Promise<void> {
  if (text.length === 0) return
  if (!stream.write(text)) {
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error): void => {
        stream.off('drain', done)
        stream.off('error', done)
        if (err) reject(err)
        else resolve()
      }
      stream.once('drain', done)
      stream.once('error', done)
    })
  }
}

/** A usage mistake: reported with the help hint and exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
