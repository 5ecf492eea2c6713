import type { Writable } from 'node:stream'

/** The streams and signal a `shoal-member` run uses: the real process's, or buffers in tests. */
export interface CliIo {
  /** Where events and member lists go. */
  readonly stdout: Writable
  /** Where errors go. */
  readonly stderr: Writable
  /** Ends a running member gracefully (SIGINT, SIGTERM): it leaves, then the run resolves. */
  readonly signal?: AbortSignal | undefined
}

/** Exit codes: 0 ok, 1 failure (an address that cannot be bound, no seed reached), 2 usage. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const

/**
 * Writes text, waiting for the stream to drain when its buffer is full, so that piped output is
 * never dropped.
 *
 * @example
 * ```ts
 * await write(process.stdout, 'hello\n')
 * ```
 */
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

/**
 * A usage mistake: reported with the help hint and exit code 2.
 *
 * @example
 * ```ts
 * throw new UsageError('--wait takes a number of milliseconds')
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
