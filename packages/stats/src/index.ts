export type { Subscription, SubscriptionOptions } from '@shoal/core'
export type {
  AlertEngineEvents,
  AlertEngineOptions,
  AlertEngineStats,
  AlertErrorHandler,
  AlertStatus,
  MetricsFunction,
  PaneCloseSource,
} from './alerts/alert-engine.js'
export { AlertEngine } from './alerts/alert-engine.js'
export type { AlertRule, AlertRuleSpec, Comparator } from './alerts/alert-rule.js'
export { COMPARATORS } from './alerts/alert-rule.js'
export type { AlertSink, CallbackSinkOptions } from './alerts/alert-sink.js'
export { callbackSink } from './alerts/alert-sink.js'
export type { AlertState } from './alerts/alert-state.js'
export type { AlertTransition } from './alerts/alert-transition.js'
export type { Http5xxBurstOptions } from './alerts/builtin-rules.js'
export { HTTP_5XX_BURST, http5xxBurstRule } from './alerts/builtin-rules.js'
export { MAX_ALERT_RULES, parseAlertRule, parseAlertRules } from './alerts/parse-rules.js'
export type {
  BackoffOptions,
  WebhookFailure,
  WebhookSinkOptions,
  WebhookSinkStats,
} from './alerts/webhook-sink.js'
export { WebhookSink, webhookSink } from './alerts/webhook-sink.js'
export { ByteReader } from './bytes/byte-reader.js'
export { ByteWriter } from './bytes/byte-writer.js'
export type { CounterSummary } from './counters/counter.js'
export { Counter } from './counters/counter.js'
export type { CounterByKeyOptions, CounterByKeySummary, KeyCount } from './counters/counter-by-key.js'
export { CounterByKey } from './counters/counter-by-key.js'
export type { DecayedCounterOptions, DecayedCounterSummary, DecayedRow } from './counters/decayed-counter.js'
export { DecayedCounter } from './counters/decayed-counter.js'
export type { RateAverages, RateOptions, RateSummary } from './counters/rate.js'
export { RATE_TICK_SECONDS, Rate } from './counters/rate.js'
export type { CountMinOptions, CountMinSummary } from './frequency/count-min-sketch.js'
export { COUNT_MIN_MAX_COUNTERS, CountMinSketch } from './frequency/count-min-sketch.js'
export type { KeyedPurgeMap } from './frequency/frequency-sketch.js'
export { FrequencySketch } from './frequency/frequency-sketch.js'
export { FrequentItemsSketch } from './frequency/frequent-items-sketch.js'
export { FrequentLongsSketch } from './frequency/frequent-longs-sketch.js'
export type { FrequentItemsOptions, FrequentItemsReadOptions } from './frequency/options.js'
export type { FrequentItemsRow, FrequentItemsSummary } from './frequency/query.js'
export { ErrorType } from './frequency/query.js'
export type { SketchKey } from './hash/key-hasher.js'
export { DEFAULT_SEED, KeyHasher } from './hash/key-hasher.js'
export type { Hash128 } from './hash/murmur3.js'
export { hash128, murmur3x64128 } from './hash/murmur3.js'
export { HllMode, HllTargetType } from './hll/constants.js'
export type { HllSketchJSON, HllSketchOptions } from './hll/hll-sketch.js'
export { HllSketch } from './hll/hll-sketch.js'
export type { HllImageOptions } from './hll/image.js'
export type { DDSketchBin, DDSketchJSON, DDSketchOptions } from './quantiles/ddsketch.js'
export { DDSketch } from './quantiles/ddsketch.js'
export type { KllDoublesSketchJSON, KllDoublesSketchOptions } from './quantiles/kll-doubles-sketch.js'
export { KllDoublesSketch } from './quantiles/kll-doubles-sketch.js'
export type { QuantileSearchCriteria } from './quantiles/kll-sorted-view.js'
export { LogarithmicMapping, MIN_INDEXABLE_VALUE, MIN_RELATIVE_ACCURACY } from './quantiles/log-mapping.js'
export type { QuantileSummary } from './quantiles/quantile-summary.js'
export type { Sketch } from './sketch.js'
export type { Duration, ParseDurationOptions } from './time/duration.js'
export { formatDuration, parseDuration, tryParseDuration } from './time/duration.js'
export type {
  DropReason,
  EventTimeWindowsEvents,
  EventTimeWindowsOptions,
  EventTimeWindowsStats,
  LatePolicy,
  WatermarkProgress,
  WindowOptions,
} from './time/event-time-windows.js'
export { DEFAULT_SOURCE_ID, EventTimeWindows } from './time/event-time-windows.js'
export type { PaneInit } from './time/pane.js'
export { MAX_SOURCE_BYTES, Pane } from './time/pane.js'
export type { AggregateFactory, MergeableAggregate, PaneAggregate } from './time/pane-aggregate.js'
export type {
  PaneHistoryOptions,
  WindowQuery,
  WindowQueryOptions,
  WindowResult,
} from './time/pane-history.js'
export { PaneHistory } from './time/pane-history.js'
export type { PaneMergerOptions, PaneMergerStats, PaneRejection } from './time/pane-merger.js'
export { PaneMerger } from './time/pane-merger.js'
export type { ResolvedRollupLevel, RollupLevel } from './time/rollup-levels.js'
export { DEFAULT_ROLLUPS, MAX_ROLLUP_LEVELS, maxHistoryPanes, resolveRollups } from './time/rollup-levels.js'
export type { IdleBasis, SourceWatermark, WatermarksOptions } from './time/watermarks.js'
export { DEFAULT_ALLOWED_LATENESS_MS, DEFAULT_IDLE_TIMEOUT_MS, Watermarks } from './time/watermarks.js'
export type { PathNormalization } from './web/normalize-path.js'
export { normalizePath, refererSite } from './web/normalize-path.js'
export type { UniqueCountOptions, UniqueCountSummary } from './web/unique-count.js'
export { UniqueCount } from './web/unique-count.js'
export { UserAgentFamilies, userAgentFamily } from './web/user-agent-family.js'
export type { WebRecord } from './web/web-record.js'
export type { WebMetrics, WebStatsOptions } from './web/web-stats.js'
export { WebStats, webStats, webStatsFactory } from './web/web-stats.js'
export type { LatencySummary, TopRow, WebStatsReport } from './web/web-stats-report.js'
