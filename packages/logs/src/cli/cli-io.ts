import type { Readable, Writable } from 'node:stream'

/** The streams a CLI run reads and writes; the real process's by default, buffers in tests. */
export interface CliIo {
  readonly stdin: Readable
  readonly stdout: Writable
  readonly stderr: Writable
  /** Aborts long-running commands (follow). */
  readonly signal?: AbortSignal | undefined
}
