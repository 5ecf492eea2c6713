import { bitAt, type Cidr } from './address.js'

/** What a node of the trie is when its whole subtree gives one value: anything but this. */
const MIXED = -0x7fffffff

/** One network of a {@link PrefixTrie} and the small integer it carries. */
export interface TrieEntry {
  readonly cidr: Cidr
  readonly payload: number
}

/**
 * A binary trie over the bits of one address family that answers a lookup with a value and the
 * depth at which that value became certain: the number of leading bits of the address that the
 * answer depends on, which is what an ECS reply's scope must say (RFC 7871 §7.2.1).
 *
 * Built once from networks, then merged as gdnsd merges its `nets` and GeoIP data: a subtree whose
 * every address gets the same value ends the walk at its root. With nets `{10/8 → A, 192.0.2/24 →
 * B}` and a default, `10.1.2.0` gets A at depth 8, `203.0.113.0` the default at depth 5 (its 5th
 * bit leaves the 192.0.2/24 path), `198.51.100.0` the default at depth 6.
 *
 * Values come in two kinds: longest match (`lpm`: the most specific network's payload) or union
 * (`union`: the set of payloads of every network that holds the address, interned as set ids).
 *
 * @example
 * ```ts
 * const nets = [{ cidr: parseCidr('10.0.0.0/8') as Cidr, payload: 0 }, { cidr: parseCidr('192.0.2.0/24') as Cidr, payload: 1 }]
 * const trie = new PrefixTrie(nets, 32, 'lpm')
 * const words = new Uint32Array(4)
 * parseAddress('203.0.113.0', words)
 * trie.lookup(words) // -1 (no network), and trie.depth is 5: the ECS scope
 * ```
 */
export class PrefixTrie {
  /** For `union` tries, the sorted payloads of each set id. */
  readonly sets: readonly Int32Array[]
  /** The depth of the last {@link PrefixTrie.lookup}. */
  depth = 0
  readonly #left: Int32Array
  readonly #right: Int32Array
  readonly #value: Int32Array
  readonly #uniform: Int32Array
  readonly #bits: number

  /**
   * @param entries - the networks, all of the trie's family
   * @param bits - 32 or 128
   * @param mode - `lpm` or `union`
   * @param fallback - the value of an address no network holds (`lpm`; `union` uses the empty set)
   */
  constructor(entries: readonly TrieEntry[], bits: number, mode: 'lpm' | 'union', fallback = -1) {
    this.#bits = bits
    const left: number[] = [0]
    const right: number[] = [0]
    const own: number[][] = [[]]
    for (const { cidr, payload } of entries) {
      let node = 0
      for (let depth = 0; depth < cidr.length; depth++) {
        const side = bitAt(cidr.words, depth) === 1 ? right : left
        let child = side[node] as number
        if (child === 0) {
          child = left.length
          left.push(0)
          right.push(0)
          own.push([])
          side[node] = child
        }
        node = child
      }
      ;(own[node] as number[]).push(payload)
    }
    const count = left.length
    const value = new Int32Array(count)
    const sets: Int32Array[] = []
    const setIds = new Map<string, number>()
    const intern = (members: readonly number[]): number => {
      const sorted = [...new Set(members)].sort((a, b) => a - b)
      const key = sorted.join(',')
      let id = setIds.get(key)
      if (id === undefined) {
        id = sets.length
        sets.push(Int32Array.from(sorted))
        setIds.set(key, id)
      }
      return id
    }
    const empty = mode === 'union' ? intern([]) : fallback
    // children are created after their parents, so one ascending pass sees every parent first
    const parentOf = new Int32Array(count).fill(-1)
    for (let node = 0; node < count; node++) {
      if ((left[node] as number) !== 0) parentOf[left[node] as number] = node
      if ((right[node] as number) !== 0) parentOf[right[node] as number] = node
    }
    for (let node = 0; node < count; node++) {
      const parent = parentOf[node] as number
      const inherited = parent < 0 ? empty : (value[parent] as number)
      const mine = own[node] as number[]
      if (mine.length === 0) value[node] = inherited
      else if (mode === 'lpm') value[node] = mine[mine.length - 1] as number
      else value[node] = intern([...(sets[inherited] as Int32Array), ...mine])
    }
    // a missing child stands for a subtree that takes the parent's value everywhere
    const uniform = new Int32Array(count)
    for (let node = count - 1; node >= 0; node--) {
      const l = left[node] as number
      const r = right[node] as number
      const ul = l === 0 ? (value[node] as number) : (uniform[l] as number)
      const ur = r === 0 ? (value[node] as number) : (uniform[r] as number)
      uniform[node] = ul !== MIXED && ul === ur ? ul : MIXED
    }
    this.#left = Int32Array.from(left)
    this.#right = Int32Array.from(right)
    this.#value = value
    this.#uniform = uniform
    this.sets = sets
  }

  /**
   * The value for `words` (an address of the trie's family), and in {@link PrefixTrie.depth} how
   * many leading bits decided it.
   */
  lookup(words: Uint32Array): number {
    const left = this.#left
    const right = this.#right
    const uniform = this.#uniform
    let node = 0
    let depth = 0
    while (depth <= this.#bits) {
      const u = uniform[node] as number
      if (u !== MIXED) {
        this.depth = depth
        return u
      }
      const child = bitAt(words, depth) === 1 ? (right[node] as number) : (left[node] as number)
      if (child === 0) {
        this.depth = depth + 1
        return this.#value[node] as number
      }
      node = child
      depth++
    }
    // unreachable: a node at full depth has no children and so is uniform
    this.depth = this.#bits
    return this.#value[node] as number
  }
}
