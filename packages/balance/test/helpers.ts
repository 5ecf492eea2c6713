import { isShoalError, ManualClock } from '@shoal/core'
import { expect } from 'vitest'
import { Cluster, type ClusterOptions } from '../src/cluster.js'
import type { Endpoint } from '../src/endpoint.js'

/** Endpoints `b0`, `b1`, … with the given weights (all 1 by default). */
export function endpoints(count: number, weight: (i: number) => number = () => 1): Endpoint[] {
  return Array.from({ length: count }, (_, i) => ({ id: `b${i}`, weight: weight(i) }))
}

/** A cluster on a manual clock with a fixed seed. */
export function manualCluster(
  list: Iterable<Endpoint>,
  options: ClusterOptions = {},
): { cluster: Cluster; clock: ManualClock } {
  const clock = new ManualClock(1_000_000)
  return { cluster: new Cluster(list, { clock, random: 7, ...options }), clock }
}

/** Expects `action` to throw ERR_INVALID_ARGUMENT with a message matching `message`. */
export function expectInvalid(action: () => unknown, message: RegExp): void {
  try {
    action()
    expect.unreachable()
  } catch (error) {
    expect(isShoalError(error) && error.code).toBe('ERR_INVALID_ARGUMENT')
    expect((error as Error).message).toMatch(message)
  }
}
