export type { Cidr, Family } from './address.js'
export { formatAddress, parseAddress, parseCidr } from './address.js'
export type { ClientSource, EcsInput } from './client.js'
export { UNROUTABLE_NETWORKS } from './client.js'
export { DEFAULT_MAX_ANSWERS, DEFAULT_TTL } from './compile.js'
export type { GeoInfo, GeoLookup, GeoLookupResult, MmdbGeoLookupOptions } from './geo.js'
export { biasedDistance, combineGeoLookups, EARTH_RADIUS_KM, haversineKm, mmdbGeoLookup } from './geo.js'
export type { Answer } from './pool.js'
export type {
  ExplainQuery,
  Explanation,
  Selection,
  SelectionOutcome,
  SelectionQuery,
  SelectorOptions,
} from './selector.js'
export { compileSelector, Selector } from './selector.js'
export type {
  AllDownSpec,
  AnswerSpec,
  CandidateMetadata,
  CostFilterSpec,
  FailoverFilterSpec,
  FamilyMatchFilterSpec,
  FilterName,
  FilterShorthand,
  FilterSpec,
  GeofenceFilterSpec,
  GeoSpec,
  GeotargetFilterSpec,
  LatencyEntrySpec,
  LatencyTableFilterSpec,
  MemberSpec,
  NetfenceFilterSpec,
  PoolSpec,
  PoolsSpec,
  PreferSiteFilterSpec,
  PriorityFilterSpec,
  RoundRobinFilterSpec,
  SelectFirstGroupFilterSpec,
  SelectFirstNFilterSpec,
  ShuffleFilterSpec,
  SpilloverFilterSpec,
  StickyFilterSpec,
  ThresholdSpec,
  TtlSpec,
  UpFilterSpec,
  ViewFilterSpec,
  ViewSpec,
  WeightedShuffleFilterSpec,
} from './spec.js'
export type { ExplainStep } from './state.js'
export { upThresholdNeed, upThresholdPasses } from './threshold.js'
export type { TrieEntry } from './trie.js'
export { PrefixTrie } from './trie.js'
