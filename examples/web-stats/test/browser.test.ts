// The dashboard in a real browser (Debian's chromium, driven by playwright-core): it loads, its
// numbers move, the 5xx alert appears during the incident, and it fits a phone-width screen.
// Saves a screenshot of the live page: into the temp directory, or over docs/screenshot.png (the
// picture in the README) when UPDATE_SCREENSHOT=1.

import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BrowserContext, chromium } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'
import { burstRule } from '../src/aggregation.js'
import { type RunResult, run } from '../src/topology.js'

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path))
if (CHROMIUM === undefined)
  console.warn('skipping the dashboard browser test: no chromium at /usr/bin/chromium (.ci/run installs it)')

/** The little of the browser's globals this test reads (the project's TypeScript has no DOM types). */
interface Page {
  readonly document: { readonly documentElement: { readonly scrollWidth: number } }
  readonly innerWidth: number
  requestAnimationFrame(callback: () => void): void
}

const SCREENSHOT =
  process.env.UPDATE_SCREENSHOT === '1'
    ? fileURLToPath(new URL('../docs/screenshot.png', import.meta.url))
    : join(tmpdir(), 'shoal-web-stats-screenshot.png')

let browser: BrowserContext | undefined
let profile: string | undefined
let stop: AbortController | undefined
let running: Promise<RunResult> | undefined
afterEach(async () => {
  stop?.abort()
  await running?.catch(() => undefined)
  await browser?.close()
  if (profile !== undefined) await rm(profile, { recursive: true, force: true })
  browser = undefined
  profile = undefined
  stop = undefined
  running = undefined
})

describe.skipIf(CHROMIUM === undefined)('the dashboard in headless Chromium', () => {
  it('loads, its numbers move, the alert appears during the 5xx incident, and it fits a phone', async () => {
    stop = new AbortController()
    let url = ''
    const ready = new Promise<void>((resolve, reject) => {
      running = run({
        signal: stop?.signal,
        rate: 60,
        seed: 3,
        allowedLatenessMs: 1_000,
        rules: [burstRule({ threshold: 8, windowMs: 3_000, forMs: 1_000, cooldownMs: 0 })],
        incidents: [
          { kind: '5xx', atMs: 2_500, durationMs: 30_000, errorShare: 0.6 },
          { kind: 'slow', atMs: 1_000, durationMs: 30_000, extraMs: 1_500 },
        ],
        onReady: (info) => {
          url = info.dashboardUrl ?? ''
          resolve()
        },
      })
      running.then(() => reject(new Error('the run ended before it was ready')), reject)
    })
    await ready
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/)

    if (CHROMIUM === undefined) return
    profile = await mkdtemp(join(tmpdir(), 'web-stats-chromium-'))
    // a fresh profile directory each run (launchPersistentContext passes it as --user-data-dir)
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    const page = await browser.newPage()
    const failed: string[] = []
    page.on('requestfailed', (request) => {
      // the event stream is cut when the run stops; anything else failing is a defect
      if (!request.url().includes('/events')) failed.push(request.url())
    })
    page.on('pageerror', (error) => failed.push(error.message))
    await page.goto(url)
    await expect(page.title()).resolves.toContain('web-stats')

    // the numbers arrive, then move
    const requests = page.locator('#requests')
    const shown = async (): Promise<number> => Number((await requests.textContent())?.replace(/,/g, ''))
    await expect.poll(shown, { timeout: 10_000 }).toBeGreaterThan(0)
    const first = await shown()
    await expect.poll(shown, { timeout: 5_000 }).toBeGreaterThan(first)
    expect(await page.locator('#connection').textContent()).toBe('live')

    // the incident: the alert fires, naming its rule
    await page.waitForSelector('#alert.firing', { timeout: 15_000 })
    expect(await page.locator('#alert-state').textContent()).toBe('firing')
    expect(await page.locator('#alert-rule').textContent()).toContain('5xx ≥ 8 in 3 s for 1 s')
    expect(await page.locator('#incident').textContent()).toContain('5xx burst')
    // the tables and charts are filled
    expect(await page.locator('#t-paths tbody tr').count()).toBeGreaterThan(3)
    expect(await page.locator('#chart-rate canvas').count()).toBe(1)
    // the range selector asks the server for another range
    await page.click('button[data-range="all"]')
    await page.locator('#range-label', { hasText: 'since start' }).waitFor({ timeout: 5_000 })
    await page.click('button[data-range="5m"]')
    await page.locator('#range-label', { hasText: 'last 5 minutes' }).waitFor({ timeout: 5_000 })
    // one more snapshot of the 5-minute range, for the picture
    const updated = () => page.locator('body').getAttribute('data-updated')
    const before = await updated()
    await expect.poll(updated, { timeout: 5_000 }).not.toBe(before)
    await page.screenshot({ path: SCREENSHOT, fullPage: true })

    // phone width: nothing wider than the screen
    await page.setViewportSize({ width: 390, height: 844 })
    // two frames: the charts follow their container's width in a ResizeObserver callback
    await page.evaluate(
      () =>
        new Promise((resolve) => {
          const window = globalThis as unknown as Page
          window.requestAnimationFrame(() => window.requestAnimationFrame(() => resolve(undefined)))
        }),
    )
    const overflow = await page.evaluate(() => {
      const window = globalThis as unknown as Page
      return window.document.documentElement.scrollWidth - window.innerWidth
    })
    expect(overflow).toBeLessThanOrEqual(0)

    expect(failed).toEqual([])
  }, 60_000)
})
