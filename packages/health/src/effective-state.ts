import type { TargetState } from '@shoal/core'

/** An administrative override: `drain` keeps existing work but takes no new work. */
export type AdminState = 'up' | 'down' | 'drain'

/** A state with the reason a person reads. */
export interface ReasonedState {
  readonly state: TargetState
  readonly reason: string
}

/** Everything that decides a target's state. */
export interface StateInputs {
  /** The administrative override, if any. */
  readonly admin: AdminState | undefined
  /** The state pushed by an external feed (API or state file), if any. */
  readonly external: ReasonedState | undefined
  /** Why passive signals took the target down, while they hold it down. */
  readonly passive: string | undefined
  /**
   * What active checks say: `undefined` while there is no result yet (`assume: 'first-round'`).
   * A target without an active check is up.
   */
  readonly active: ReasonedState | undefined
}

/**
 * A target's state from its inputs, in order of precedence: an administrative override, then an
 * external feed, then passive signals (which only ever take a target down), then active checks.
 * `undefined` while nothing says anything (no result yet under `assume: 'first-round'`).
 */
export function effectiveState(inputs: StateInputs): ReasonedState | undefined {
  const { admin, external, passive, active } = inputs
  if (admin !== undefined) return ADMIN[admin]
  if (external !== undefined) return external
  if (passive !== undefined) return { state: 'down', reason: passive }
  return active
}

const ADMIN: Readonly<Record<AdminState, ReasonedState>> = {
  up: { state: 'up', reason: 'admin: up' },
  down: { state: 'down', reason: 'admin: down' },
  drain: { state: 'draining', reason: 'admin: drain' },
}
