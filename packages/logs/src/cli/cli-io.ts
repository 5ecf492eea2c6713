import type { Readable, Writable } from 'node:stream'

/** The streams a CLI run reads and writes; the real process's by default, buffers in tests. */
export interface CliIo {
  readonly stdin: Readable
  readonly stdout: Writable
  readonly stderr: Writable
  /** Aborts long-running commands (follow). */
  readonly signal?: AbortSignal | undefined
}

/** Exit codes: 0 ok, 1 failure (bad lines found, nothing detected, I/O errors), 2 usage. */
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
