import { invalidArgument } from '@shoal/core'
import type { AlertState } from './alert-state.js'
import type { AlertTransition } from './alert-transition.js'

/**
 * Where alert transitions go. `deliver` is called synchronously from the evaluation and must
 * return at once (queue slow work); what it throws, or a promise it returns rejects with, is
 * caught and reported to the engine's error handler, never thrown into the evaluation.
 */
export interface AlertSink {
  /** Takes one transition. */
  deliver(transition: AlertTransition): void | Promise<void>
}

/** Options of {@link callbackSink}. */
export interface CallbackSinkOptions {
  /** The target states passed on (default: every state). */
  readonly states?: readonly AlertState[] | undefined
}

/** A sink that calls `callback` with each transition to one of `options.states`. */
export function callbackSink(
  callback: (transition: AlertTransition) => void | Promise<void>,
  options: CallbackSinkOptions = {},
): AlertSink {
  if (typeof callback !== 'function') throw invalidArgument('callback must be a function')
  const states = stateFilter(options.states, undefined)
  return {
    deliver(transition) {
      if (states === undefined || states.has(transition.to)) return callback(transition)
    },
  }
}

const ALL_STATES: readonly AlertState[] = ['inactive', 'pending', 'firing', 'resolved']

/** The set of states in `states` (checked), `fallback` when it is undefined. */
export function stateFilter(
  states: readonly AlertState[] | undefined,
  fallback: readonly AlertState[] | undefined,
): ReadonlySet<AlertState> | undefined {
  const list = states ?? fallback
  if (list === undefined) return undefined
  if (!Array.isArray(list)) throw invalidArgument('states must be a list of alert states')
  for (const state of list)
    if (!ALL_STATES.includes(state))
      throw invalidArgument(
        `states must contain only ${ALL_STATES.map((s) => `'${s}'`).join(', ')}, got '${String(state)}'`,
      )
  return new Set(list)
}
