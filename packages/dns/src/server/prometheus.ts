import type { CountersSnapshot, CounterValues } from './counters.js'

/** One extra sample for {@link renderPrometheus}: a gauge or counter the server adds (zones, reloads…). */
export interface ExtraMetric {
  /** Metric name, `shoal_dns_…`. */
  readonly name: string
  /** `# HELP` text. */
  readonly help: string
  /** `gauge` or `counter`. */
  readonly type: 'gauge' | 'counter'
  /** Samples: label set → value. */
  readonly samples: readonly { readonly labels?: Readonly<Record<string, string>>; readonly value: number }[]
}

interface Family {
  readonly name: string
  readonly help: string
  readonly label?: string
  readonly members: readonly (readonly [keyof CounterValues, string])[]
}

const FAMILIES: readonly Family[] = [
  {
    name: 'shoal_dns_responses_total',
    help: 'Replies sent, by RCODE.',
    label: 'rcode',
    members: [
      ['noerror', 'noerror'],
      ['nxdomain', 'nxdomain'],
      ['refused', 'refused'],
      ['formerr', 'formerr'],
      ['notimp', 'notimp'],
      ['servfail', 'servfail'],
      ['badvers', 'badvers'],
      ['badcookie', 'badcookie'],
    ],
  },
  {
    name: 'shoal_dns_queries_total',
    help: 'Queries received, by transport.',
    label: 'transport',
    members: [
      ['udpQueries', 'udp'],
      ['tcpQueries', 'tcp'],
    ],
  },
  {
    name: 'shoal_dns_dropped_total',
    help: 'Queries given no reply (malformed, QR=1, source port 0, rate limited).',
    members: [['dropped', '']],
  },
  { name: 'shoal_dns_edns_total', help: 'Queries with an OPT RR.', members: [['edns', '']] },
  { name: 'shoal_dns_edns_do_total', help: 'Queries with the DNSSEC OK bit.', members: [['ednsDo', '']] },
  { name: 'shoal_dns_ecs_total', help: 'Queries with an EDNS Client Subnet option.', members: [['ecs', '']] },
  {
    name: 'shoal_dns_cookies_total',
    help: 'Queries with a COOKIE option, by what it held: init (client cookie only), ok, bad.',
    label: 'result',
    members: [
      ['cookieInit', 'init'],
      ['cookieOk', 'ok'],
      ['cookieBad', 'bad'],
    ],
  },
  { name: 'shoal_dns_truncated_total', help: 'Replies sent with TC=1.', members: [['tc', '']] },
  {
    name: 'shoal_dns_udp_errors_total',
    help: 'UDP socket errors, by operation.',
    label: 'op',
    members: [
      ['udpRecvErrors', 'recv'],
      ['udpSendErrors', 'send'],
    ],
  },
  {
    name: 'shoal_dns_tcp_connections_total',
    help: 'TCP connections accepted.',
    members: [['tcpConnections', '']],
  },
  {
    name: 'shoal_dns_tcp_rejected_total',
    help: 'TCP connections closed at once by the connection or per-client cap.',
    members: [['tcpRejected', '']],
  },
  {
    name: 'shoal_dns_tcp_timeouts_total',
    help: 'TCP connections closed for idleness.',
    members: [['tcpTimeouts', '']],
  },
  {
    name: 'shoal_dns_rrl_total',
    help: 'Responses response rate limiting held back, by action: drop, or slip (sent truncated).',
    label: 'action',
    members: [
      ['rrlDrops', 'drop'],
      ['rrlSlips', 'slip'],
    ],
  },
]

/**
 * Renders counters in the Prometheus text exposition format (version 0.0.4), with no dependency.
 *
 * @param snapshot - the counters (merged across workers)
 * @param extra - further metrics the server adds (zones loaded, reloads, open connections…)
 *
 * @example
 * ```ts
 * const body = renderPrometheus(counters.snapshot(), [])
 * ```
 */
export function renderPrometheus(snapshot: CountersSnapshot, extra: readonly ExtraMetric[] = []): string {
  const lines: string[] = []
  for (const family of FAMILIES) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} counter`)
    for (const [key, value] of family.members) {
      const labels = family.label === undefined ? '' : `{${family.label}="${value}"}`
      lines.push(`${family.name}${labels} ${snapshot.values[key] ?? 0}`)
    }
  }
  const pools = Object.entries(snapshot.pools).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  lines.push(
    '# HELP shoal_dns_pool_selections_total Answers selected from a pool.',
    '# TYPE shoal_dns_pool_selections_total counter',
  )
  for (const [pool, count] of pools)
    lines.push(`shoal_dns_pool_selections_total{pool="${escapeLabel(pool)}"} ${count.selections}`)
  lines.push(
    '# HELP shoal_dns_answer_selections_total Times each answer of a pool was given.',
    '# TYPE shoal_dns_answer_selections_total counter',
  )
  for (const [pool, count] of pools) {
    for (const [answer, n] of Object.entries(count.answers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      lines.push(
        `shoal_dns_answer_selections_total{pool="${escapeLabel(pool)}",answer="${escapeLabel(answer)}"} ${n}`,
      )
  }
  for (const metric of extra) {
    lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`)
    for (const sample of metric.samples) {
      const entries = Object.entries(sample.labels ?? {})
      const labels =
        entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
      lines.push(`${metric.name}${labels} ${formatValue(sample.value)}`)
    }
  }
  return `${lines.join('\n')}\n`
}

/**
 * Escapes a label value: backslash, double quote and newline, as the text format requires.
 *
 * @example
 * ```ts
 * escapeLabel('a "quoted" name') // 'a \\"quoted\\" name'
 * ```
 */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Number.POSITIVE_INFINITY) return '+Inf'
  if (value === Number.NEGATIVE_INFINITY) return '-Inf'
  return String(value)
}
