/**
 * A long-lived object with an explicit lifecycle. `stop()` is idempotent, and
 * `await using` calls it through `Symbol.asyncDispose`.
 */
export interface Startable extends AsyncDisposable {
  /** Acquires resources (sockets, files, timers) and begins work. */
  start(): Promise<void>
  /** Releases every resource; calling it again does nothing. */
  stop(): Promise<void>
}
