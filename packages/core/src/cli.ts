import type { Writable } from 'node:stream'

/**
 * The exit codes of every shoal command-line tool: 0 ok, 1 failure, 2 usage error (DESIGN.md).
 *
 * @example
 * ```ts
 * process.exitCode = EXIT_CODES.usage
 * ```
 */
export const EXIT_CODES = { ok: 0, failure: 1, usage: 2 } as const

/**
 * Writes text to a stream, waiting for it to drain when its buffer is full, so output piped to
 * another process is never dropped (a CLI then ends by itself instead of calling `process.exit()`).
 *
 * @example
 * ```ts
 * await writeOutput(process.stdout, 'hello\n')
 * ```
 */
export async function writeOutput(stream: Writable, text: string): Promise<void> {
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
 * A mistake on a command line: a CLI reports its message with a hint to `--help` and exits with
 * {@link EXIT_CODES}.usage.
 *
 * @example
 * ```ts
 * throw new UsageError('--wait takes a number of milliseconds')
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
