import { describe, expect, it } from 'vitest'
import { DnsCounters, mergeSnapshots } from '../../src/server/counters.js'
import { escapeLabel, renderPrometheus } from '../../src/server/prometheus.js'

describe('DnsCounters and renderPrometheus', () => {
  it('renders every counter family with HELP and TYPE, and selection counts per pool and answer', () => {
    const counters = new DnsCounters()
    counters.values.noerror += 3
    counters.values.udpQueries += 2
    counters.values.tcpQueries++
    counters.values.rrlSlips++
    counters.countSelection('web', ['web-1', 'web-2'])
    counters.countSelection('web', ['web-1'])
    const text = renderPrometheus(counters.snapshot(), [
      { name: 'shoal_dns_zones', help: 'Zones loaded.', type: 'gauge', samples: [{ value: 2 }] },
    ])
    expect(text).toContain('# TYPE shoal_dns_responses_total counter\n')
    expect(text).toContain('shoal_dns_responses_total{rcode="noerror"} 3\n')
    expect(text).toContain('shoal_dns_responses_total{rcode="badvers"} 0\n')
    expect(text).toContain('shoal_dns_queries_total{transport="udp"} 2\n')
    expect(text).toContain('shoal_dns_queries_total{transport="tcp"} 1\n')
    expect(text).toContain('shoal_dns_rrl_total{action="slip"} 1\n')
    expect(text).toContain('shoal_dns_pool_selections_total{pool="web"} 2\n')
    expect(text).toContain('shoal_dns_answer_selections_total{pool="web",answer="web-1"} 2\n')
    expect(text).toContain('shoal_dns_answer_selections_total{pool="web",answer="web-2"} 1\n')
    expect(text).toContain('# TYPE shoal_dns_zones gauge\nshoal_dns_zones 2\n')
    // every sample line is `name{labels} number`
    for (const line of text.trimEnd().split('\n')) {
      if (!line.startsWith('#')) expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? -?[0-9.e+]+$/)
    }
  })

  it('merges worker snapshots by summing', () => {
    const a = new DnsCounters()
    const b = new DnsCounters()
    a.values.nxdomain = 2
    b.values.nxdomain = 5
    a.countSelection('p', ['x'])
    b.countSelection('p', ['x', 'y'])
    b.countSelection('q', [])
    const merged = mergeSnapshots([a.snapshot(), b.snapshot()])
    expect(merged.values.nxdomain).toBe(7)
    expect(merged.pools).toEqual({
      p: { selections: 2, answers: { x: 2, y: 1 } },
      q: { selections: 1, answers: {} },
    })
  })

  it('escapes label values', () => {
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd')
  })
})
