// Types for the peer parsers the logs benchmark compares with (they ship none).

declare module 'alpine' {
  /** Apache log parser driven by a `LogFormat` string; field names depend on the directives. */
  class Alpine {
    constructor(logFormat?: string)
    /** Throws on a line that does not fit the format. */
    parseLine(line: string): Record<string, string | undefined>
    static readonly LOGFORMATS: {
      readonly COMBINED: string
      readonly CLF: string
      readonly CLF_VHOST: string
    }
  }
  export = Alpine
}

declare module 'clf-parser' {
  /** Parses one common/combined log line; never fails, fills what it finds. */
  function parse(line: string): {
    remote_addr?: string | null
    remote_user?: string | null
    time_local?: Date | null
    request?: string | null
    status?: number | null
    body_bytes_sent?: number | null
    http_referer?: string | null
    http_user_agent?: string | null
    method?: string
    path?: string
    protocol?: string
  }
  export = parse
}

declare module 'nginxparser' {
  /** nginx `log_format` compiled to one regular expression. */
  class NginxParser {
    constructor(format: string)
    /** Calls `iterator` with the row when the line matches, not at all when it does not. */
    parseLine(
      line: string | Buffer,
      iterator: (row: Record<string, string | number | Date | null>) => void,
    ): void
  }
  export = NginxParser
}

declare module 'tdigest' {
  /** A centroid: a mean and the number of values it stands for. */
  interface Centroid {
    mean: number
    n: number
  }
  /** Dunning's t-digest (merging by nearest centroid); `delta` is the compression (default 0.01). */
  class TDigest {
    constructor(delta?: number | false, K?: number, CX?: number)
    /** Values added so far. */
    n: number
    push(x: number | readonly number[], n?: number): void
    /** The value at quantile `p` (0–1). */
    percentile(p: number): number
    percentile(p: readonly number[]): number[]
    compress(): void
    /** Number of centroids. */
    size(): number
    toArray(everything?: boolean): Centroid[]
  }
  class Digest extends TDigest {}
}
