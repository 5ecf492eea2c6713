import type { Readable, Writable } from 'node:stream'
import { ShoalError } from './errors.js'

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
 * A mistake on a command line (code `ERR_USAGE`): a CLI reports its message with a hint to
 * `--help` and exits with {@link EXIT_CODES}.usage.
 *
 * @example
 * ```ts
 * throw new UsageError('--wait takes a number of milliseconds')
 * ```
 */
export class UsageError extends ShoalError {
  /** @param message - what is wrong with the command line, for a person to act on */
  constructor(message: string) {
    super('ERR_USAGE', message)
  }
}

/** The process's streams and an abort signal, as {@link runCliProcess} hands them to a command. */
export interface CliProcessIo {
  /** The process's stdin (read lazily: a command that does not read it opens nothing). */
  readonly stdin: Readable
  /** The process's stdout. */
  readonly stdout: Writable
  /** The process's stderr. */
  readonly stderr: Writable
  /** Aborted by SIGINT, SIGTERM, or a closed stdout pipe (EPIPE): the command winds down. */
  readonly signal: AbortSignal
}

/**
 * Runs a CLI's entry function as the process: SIGINT, SIGTERM and a closed stdout pipe abort its
 * signal, and its result becomes `process.exitCode` — never `process.exit()`, which drops output
 * still queued for a pipe.
 *
 * @example
 * ```ts
 * await runCliProcess((argv, io) => runCli(argv, io))
 * ```
 */
export async function runCliProcess(
  run: (argv: string[], io: CliProcessIo) => Promise<number>,
): Promise<void> {
  const controller = new AbortController()
  process.once('SIGINT', () => controller.abort())
  process.once('SIGTERM', () => controller.abort())
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') controller.abort()
  })
  process.exitCode = await run(process.argv.slice(2), {
    get stdin() {
      return process.stdin
    },
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
  })
}
