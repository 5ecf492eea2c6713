import { type HealthSource, isShoalError, type TargetState, type TargetStateChange } from '@shoal/core'
import { expect } from 'vitest'
import type { EcsInput } from '../../src/select/index.js'

/** A health source a test sets by hand. */
export class FakeHealth implements HealthSource {
  readonly #states = new Map<string, TargetState>()
  readonly #listeners = new Set<(change: TargetStateChange) => void>()
  queries = 0

  stateOf(target: string): TargetState | undefined {
    this.queries++
    return this.#states.get(target)
  }

  subscribe(listener: (change: TargetStateChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  get listeners(): number {
    return this.#listeners.size
  }

  set(target: string, state: TargetState): this {
    const previous = this.#states.get(target)
    this.#states.set(target, state)
    for (const listener of this.#listeners) listener({ target, state, previous, reason: 'test', time: 0 })
    return this
  }
}

/** An IPv4 ECS option for `a.b.c.0/source`. */
export function ecs4(text: string, sourcePrefix: number): EcsInput {
  const bytes = text.split('.').map(Number)
  return { family: 1, sourcePrefix, address: Uint8Array.from(bytes.slice(0, Math.ceil(sourcePrefix / 8))) }
}

/** Expects `action` to throw ERR_DNS_CONFIG with a message matching `message`. */
export function expectConfigError(action: () => unknown, message: RegExp): void {
  try {
    action()
    expect.unreachable('no ERR_DNS_CONFIG thrown')
  } catch (error) {
    expect(isShoalError(error) && error.code, (error as Error).message).toBe('ERR_DNS_CONFIG')
    expect((error as Error).message).toMatch(message)
  }
}

/** The χ² statistic of observed counts against expected shares. */
export function chiSquare(observed: readonly number[], shares: readonly number[]): number {
  const total = observed.reduce((a, b) => a + b, 0)
  const sum = shares.reduce((a, b) => a + b, 0)
  return observed.reduce((chi, o, i) => {
    const e = (total * (shares[i] as number)) / sum
    return chi + ((o - e) * (o - e)) / e
  }, 0)
}

/**
 * χ² critical values at p = 10⁻⁶ by degrees of freedom (scipy's `chi2.isf(1e-6, df)`): a statistic
 * above one from a correct sampler is a one-in-a-million event.
 */
export const CHI2_CRITICAL_1E6: Readonly<Record<number, number>> = {
  1: 23.93,
  2: 27.63,
  3: 30.66,
  4: 33.38,
  5: 35.89,
  6: 38.26,
  7: 40.52,
}
