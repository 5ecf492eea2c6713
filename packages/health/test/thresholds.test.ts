import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type AntiFlapPolicy, createThresholdMachine, type RiseFallPolicy } from '../src/thresholds.js'

const riseFall = fc.record({
  kind: fc.constant('rise-fall' as const),
  rise: fc.integer({ min: 1, max: 8 }),
  fall: fc.integer({ min: 1, max: 8 }),
})
const antiFlap = fc.record({
  kind: fc.constant('anti-flap' as const),
  upThresh: fc.integer({ min: 1, max: 8 }),
  okThresh: fc.integer({ min: 1, max: 8 }),
  downThresh: fc.integer({ min: 1, max: 8 }),
})
// runs of equal results make threshold crossings likely, which plain random booleans rarely give
const results = fc
  .array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 12 })), { maxLength: 40 })
  .map((runs) => runs.flatMap(([ok, n]) => Array<boolean>(n).fill(ok)))
const mixed = fc.oneof(results, fc.array(fc.boolean(), { maxLength: 200 }))

/** The rise/fall rule as a person states it: consecutive results against the current state. */
function riseFallModel(policy: RiseFallPolicy, up: boolean, seq: readonly boolean[]): boolean[] {
  const out: boolean[] = []
  let streak = 0
  for (const ok of seq) {
    if (ok === up) streak = 0
    else if (++streak === (up ? policy.fall : policy.rise)) {
      up = !up
      streak = 0
    }
    out.push(up)
  }
  return out
}

/**
 * gdnsd.config(5)'s words, written independently of the implementation: down → up after
 * `up_thresh` successes in a row; while up, every failure counts, `ok_thresh` successes in a row
 * with no failure between them reset the count, and the count reaching `down_thresh` goes down.
 */
function antiFlapModel(policy: AntiFlapPolicy, up: boolean, seq: readonly boolean[]): boolean[] {
  const out: boolean[] = []
  let successesInRow = 0
  let failures = 0
  for (const ok of seq) {
    if (!up) {
      successesInRow = ok ? successesInRow + 1 : 0
      if (successesInRow >= policy.upThresh) {
        up = true
        successesInRow = 0
        failures = 0
      }
    } else if (ok) {
      successesInRow++
      if (successesInRow >= policy.okThresh) failures = 0
    } else {
      successesInRow = 0
      failures++
      if (failures >= policy.downThresh) {
        up = false
        failures = 0
      }
    }
    out.push(up)
  }
  return out
}

function run(machine: ReturnType<typeof createThresholdMachine>, seq: readonly boolean[]): boolean[] {
  return seq.map((ok) => {
    const before = machine.up
    const changed = machine.record(ok)
    expect(changed).toBe(before !== machine.up)
    return machine.up
  })
}

describe('rise/fall (HAProxy)', () => {
  it('agrees with the consecutive-results model on every sequence', () => {
    fc.assert(
      fc.property(riseFall, fc.boolean(), mixed, (policy, start, seq) => {
        expect(run(createThresholdMachine(policy, start), seq)).toEqual(riseFallModel(policy, start, seq))
      }),
    )
  })

  it('never goes up without `rise` consecutive passes, nor down without `fall` consecutive failures', () => {
    fc.assert(
      fc.property(riseFall, fc.boolean(), mixed, (policy, start, seq) => {
        const states = run(createThresholdMachine(policy, start), seq)
        for (let i = 0; i < seq.length; i++) {
          const before = i === 0 ? start : states[i - 1]
          if (before === states[i]) continue
          const needed = states[i] ? policy.rise : policy.fall
          const window = seq.slice(i - needed + 1, i + 1)
          expect(window).toHaveLength(needed)
          expect(window.every((ok) => ok === states[i])).toBe(true)
        }
      }),
    )
  })

  it('is up after `rise` passes in a row and down after `fall` failures in a row, from any history', () => {
    fc.assert(
      fc.property(riseFall, fc.boolean(), mixed, fc.boolean(), (policy, start, history, ok) => {
        const machine = createThresholdMachine(policy, start)
        run(machine, history)
        run(machine, Array<boolean>(ok ? policy.rise : policy.fall).fill(ok))
        expect(machine.up).toBe(ok)
      }),
    )
  })

  it('ignores an isolated failure between passes when fall > 1 (a flap is damped)', () => {
    const machine = createThresholdMachine({ kind: 'rise-fall', rise: 2, fall: 3 }, true)
    run(machine, [false, false, true, false, false, true, false, true])
    expect(machine.up).toBe(true)
    expect(machine.record(false)).toBe(false)
    expect(machine.record(false)).toBe(false)
    expect(machine.record(false)).toBe(true)
    expect(machine.up).toBe(false)
    expect(machine.describe()).toBe('3 consecutive checks failed')
  })

  it('reports progress and reasons, and force() resets the counter', () => {
    const machine = createThresholdMachine({ kind: 'rise-fall', rise: 2, fall: 3 }, false)
    expect(machine.progress()).toEqual([0, 2])
    machine.record(true)
    expect(machine.progress()).toEqual([1, 2])
    machine.record(true)
    expect(machine.up).toBe(true)
    expect(machine.describe()).toBe('2 consecutive checks passed')
    machine.record(false)
    expect(machine.progress()).toEqual([1, 3])
    machine.force(false)
    expect(machine.up).toBe(false)
    expect(machine.progress()).toEqual([0, 2])
    machine.force(true)
    machine.record(false)
    machine.record(false)
    expect(machine.up).toBe(true)
  })
})

describe('anti-flap (gdnsd)', () => {
  it('agrees with gdnsd.config(5)’s description on every sequence', () => {
    fc.assert(
      fc.property(antiFlap, fc.boolean(), mixed, (policy, start, seq) => {
        expect(run(createThresholdMachine(policy, start), seq)).toEqual(antiFlapModel(policy, start, seq))
      }),
    )
  })

  it('never goes up without `up_thresh` passes in a row', () => {
    fc.assert(
      fc.property(antiFlap, mixed, (policy, seq) => {
        const states = run(createThresholdMachine(policy, false), seq)
        for (let i = 0; i < seq.length; i++) {
          if (!(states[i] && !(i === 0 ? false : states[i - 1]))) continue
          const window = seq.slice(i - policy.upThresh + 1, i + 1)
          expect(window).toHaveLength(policy.upThresh)
          expect(window.every(Boolean)).toBe(true)
        }
      }),
    )
  })

  it('goes down exactly at the `down_thresh`-th failure since it went up or was last forgiven', () => {
    fc.assert(
      fc.property(antiFlap, mixed, (policy, seq) => {
        const states = run(createThresholdMachine(policy, true), seq)
        let since = 0 // index where the count last started: going up, or a run of ok_thresh passes
        for (let i = 0; i < seq.length; i++) {
          const before = i === 0 ? true : states[i - 1]
          if (before && !states[i]) {
            expect(seq[i]).toBe(false)
            expect(seq.slice(since, i + 1).filter((ok) => !ok)).toHaveLength(policy.downThresh)
          }
          if (!before && states[i]) since = i + 1
          if (
            states[i] &&
            i + 1 >= policy.okThresh &&
            seq.slice(i + 1 - policy.okThresh, i + 1).every(Boolean)
          )
            since = Math.max(since, i + 1)
        }
      }),
    )
  })

  it('damps an intermittent failure that rise/fall would not see: isolated failures add up', () => {
    // gdnsd's example: with the defaults, 10 intermittent failures without 10 passes in a row between
    // them take the resource down; 20 passes in a row bring it back
    const policy: AntiFlapPolicy = { kind: 'anti-flap', upThresh: 20, okThresh: 10, downThresh: 10 }
    const gdnsd = createThresholdMachine(policy, true)
    const haproxy = createThresholdMachine({ kind: 'rise-fall', rise: 2, fall: 3 }, true)
    const pattern = Array.from({ length: 10 }, () => [false, ...Array<boolean>(9).fill(true)]).flat()
    const gdnsdStates = run(gdnsd, pattern)
    const haproxyStates = run(haproxy, pattern)
    expect(haproxyStates.every(Boolean)).toBe(true)
    expect(gdnsdStates.indexOf(false)).toBe(90) // the 10th failure
    expect(gdnsd.describe()).toBe('10 checks failed without 10 passing in a row')
    expect(gdnsd.progress()).toEqual([9, 20]) // the 9 passes after the 10th failure count already
    run(gdnsd, Array<boolean>(10).fill(true))
    expect(gdnsd.up).toBe(false)
    expect(gdnsd.record(true)).toBe(true)
    expect(gdnsd.describe()).toBe('20 consecutive checks passed')
  })

  it('forgives failures after `ok_thresh` passes in a row', () => {
    const policy: AntiFlapPolicy = { kind: 'anti-flap', upThresh: 20, okThresh: 10, downThresh: 10 }
    const machine = createThresholdMachine(policy, true)
    const pattern = Array.from({ length: 50 }, () => [false, ...Array<boolean>(10).fill(true)]).flat()
    expect(run(machine, pattern).every(Boolean)).toBe(true)
    expect(machine.progress()).toEqual([0, 10])
    machine.record(false)
    expect(machine.progress()).toEqual([1, 10])
  })

  it('restarts the up_thresh streak on a failure while down', () => {
    const machine = createThresholdMachine(
      { kind: 'anti-flap', upThresh: 3, okThresh: 2, downThresh: 2 },
      false,
    )
    run(machine, [true, true, false, true, true])
    expect(machine.up).toBe(false)
    expect(machine.progress()).toEqual([2, 3])
    expect(machine.record(true)).toBe(true)
  })
})
