import { ShoalError } from '@shoal/core'

/** What a check receives besides the target: the signal that aborts it at its timeout or at stop. */
export interface CheckContext {
  /** Aborts when the check times out, when its target is removed or when the checker stops. */
  readonly signal: AbortSignal
}

/**
 * An active check: probes `target` once. It passes when it resolves with `undefined` or `true`,
 * and fails when it resolves with `false` or rejects (the rejection's message becomes the reason).
 * It must give up when `signal` aborts; one that does not is still counted as failed at its
 * timeout, and its target gets no new probe until it settles.
 *
 * `tcpCheck`, `httpCheck` and `dnsCheck` make checks; any async function of this shape is one.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: an async function that returns nothing passes, so void it is
export type Check = (target: string, context: CheckContext) => Promise<void | boolean>

/** Builds the `ERR_CHECK_FAILED` error a built-in check rejects with, with what it saw. */
export function checkFailed(message: string, details?: Readonly<Record<string, unknown>>): ShoalError {
  return new ShoalError('ERR_CHECK_FAILED', message, { details })
}

/** The error of a check that ran past its timeout. */
export function checkTimedOut(timeout: number): ShoalError {
  return new ShoalError('ERR_CHECK_TIMEOUT', `check timed out after ${timeout} ms`, { details: { timeout } })
}

/** A short, one-line reason from whatever a check rejected with. */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    const message = error.message.split('\n', 1)[0] ?? ''
    return typeof code === 'string' && code !== '' && !message.includes(code) && !code.startsWith('ERR_CHECK')
      ? `${message} (${code})`
      : message
  }
  return error === false ? 'check returned false' : String(error)
}

/** Rejects with `signal.reason` when it aborts; returns the function that stops listening. */
export function onAbort(signal: AbortSignal, abort: (reason: unknown) => void): () => void {
  if (signal.aborted) {
    abort(signal.reason)
    return () => {}
  }
  const listener = (): void => abort(signal.reason)
  signal.addEventListener('abort', listener, { once: true })
  return () => signal.removeEventListener('abort', listener)
}
