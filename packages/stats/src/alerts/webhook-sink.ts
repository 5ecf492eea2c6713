import type { AbortOptions, Clock, Logger, TimerHandle } from '@shoal/core'
import { createLogger, invalidArgument, ShoalError, systemClock } from '@shoal/core'
import { type Duration, parseDuration } from '../time/duration.js'
import type { AlertSink } from './alert-sink.js'
import { stateFilter } from './alert-sink.js'
import type { AlertState } from './alert-state.js'
import type { AlertTransition } from './alert-transition.js'

/** How a webhook delivery failed (in the `details.reason` of an `ERR_WEBHOOK_DELIVERY` error). */
export type WebhookFailure = 'status' | 'network' | 'timeout' | 'format' | 'queue-full' | 'stopped'

/** Exponential backoff between attempts: `initial × factor^(attempt − 1)`, at most `max`. */
export interface BackoffOptions {
  /** The first delay (default `'500ms'`). */
  readonly initial?: Duration | undefined
  /** The longest delay (default `'30s'`). */
  readonly max?: Duration | undefined
  /** The growth factor, at least 1 (default 2). */
  readonly factor?: number | undefined
}

/** Options of {@link webhookSink}. */
export interface WebhookSinkOptions extends AbortOptions {
  /** Where to POST (http or https). */
  readonly url: string | URL
  /** Extra request headers (an `authorization`, say). `content-type` is `application/json`. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** The target states sent (default `['firing', 'resolved']`). */
  readonly states?: readonly AlertState[] | undefined
  /** Builds the JSON body from a transition (default: the transition itself). */
  readonly format?: ((transition: AlertTransition) => unknown) | undefined
  /** The most transitions waiting (default 1,000); beyond it the oldest is dropped and reported. */
  readonly maxQueue?: number | undefined
  /** Attempts after the first for a retryable failure: network error, timeout, 408, 425, 429, 5xx (default 3). */
  readonly retries?: number | undefined
  /** Delays between attempts. */
  readonly backoff?: BackoffOptions | undefined
  /** Time allowed for one request (default `'10s'`). */
  readonly timeout?: Duration | undefined
  /** Timers for backoff and timeouts (default: the system clock, unref'd). */
  readonly clock?: Clock | undefined
  /** The fetch implementation (default: the global `fetch`). */
  readonly fetch?: typeof fetch | undefined
  /** Called with every transition given up on (code `ERR_WEBHOOK_DELIVERY`). Must not throw. */
  readonly onError?: ((error: ShoalError, transition: AlertTransition) => void) | undefined
  /** Where to log (default `util.debuglog('shoal:stats')`). */
  readonly logger?: Logger | undefined
}

/** Counters of a {@link WebhookSink}. */
export interface WebhookSinkStats {
  /** Transitions waiting, the one being sent included. */
  readonly pending: number
  /** Transitions delivered (a 2xx answer). */
  readonly sent: number
  /** Transitions given up on after their attempts, or not retryable. */
  readonly failed: number
  /** Attempts repeated after a retryable failure. */
  readonly retries: number
  /** Transitions dropped: queue full, or sink stopped. */
  readonly dropped: number
}

interface Outcome {
  readonly ok: boolean
  readonly retryable: boolean
  readonly reason: WebhookFailure
  readonly status?: number | undefined
  readonly cause?: unknown
}

const RETRYABLE_STATUS = new Set([408, 425, 429])

/**
 * Posts alert transitions as JSON to a URL, one at a time and in order, from a bounded queue,
 * with retries and exponential backoff. {@link WebhookSink.deliver} only enqueues, so a slow or
 * dead endpoint never blocks the evaluation; failures are counted and reported to `onError`,
 * never thrown. Stop it with {@link WebhookSink.stop} (or the `signal` option).
 */
export class WebhookSink implements AlertSink, AsyncDisposable {
  /** The endpoint. */
  readonly url: URL
  readonly #headers: Readonly<Record<string, string>>
  readonly #states: ReadonlySet<AlertState> | undefined
  readonly #format: (transition: AlertTransition) => unknown
  readonly #maxQueue: number
  readonly #retries: number
  readonly #initialMs: number
  readonly #maxMs: number
  readonly #factor: number
  readonly #timeoutMs: number
  readonly #clock: Clock
  readonly #fetch: typeof fetch
  readonly #onError: ((error: ShoalError, transition: AlertTransition) => void) | undefined
  readonly #logger: Logger
  readonly #signal: AbortSignal | undefined
  readonly #queue: AlertTransition[] = []
  readonly #idle: Array<() => void> = []
  #running = false
  #stopped = false
  readonly #stop = new AbortController()
  #sent = 0
  #failed = 0
  #retried = 0
  #dropped = 0
  readonly #onAbort = (): void => void this.stop()

  /** Throws `ERR_INVALID_ARGUMENT` for invalid options. */
  constructor(options: WebhookSinkOptions) {
    let url: URL
    try {
      url = new URL(options?.url)
    } catch {
      throw invalidArgument(`url must be an http or https URL, got ${String(options?.url)}`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw invalidArgument(`url must be an http or https URL, got ${url.href}`)
    this.url = url
    this.#headers = { ...(options.headers ?? {}) }
    this.#states = stateFilter(options.states, ['firing', 'resolved'])
    this.#format = options.format ?? ((transition) => transition)
    this.#maxQueue = integer(options.maxQueue ?? 1000, 'maxQueue', 1)
    this.#retries = integer(options.retries ?? 3, 'retries', 0)
    this.#initialMs = parseDuration(options.backoff?.initial ?? 500, 'backoff.initial')
    this.#maxMs = parseDuration(options.backoff?.max ?? 30_000, 'backoff.max')
    const factor = options.backoff?.factor ?? 2
    if (!(factor >= 1) || !Number.isFinite(factor))
      throw invalidArgument(`backoff.factor must be a number of at least 1, got ${String(factor)}`)
    this.#factor = factor
    this.#timeoutMs = parseDuration(options.timeout ?? 10_000, 'timeout', { allowZero: false })
    this.#clock = options.clock ?? systemClock
    const fetcher = options.fetch ?? globalThis.fetch
    if (typeof fetcher !== 'function') throw invalidArgument('fetch must be a function')
    this.#fetch = fetcher
    this.#onError = options.onError
    this.#logger = options.logger ?? createLogger('stats')
    this.#signal = options.signal
    if (this.#signal?.aborted) this.#stopped = true
    else this.#signal?.addEventListener('abort', this.#onAbort, { once: true })
  }

  /** Counters since creation. */
  get stats(): WebhookSinkStats {
    return {
      pending: this.#queue.length,
      sent: this.#sent,
      failed: this.#failed,
      retries: this.#retried,
      dropped: this.#dropped,
    }
  }

  /** Enqueues `transition` if its target state is one sent; returns at once. */
  deliver(transition: AlertTransition): void {
    if (this.#states !== undefined && !this.#states.has(transition.to)) return
    if (this.#stopped) {
      this.#dropped++
      this.#fail(transition, { ok: false, retryable: false, reason: 'stopped' }, 0)
      return
    }
    this.#queue.push(transition)
    if (this.#queue.length > this.#maxQueue) {
      // the head may be in flight: drop the oldest one waiting behind it
      const dropped = this.#queue.splice(this.#running ? 1 : 0, 1)[0] as AlertTransition
      this.#dropped++
      this.#fail(dropped, { ok: false, retryable: false, reason: 'queue-full' }, 0)
    }
    if (!this.#running)
      this.#run().catch((err: unknown) => this.#logger.error('webhook sender failed: %s', String(err)))
  }

  /** Resolves once every queued transition has been sent or given up on (or the sink stopped). */
  async drain(options: AbortOptions = {}): Promise<void> {
    options.signal?.throwIfAborted()
    if (!this.#running) return
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        options.signal?.removeEventListener('abort', abort)
        resolve()
      }
      const abort = (): void => {
        const at = this.#idle.indexOf(done)
        if (at >= 0) this.#idle.splice(at, 1)
        reject(options.signal?.reason)
      }
      this.#idle.push(done)
      options.signal?.addEventListener('abort', abort, { once: true })
    })
  }

  /** Aborts the request in flight, drops what is queued (counted), and waits for the sender to end. */
  async stop(): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true
      this.#signal?.removeEventListener('abort', this.#onAbort)
      this.#stop.abort()
    }
    await this.drain()
  }

  /** Same as {@link WebhookSink.stop}. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }

  async #run(): Promise<void> {
    this.#running = true
    try {
      while (this.#queue.length > 0) {
        const transition = this.#queue[0] as AlertTransition
        if (this.#stopped) {
          this.#queue.shift()
          this.#dropped++
          this.#fail(transition, { ok: false, retryable: false, reason: 'stopped' }, 0)
          continue
        }
        await this.#send(transition)
        this.#queue.shift()
      }
    } finally {
      this.#running = false
      for (const resolve of this.#idle.splice(0)) resolve()
    }
  }

  async #send(transition: AlertTransition): Promise<void> {
    let body: string
    try {
      body = JSON.stringify(this.#format(transition))
    } catch (cause) {
      this.#failed++
      this.#fail(transition, { ok: false, retryable: false, reason: 'format', cause }, 0)
      return
    }
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(body)
      if (outcome.ok) {
        this.#sent++
        return
      }
      if (this.#stopped) {
        this.#dropped++
        this.#fail(transition, { ...outcome, reason: 'stopped' }, attempt)
        return
      }
      if (!outcome.retryable || attempt > this.#retries) {
        this.#failed++
        this.#fail(transition, outcome, attempt)
        return
      }
      this.#retried++
      this.#logger.debug(
        'webhook %s: attempt %d failed (%s), retrying',
        this.url.href,
        attempt,
        outcome.reason,
      )
      await this.#wait(Math.min(this.#maxMs, this.#initialMs * this.#factor ** (attempt - 1)))
    }
  }

  async #attempt(body: string): Promise<Outcome> {
    if (this.#stopped) return { ok: false, retryable: false, reason: 'stopped' }
    const controller = new AbortController()
    let timedOut = false
    const timer = this.#clock.setTimeout(() => {
      timedOut = true
      controller.abort()
    }, this.#timeoutMs)
    const onStop = (): void => controller.abort()
    this.#stop.signal.addEventListener('abort', onStop, { once: true })
    try {
      const send = this.#fetch
      const response = await send(this.url, {
        method: 'POST',
        headers: { ...this.#headers, 'content-type': 'application/json' },
        body,
        signal: controller.signal,
      })
      await response.body?.cancel().catch(() => undefined)
      if (response.ok) return { ok: true, retryable: false, reason: 'status', status: response.status }
      const status = response.status
      return { ok: false, retryable: status >= 500 || RETRYABLE_STATUS.has(status), reason: 'status', status }
    } catch (cause) {
      return { ok: false, retryable: true, reason: timedOut ? 'timeout' : 'network', cause }
    } finally {
      this.#clock.clearTimeout(timer)
      this.#stop.signal.removeEventListener('abort', onStop)
    }
  }

  #wait(ms: number): Promise<void> {
    if (this.#stopped || ms <= 0) return Promise.resolve()
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined
      const done = (): void => {
        if (timer !== undefined) this.#clock.clearTimeout(timer)
        this.#stop.signal.removeEventListener('abort', done)
        resolve()
      }
      this.#stop.signal.addEventListener('abort', done, { once: true })
      timer = this.#clock.setTimeout(done, ms)
    })
  }

  #fail(transition: AlertTransition, outcome: Outcome, attempts: number): void {
    const what =
      outcome.reason === 'status'
        ? `answered HTTP ${outcome.status}`
        : outcome.reason === 'queue-full'
          ? `queue is full (${this.#maxQueue})`
          : outcome.reason === 'stopped'
            ? 'sink is stopped'
            : outcome.reason === 'format'
              ? 'body could not be formatted as JSON'
              : outcome.reason === 'timeout'
                ? `request timed out after ${this.#timeoutMs} ms`
                : 'request failed'
    const error = new ShoalError(
      'ERR_WEBHOOK_DELIVERY',
      `alert ${transition.ruleId} (${transition.to}) not delivered to ${this.url.origin}: ${what}${attempts > 0 ? ` after ${attempts} attempt${attempts === 1 ? '' : 's'}` : ''}`,
      {
        cause: outcome.cause,
        details: { reason: outcome.reason, status: outcome.status, attempts, ruleId: transition.ruleId },
      },
    )
    this.#logger.warn('%s', error.message)
    try {
      this.#onError?.(error, transition)
    } catch {
      // a failing handler must not stop deliveries
    }
  }
}

/** A {@link WebhookSink}: see there. */
export function webhookSink(options: WebhookSinkOptions): WebhookSink {
  return new WebhookSink(options)
}

function integer(value: number, name: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min)
    throw invalidArgument(`${name} must be an integer of at least ${min}, got ${String(value)}`)
  return value
}
