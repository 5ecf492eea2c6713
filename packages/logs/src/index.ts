export type { AccessParser, AccessParserOptions } from './access/access-parser.js'
export type { NginxParserOptions } from './access/access-parsers.js'
export { accessParser, apacheParser, nginxParser } from './access/access-parsers.js'
export type { AccessRecord } from './access/access-record.js'
export type { AccessPreset } from './access/presets.js'
export { ACCESS_PRESETS } from './access/presets.js'
export type { BadLine, BadLineReason } from './bad-line.js'
export { BAD_LINE_REASONS, LineFailure, SAMPLE_CHARS } from './bad-line.js'
export { BadLineLog } from './bad-line-log.js'
export type { DetectCandidate, DetectOptions } from './detect.js'
export { detect } from './detect.js'
export type { ApacheErrorParserOptions, ApacheErrorRecord } from './error-log/apache-error-parser.js'
export { ApacheErrorParser, apacheErrorParser } from './error-log/apache-error-parser.js'
export type { FileCheckpoint } from './follow/checkpoint.js'
export type {
  FileChunk,
  FileOpenCause,
  FileOpened,
  FileRotated,
  FileTruncated,
  FollowEvent,
} from './follow/events.js'
export type { FollowBatch, FollowParseOptions } from './follow/follow-batches.js'
export { followBatches, followRecords } from './follow/follow-batches.js'
export type { FollowFileOptions } from './follow/follow-file.js'
export { followFile } from './follow/follow-file.js'
export type { Follower } from './follow/follower.js'
export type { CreateParserOptions } from './format-registry.js'
export { createParser, FORMAT_NAMES } from './format-registry.js'
export type {
  JsonFieldType,
  JsonFieldTypes,
  JsonFieldValue,
  JsonLinesOptions,
  JsonRecord,
} from './formats/json-lines.js'
export { JsonLinesParser, jsonLinesParser } from './formats/json-lines.js'
export type { LogfmtOptions, LogfmtRecord } from './formats/logfmt.js'
export { LogfmtParser, logfmtParser } from './formats/logfmt.js'
export type { SyslogParserOptions, SyslogRecord, SyslogStructuredData } from './formats/syslog.js'
export { SYSLOG_FACILITIES, SYSLOG_SEVERITIES, SyslogParser, syslogParser } from './formats/syslog.js'
export type { SyslogFrameSink, SyslogFramesOptions, SyslogStreamOptions } from './formats/syslog-frames.js'
export { parseSyslogStream, SyslogFramer, syslogFrames } from './formats/syslog-frames.js'
export type { TimeZoneOption } from './formats/time-zone.js'
export type { W3cOptions, W3cRecord, W3cValue } from './formats/w3c.js'
export { W3cParser, w3cParser } from './formats/w3c.js'
export type { LineParser, LineResult } from './line-parser.js'
export type { LineSink, LineSplitterOptions } from './line-splitter.js'
export { DEFAULT_MAX_LINE_BYTES, LineSplitter } from './line-splitter.js'
export type { ByteSource, ParseFileOptions, ParseOptions, RecordBatch } from './parse-stream.js'
export { parseBatches, parseBuffer, parseFile, parseRecords } from './parse-stream.js'
export type { SkipLine } from './skip-line.js'
export { SKIP_LINE } from './skip-line.js'
export type { InvalidUtf8Policy } from './text.js'
export { copyKey, decodeBinary, hasHighBytes, toBinary } from './text.js'
