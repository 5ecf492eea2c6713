import { invalidArgument } from '@shoal/core'
import { MAX_PUSH_PULL_MEMBERS } from '../wire/codec.js'

/**
 * The protocol's timing and fan-out. Start from a {@link profiles | profile} and override what you
 * must; every value is validated by {@link resolveConfig}.
 */
export interface MembershipConfig {
  /** Time between two probes of this member (one target per period). */
  readonly probeIntervalMs: number
  /** How long to wait for a direct ack before asking `indirectChecks` members to probe. */
  readonly probeTimeoutMs: number
  /** Members asked to probe a target indirectly when the direct probe timed out. */
  readonly indirectChecks: number
  /**
   * Suspicion lasts at least `suspicionMult × max(1, log10 n) × probeIntervalMs` before the
   * suspect is declared dead; `suspicionMult − 2` independent confirmations bring it down to that.
   */
  readonly suspicionMult: number
  /** Without confirmations a suspicion lasts `suspicionMaxMult` times the minimum (Lifeguard). */
  readonly suspicionMaxMult: number
  /** A gossiped update is sent `retransmitMult × ⌈log10(n + 1)⌉` times. */
  readonly retransmitMult: number
  /** Time between two gossip rounds (only when there is something to gossip). */
  readonly gossipIntervalMs: number
  /** Members each gossip round sends to. */
  readonly gossipNodes: number
  /** Dead members still receive gossip this long (so they can learn and refute). */
  readonly gossipToTheDeadMs: number
  /** Time between two full-state exchanges with a random member (anti-entropy). */
  readonly pushPullIntervalMs: number
  /** Time between two attempts to reach a dead member or, when alone, the seeds (partition healing). */
  readonly reconnectIntervalMs: number
  /** Dead and left members are forgotten this long after they went. */
  readonly deadRetentionMs: number
  /** Lifeguard's local health ceiling: timeouts are multiplied by up to this. */
  readonly awarenessMax: number
  /** After `leave`, keep gossiping the leave this long before stopping. */
  readonly leavePropagateMs: number
  /** First retry of unanswered seeds; doubles up to `reconnectIntervalMs`. */
  readonly joinRetryMs: number
  /** The most members kept (alive or not); beyond it new members are refused and counted. */
  readonly maxMembers: number
}

/**
 * The built-in profiles. `lan` (default) detects a crash in about 2 s (p50 1.9 s at 5 members)
 * and rides out pauses up to 1.5 s; `wan` takes about 11 s and rides out 8 s; `local`, for tests on
 * one machine, about 0.5 s and 300 ms. The README gives the measured detection times, false
 * positives and pause tolerance (`npm run bench -- membership`).
 *
 * @example
 * ```ts
 * const config = resolveConfig('lan', { probeIntervalMs: 500 })
 * ```
 */
export const profiles: Readonly<Record<'lan' | 'wan' | 'local', MembershipConfig>> = {
  lan: {
    probeIntervalMs: 400,
    probeTimeoutMs: 200,
    indirectChecks: 3,
    suspicionMult: 3,
    suspicionMaxMult: 4,
    retransmitMult: 4,
    gossipIntervalMs: 100,
    gossipNodes: 3,
    gossipToTheDeadMs: 15_000,
    pushPullIntervalMs: 15_000,
    reconnectIntervalMs: 5_000,
    deadRetentionMs: 3_600_000,
    awarenessMax: 8,
    leavePropagateMs: 500,
    joinRetryMs: 500,
    maxMembers: 10_000,
  },
  wan: {
    probeIntervalMs: 2_000,
    probeTimeoutMs: 1_000,
    indirectChecks: 3,
    suspicionMult: 4,
    suspicionMaxMult: 6,
    retransmitMult: 4,
    gossipIntervalMs: 300,
    gossipNodes: 4,
    gossipToTheDeadMs: 60_000,
    pushPullIntervalMs: 30_000,
    reconnectIntervalMs: 15_000,
    deadRetentionMs: 86_400_000,
    awarenessMax: 8,
    leavePropagateMs: 2_000,
    joinRetryMs: 1_000,
    maxMembers: 10_000,
  },
  local: {
    probeIntervalMs: 100,
    probeTimeoutMs: 50,
    indirectChecks: 2,
    suspicionMult: 3,
    suspicionMaxMult: 4,
    retransmitMult: 3,
    gossipIntervalMs: 25,
    gossipNodes: 3,
    gossipToTheDeadMs: 5_000,
    pushPullIntervalMs: 3_000,
    reconnectIntervalMs: 1_000,
    deadRetentionMs: 60_000,
    awarenessMax: 8,
    leavePropagateMs: 150,
    joinRetryMs: 100,
    maxMembers: 10_000,
  },
}

/** The name of a built-in profile. */
export type ProfileName = keyof typeof profiles

const POSITIVE: readonly (keyof MembershipConfig)[] = [
  'probeIntervalMs',
  'probeTimeoutMs',
  'gossipIntervalMs',
  'pushPullIntervalMs',
  'reconnectIntervalMs',
  'joinRetryMs',
  'suspicionMult',
  'suspicionMaxMult',
  'retransmitMult',
  'awarenessMax',
  'maxMembers',
  'gossipNodes',
]

/**
 * A profile with overrides, validated: every value finite and non-negative, intervals and
 * multipliers positive, the probe timeout shorter than the probe interval.
 *
 * @throws `ERR_INVALID_ARGUMENT` naming the bad value.
 * @example
 * ```ts
 * const config = resolveConfig('local')
 * ```
 */
export function resolveConfig(
  profile: ProfileName = 'lan',
  overrides: Partial<MembershipConfig> = {},
): MembershipConfig {
  const base = profiles[profile]
  if (base === undefined)
    throw invalidArgument(`unknown profile ${JSON.stringify(profile)}: use lan, wan or local`)
  const config: MembershipConfig = { ...base, ...overrides }
  for (const [key, value] of Object.entries(config)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw invalidArgument(`${key} must be a finite number ≥ 0, got ${String(value)}`)
    }
  }
  for (const key of POSITIVE) {
    if (config[key] <= 0) throw invalidArgument(`${key} must be > 0, got ${config[key]}`)
  }
  if (config.probeTimeoutMs >= config.probeIntervalMs) {
    throw invalidArgument(
      `probeTimeoutMs (${config.probeTimeoutMs}) must be shorter than probeIntervalMs (${config.probeIntervalMs})`,
    )
  }
  if (config.suspicionMaxMult < 1) throw invalidArgument('suspicionMaxMult must be ≥ 1')
  if (config.maxMembers > MAX_PUSH_PULL_MEMBERS) {
    throw invalidArgument(
      `maxMembers must be at most ${MAX_PUSH_PULL_MEMBERS} (what one push-pull exchange carries), got ${config.maxMembers}`,
    )
  }
  return config
}
