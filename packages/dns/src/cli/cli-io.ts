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
