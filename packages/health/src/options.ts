import { invalidArgument } from '@shoal/core'
import type { Check } from './checks/check.js'
import type { ThresholdPolicy } from './thresholds.js'

/** gdnsd's anti-flap thresholds (see the README); each defaults to gdnsd's own default. */
export interface AntiFlapOptions {
  /** Consecutive passes that take a down target up (gdnsd `up_thresh`, default 20). */
  readonly upThresh?: number | undefined
  /** Consecutive passes that forgive an up target's failures (gdnsd `ok_thresh`, default 10). */
  readonly okThresh?: number | undefined
  /** Failures since the last forgiveness that take an up target down (gdnsd `down_thresh`, default 10). */
  readonly downThresh?: number | undefined
}

/** Passive health: outcomes fed by {@link HealthChecker.observe}. */
export interface PassiveOptions {
  /** Consecutive failed outcomes that take a target down (default 5, Envoy's `consecutive_5xx`). */
  readonly failures?: number | undefined
  /**
   * For a target without an active check: milliseconds it stays down before it is tried again
   * (default 30,000, Envoy's `base_ejection_time`). A target with an active check comes back
   * through its checks instead (`rise` passes).
   */
  readonly backoff?: number | undefined
}

/** How a target is checked: timing, thresholds and passive signals. Every field has a default. */
export interface CheckSettings {
  /** Milliseconds between the starts of two probes (default 2,000, HAProxy's `inter`). */
  readonly interval?: number | undefined
  /**
   * Milliseconds a probe may run before it counts as failed and is aborted (default 1,000, or
   * `interval` when that is shorter); at most `interval`.
   */
  readonly timeout?: number | undefined
  /**
   * Spread of each interval, a fraction in [0, 1): the delay to the next probe is drawn uniformly
   * from `interval × (1 ± jitter)` (default 0.1; HAProxy's `spread-checks` is 0 by default).
   */
  readonly jitter?: number | undefined
  /** Consecutive passes that take a down target up (default 2, HAProxy's `rise`). */
  readonly rise?: number | undefined
  /** Consecutive failures that take an up target down (default 3, HAProxy's `fall`). */
  readonly fall?: number | undefined
  /**
   * Use gdnsd's anti-flap model instead of rise/fall: `true` for gdnsd's defaults (20/10/10), or
   * the thresholds. Cannot be combined with `rise`/`fall`.
   */
  readonly antiFlap?: boolean | AntiFlapOptions | undefined
  /** Passive signals: `true` (default) with the default thresholds, `false` to ignore outcomes, or thresholds. */
  readonly passive?: boolean | PassiveOptions | undefined
}

/** A target's options: its check, and settings that override the checker's defaults. */
export interface TargetOptions extends CheckSettings {
  /**
   * The active check (`tcpCheck()`, `httpCheck()`, `dnsCheck()` or any async function). A target
   * without one is up unless passive signals, an external feed or an administrator say otherwise.
   */
  readonly check?: Check | undefined
}

/** The global probe rate limit: a token bucket. */
export interface RateLimitOptions {
  /** Probes started per second, across all targets. */
  readonly perSecond: number
  /** Probes that may start at once after a quiet spell (default: 50 ms worth of `perSecond`, at least 1). */
  readonly burst?: number | undefined
}

/** The state file that feeds external states (see the README for its format). */
export interface StateFileOptions {
  /** Its path. */
  readonly path: string
  /** Milliseconds between polls of its metadata, the fallback for `fs.watch` (default 5,000). */
  readonly pollInterval?: number | undefined
  /** The largest file accepted, in bytes (default 4 MiB). */
  readonly maxBytes?: number | undefined
}

/** The defaults, with HAProxy's (`inter 2s rise 2 fall 3`) and gdnsd's figures. */
export const DEFAULTS = {
  interval: 2000,
  timeout: 1000,
  jitter: 0.1,
  rise: 2,
  fall: 3,
  upThresh: 20,
  okThresh: 10,
  downThresh: 10,
  passiveFailures: 5,
  passiveBackoff: 30_000,
  maxInFlight: 256,
  pollInterval: 5000,
  stateFileMaxBytes: 4 * 1024 * 1024,
} as const

const MAX_DELAY = 2_147_483_647 // what setTimeout can wait
const MAX_THRESHOLD = 65_535 // gdnsd's bound

/** Settings with every default filled in and checked. */
export interface ResolvedSettings {
  readonly interval: number
  readonly timeout: number
  readonly jitter: number
  readonly policy: ThresholdPolicy
  readonly passive: { readonly failures: number; readonly backoff: number } | undefined
}

/**
 * Fills in and checks settings: `base` (already resolved, or undefined for the defaults)
 * overridden by `own`. Throws `ERR_INVALID_ARGUMENT` with a message naming `where`.
 */
export function resolveSettings(
  own: CheckSettings | undefined,
  base: ResolvedSettings | undefined,
  where: string,
): ResolvedSettings {
  if (own !== undefined && (own === null || typeof own !== 'object'))
    throw invalidArgument(`${where}: options must be an object`)
  const o = own ?? {}
  const interval = o.interval ?? base?.interval ?? DEFAULTS.interval
  checkInteger(interval, 1, MAX_DELAY, 'interval', where, ' milliseconds')
  const timeout = o.timeout ?? Math.min(base?.timeout ?? DEFAULTS.timeout, interval)
  checkInteger(timeout, 1, MAX_DELAY, 'timeout', where, ' milliseconds')
  if (timeout > interval)
    throw invalidArgument(
      `${where}: timeout (${timeout} ms) must not exceed interval (${interval} ms), so each probe ends before the next is due`,
    )
  const jitter = o.jitter ?? base?.jitter ?? DEFAULTS.jitter
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter < 1))
    throw invalidArgument(`${where}: jitter must be a fraction in [0, 1), got ${String(jitter)}`)
  return {
    interval,
    timeout,
    jitter,
    policy: resolvePolicy(o, base, where),
    passive: resolvePassive(o, base, where),
  }
}

function resolvePolicy(o: CheckSettings, base: ResolvedSettings | undefined, where: string): ThresholdPolicy {
  const hasRiseFall = o.rise !== undefined || o.fall !== undefined
  if (o.antiFlap !== undefined && o.antiFlap !== false) {
    if (hasRiseFall)
      throw invalidArgument(
        `${where}: give either rise/fall (HAProxy's model) or antiFlap (gdnsd's), not both`,
      )
    const a = o.antiFlap === true ? {} : o.antiFlap
    if (a === null || typeof a !== 'object')
      throw invalidArgument(`${where}: antiFlap must be true or an object`)
    const upThresh = a.upThresh ?? DEFAULTS.upThresh
    const okThresh = a.okThresh ?? DEFAULTS.okThresh
    const downThresh = a.downThresh ?? DEFAULTS.downThresh
    checkInteger(upThresh, 1, MAX_THRESHOLD, 'antiFlap.upThresh', where)
    checkInteger(okThresh, 1, MAX_THRESHOLD, 'antiFlap.okThresh', where)
    checkInteger(downThresh, 1, MAX_THRESHOLD, 'antiFlap.downThresh', where)
    return { kind: 'anti-flap', upThresh, okThresh, downThresh }
  }
  if (!hasRiseFall && o.antiFlap === undefined && base !== undefined) return base.policy
  const inherited = base?.policy.kind === 'rise-fall' ? base.policy : undefined
  const rise = o.rise ?? inherited?.rise ?? DEFAULTS.rise
  const fall = o.fall ?? inherited?.fall ?? DEFAULTS.fall
  checkInteger(rise, 1, MAX_THRESHOLD, 'rise', where)
  checkInteger(fall, 1, MAX_THRESHOLD, 'fall', where)
  return { kind: 'rise-fall', rise, fall }
}

function resolvePassive(
  o: CheckSettings,
  base: ResolvedSettings | undefined,
  where: string,
): ResolvedSettings['passive'] {
  if (o.passive === false) return undefined
  if (o.passive === undefined) {
    if (base !== undefined) return base.passive
    return { failures: DEFAULTS.passiveFailures, backoff: DEFAULTS.passiveBackoff }
  }
  const p = o.passive === true ? {} : o.passive
  if (p === null || typeof p !== 'object')
    throw invalidArgument(`${where}: passive must be a boolean or an object`)
  const failures = p.failures ?? base?.passive?.failures ?? DEFAULTS.passiveFailures
  const backoff = p.backoff ?? base?.passive?.backoff ?? DEFAULTS.passiveBackoff
  checkInteger(failures, 1, MAX_THRESHOLD, 'passive.failures', where)
  checkInteger(backoff, 1, MAX_DELAY, 'passive.backoff', where, ' milliseconds')
  return { failures, backoff }
}

/** Throws `ERR_INVALID_ARGUMENT` unless `value` is an integer in [min, max]. */
export function checkInteger(
  value: unknown,
  min: number,
  max: number,
  name: string,
  where: string,
  unit = '',
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw invalidArgument(
      `${where}: ${name} must be an integer in ${min}–${max}${unit}, got ${String(value)}`,
    )
}
