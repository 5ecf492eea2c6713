import { appendFileSync, renameSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { burstRule } from '../src/aggregation.js'
import { formatCombinedD } from '../src/apache-log.js'
import { type RunResult, run } from '../src/topology.js'

const controllers: AbortController[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const controller of controllers.splice(0)) controller.abort()
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

/** Runs the topology for `ms` of traffic, then stops it and returns what it observed. */
async function runFor(ms: number, options: Parameters<typeof run>[0]): Promise<RunResult> {
  const controller = new AbortController()
  controllers.push(controller)
  const timer = setTimeout(() => controller.abort(), ms)
  try {
    return await run({ ...options, signal: controller.signal })
  } finally {
    clearTimeout(timer)
  }
}

/** A rule quick enough for a few seconds of traffic: 5xx ≥ 8 within 2 s, for 1 s; resolves at none. */
const QUICK_RULE = burstRule({
  threshold: 8,
  resolveThreshold: 1,
  windowMs: 2_000,
  forMs: 1_000,
  cooldownMs: 0,
})

describe('the embedded topology', () => {
  it('counts exactly what the site logged (with a log rotation), and the 5xx incident fires the alert, which resolves after it', async () => {
    const result = await runFor(7_000, {
      rate: 150,
      seed: 7,
      dashboard: false,
      top: 10,
      rules: [QUICK_RULE],
      allowedLatenessMs: 1_000,
      rotateEveryMs: 2_500,
      incidents: [{ kind: '5xx', atMs: 1_000, durationMs: 2_000, errorShare: 0.7 }],
    })
    const site = result.site
    if (site === null) throw new Error('the embedded site reported nothing')
    const { report } = result

    // nothing lost, nothing counted twice
    expect(site.requests).toBeGreaterThan(500)
    expect(report.requests).toBe(site.requests)
    expect(report.failedLines).toBe(0)
    expect(report.bandwidth).toBe(site.bytes)
    expect(report.statusCodes).toEqual(site.statuses)
    expect(result.parser.lines).toBe(site.requests)
    // what the generator got back is what the site logged
    expect(result.traffic?.statuses).toEqual(site.statuses)

    // the top paths are the site's own busiest paths, with their exact counts
    const sitePaths = Object.entries(site.paths).sort((a, b) => b[1] - a[1])
    for (const row of report.paths.slice(0, 5)) {
      expect(row.count).toBe(site.paths[row.key])
      expect(row.lowerBound).toBeLessThanOrEqual(row.count)
      expect(row.upperBound).toBeGreaterThanOrEqual(row.count)
    }
    expect(report.paths[0]?.count).toBe(sitePaths[0]?.[1])

    // the incident: pending, then firing, then resolved once the 5xx stopped
    const states = result.alerts.map((event) => event.state)
    expect(site.statuses['500'] ?? 0).toBeGreaterThan(0)
    expect(states).toContain('firing')
    const fired = states.indexOf('firing')
    expect(states.slice(0, fired)).toContain('pending')
    expect(states.slice(fired)).toContain('resolved')
    const firing = result.alerts[fired]
    expect(firing?.value).toBeGreaterThanOrEqual(QUICK_RULE.threshold)
    expect(firing?.rule).toBe('5xx-burst')
  }, 30_000)
})

describe('following files', () => {
  it('reads several files at once, through a rotation, and counts every line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'web-stats-follow-'))
    dirs.push(dir)
    const a = join(dir, 'a.log')
    const b = join(dir, 'b.log')
    await writeFile(a, '')
    await writeFile(b, '')
    const controller = new AbortController()
    controllers.push(controller)
    const line = (k: number, status: number): string =>
      formatCombinedD({
        remoteHost: `198.51.100.${k % 250}`,
        remoteUser: null,
        time: Date.now(),
        requestLine: `GET /page/${k % 7} HTTP/1.1`,
        status,
        bytes: 100 + k,
        referer: null,
        userAgent: 'curl/8.5.0',
        durationUs: 1_000 + k,
      })
    let written = 0
    let bytes = 0
    let started!: () => void
    const ready = new Promise<void>((resolve) => {
      started = resolve
    })
    const running = run({
      signal: controller.signal,
      source: { kind: 'follow', paths: [a, b], format: 'combined_d' },
      dashboard: false,
      onReady: () => started(),
    })
    await Promise.race([
      ready,
      running.then(() => Promise.reject(new Error('the run ended before it was ready'))),
    ])
    // followers begin at the end of the files: give them a moment to open them
    await new Promise((resolve) => setTimeout(resolve, 300))
    for (let k = 0; k < 300; k++) {
      appendFileSync(k % 2 === 0 ? a : b, line(k, k % 10 === 0 ? 404 : 200))
      written++
      bytes += 100 + k
      if (k === 150) renameSync(a, `${a}.1`) // rotation by rename; the next lines go to a new a.log
      if (k % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    appendFileSync(b, 'this line is not a log line\n')
    // let the followers drain the old a.log and open the new one (rotateWaitMs is 1 s)
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    controller.abort()
    const result = await running
    expect(result.report.requests).toBe(written)
    expect(result.report.bandwidth).toBe(bytes)
    expect(result.report.statusCodes).toEqual({ '200': 270, '404': 30 })
    expect(result.report.failedLines).toBe(1)
    expect(result.parser.bad).toBe(1)
    expect(result.sources.map((s) => s.name).sort()).toEqual(['a.log', 'b.log'])
  }, 30_000)
})
