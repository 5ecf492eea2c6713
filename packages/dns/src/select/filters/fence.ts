import type { Cidr } from '../address.js'
import type { Filter } from '../filter.js'
import type { CompiledPool, Variant } from '../pool.js'
import type { RunState } from '../state.js'
import { PrefixTrie, type TrieEntry } from '../trie.js'

/** Builds the IPv4 and IPv6 tries of a list of networks, each with its payload. */
export function familyTries(
  entries: readonly { readonly cidr: Cidr; readonly payload: number }[],
  mode: 'lpm' | 'union',
): [PrefixTrie, PrefixTrie] {
  const v4: TrieEntry[] = []
  const v6: TrieEntry[] = []
  for (const entry of entries) (entry.cidr.family === 4 ? v4 : v6).push(entry)
  return [new PrefixTrie(v4, 32, mode), new PrefixTrie(v6, 128, mode)]
}

/**
 * `netfence`: keeps the candidates whose `prefixes` hold the client address or whose `asn` list has
 * the client's autonomous system; candidates with neither stay, unless `removeUnfencedOnMatch` and
 * a fenced one matched (NS1's netfence_prefix and netfence_asn). The prefixes of every candidate
 * are merged into one trie per family, so a lookup also says how many bits decided the match.
 */
export class NetfenceFilter implements Filter {
  readonly name = 'netfence'
  readonly dynamic = true
  readonly #v4: PrefixTrie
  readonly #v6: PrefixTrie
  readonly #usesAsn: boolean
  readonly #removeUnfenced: boolean

  constructor(
    pool: { readonly prefixes: readonly (readonly Cidr[])[] },
    usesAsn: boolean,
    removeUnfenced: boolean,
  ) {
    const entries: { cidr: Cidr; payload: number }[] = []
    pool.prefixes.forEach((list, index) => {
      for (const cidr of list) entries.push({ cidr, payload: index })
    })
    ;[this.#v4, this.#v6] = familyTries(entries, 'union')
    this.#usesAsn = usesAsn
    this.#removeUnfenced = removeUnfenced
  }

  apply(pool: CompiledPool, _v: Variant, cand: Int32Array, len: number, s: RunState): number {
    if (len === 0) return 0
    const client = s.client
    const trie = client.family === 4 ? this.#v4 : this.#v6
    const set = trie.sets[trie.lookup(client.words)] as Int32Array
    s.contribute(trie.depth)
    const mark = pool.mark
    for (let i = 0; i < set.length; i++) mark[set[i] as number] = 1
    if (this.#usesAsn) {
      const asn = s.geo()?.asn
      if (asn !== undefined) {
        const lists = pool.table.asn
        for (let i = 0; i < len; i++) {
          const c = cand[i] as number
          if (lists[c]?.includes(asn) === true) mark[c] = 1
        }
      }
    }
    const fenced = pool.table.fenced
    let matched = false
    for (let i = 0; i < len; i++) if (mark[cand[i] as number] === 1) matched = true
    const dropUnfenced = matched && this.#removeUnfenced
    let kept = 0
    for (let i = 0; i < len; i++) {
      const c = cand[i] as number
      if (mark[c] === 1 || (fenced[c] === 0 && !dropUnfenced)) cand[kept++] = c
      mark[c] = 0
    }
    for (let i = 0; i < set.length; i++) mark[set[i] as number] = 0
    return kept
  }
}

/** `geofence`: keeps candidates whose continent, country or subdivision list has the client's. */
export class GeofenceFilter implements Filter {
  readonly name = 'geofence'
  readonly dynamic = true
  readonly #level: 'continent' | 'country' | 'subdivision'
  readonly #removeUnfenced: boolean

  constructor(level: 'continent' | 'country' | 'subdivision', removeUnfenced: boolean) {
    this.#level = level
    this.#removeUnfenced = removeUnfenced
  }

  apply(pool: CompiledPool, _v: Variant, cand: Int32Array, len: number, s: RunState): number {
    if (len === 0) return 0
    const geo = s.geo()
    const value = geo?.[this.#level]
    const lists = pool.table[this.#level]
    const mark = pool.mark
    let matched = false
    for (let i = 0; i < len; i++) {
      const list = lists[cand[i] as number]
      const hit = list !== undefined && value !== undefined && list.includes(value)
      mark[i] = hit ? 1 : list === undefined ? 2 : 0
      if (hit) matched = true
    }
    const dropUnfenced = matched && this.#removeUnfenced
    let kept = 0
    for (let i = 0; i < len; i++) {
      const m = mark[i] as number
      if (m === 1 || (m === 2 && !dropUnfenced)) cand[kept++] = cand[i] as number
      mark[i] = 0
    }
    if (s.trace !== undefined) s.note = `client ${this.#level} ${value ?? 'unknown'}`
    return kept
  }
}

/**
 * `view`: client networks → candidate ids, longest match first. A client in a view gets that
 * view's candidates that are still there, in the view's order; a client in none gets `default`,
 * or keeps every candidate when there is no default.
 */
export class ViewFilter implements Filter {
  readonly name = 'view'
  readonly dynamic = true
  readonly #v4: PrefixTrie
  readonly #v6: PrefixTrie
  readonly #orders: readonly Int32Array[]
  readonly #default: Int32Array | undefined

  constructor(
    nets: readonly { cidr: Cidr; payload: number }[],
    orders: readonly Int32Array[],
    fallback: Int32Array | undefined,
  ) {
    ;[this.#v4, this.#v6] = familyTries(nets, 'lpm')
    this.#orders = orders
    this.#default = fallback
  }

  apply(pool: CompiledPool, _v: Variant, cand: Int32Array, len: number, s: RunState): number {
    const client = s.client
    const trie = client.family === 4 ? this.#v4 : this.#v6
    const view = trie.lookup(client.words)
    s.contribute(trie.depth)
    const order = view >= 0 ? this.#orders[view] : this.#default
    if (s.trace !== undefined)
      s.note = view >= 0 ? `view ${view}` : order === undefined ? 'no view' : 'default'
    if (order === undefined) return len
    const mark = pool.mark
    for (let i = 0; i < len; i++) mark[cand[i] as number] = 1
    const tmp = pool.tmp
    let kept = 0
    for (let i = 0; i < order.length; i++) {
      const c = order[i] as number
      if (mark[c] === 1) tmp[kept++] = c
    }
    for (let i = 0; i < len; i++) mark[cand[i] as number] = 0
    for (let i = 0; i < kept; i++) cand[i] = tmp[i] as number
    return kept
  }
}
