import type { Writable } from 'node:stream'

/** The streams and signal a `shoal-member` run uses: the real process's, or buffers in tests. */
export interface CliIo {
  /** Where events and member lists go. */
  readonly stdout: Writable
  /** Where errors go. */
  readonly stderr: Writable
  /** Ends a running member gracefully (SIGINT, SIGTERM): it leaves, then the run resolves. */
  readonly signal: AbortSignal
}
