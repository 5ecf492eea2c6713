import type { ListenerOptions, Logger } from '@shoal/core'
import {
  AsyncQueue,
  createLogger,
  invalidArgument,
  type Subscription,
  type SubscriptionOptions,
  TypedEventTarget,
} from '@shoal/core'
import type { WatermarkProgress } from '../time/event-time-windows.js'
import type { WindowQuery } from '../time/pane-history.js'
import type { AlertRule, AlertRuleSpec } from './alert-rule.js'
import type { AlertSink } from './alert-sink.js'
import { type AlertState, type DedupMemory, type RuleMemory, stepAlert } from './alert-state.js'
import type { AlertTransition } from './alert-transition.js'
import { parseAlertRules } from './parse-rules.js'

/**
 * Turns a window's merged aggregate into named metric values (`requests`, `status5xx`,
 * `ratio5xx`, `latencyP99`, `visitors`…); rules name the metric they compare. `null` (or a
 * missing name, or NaN) means no data, which never satisfies a condition.
 */
export type MetricsFunction<A> = (
  aggregate: A,
  context: { readonly windowMs: number; readonly atMs: number },
) => Readonly<Record<string, number | null | undefined>>

/**
 * Something whose closing panes drive the evaluation: `EventTimeWindows` is one. The engine
 * evaluates at each closed pane's end and at each new closed boundary.
 */
export interface PaneCloseSource {
  /** Subscribes to closed panes. */
  addEventListener(
    type: 'pane-closed',
    listener: (event: CustomEvent<{ readonly endMs: number }>) => void,
    options?: ListenerOptions,
  ): void
  /** Subscribes to closed-boundary progress. */
  addEventListener(
    type: 'watermark',
    listener: (event: CustomEvent<WatermarkProgress>) => void,
    options?: ListenerOptions,
  ): void
}

/** Where the engine reports what went wrong outside the rules: a failing metrics function or sink. */
export type AlertErrorHandler = (
  error: unknown,
  context: { readonly stage: 'metrics' | 'sink'; readonly ruleId?: string | undefined },
) => void

/** Options of {@link AlertEngine}. */
export interface AlertEngineOptions<A> {
  /** The rules: checked rules or rule specs, `{ rules: [...] }`, or JSON text (see `parseAlertRules`). */
  readonly rules: readonly AlertRuleSpec[] | { readonly rules: readonly AlertRuleSpec[] } | string
  /** Computes the metrics of a window's aggregate. */
  readonly metrics: MetricsFunction<A>
  /** Answers window queries (`EventTimeWindows`, `PaneHistory`). */
  readonly windows: WindowQuery<A>
  /**
   * The metric names the `metrics` function returns: when given, a rule naming another metric is
   * refused at construction with `ERR_INVALID_ARGUMENT`.
   */
  readonly knownMetrics?: readonly string[] | undefined
  /** Where transitions are delivered, in order. */
  readonly sinks?: readonly AlertSink[] | undefined
  /** Reports errors of the metrics function and of sinks (they are also counted and logged). */
  readonly onError?: AlertErrorHandler | undefined
  /** Where to log (default `util.debuglog('shoal:stats')`). */
  readonly logger?: Logger | undefined
}

/** The typed events of {@link AlertEngine}. */
export type AlertEngineEvents = {
  /** A rule changed state. */
  transition: AlertTransition
}

/** One rule's standing, as reported by {@link AlertEngine.status}. */
export interface AlertStatus {
  /** The rule. */
  readonly rule: AlertRule
  /** Its state. */
  readonly state: AlertState
  /** When it entered `pending`/`firing` (the condition's start) or `resolved`. */
  readonly sinceMs: number | undefined
  /** When it last fired. */
  readonly firedAtMs: number | undefined
  /** The metric's value at the last evaluation. */
  readonly value: number | null
}

/** Counters of {@link AlertEngine}. */
export interface AlertEngineStats {
  /** Evaluations run. */
  readonly evaluations: number
  /** Transitions emitted. */
  readonly transitions: number
  /** Errors of the metrics function or of window queries (their rules saw no data). */
  readonly metricErrors: number
  /** Errors thrown or rejected by sinks. */
  readonly sinkErrors: number
}

interface RuleEntry {
  readonly rule: AlertRule
  readonly memory: RuleMemory
  readonly group: DedupMemory
  value: number | null
}

/**
 * Evaluates alert rules over windows when panes close — never per event — at the event time
 * of the pane end, and publishes each state change (inactive → pending → firing → resolved →
 * inactive) as a `transition` event, to {@link AlertEngine.transitions} iterators and to sinks.
 * A failing metrics function or sink is counted and reported, never thrown into the evaluation.
 *
 * @example
 * ```ts
 * const engine = new AlertEngine({
 *   rules: [http5xxBurstRule({ threshold: 5 })],
 *   metrics: (stats) => ({ status5xx: stats.status5xx, requests: stats.requests }),
 *   windows,
 *   sinks: [callbackSink((t) => notify(t)), webhookSink({ url })],
 * })
 * engine.attach(windows) // evaluate whenever a pane closes
 * ```
 */
export class AlertEngine<A> extends TypedEventTarget<AlertEngineEvents> {
  /** The checked rules, in order. */
  readonly rules: readonly AlertRule[]
  readonly #entries: RuleEntry[]
  readonly #metrics: MetricsFunction<A>
  readonly #windows: WindowQuery<A>
  readonly #sinks: readonly AlertSink[]
  readonly #onError: AlertErrorHandler | undefined
  readonly #logger: Logger
  readonly #queues = new Set<AsyncQueue<AlertTransition>>()
  readonly #detach = new Set<AbortController>()
  #lastAt = Number.NEGATIVE_INFINITY
  #sequence = 0
  #evaluations = 0
  #metricErrors = 0
  #sinkErrors = 0

  /** Throws `ERR_INVALID_ARGUMENT` for invalid rules or options. */
  constructor(options: AlertEngineOptions<A>) {
    super()
    if (typeof options?.metrics !== 'function') throw invalidArgument('metrics must be a function')
    if (typeof options.windows?.window !== 'function')
      throw invalidArgument('windows must answer window queries (an EventTimeWindows or a PaneHistory)')
    this.rules = Object.freeze(parseAlertRules(options.rules))
    if (options.knownMetrics !== undefined) {
      const known = new Set(options.knownMetrics)
      for (const rule of this.rules)
        if (!known.has(rule.metric))
          throw invalidArgument(
            `rule ${rule.id}: metric '${rule.metric}' is unknown (known: ${[...known].join(', ')})`,
            { rule: rule.id },
          )
    }
    const sinks = options.sinks ?? []
    for (const sink of sinks)
      if (typeof sink?.deliver !== 'function')
        throw invalidArgument('each sink must have a deliver(transition) method')
    const groups = new Map<string, DedupMemory>()
    this.#entries = this.rules.map((rule) => {
      let group = groups.get(rule.dedupKey)
      if (group === undefined) {
        group = { lastFiredMs: undefined, firing: undefined }
        groups.set(rule.dedupKey, group)
      }
      return {
        rule,
        memory: { state: 'inactive', sinceMs: undefined, firedAtMs: undefined },
        group,
        value: null,
      }
    })
    this.#metrics = options.metrics
    this.#windows = options.windows
    this.#sinks = sinks
    this.#onError = options.onError
    this.#logger = options.logger ?? createLogger('stats')
  }

  /** Counters since creation. */
  get stats(): AlertEngineStats {
    return {
      evaluations: this.#evaluations,
      transitions: this.#sequence,
      metricErrors: this.#metricErrors,
      sinkErrors: this.#sinkErrors,
    }
  }

  /** Event time of the last evaluation (`-Infinity` before the first). */
  get lastEvaluatedMs(): number {
    return this.#lastAt
  }

  /** Each rule's standing. */
  status(): AlertStatus[] {
    return this.#entries.map((entry) => ({
      rule: entry.rule,
      state: entry.memory.state,
      sinceMs: entry.memory.sinceMs,
      firedAtMs: entry.memory.firedAtMs,
      value: entry.value,
    }))
  }

  /**
   * Evaluates every rule at event time `atMs` over windows ending there, and returns the
   * transitions (also emitted and delivered). Times not after the last evaluation are skipped.
   */
  evaluate(atMs: number): AlertTransition[] {
    if (typeof atMs !== 'number' || !Number.isFinite(atMs))
      throw invalidArgument(`atMs must be a finite number, got ${String(atMs)}`)
    if (!(atMs > this.#lastAt)) return []
    this.#lastAt = atMs
    this.#evaluations++
    const byWindow = new Map<number, Readonly<Record<string, number | null | undefined>> | undefined>()
    const transitions: AlertTransition[] = []
    for (const entry of this.#entries) {
      const { rule, memory } = entry
      let values = byWindow.get(rule.window)
      if (!byWindow.has(rule.window)) {
        values = this.#compute(rule, atMs)
        byWindow.set(rule.window, values)
      }
      const raw = values !== undefined && Object.hasOwn(values, rule.metric) ? values[rule.metric] : undefined
      const value = typeof raw === 'number' && !Number.isNaN(raw) ? raw : null
      entry.value = value
      const from = memory.state
      const to = stepAlert(rule, memory, entry.group, value, atMs)
      if (to === undefined) continue
      transitions.push({
        ruleId: rule.id,
        dedupKey: rule.dedupKey,
        from,
        to,
        atMs,
        value,
        metric: rule.metric,
        windowMs: rule.window,
        comparator: rule.comparator,
        threshold: rule.threshold,
        resolveThreshold: rule.resolveThreshold,
        sinceMs: memory.sinceMs,
        sequence: ++this.#sequence,
        ...(rule.description === undefined ? {} : { description: rule.description }),
        ...(rule.labels === undefined ? {} : { labels: rule.labels }),
      })
    }
    for (const transition of transitions) this.#publish(transition)
    return transitions
  }

  /**
   * Evaluates whenever `source` closes a pane (at the pane's end) or moves its closed boundary.
   * Returns a function that stops this.
   */
  attach(source: PaneCloseSource): () => void {
    const controller = new AbortController()
    const options = { signal: controller.signal }
    source.addEventListener('pane-closed', (event) => this.evaluate(event.detail.endMs), options)
    source.addEventListener(
      'watermark',
      (event) => {
        if (Number.isFinite(event.detail.closedThroughMs)) this.evaluate(event.detail.closedThroughMs)
      },
      options,
    )
    this.#detach.add(controller)
    return () => {
      controller.abort()
      this.#detach.delete(controller)
    }
  }

  /** The transitions from now on, as an async iterator (bounded buffer). It ends at {@link AlertEngine.close}. */
  transitions(options: SubscriptionOptions = {}): Subscription<AlertTransition> {
    const queue: AsyncQueue<AlertTransition> = new AsyncQueue(options, () => this.#queues.delete(queue))
    if (!queue.closed) this.#queues.add(queue)
    return queue
  }

  /** Detaches from every source and ends the iterators. Sinks are the caller's to stop. */
  close(): void {
    for (const controller of this.#detach) controller.abort()
    this.#detach.clear()
    for (const queue of [...this.#queues]) queue.end()
  }

  #compute(rule: AlertRule, atMs: number): Readonly<Record<string, number | null | undefined>> | undefined {
    try {
      const aggregate = this.#windows.window(rule.window, { endMs: atMs })
      const values = this.#metrics(aggregate, { windowMs: rule.window, atMs })
      return typeof values === 'object' && values !== null ? values : undefined
    } catch (err) {
      this.#metricErrors++
      this.#report(err, 'metrics', rule.id)
      return undefined
    }
  }

  #publish(transition: AlertTransition): void {
    this.#logger.debug(
      'alert %s %s -> %s at %d',
      transition.ruleId,
      transition.from,
      transition.to,
      transition.atMs,
    )
    this.emit('transition', transition)
    for (const queue of this.#queues) queue.push(transition)
    for (const sink of this.#sinks) {
      try {
        const result = sink.deliver(transition) as unknown
        if (
          typeof result === 'object' &&
          result !== null &&
          typeof (result as PromiseLike<void>).then === 'function'
        )
          (result as PromiseLike<void>).then(undefined, (err: unknown) => {
            this.#sinkErrors++
            this.#report(err, 'sink', transition.ruleId)
          })
      } catch (err) {
        this.#sinkErrors++
        this.#report(err, 'sink', transition.ruleId)
      }
    }
  }

  #report(error: unknown, stage: 'metrics' | 'sink', ruleId: string): void {
    this.#logger.warn(
      'alert %s failed for rule %s: %s',
      stage,
      ruleId,
      error instanceof Error ? error.message : String(error),
    )
    try {
      this.#onError?.(error, { stage, ruleId })
    } catch {
      // a failing error handler must not stop the evaluation either
    }
  }
}
