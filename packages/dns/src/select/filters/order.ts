import type { Cidr } from '../address.js'
import { type Filter, partitionFirst, sortByKeys } from '../filter.js'
import type { CompiledPool, Variant } from '../pool.js'
import type { RunState } from '../state.js'
import type { PrefixTrie } from '../trie.js'
import { familyTries } from './fence.js'

const RADIANS = Math.PI / 180

/**
 * `geotarget`: sorts candidates by the client's GeoIP location. In `latlon` mode by great-circle
 * distance (haversine) times Route 53's bias factor (1 − bias / 100), candidates without
 * coordinates last; in `country` or `continent` mode candidates of the client's country or
 * continent first. A client the database cannot place keeps the order it had.
 */
export class GeotargetFilter implements Filter {
  readonly name = 'geotarget'
  readonly dynamic = true
  readonly #mode: 'latlon' | 'country' | 'continent'
  readonly #biased: boolean

  constructor(mode: 'latlon' | 'country' | 'continent', biased: boolean) {
    this.#mode = mode
    this.#biased = biased
  }

  apply(pool: CompiledPool, _v: Variant, cand: Int32Array, len: number, s: RunState): number {
    if (len <= 1) return len
    const geo = s.geo()
    if (geo === undefined) return len
    const keys = pool.keys
    const table = pool.table
    if (this.#mode === 'latlon') {
      if (geo.lat === undefined || geo.lon === undefined) {
        if (s.trace !== undefined) s.note = 'client location unknown'
        return len
      }
      const lat = geo.lat * RADIANS
      const lon = geo.lon * RADIANS
      const cosLat = Math.cos(lat)
      const { latRad, lonRad, cosLat: cosLats, biasFactor } = table
      for (let i = 0; i < len; i++) {
        const c = cand[i] as number
        const cLat = latRad[c] as number
        if (Number.isNaN(cLat)) {
          keys[i] = Number.POSITIVE_INFINITY
          continue
        }
        const sLat = Math.sin((cLat - lat) / 2)
        const sLon = Math.sin(((lonRad[c] as number) - lon) / 2)
        // the haversine term grows with distance, so it orders as the distance does
        const h = sLat * sLat + cosLat * (cosLats[c] as number) * sLon * sLon
        keys[i] = this.#biased ? Math.asin(Math.sqrt(Math.min(1, h))) * (biasFactor[c] as number) : h
      }
      if (s.trace !== undefined) s.note = `client at ${geo.lat}, ${geo.lon}`
    } else {
      const value = this.#mode === 'country' ? geo.country : geo.continent
      const lists = this.#mode === 'country' ? table.country : table.continent
      for (let i = 0; i < len; i++) {
        const list = lists[cand[i] as number]
        keys[i] = value !== undefined && list?.includes(value) === true ? 0 : 1
      }
      if (s.trace !== undefined) s.note = `client ${this.#mode} ${value ?? 'unknown'}`
    }
    sortByKeys(pool, cand, keys, len)
    return len
  }
}

/** `priority`: keeps the best (lowest) priority tier, so lower tiers serve only when it is gone. */
export class PriorityFilter implements Filter {
  readonly name = 'priority'
  readonly dynamic = false

  apply(pool: CompiledPool, _v: Variant, cand: Int32Array, len: number): number {
    const priority = pool.table.priority
    let best = Number.POSITIVE_INFINITY
    for (let i = 0; i < len; i++) best = Math.min(best, priority[cand[i] as number] as number)
    let kept = 0
    for (let i = 0; i < len; i++) {
      const c = cand[i] as number
      if (priority[c] === best) cand[kept++] = c
    }
    return kept
  }
}

/** `cost`: sorts candidates by cost, lowest first. */
export class CostFilter implements Filter {
  readonly name = 'cost'
  readonly dynamic = false

  apply(pool: CompiledPool, _v: Variant, cand: Int32Array, len: number): number {
    const cost = pool.table.cost
    const keys = pool.keys
    for (let i = 0; i < len; i++) keys[i] = cost[cand[i] as number] as number
    sortByKeys(pool, cand, keys, len)
    return len
  }
}

/**
 * `preferSite`: candidates of one site first, the others after in their order. The site is the
 * answering node's (Walrus: each anycast node hands out its own cluster), or a fixed one.
 */
export class PreferSiteFilter implements Filter {
  readonly name = 'preferSite'
  readonly dynamic = false
  readonly #site: number

  /** @param site - a site index, or -1 for the node's */
  constructor(site: number) {
    this.#site = site
  }

  apply(pool: CompiledPool, _v: Variant, cand: Int32Array, len: number, s: RunState): number {
    const site = this.#site >= 0 ? this.#site : s.site
    if (site < 0 || len <= 1) return len
    const sites = pool.table.site
    const mark = pool.mark
    for (let i = 0; i < len; i++) mark[i] = sites[cand[i] as number] === site ? 1 : 0
    partitionFirst(pool, cand, len, mark)
    mark.fill(0, 0, len)
    return len
  }
}

/**
 * `latencyTable`: sorts candidates by the round-trip time from the client's network to their site,
 * lowest first, from a table of client networks (longest match) measured or fed from outside.
 * Candidates whose site has no figure go last.
 */
export class LatencyTableFilter implements Filter {
  readonly name = 'latencyTable'
  readonly dynamic = true
  readonly #v4: PrefixTrie
  readonly #v6: PrefixTrie
  readonly #rows: readonly Float64Array[]
  readonly #default: Float64Array | undefined

  /** @param rows - per entry, the RTT of each candidate (Infinity where its site has none) */
  constructor(
    nets: readonly { cidr: Cidr; payload: number }[],
    rows: readonly Float64Array[],
    fallback: Float64Array | undefined,
  ) {
    ;[this.#v4, this.#v6] = familyTries(nets, 'lpm')
    this.#rows = rows
    this.#default = fallback
  }

  apply(pool: CompiledPool, _v: Variant, cand: Int32Array, len: number, s: RunState): number {
    if (len <= 1) return len
    const client = s.client
    const trie = client.family === 4 ? this.#v4 : this.#v6
    const entry = trie.lookup(client.words)
    s.contribute(trie.depth)
    const row = entry >= 0 ? this.#rows[entry] : this.#default
    if (s.trace !== undefined)
      s.note = entry >= 0 ? `entry ${entry}` : row === undefined ? 'no entry' : 'default'
    if (row === undefined) return len
    const keys = pool.keys
    for (let i = 0; i < len; i++) keys[i] = row[cand[i] as number] as number
    sortByKeys(pool, cand, keys, len)
    return len
  }
}
