import { invalidArgument } from '@shoal/core'
import { hashName, MEMBER_SEED, score } from './hash.js'

/**
 * A live member as {@link assign} sees it. A plain string stands for `{ name }`.
 *
 * @example
 * ```ts
 * const members: AssignMember[] = [{ name: 'lb1', weight: 2, joinedAt: view.joinedAt('lb1') }, { name: 'lb2' }]
 * ```
 */
export interface AssignMember {
  /** The member's unique name, not empty. */
  readonly name: string
  /** Its share of the resources relative to the others: positive and finite, 1 by default. */
  readonly weight?: number | undefined
  /**
   * When it joined, in the same clock as {@link AssignMaturity.now} (milliseconds). Only read with
   * the `maturity` option; a member without it counts as mature.
   */
  readonly joinedAt?: number | undefined
}

/**
 * The `maturity` option of {@link assign}: new members wait before they take work.
 *
 * @example
 * ```ts
 * assign(members, vips, { maturity: { now: Date.now(), periodMs: 5_000 } })
 * ```
 */
export interface AssignMaturity {
  /** The current time, in the clock of {@link AssignMember.joinedAt} (milliseconds). */
  readonly now: number
  /** How long a member must have been in the group before it takes resources, ≥ 0 (wackamole: 5 s). */
  readonly periodMs: number
}

/**
 * A map from names to values, as a `Map` or as a plain object.
 *
 * @example
 * ```ts
 * const weights: KeyedBy<number> = { big: 3 }            // the same as new Map([['big', 3]])
 * ```
 */
export type KeyedBy<V> = ReadonlyMap<string, V> | Readonly<Record<string, V>>

/**
 * Options of {@link assign}.
 *
 * @example
 * ```ts
 * const options: AssignOptions = {
 *   previous: last.owners,
 *   weights: { big: 2 },
 *   preferences: { lb1: ['10.0.0.1'] },
 *   maturity: { now: Date.now(), periodMs: 5_000 },
 * }
 * ```
 */
export interface AssignOptions {
  /**
   * The last assignment, resource → owner (for example the `owners` of the previous result).
   * Owners that are still eligible members keep their resources as far as balance allows;
   * entries for resources no longer listed, or for owners no longer members, are ignored.
   */
  readonly previous?: KeyedBy<string> | undefined
  /**
   * Member → weight, positive and finite (1 by default). A member's count is the floor or the
   * ceiling of its exact share, resources × weight ÷ total weight of the eligible members.
   * Names that are not members are ignored. A member object's own `weight` may be given instead;
   * giving both with different values is an error.
   */
  readonly weights?: KeyedBy<number> | undefined
  /**
   * Member → resources it prefers (wackamole's `Prefer`), taken as a set: the order in the list
   * does not matter. A preferred resource goes to a preferring member that has room in its quota,
   * and is never taken from a preferring owner for balance unless the owner's quota forces it.
   * Names that are not members, and resources not in the list, are ignored.
   */
  readonly preferences?: KeyedBy<readonly string[]> | undefined
  /**
   * With this, members whose `joinedAt` is less than `periodMs` before `now` take no resources
   * while any mature member exists; when none is mature, all of them count as mature.
   */
  readonly maturity?: AssignMaturity | undefined
}

/**
 * The result of {@link assign}.
 *
 * @example
 * ```ts
 * const { owners, byMember, moves } = assign(['a', 'b'], ['vip1', 'vip2'])
 * byMember.get(self)                                    // the VIPs this member should hold
 * ```
 */
export interface Assignment {
  /**
   * Resource → owning member, in resource order. Every resource has an owner when there is at
   * least one member; empty when there are none.
   */
  readonly owners: ReadonlyMap<string, string>
  /** Member → its resources in sorted order, for every member (young ones with none), in name order. */
  readonly byMember: ReadonlyMap<string, readonly string[]>
  /**
   * How many resources changed hands: those that had an owner in `previous` and now have
   * another one (or none). Resources placed for the first time are not moves.
   */
  readonly moves: number
}

interface Member {
  readonly name: string
  readonly weight: number
  readonly joinedAt: number | undefined
}

const INTEGRAL = 1e-9

/**
 * Decides which live member owns each resource (a virtual IP, a shard): a pure, deterministic
 * function of the members, the resources and the options, so every member that computes it from
 * the same view gets the same answer with no messages exchanged.
 *
 * The order of `members`, `resources` and every option does not matter. Each eligible member gets
 * the floor or the ceiling of its weighted share (with equal weights, counts differ by at most
 * one). Within those bounds it moves as few resources as they allow: owners keep what they held
 * and only the excess is shed. With equal weights, a member that leaves moves only its own
 * resources, and one that joins takes exactly its share with nothing passing between members that
 * stayed. With unequal weights the shares of the others shift when the group changes, and the
 * bounds can then force a resource from one staying member to another (the move count is still the
 * least the bounds allow). Preferences come before keeping (wackamole's preferred > claimed);
 * resources that are neither preferred nor kept are placed by rendezvous hashing. Feeding a result
 * back as `previous` (with the same other inputs) gives the same result with no moves.
 *
 * Run it on every new view with the same inputs at every member (gate it on a primary component
 * yourself); members that leave the view simply lose their resources.
 *
 * Cost: O(R log R + N log N + R × N′) for R resources and N members, where N′ is the number of
 * members with room left when a resource must be placed afresh; 10 000 resources over 1 000
 * members take a few tens of milliseconds.
 *
 * @param members - the live members (names or {@link AssignMember}s), no duplicates
 * @param resources - the resource ids, no duplicates, none empty
 * @param options - previous assignment, weights, preferences, maturity
 * @throws ShoalError `ERR_INVALID_ARGUMENT` on a duplicate or empty name, a weight that is not
 *   positive and finite, a malformed option
 *
 * @example
 * ```ts
 * const vips = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4']
 * const first = assign(['a', 'b'], vips)                          // two VIPs each
 * const next = assign(['a', 'b', 'c'], vips, { previous: first.owners })
 * next.moves                                                      // 1: c takes one, a and b keep the rest
 * const { acquire, release } = assignmentDiff(first, next)
 * ```
 */
export function assign(
  members: readonly (AssignMember | string)[],
  resources: readonly string[],
  options: AssignOptions = {},
): Assignment {
  const ms = canonicalMembers(members, options.weights)
  const rs = canonicalResources(resources)
  const previous = readPrevious(options.previous)
  const n = ms.length
  const r = rs.length

  const memberIndex = new Map<string, number>()
  for (let i = 0; i < n; i++) memberIndex.set((ms[i] as Member).name, i)
  const resourceIndex = new Map<string, number>()
  for (let j = 0; j < r; j++) resourceIndex.set(rs[j] as string, j)

  const eligible = eligibility(ms, options.maturity)

  // the previous owner of each resource, as a member index, or -1 when it is not an eligible member
  const previousOwner = new Int32Array(r).fill(-1)
  const previousCount = new Int32Array(n)
  for (let j = 0; j < r; j++) {
    const owner = previous.get(rs[j] as string)
    const i = owner === undefined ? undefined : memberIndex.get(owner)
    if (i !== undefined && eligible[i] === 1) {
      previousOwner[j] = i
      previousCount[i] = (previousCount[i] as number) + 1
    }
  }

  // preferences as resource index sets per eligible member, and the preferring members per resource
  const preferred: (Set<number> | undefined)[] = new Array(n)
  const preferredBy: (number[] | undefined)[] = new Array(r)
  const preferenceCount = new Int32Array(n)
  for (const [name, list] of readPreferences(options.preferences)) {
    const i = memberIndex.get(name)
    if (i === undefined || eligible[i] !== 1) continue
    const set = new Set<number>()
    for (const resource of list) {
      const j = resourceIndex.get(resource)
      if (j !== undefined) set.add(j)
    }
    if (set.size === 0) continue
    preferred[i] = set
    preferenceCount[i] = set.size
    for (const j of set) {
      const by = preferredBy[j]
      if (by === undefined) preferredBy[j] = [i]
      else by.push(i)
    }
  }

  const memberHash = new Uint32Array(n)
  for (let i = 0; i < n; i++) memberHash[i] = hashName((ms[i] as Member).name, MEMBER_SEED)
  const resourceHash = new Uint32Array(r)
  for (let j = 0; j < r; j++) resourceHash[j] = hashName(rs[j] as string)

  const quota = quotas(ms, eligible, r, previousCount, preferenceCount, memberHash)
  const owner = new Int32Array(r).fill(-1)
  const room = Int32Array.from(quota)
  const take = (j: number, i: number): void => {
    owner[j] = i
    room[i] = (room[i] as number) - 1
  }
  // the `count` resources of `list` that member i keeps best: highest score, then resource order
  const keepBest = (i: number, list: number[]): void => {
    const count = room[i] as number
    if (list.length > count) {
      const h = memberHash[i] as number
      const scored = list.map((j) => ({ j, s: score(resourceHash[j] as number, h) }))
      scored.sort((a, b) => b.s - a.s || a.j - b.j)
      for (let k = 0; k < count; k++) take((scored[k] as { j: number }).j, i)
    } else {
      for (const j of list) take(j, i)
    }
  }

  if (n > 0) {
    // 1. preferred resources stay with a preferring owner, as far as its quota allows
    for (let i = 0; i < n; i++) {
      const set = preferred[i]
      if (set === undefined) continue
      const held: number[] = []
      for (const j of set) if (previousOwner[j] === i) held.push(j)
      held.sort((a, b) => a - b)
      keepBest(i, held)
    }
    // 2. other preferred resources go to the preferring member with room that scores highest
    for (let j = 0; j < r; j++) {
      const by = preferredBy[j]
      if (by === undefined || owner[j] !== -1) continue
      const i = best(j, by, by.length, room, resourceHash, memberHash)
      if (i !== -1) take(j, i)
    }
    // 3. owners keep what they held, shedding only the excess
    const held: (number[] | undefined)[] = new Array(n)
    for (let j = 0; j < r; j++) {
      const i = previousOwner[j] as number
      if (i === -1 || owner[j] !== -1) continue
      const list = held[i]
      if (list === undefined) held[i] = [j]
      else list.push(j)
    }
    for (let i = 0; i < n; i++) {
      const list = held[i]
      if (list !== undefined) keepBest(i, list)
    }
    // 4. the rest by rendezvous hashing among the members with room
    const open: number[] = []
    for (let i = 0; i < n; i++) if ((room[i] as number) > 0) open.push(i)
    let openCount = open.length
    for (let j = 0; j < r; j++) {
      if (owner[j] !== -1) continue
      const i = best(j, open, openCount, room, resourceHash, memberHash)
      take(j, i)
      if (room[i] === 0) {
        // swap-remove; the choice does not depend on the order of `open`
        const at = open.indexOf(i)
        open[at] = open[openCount - 1] as number
        openCount--
      }
    }
  }

  const owners = new Map<string, string>()
  const lists: string[][] = ms.map(() => [])
  let moves = 0
  for (let j = 0; j < r; j++) {
    const resource = rs[j] as string
    const i = owner[j] as number
    const name = i === -1 ? undefined : (ms[i] as Member).name
    if (name !== undefined) {
      owners.set(resource, name)
      ;(lists[i] as string[]).push(resource)
    }
    const before = previous.get(resource)
    if (before !== undefined && before !== name) moves++
  }
  const byMember = new Map<string, readonly string[]>()
  for (let i = 0; i < n; i++) byMember.set((ms[i] as Member).name, lists[i] as string[])
  return { owners, byMember, moves }
}

/** Among the first `count` members of `candidates`, the one with room that scores highest for resource j; -1 if none. */
function best(
  j: number,
  candidates: readonly number[],
  count: number,
  room: Int32Array,
  resourceHash: Uint32Array,
  memberHash: Uint32Array,
): number {
  const h = resourceHash[j] as number
  let winner = -1
  let top = -1
  for (let k = 0; k < count; k++) {
    const i = candidates[k] as number
    if ((room[i] as number) <= 0) continue
    const s = score(h, memberHash[i] as number)
    if (s > top || (s === top && i < winner)) {
      top = s
      winner = i
    }
  }
  return winner
}

/**
 * Each member's count: the floor or the ceiling of its exact share (0 when not eligible), summing
 * to the resource count. The ceilings go first to members that would use them for a preferred
 * resource, then to members that held more than the floor (so nothing moves needlessly), then to
 * members that receive resources anyway (a newcomer rather than a member that would otherwise keep
 * its set), then by largest remainder, then by name hash.
 */
function quotas(
  ms: readonly Member[],
  eligible: Uint8Array,
  r: number,
  previousCount: Int32Array,
  preferenceCount: Int32Array,
  memberHash: Uint32Array,
): Int32Array {
  const n = ms.length
  const quota = new Int32Array(n)
  if (r === 0) return quota
  let total = 0
  for (let i = 0; i < n; i++) if (eligible[i] === 1) total += (ms[i] as Member).weight
  const high = new Int32Array(n)
  const remainder = new Float64Array(n)
  let sumLow = 0
  let sumHigh = 0
  for (let i = 0; i < n; i++) {
    if (eligible[i] !== 1) continue
    const share = (r * (ms[i] as Member).weight) / total
    const rounded = Math.round(share)
    if (Math.abs(share - rounded) <= INTEGRAL * Math.max(1, share)) {
      quota[i] = rounded
      high[i] = rounded
    } else {
      quota[i] = Math.floor(share)
      high[i] = Math.floor(share) + 1
      remainder[i] = share - Math.floor(share)
    }
    sumLow += quota[i] as number
    sumHigh += high[i] as number
  }
  // floating-point rounding can leave the bounds a unit off the total; widen them where it is least wrong
  if (sumLow > r || sumHigh < r) {
    const order = [...Array(n).keys()].filter((i) => eligible[i] === 1)
    order.sort((a, b) => (remainder[a] as number) - (remainder[b] as number) || a - b)
    for (let k = 0; sumLow > r && k < order.length; k++) {
      const i = order[k] as number
      if ((quota[i] as number) > 0 && quota[i] === high[i]) {
        quota[i] = (quota[i] as number) - 1
        sumLow--
      }
    }
    for (let k = order.length - 1; sumHigh < r && k >= 0; k--) {
      const i = order[k] as number
      if (quota[i] === high[i]) {
        high[i] = (high[i] as number) + 1
        sumHigh++
      }
    }
  }
  let extra = r - sumLow
  if (extra === 0) return quota
  const candidates: number[] = []
  for (let i = 0; i < n; i++)
    if (eligible[i] === 1 && (high[i] as number) > (quota[i] as number)) candidates.push(i)
  const wants = (count: Int32Array, i: number): number =>
    (count[i] as number) > (quota[i] as number) ? 1 : 0
  // a member below its floor takes resources anyway; one more there changes no other member's set
  // (only with a previous assignment: on a fresh one every member would count, against the remainders)
  let held = false
  for (let i = 0; i < n && !held; i++) held = (previousCount[i] as number) > 0
  const receives = (i: number): number =>
    held && (previousCount[i] as number) < (quota[i] as number) ? 1 : 0
  // then a member that holds nothing (most likely one that just joined) rather than one that holds some
  const empty = (i: number): number => (held && previousCount[i] === 0 ? 1 : 0)
  candidates.sort(
    (a, b) =>
      wants(preferenceCount, b) - wants(preferenceCount, a) ||
      wants(previousCount, b) - wants(previousCount, a) ||
      receives(b) - receives(a) ||
      empty(b) - empty(a) ||
      (remainder[b] as number) - (remainder[a] as number) ||
      (memberHash[a] as number) - (memberHash[b] as number) ||
      a - b,
  )
  for (let k = 0; extra > 0 && k < candidates.length; k++, extra--) {
    const i = candidates[k] as number
    quota[i] = high[i] as number
  }
  return quota
}

/** 1 for each member that may take resources under the maturity rule, else 0. */
function eligibility(ms: readonly Member[], maturity: AssignMaturity | undefined): Uint8Array {
  const eligible = new Uint8Array(ms.length).fill(1)
  if (maturity === undefined) return eligible
  if (typeof maturity !== 'object' || maturity === null)
    throw invalidArgument('assign: maturity must be an object { now, periodMs }')
  const { now, periodMs } = maturity
  if (typeof now !== 'number' || !Number.isFinite(now))
    throw invalidArgument(`assign: maturity.now must be a finite number, got ${String(now)}`, { now })
  if (typeof periodMs !== 'number' || !Number.isFinite(periodMs) || periodMs < 0)
    throw invalidArgument(`assign: maturity.periodMs must be a finite number ≥ 0, got ${String(periodMs)}`, {
      periodMs,
    })
  let mature = 0
  for (let i = 0; i < ms.length; i++) {
    const joinedAt = (ms[i] as Member).joinedAt
    if (joinedAt !== undefined && now - joinedAt < periodMs) eligible[i] = 0
    else mature++
  }
  if (mature === 0) eligible.fill(1)
  return eligible
}

function canonicalMembers(members: readonly (AssignMember | string)[], weights: KeyedBy<number> | undefined) {
  if (!Array.isArray(members)) throw invalidArgument('assign: members must be an array of names or { name }')
  const weightOf = readWeights(weights)
  const out: Member[] = []
  const seen = new Set<string>()
  for (const m of members as readonly unknown[]) {
    let name: unknown
    let weight: unknown
    let joinedAt: unknown
    if (typeof m === 'string') name = m
    else if (typeof m === 'object' && m !== null) ({ name, weight, joinedAt } = m as AssignMember)
    else throw invalidArgument(`assign: a member must be a name or { name }, got ${typeof m}`)
    if (typeof name !== 'string' || name === '')
      throw invalidArgument('assign: every member needs a non-empty string name', { name })
    if (seen.has(name))
      throw invalidArgument(`assign: member "${name}" is listed twice; list each member once`, { name })
    seen.add(name)
    const fromOption = weightOf.get(name)
    if (weight !== undefined) {
      checkWeight(name, weight)
      if (fromOption !== undefined && fromOption !== weight)
        throw invalidArgument(
          `assign: member "${name}" has weight ${weight} but options.weights gives ${fromOption}; give one`,
          { name },
        )
    }
    if (joinedAt !== undefined && (typeof joinedAt !== 'number' || !Number.isFinite(joinedAt)))
      throw invalidArgument(
        `assign: member "${name}" has joinedAt ${String(joinedAt)}; it must be a finite number`,
        { name },
      )
    out.push({
      name,
      weight: (weight as number | undefined) ?? fromOption ?? 1,
      joinedAt: joinedAt as number | undefined,
    })
  }
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return out
}

function checkWeight(name: string, weight: unknown): asserts weight is number {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0)
    throw invalidArgument(
      `assign: member "${name}" has weight ${String(weight)}; a weight must be a positive finite number`,
      { name, weight },
    )
}

function canonicalResources(resources: readonly string[]): string[] {
  if (!Array.isArray(resources)) throw invalidArgument('assign: resources must be an array of ids')
  const seen = new Set<string>()
  for (const resource of resources as readonly unknown[]) {
    if (typeof resource !== 'string' || resource === '')
      throw invalidArgument(
        `assign: resource ids must be non-empty strings, got ${resource === '' ? 'an empty string' : typeof resource}`,
        { resource },
      )
    if (seen.has(resource))
      throw invalidArgument(`assign: resource "${resource}" is listed twice; list each resource once`, {
        resource,
      })
    seen.add(resource)
  }
  return [...seen].sort()
}

/** The entries of a `Map` or a plain object; `what` names the option in errors. */
function entries<V>(source: KeyedBy<V> | undefined, what: string): [string, unknown][] {
  if (source === undefined) return []
  if (source instanceof Map) return [...(source as ReadonlyMap<string, V>)]
  if (typeof source !== 'object' || source === null || Array.isArray(source))
    throw invalidArgument(`assign: ${what} must be a Map or a plain object keyed by name`)
  return Object.entries(source)
}

function readWeights(weights: KeyedBy<number> | undefined): Map<string, number> {
  const out = new Map<string, number>()
  for (const [name, weight] of entries(weights, 'options.weights')) {
    checkWeight(name, weight)
    out.set(name, weight)
  }
  return out
}

function readPrevious(previous: KeyedBy<string> | undefined): Map<string, string> {
  const out = new Map<string, string>()
  for (const [resource, owner] of entries(previous, 'options.previous')) {
    if (typeof owner !== 'string')
      throw invalidArgument(
        `assign: options.previous maps resource "${resource}" to ${typeof owner}; owners are member names`,
        { resource },
      )
    out.set(resource, owner)
  }
  return out
}

function readPreferences(preferences: KeyedBy<readonly string[]> | undefined): [string, readonly string[]][] {
  const out: [string, readonly string[]][] = []
  for (const [name, list] of entries(preferences, 'options.preferences')) {
    if (!Array.isArray(list) || list.some((resource) => typeof resource !== 'string'))
      throw invalidArgument(`assign: options.preferences of "${name}" must be an array of resource ids`, {
        name,
      })
    out.push([name, list as readonly string[]])
  }
  return out
}
