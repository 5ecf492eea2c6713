/**
 * Names inside the zone: a parsed name carries its wire form (case kept), its presentation text
 * (case kept) and its lookup key, in the codec's presentation form (no final dot, `''` for the
 * root, RFC 1035 escapes; the key in ASCII lower case), so keys match `decodeQuery`'s `qname`.
 */
import { nameKey, wireToName } from '../wire/name.js'

/** A domain name as the zone holds it. */
export interface ZoneName {
  /** Uncompressed wire form, case as written. */
  readonly wire: Uint8Array
  /** Presentation form, case as written, no final dot (`''` for the root). */
  readonly text: string
  /** Lookup key: {@link ZoneName.text} in ASCII lower case. */
  readonly key: string
}

/** The zone name of an uncompressed wire name (already checked for length). */
export function zoneName(wire: Uint8Array): ZoneName {
  return { wire, text: wireToName(wire), key: nameKey(wire) }
}

/** The name in presentation form as an absolute name: final dot, `.` for the root. */
export function absolute(name: ZoneName): string {
  return name.text === '' ? '.' : `${name.text}.`
}

/**
 * Where the first label of `key` ends (the index of its separating `.`), or -1 when `key` has a
 * single label. Skips escaped dots (`\.`), so it works on any key {@link nameKey} makes.
 */
export function labelEnd(key: string, from = 0): number {
  for (let i = from; i < key.length; i++) {
    const c = key.charCodeAt(i)
    if (c === 0x5c) i++
    else if (c === 0x2e) return i
  }
  return -1
}

/** Whether the key `name` is `origin` or a name below it. */
export function isSubdomain(name: string, origin: string): boolean {
  if (origin === '') return true
  if (name.length === origin.length) return name === origin
  const dot = name.length - origin.length - 1
  if (dot < 0 || name.charCodeAt(dot) !== 0x2e || !name.endsWith(origin)) return false
  // The dot is a separator only if an even number of backslashes stands before it.
  let slashes = 0
  for (let i = dot - 1; i >= 0 && name.charCodeAt(i) === 0x5c; i--) slashes++
  return slashes % 2 === 0
}

/** The key of the parent of `key` (`''` is the root, which has none: `undefined`). */
export function parentKey(key: string): string | undefined {
  if (key === '') return undefined
  const end = labelEnd(key)
  return end < 0 ? '' : key.slice(end + 1)
}

/** How many labels the key has (the root has 0). */
export function labelCount(key: string): number {
  if (key === '') return 0
  let n = 1
  for (let i = labelEnd(key); i >= 0; i = labelEnd(key, i + 1)) n++
  return n
}
