// The dashboard page: one EventSource, one render per snapshot. Every value from the log is put in
// the page with textContent, never as HTML: paths, referrers and user agents are attacker-chosen.
/* global uPlot */
;(() => {
  const $ = (id) => document.getElementById(id)
  const num = (n) => (n === null || n === undefined ? '–' : Math.round(n).toLocaleString('en-US'))
  const bytes = (n) => {
    const units = ['B', 'kB', 'MB', 'GB', 'TB']
    let v = n
    let u = 0
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000
      u++
    }
    return `${u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`
  }
  const micros = (us) => {
    if (us === null || us === undefined) return '–'
    if (us < 1000) return `${Math.round(us)} µs`
    if (us < 1e6) return `${(us / 1000).toFixed(us < 10000 ? 1 : 0)} ms`
    return `${(us / 1e6).toFixed(2)} s`
  }
  const time = (ms) => new Date(ms).toLocaleTimeString('en-GB', { hour12: false })
  const CLASS_COLORS = {
    '1xx': '#90a4ae',
    '2xx': '#2e7d32',
    '3xx': '#1565c0',
    '4xx': '#ef6c00',
    '5xx': '#c62828',
  }

  let range = new URLSearchParams(location.search).get('range') || '5m'
  let source = null
  let rateChart = null
  let latencyChart = null

  // ---- charts (uPlot, served from node_modules by the example's server)
  const chartSize = (el) => ({ width: Math.max(200, el.clientWidth), height: 170 })
  function makeCharts() {
    const rateEl = $('chart-rate')
    const latEl = $('chart-latency')
    const axes = [
      { stroke: '#667085', grid: { stroke: '#eef0f3' } },
      { stroke: '#667085', grid: { stroke: '#eef0f3' }, size: 60 },
    ]
    rateChart = new uPlot(
      {
        ...chartSize(rateEl),
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes,
        series: [
          {},
          { label: 'requests/s', stroke: '#1565c0', fill: 'rgba(21,101,192,0.12)', width: 1.5 },
          { label: '5xx/s', stroke: '#c62828', fill: 'rgba(198,40,40,0.18)', width: 1.5 },
        ],
      },
      [[], [], []],
      rateEl,
    )
    latencyChart = new uPlot(
      {
        ...chartSize(latEl),
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [axes[0], { ...axes[1], values: (_u, ticks) => ticks.map((t) => `${t} ms`) }],
        series: [{}, { label: 'p95 (ms)', stroke: '#6a1b9a', width: 1.5, spanGaps: false }],
      },
      [[], []],
      latEl,
    )
    const resize = () => {
      rateChart.setSize(chartSize(rateEl))
      latencyChart.setSize(chartSize(latEl))
    }
    new ResizeObserver(resize).observe(document.body)
  }

  // ---- tables
  function table(id, rows, total) {
    const el = $(id)
    el.replaceChildren()
    const head = el.createTHead().insertRow()
    for (const [text, cls] of [
      ['', 'key'],
      ['count', 'num'],
      ['bounds', 'bounds'],
    ]) {
      const th = document.createElement('th')
      th.textContent = text
      th.className = cls
      head.appendChild(th)
    }
    const body = el.createTBody()
    if (rows.length === 0) {
      const cell = body.insertRow().insertCell()
      cell.colSpan = 3
      cell.textContent = 'nothing yet'
      cell.className = 'key'
      return
    }
    const max = rows[0].count || 1
    for (const row of rows) {
      const tr = body.insertRow()
      const key = tr.insertCell()
      key.className = 'key'
      key.textContent = row.key
      key.title = row.key
      const bar = document.createElement('div')
      bar.className = 'bar'
      bar.style.width = `${(row.count / max) * 100}%`
      key.appendChild(bar)
      const count = tr.insertCell()
      count.className = 'num'
      count.textContent = num(row.count)
      count.title = total > 0 ? `${((row.count / total) * 100).toFixed(1)} % of requests` : ''
      const bounds = tr.insertCell()
      bounds.className = 'bounds'
      bounds.textContent =
        row.lowerBound === row.upperBound ? 'exact' : `${num(row.lowerBound)}–${num(row.upperBound)}`
    }
  }

  // ---- one snapshot
  function render(s) {
    const r = s.report
    // alert
    const a = s.alerts[0]
    if (a) {
      const el = $('alert')
      el.className = `alert ${a.state}`
      $('alert-state').textContent = a.state === 'inactive' ? 'ok' : a.state
      $('alert-rule').textContent = `${a.rule}: ${a.description}`
      $('alert-detail').textContent =
        `now ${a.value}/${a.threshold}` +
        (a.since !== null && a.state !== 'inactive' ? ` · since ${time(a.since)}` : '')
    }
    const incident = $('incident')
    incident.hidden = s.incidents.length === 0
    incident.textContent = `scripted incident running in the embedded site: ${s.incidents.join(', ')}`

    // tiles
    $('rps').textContent = s.rates.requestsPerSec10s.toFixed(1)
    $('rps-detail').textContent =
      `10 s average · last second ${num(s.rates.requestsPerSec)} · 5xx ${s.rates.errorsPerSec10s.toFixed(1)}/s`
    $('bps').textContent = bytes(s.rates.bytesPerSec10s)
    $('bandwidth').textContent = `${bytes(r.bandwidth)} over ${s.range.label}`
    $('requests').textContent = num(r.requests)
    $('range-label').textContent = `${s.range.label} · ${num(r.failedLines)} failed lines`
    const v = r.uniqueVisitors
    $('visitors').textContent = num(v.estimate)
    $('visitors-detail').textContent = v.exact
      ? `exact · ${s.range.label}`
      : `${num(v.lowerBound)}–${num(v.upperBound)} · ${s.range.label}`
    const lat = s.recentLatency
    $('p50').textContent = micros(lat?.p50)
    $('p95').textContent = micros(lat?.p95)
    $('p99').textContent = micros(lat?.p99)
    $('latency-range').textContent = r.latency
      ? `${s.range.label}: p50 ${micros(r.latency.p50)} · p95 ${micros(r.latency.p95)} · p99 ${micros(r.latency.p99)} · max ${micros(r.latency.max)}`
      : 'no %D in this log'

    const shares = $('shares')
    shares.replaceChildren()
    const legend = []
    for (const cls of ['1xx', '2xx', '3xx', '4xx', '5xx']) {
      const n = r.statusClasses[cls] || 0
      if (n === 0) continue
      const share = r.requests > 0 ? (n / r.requests) * 100 : 0
      const span = document.createElement('span')
      span.style.width = `${share}%`
      span.style.background = CLASS_COLORS[cls]
      span.title = `${cls} ${share.toFixed(1)} %`
      shares.appendChild(span)
      legend.push(`${cls} ${share.toFixed(1)} %`)
    }
    $('shares-legend').textContent = legend.join(' · ')

    // charts
    if (rateChart) {
      rateChart.setData([s.series.t, s.series.requests, s.series.errors5xx])
      latencyChart.setData([s.series.t, s.series.p95.map((p) => (p === null ? null : p / 1000))])
    }

    // tables
    table('t-paths', r.paths, r.requests)
    table('t-notfound', r.notFound, r.requests)
    table('t-clients', r.clients, r.requests)
    table('t-referrers', r.referringSites, r.requests)
    table('t-agents', r.userAgents, r.requests)

    // parser and pipeline
    $('lines-rate').textContent = s.parser.linesPerSec.toFixed(1)
    $('lines').textContent = num(s.parser.lines)
    const reasons = Object.entries(s.parser.badByReason)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')
    $('bad').textContent = num(s.parser.bad)
    $('bad').title = reasons
    $('late').textContent = num(s.parser.late)
    $('lag').textContent = s.lagMs === null ? '–' : `${(s.lagMs / 1000).toFixed(1)} s`
    $('sources').textContent = s.sources.map((x) => x.name).join(', ') || '–'
    $('bad-sample').textContent = s.parser.lastBad
      ? `${s.parser.lastBad.reason}: ${s.parser.lastBad.message}\n${s.parser.lastBad.sample}`
      : 'none'

    const events = $('events')
    events.replaceChildren()
    for (const e of s.alertEvents.slice(-12).reverse()) {
      const li = document.createElement('li')
      li.className = e.state
      li.textContent = `${time(e.at)} ${e.rule} ${e.state} (${e.value}/${e.threshold})`
      events.appendChild(li)
    }
    if (s.alertEvents.length === 0) {
      const li = document.createElement('li')
      li.textContent = 'none yet'
      events.appendChild(li)
    }

    const agg = $('aggregator')
    agg.textContent = `Aggregation: ${s.aggregator.name} (${s.aggregator.note}).`
    document.body.dataset.updated = String(s.now)
  }

  // ---- the stream
  function connect() {
    if (source) source.close()
    source = new EventSource(`/events?range=${encodeURIComponent(range)}`)
    const status = $('connection')
    source.onopen = () => {
      status.textContent = 'live'
      status.className = 'connection live'
    }
    source.onerror = () => {
      status.textContent = 'reconnecting…'
      status.className = 'connection down'
    }
    source.onmessage = (message) => render(JSON.parse(message.data))
  }

  for (const button of document.querySelectorAll('.ranges button')) {
    button.setAttribute('aria-pressed', String(button.dataset.range === range))
    button.addEventListener('click', () => {
      range = button.dataset.range
      for (const b of document.querySelectorAll('.ranges button'))
        b.setAttribute('aria-pressed', String(b === button))
      const url = new URL(location.href)
      url.searchParams.set('range', range)
      history.replaceState(null, '', url)
      connect()
    })
  }

  makeCharts()
  connect()
})()
