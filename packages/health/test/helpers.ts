import type { ManualClock } from '@shoal/core'
import type { Check } from '../src/checks/check.js'

/** How a scripted check answers for a target. */
export type Behaviour =
  | 'pass'
  | 'fail'
  /** never settles until its signal aborts, then rejects with the reason */
  | 'hang'
  /** never settles at all, ignoring its signal */
  | 'ignore'
  /** passes after this many milliseconds of the manual clock */
  | { readonly after: number }

/** One probe a scripted check saw. */
export interface Probe {
  readonly target: string
  readonly at: number
  readonly signal: AbortSignal
  settled: boolean
}

/** A custom check whose answer per target is set by the test, recording every probe. */
export function scriptedCheck(clock: ManualClock, initial: Behaviour = 'pass') {
  const behaviour = new Map<string, Behaviour>()
  const probes: Probe[] = []
  let inFlight = 0
  let maxInFlight = 0
  const perTarget = new Map<string, number>()
  let maxPerTarget = 0
  const check: Check = (target, { signal }) => {
    const probe: Probe = { target, at: clock.now(), signal, settled: false }
    probes.push(probe)
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    const mine = (perTarget.get(target) ?? 0) + 1
    perTarget.set(target, mine)
    maxPerTarget = Math.max(maxPerTarget, mine)
    const done = (): void => {
      probe.settled = true
      inFlight--
      perTarget.set(target, (perTarget.get(target) ?? 1) - 1)
    }
    const how = behaviour.get(target) ?? initial
    return new Promise<boolean>((resolve, reject) => {
      if (how === 'pass' || how === 'fail') {
        done()
        resolve(how === 'pass')
      } else if (how === 'hang') {
        signal.addEventListener('abort', () => {
          done()
          reject(signal.reason)
        })
      } else if (how === 'ignore') {
        // never settles
      } else {
        clock.setTimeout(() => {
          done()
          resolve(true)
        }, how.after)
      }
    })
  }
  return {
    check,
    probes,
    set(target: string, how: Behaviour) {
      behaviour.set(target, how)
    },
    get inFlight() {
      return inFlight
    },
    get maxInFlight() {
      return maxInFlight
    },
    get maxPerTarget() {
      return maxPerTarget
    },
    startsOf(target: string) {
      return probes.filter((p) => p.target === target).map((p) => p.at)
    },
  }
}

/** Lets promise callbacks and I/O callbacks queued so far run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/**
 * Moves a manual clock forward by `ms` in steps of `step`, letting promise callbacks run between
 * steps (a probe that resolves at once settles before the next step's timers fire).
 */
export async function drive(clock: ManualClock, ms: number, step = 50): Promise<void> {
  await flush()
  for (let moved = 0; moved < ms; ) {
    const by = Math.min(step, ms - moved)
    clock.advance(by)
    moved += by
    await flush()
  }
}
