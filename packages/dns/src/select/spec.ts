// The declarative, JSON-friendly description of answer pools: what a configuration file holds and
// what compileSelector validates and compiles. Nothing here runs code: selection logic is a list
// of named filters with options, as NS1's filter chains are (and unlike PowerDNS's LUA records,
// which execute whatever the zone says).

/** Where an answer or a sub-pool is, for geofence and geotarget filters. */
export interface GeoSpec {
  /** Continent code (`EU`, `NA`, … as MaxMind writes them), or several for a fence. */
  readonly continent?: string | readonly string[]
  /** ISO 3166-1 alpha-2 country code, or several. */
  readonly country?: string | readonly string[]
  /** ISO 3166-2 subdivision (`US-CA`), or several. */
  readonly subdivision?: string | readonly string[]
  /** Latitude in degrees, -90 to 90 (with `lon`). */
  readonly lat?: number
  /** Longitude in degrees, -180 to 180 (with `lat`). */
  readonly lon?: number
  /**
   * Route 53 geoproximity bias, -99 to 99: the distance geotarget compares is the real distance
   * × (1 − bias / 100), so a positive bias draws clients from farther away.
   */
  readonly bias?: number
}

/** Metadata that answers and sub-pool members share. */
export interface CandidateMetadata {
  /** Cluster, datacenter or PoP: what `preferSite`, `latencyTable` and `selectFirstGroup` read. */
  readonly site?: string
  /** Relative weight, a positive number (default 1). */
  readonly weight?: number
  /** Priority tier, lower preferred (default 0). */
  readonly priority?: number
  /** Cost, lower preferred (default 0). */
  readonly cost?: number
  /** Location, for geofence and geotarget. */
  readonly geo?: GeoSpec
  /** Client networks this candidate serves (CIDR text), for netfence. */
  readonly prefixes?: readonly string[]
  /** Client autonomous systems this candidate serves, for netfence (needs a GeoIP ASN lookup). */
  readonly asn?: readonly number[]
  /**
   * Health-check targets (ids a `HealthSource` knows). The candidate's state is the worst of
   * theirs, as gdnsd combines several `service_types`.
   */
  readonly health?: readonly string[]
  /**
   * Operator override: `up` (the default) follows health, `down` takes the candidate out as if it
   * were failing, `drain` takes it out of answers without counting it as down.
   */
  readonly admin?: 'up' | 'down' | 'drain'
}

/** One answer of a leaf pool: an address (address pools) or a target name (CNAME pools). */
export interface AnswerSpec extends CandidateMetadata {
  /** Unique within the pool; views, explain output and statistics name answers by it. */
  readonly id: string
  /** An IPv4 or IPv6 address, or for a CNAME pool a domain name. */
  readonly value: string
}

/** One member of a composite pool: another pool, with metadata for the composite's filters. */
export interface MemberSpec extends CandidateMetadata {
  /** The name of the member pool. */
  readonly pool: string
  /** Unique within the composite (default: the pool's name). */
  readonly id?: string
}

/** A pool's TTL: `max` when every involved answer is up, `min` (default max / 2) otherwise. */
export type TtlSpec = number | { readonly max: number; readonly min?: number }

/** gdnsd's `up_thresh`: the share (0, 1] of candidates, by count or by weight, that must be up. */
export type ThresholdSpec = number | { readonly value: number; readonly by?: 'count' | 'weight' }

/**
 * What a pool answers when its up-threshold is not met (every answer down, by default):
 * `all` (fail open: every answer, as gdnsd, Route 53 and NS1 do), an empty NOERROR (`nodata`),
 * REFUSED or SERVFAIL, or the answer of another pool.
 */
export type AllDownSpec = 'all' | 'nodata' | 'refused' | 'servfail' | { readonly pool: string }

/** Keeps healthy candidates; see {@link PoolSpec.upThreshold} and {@link PoolSpec.onAllDown}. */
export interface UpFilterSpec {
  readonly filter: 'up'
  /** Overrides the pool's `upThreshold` for this filter. */
  readonly threshold?: ThresholdSpec
}

/** Keeps answers of the query's family: A → IPv4, AAAA → IPv6. */
export interface FamilyMatchFilterSpec {
  readonly filter: 'familyMatch'
}

/** Keeps candidates whose `prefixes` hold the client, or whose `asn` list has the client's AS. */
export interface NetfenceFilterSpec {
  readonly filter: 'netfence'
  /** Candidates without prefixes or ASNs are kept, unless this is set and some fenced one matched. */
  readonly removeUnfencedOnMatch?: boolean
}

/** Keeps candidates whose `geo` continent, country or subdivision is the client's. */
export interface GeofenceFilterSpec {
  readonly filter: 'geofence'
  /** Which field to compare (default `country`). */
  readonly level?: 'continent' | 'country' | 'subdivision'
  /** Candidates without the field are kept, unless this is set and some fenced one matched. */
  readonly removeUnfencedOnMatch?: boolean
}

/** One view: client networks, and the candidates (by id, in order) they get. */
export interface ViewSpec {
  readonly nets: readonly string[]
  readonly answers: readonly string[]
}

/**
 * Client networks → candidate ids, longest match first, like gdnsd's `nets` and PowerDNS's `view`:
 * keeps the listed candidates, in the listed order. A client in no view keeps every candidate,
 * or gets `default` when it is given (an empty list means NODATA, as in gdnsd).
 */
export interface ViewFilterSpec {
  readonly filter: 'view'
  readonly views: readonly ViewSpec[]
  readonly default?: readonly string[]
}

/**
 * Sorts candidates by the client's location (from the GeoIP lookup): by great-circle distance
 * to `geo.lat/lon` with Route 53's bias (`latlon`, the default), or with candidates of the client's
 * country or continent first.
 */
export interface GeotargetFilterSpec {
  readonly filter: 'geotarget'
  readonly mode?: 'latlon' | 'country' | 'continent'
}

/** Keeps the best (lowest) priority tier among the candidates. */
export interface PriorityFilterSpec {
  readonly filter: 'priority'
}

/** Sorts candidates by cost, lowest first. */
export interface CostFilterSpec {
  readonly filter: 'cost'
}

/**
 * Puts candidates of one site first: the site of the node that received the query (the selector's
 * `node.site`), Walrus-style, so each anycast node answers with its own cluster.
 */
export interface PreferSiteFilterSpec {
  readonly filter: 'preferSite'
  /** A fixed site instead of the node's. */
  readonly site?: string
}

/** One row of a latency table: client networks and the round-trip time to each site. */
export interface LatencyEntrySpec {
  readonly nets: readonly string[]
  /** Milliseconds by site name. */
  readonly rtt: Readonly<Record<string, number>>
}

/** Sorts candidates by the measured RTT from the client's network to their site, lowest first. */
export interface LatencyTableFilterSpec {
  readonly filter: 'latencyTable'
  readonly entries: readonly LatencyEntrySpec[]
  /** RTTs for clients in no entry; without it they keep the order they had. */
  readonly default?: Readonly<Record<string, number>>
}

/** Random order. */
export interface ShuffleFilterSpec {
  readonly filter: 'shuffle'
}

/** Random order in which each candidate comes first with probability weight / Σ weights. */
export interface WeightedShuffleFilterSpec {
  readonly filter: 'weightedShuffle'
}

/**
 * Deterministic weighted rotation, as Polaris's `wrr` and gdnsd's address rotation: each query
 * starts the list at the next candidate of a smooth weighted round robin.
 */
export interface RoundRobinFilterSpec {
  readonly filter: 'roundRobin'
}

/**
 * Consistent order per client network or per query name, by rendezvous (highest random weight)
 * hashing: a candidate comes first for a share of keys in proportion to its weight, and a change
 * of one weight moves only keys to or from that candidate.
 */
export interface StickyFilterSpec {
  readonly filter: 'sticky'
  /** What to hash (default `client`). */
  readonly by?: 'client' | 'qname'
  /** Bits of an IPv4 client that form the key (default 24). */
  readonly prefix4?: number
  /** Bits of an IPv6 client that form the key (default 56). */
  readonly prefix6?: number
}

/** Keeps the first `n` candidates. */
export interface SelectFirstNFilterSpec {
  readonly filter: 'selectFirstN'
  readonly n: number
}

/** Keeps the candidates that share the first candidate's site. */
export interface SelectFirstGroupFilterSpec {
  readonly filter: 'selectFirstGroup'
  readonly by?: 'site'
}

/**
 * Composite pools: answers with the first member (in the order the chain left) that does not
 * fail, as gdnsd's metafo does; a pool whose every member fails reports failure to its parent.
 */
export interface FailoverFilterSpec {
  readonly filter: 'failover'
}

/**
 * Composite pools: like failover, but when the first member fails, its clients are spread over
 * the next `k` working members (by weight) instead of all landing on the next one (gdnsd#126).
 */
export interface SpilloverFilterSpec {
  readonly filter: 'spillover'
  readonly k: number
}

/** One filter of a chain, with its options. */
export type FilterSpec =
  | UpFilterSpec
  | FamilyMatchFilterSpec
  | NetfenceFilterSpec
  | GeofenceFilterSpec
  | ViewFilterSpec
  | GeotargetFilterSpec
  | PriorityFilterSpec
  | CostFilterSpec
  | PreferSiteFilterSpec
  | LatencyTableFilterSpec
  | ShuffleFilterSpec
  | WeightedShuffleFilterSpec
  | RoundRobinFilterSpec
  | StickyFilterSpec
  | SelectFirstNFilterSpec
  | SelectFirstGroupFilterSpec
  | FailoverFilterSpec
  | SpilloverFilterSpec

/** The name of a filter. */
export type FilterName = FilterSpec['filter']

/** Filters that need no options can be written as their bare name. */
export type FilterShorthand =
  | 'up'
  | 'familyMatch'
  | 'netfence'
  | 'geofence'
  | 'geotarget'
  | 'priority'
  | 'cost'
  | 'preferSite'
  | 'shuffle'
  | 'weightedShuffle'
  | 'roundRobin'
  | 'sticky'
  | 'selectFirstGroup'
  | 'failover'

/**
 * A pool: either a leaf with `answers`, or a composite with `members` (other pools), and the
 * chain of filters that orders and cuts them per query.
 *
 * An address pool answers A queries from its IPv4 answers and AAAA queries from its IPv6 ones,
 * each family on its own (thresholds included, as gdnsd does), so `familyMatch` changes nothing
 * and is accepted for chains written NS1's way. A leaf's chain without `up` gets one at its head.
 * A composite's chain ends with `failover` or `spillover` (`failover` is appended when it names
 * neither). A CNAME pool answers with one target: its chain's result is cut to the first.
 */
export interface PoolSpec {
  /** `address` (A/AAAA answers, the default) or `cname`; a composite takes its members' kind. */
  readonly kind?: 'address' | 'cname'
  /** The answers of a leaf pool. */
  readonly answers?: readonly AnswerSpec[]
  /** The members of a composite pool. */
  readonly members?: readonly MemberSpec[]
  /** The filters, in order (strings for filters without options). */
  readonly chain?: readonly (FilterSpec | FilterShorthand)[]
  /** TTL when this pool is the one asked for (default 300, min max / 2). */
  readonly ttl?: TtlSpec
  /**
   * gdnsd's `up_thresh` (leaf pools): when fewer than ⌈threshold × total⌉ candidates (or that
   * much weight) are up, the pool has failed and `onAllDown` applies. Without it, a pool fails
   * only when no candidate is up (gdnsd's default of 0.5 surprised its users: gdnsd#56).
   */
  readonly upThreshold?: ThresholdSpec
  /** What to answer when the pool has failed (default `all`, fail open). */
  readonly onAllDown?: AllDownSpec
  /** The most answers to return (default 8, Route 53's multivalue limit; keeps replies small). */
  readonly maxAnswers?: number
  /**
   * Serve answers whatever their health (gdnsd's `ignore_health`); the threshold, TTL and the
   * failure reported to a parent still follow health.
   */
  readonly ignoreHealth?: boolean
  /** Select on the resolver's address even when the query has ECS (gdnsd's `ignore_ecs`); scope 0. */
  readonly ignoreEcs?: boolean
}

/** Pools by name: the `pools` object of a configuration file. */
export type PoolsSpec = Readonly<Record<string, PoolSpec>>
