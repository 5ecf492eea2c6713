/**
 * The small hashes behind responsibility assignment: FNV-1a over a name, finalized with
 * MurmurHash3's mixer, and a rendezvous score of a (resource, member) pair. They only break ties
 * and spread fresh placements; they never decide whether an assignment is balanced.
 */

/** MurmurHash3's finalizer: a bijection of 32-bit words that mixes every bit into every other. */
export function fmix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** FNV-1a over the UTF-16 code units of `text`, then finalized, as an unsigned 32-bit integer. */
export function hashName(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) | 0
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return fmix32(h)
}

/** The seed that keeps member hashes independent of resource hashes. */
export const MEMBER_SEED = 0x5bd1e995

/**
 * The rendezvous score of a resource for a member, from their {@link hashName} values (the
 * member's with {@link MEMBER_SEED}): higher wins.
 */
export function score(resourceHash: number, memberHash: number): number {
  return fmix32(resourceHash ^ memberHash)
}
