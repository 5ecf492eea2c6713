/**
 * The threshold state machines that turn a target's stream of check results into up or down,
 * damping flaps. Pure: no clock, no I/O, no randomness; each result is one `record(ok)` call.
 *
 * Two models:
 *
 * - **rise/fall** (HAProxy's `rise`/`fall`, its defaults `rise 2 fall 3`): a down target needs
 *   `rise` consecutive passed checks to go up; an up target needs `fall` consecutive failed
 *   checks to go down. Implemented as HAProxy's own health counter (`struct check.health` in
 *   `src/check.c`, `set_server_check_status()`): the counter runs from 0 to `rise + fall - 1` and
 *   the target is up while it is at least `rise`; a pass increments it and, once it reaches
 *   `rise`, jumps it to the top; a failure decrements it and, once it drops below `rise`, resets
 *   it to 0.
 *
 * - **anti-flap** (gdnsd's `service_types` thresholds, defaults `up_thresh 20`, `ok_thresh 10`,
 *   `down_thresh 10`). From gdnsd.config(5), SERVICE_TYPES: "`up_thresh` … Number of monitoring
 *   requests which must succeed in a row without any failures to transition a given resource
 *   from the DOWN state to the UP state." And for `ok_thresh`/`down_thresh`: "The failure counter
 *   starts at zero on state transition into the UP state. Every state poll that results in a
 *   failed response, even if other successful responses are interleaved between them,
 *   increments the failure counter. If the failure counter reaches `down_thresh` the resource is
 *   transitioned to the DOWN state. However, if `ok_thresh` successes occur in a row with no
 *   failures between them, the failure counter is reset back to zero." The step below follows
 *   gdnsd's `gdnsd_mon_state_updater()` (libgdnsd/mon.c) counter for counter: `n_success` and
 *   `n_failure`, the success streak counted while up only once a failure is on record, both
 *   counters zeroed on every transition, a failure while down resetting the success streak.
 */

/** HAProxy's model: `rise` consecutive passes to go up, `fall` consecutive failures to go down. */
export interface RiseFallPolicy {
  readonly kind: 'rise-fall'
  /** Consecutive passed checks that take a down target up. */
  readonly rise: number
  /** Consecutive failed checks that take an up target down. */
  readonly fall: number
}

/** gdnsd's anti-flap model (`up_thresh`, `ok_thresh`, `down_thresh`). */
export interface AntiFlapPolicy {
  readonly kind: 'anti-flap'
  /** Consecutive passed checks that take a down target up (gdnsd `up_thresh`). */
  readonly upThresh: number
  /** Consecutive passed checks that forgive an up target's failures (gdnsd `ok_thresh`). */
  readonly okThresh: number
  /** Failures, not necessarily consecutive, that take an up target down (gdnsd `down_thresh`). */
  readonly downThresh: number
}

/** How a target's check results become up or down. */
export type ThresholdPolicy = RiseFallPolicy | AntiFlapPolicy

/** A target's threshold state: fed one check result at a time, it says whether the target is up. */
export interface ThresholdMachine {
  /** The policy it applies. */
  readonly policy: ThresholdPolicy
  /** Whether the target is up. */
  readonly up: boolean
  /**
   * Takes one check result.
   *
   * @returns whether {@link ThresholdMachine.up} changed
   */
  record(ok: boolean): boolean
  /** Puts the target in `up` (or down) with its counters as right after a transition there. */
  force(up: boolean): void
  /** Why the target is in its current state, for a person: `"2 consecutive checks passed"`. */
  describe(): string
  /**
   * Progress towards the other state: `[count, needed]`, e.g. `[1, 2]` for a down target with one
   * of the two passes it needs.
   */
  progress(): readonly [number, number]
}

class RiseFall implements ThresholdMachine {
  readonly policy: RiseFallPolicy
  readonly #rise: number
  readonly #top: number
  #health: number

  constructor(policy: RiseFallPolicy, up: boolean) {
    this.policy = policy
    this.#rise = policy.rise
    this.#top = policy.rise + policy.fall - 1
    this.#health = up ? this.#top : 0
  }

  get up(): boolean {
    return this.#health >= this.#rise
  }

  record(ok: boolean): boolean {
    const was = this.#health >= this.#rise
    if (ok) {
      if (this.#health < this.#top) {
        this.#health++
        if (this.#health >= this.#rise) this.#health = this.#top
      }
    } else if (this.#health > 0) {
      this.#health--
      if (this.#health < this.#rise) this.#health = 0
    }
    return was !== this.#health >= this.#rise
  }

  force(up: boolean): void {
    this.#health = up ? this.#top : 0
  }

  describe(): string {
    return this.up
      ? `${plural(this.policy.rise, 'consecutive check')} passed`
      : `${plural(this.policy.fall, 'consecutive check')} failed`
  }

  progress(): readonly [number, number] {
    return this.up ? [this.#top - this.#health, this.policy.fall] : [this.#health, this.#rise]
  }
}

class AntiFlap implements ThresholdMachine {
  readonly policy: AntiFlapPolicy
  #up: boolean
  #successes = 0
  #failures = 0

  constructor(policy: AntiFlapPolicy, up: boolean) {
    this.policy = policy
    this.#up = up
  }

  get up(): boolean {
    return this.#up
  }

  // gdnsd_mon_state_updater(), libgdnsd/mon.c, outside its initial round
  record(ok: boolean): boolean {
    const { upThresh, okThresh, downThresh } = this.policy
    if (!this.#up) {
      if (ok) {
        if (++this.#successes === upThresh) {
          this.#successes = 0
          this.#failures = 0
          this.#up = true
          return true
        }
      } else {
        this.#successes = 0 // a failure while down starts the up_thresh streak again
      }
      return false
    }
    if (ok) {
      // up with some failure history: ok_thresh passes in a row forgive it
      if (this.#failures > 0 && ++this.#successes === okThresh) {
        this.#failures = 0
        this.#successes = 0
      }
      return false
    }
    this.#successes = 0
    if (++this.#failures === downThresh) {
      this.#failures = 0
      this.#up = false
      return true
    }
    return false
  }

  force(up: boolean): void {
    this.#up = up
    this.#successes = 0
    this.#failures = 0
  }

  describe(): string {
    const { upThresh, okThresh, downThresh } = this.policy
    return this.#up
      ? `${plural(upThresh, 'consecutive check')} passed`
      : `${plural(downThresh, 'check')} failed without ${okThresh} passing in a row`
  }

  progress(): readonly [number, number] {
    return this.#up ? [this.#failures, this.policy.downThresh] : [this.#successes, this.policy.upThresh]
  }
}

/**
 * Creates the threshold state of one target.
 *
 * @param policy - rise/fall or anti-flap, with its thresholds (validated by the caller)
 * @param up - the starting state; counters start as right after a transition into it
 * @example
 * ```ts
 * const machine = createThresholdMachine({ kind: 'rise-fall', rise: 2, fall: 3 }, false)
 * machine.record(true) // false: 1 of 2
 * machine.record(true) // true: up now
 * ```
 */
export function createThresholdMachine(policy: ThresholdPolicy, up: boolean): ThresholdMachine {
  return policy.kind === 'rise-fall' ? new RiseFall(policy, up) : new AntiFlap(policy, up)
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
