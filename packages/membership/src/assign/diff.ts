import { invalidArgument } from '@shoal/core'
import type { Assignment, KeyedBy } from './assign.js'

/**
 * The result of {@link assignmentDiff}: what each member must give up and take on.
 *
 * @example
 * ```ts
 * const { acquire, release } = assignmentDiff(last, next)
 * const toDrop = release.get(self) ?? []
 * ```
 */
export interface AssignmentDiff {
  /** Member → resources it owns after but not before, sorted; members in name order, only those with any. */
  readonly acquire: ReadonlyMap<string, readonly string[]>
  /** Member → resources it owned before but not after, sorted; members in name order, only those with any. */
  readonly release: ReadonlyMap<string, readonly string[]>
}

/**
 * What changes between two assignments, per member: the resources each must release and the
 * ones each must acquire (wackamole's release and acquire callbacks). Release before acquiring,
 * so that a resource is never held twice. Either side may be an {@link Assignment} or its
 * `owners` (resource → member, as a `Map` or a plain object).
 *
 * @param before - the assignment in force
 * @param after - the new assignment
 * @throws ShoalError `ERR_INVALID_ARGUMENT` when a side is neither an assignment nor an owner map
 *
 * @example
 * ```ts
 * const before = assign(['a', 'b'], ['vip1', 'vip2', 'vip3'])
 * const after = assign(['a', 'b', 'c'], ['vip1', 'vip2', 'vip3'], { previous: before.owners })
 * const { acquire, release } = assignmentDiff(before, after)
 * for (const [member, vips] of release) if (member === self) vips.forEach(dropAddress)
 * for (const [member, vips] of acquire) if (member === self) vips.forEach(claimAddress)
 * ```
 */
export function assignmentDiff(
  before: Assignment | KeyedBy<string>,
  after: Assignment | KeyedBy<string>,
): AssignmentDiff {
  const was = ownersOf(before, 'before')
  const now = ownersOf(after, 'after')
  const acquire = new Map<string, string[]>()
  const release = new Map<string, string[]>()
  const add = (into: Map<string, string[]>, member: string, resource: string): void => {
    const list = into.get(member)
    if (list === undefined) into.set(member, [resource])
    else list.push(resource)
  }
  const resources = new Set([...was.keys(), ...now.keys()])
  for (const resource of [...resources].sort()) {
    const a = was.get(resource)
    const b = now.get(resource)
    if (a === b) continue
    if (a !== undefined) add(release, a, resource)
    if (b !== undefined) add(acquire, b, resource)
  }
  return { acquire: sortedKeys(acquire), release: sortedKeys(release) }
}

function sortedKeys(map: Map<string, string[]>): Map<string, readonly string[]> {
  return new Map([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

function ownersOf(side: Assignment | KeyedBy<string>, what: string): ReadonlyMap<string, string> {
  let source: unknown = side
  if (typeof side === 'object' && side !== null && !(side instanceof Map)) {
    const owners = (side as { owners?: unknown }).owners
    if (owners instanceof Map) source = owners
  }
  let pairs: [string, unknown][]
  if (source instanceof Map) pairs = [...(source as Map<string, unknown>)]
  else if (typeof source === 'object' && source !== null && !Array.isArray(source))
    pairs = Object.entries(source)
  else throw invalidArgument(`assignmentDiff: ${what} must be an Assignment or a resource → member map`)
  const out = new Map<string, string>()
  for (const [resource, member] of pairs) {
    if (typeof member !== 'string')
      throw invalidArgument(
        `assignmentDiff: ${what} maps resource "${resource}" to ${typeof member}; owners are member names`,
        { resource },
      )
    out.set(resource, member)
  }
  return out
}
