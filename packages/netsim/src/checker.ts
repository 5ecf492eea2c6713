import { ShoalError } from '@shoal/core'
import type { EmittedEvent } from './simulation.js'

/**
 * Throws `ERR_INVARIANT` unless `predicate` holds for every recorded event.
 *
 * @example
 * ```ts
 * always([{ time: 1, node: 'a', incarnation: 1, event: 2 }], (e) => e.event > 0, 'positive')
 * ```
 */
export function always<E>(
  history: readonly EmittedEvent<E>[],
  predicate: (entry: EmittedEvent<E>) => boolean,
  description = 'invariant',
): void {
  for (const entry of history) {
    if (!predicate(entry)) {
      throw new ShoalError(
        'ERR_INVARIANT',
        `${description} violated at ${entry.time} ms by ${entry.node}#${entry.incarnation}: ${JSON.stringify(entry.event)}`,
        { details: { entry } },
      )
    }
  }
}

/**
 * Options of {@link eventually}.
 *
 * @example
 * ```ts
 * const options: EventuallyOptions = { from: 1000, withinMs: 500 }
 * ```
 */
export interface EventuallyOptions {
  /** Virtual time the deadline counts from; default 0. */
  readonly from?: number
  /** The deadline, in ms after `from`. */
  readonly withinMs: number
}

/**
 * Returns the first event at or after `from` that satisfies `predicate` no later than
 * `from + withinMs`, or throws `ERR_INVARIANT` if there is none.
 *
 * @example
 * ```ts
 * const history = [{ time: 40, node: 'b', incarnation: 1, event: 'dead a' }]
 * eventually(history, (e) => e.event === 'dead a', { withinMs: 100 }).time // 40
 * ```
 */
export function eventually<E>(
  history: readonly EmittedEvent<E>[],
  predicate: (entry: EmittedEvent<E>) => boolean,
  options: EventuallyOptions,
  description = 'expected event',
): EmittedEvent<E> {
  const from = options.from ?? 0
  const deadline = from + options.withinMs
  for (const entry of history) {
    if (entry.time >= from && entry.time <= deadline && predicate(entry)) return entry
  }
  throw new ShoalError('ERR_INVARIANT', `${description} did not happen between ${from} and ${deadline} ms`)
}

/**
 * Groups recorded events by node, in order.
 *
 * @example
 * ```ts
 * byNode([{ time: 1, node: 'a', incarnation: 1, event: 'x' }]).get('a')?.length // 1
 * ```
 */
export function byNode<E>(history: readonly EmittedEvent<E>[]): Map<string, EmittedEvent<E>[]> {
  const map = new Map<string, EmittedEvent<E>[]>()
  for (const entry of history) {
    let list = map.get(entry.node)
    if (list === undefined) {
      list = []
      map.set(entry.node, list)
    }
    list.push(entry)
  }
  return map
}
