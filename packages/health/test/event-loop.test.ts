import { afterEach, expect, it } from 'vitest'
import type { Check } from '../src/checks/check.js'
import { HealthChecker } from '../src/health-checker.js'

const checkers: HealthChecker[] = []

afterEach(async () => {
  for (const checker of checkers.splice(0)) await checker.stop()
})

it('never starves the event loop, even when thousands of checks complete at once every millisecond', async () => {
  const targets = 2000
  let probes = 0
  let sinceTurn = 0
  let starved = false
  const turns = setInterval(() => {
    sinceTurn = 0
  }, 0)
  const health = new HealthChecker({
    maxInFlight: targets,
    defaults: { interval: 1, timeout: 1, jitter: 0, passive: false },
  })
  checkers.push(health)
  // if probes keep completing without the event loop turning, stop the checker (which ends any
  // such loop) and fail, rather than hang the test
  const check: Check = async () => {
    probes++
    if (++sinceTurn > targets * 20 && !starved) {
      starved = true
      void health.stop()
    }
  }
  for (let i = 0; i < targets; i++) health.add(`t${i}`, { check })
  await health.start()
  // a timer must fire while the checker runs flat out
  await new Promise<void>((resolve) => setTimeout(resolve, 50))
  clearInterval(turns)
  await health.stop()
  expect(starved).toBe(false)
  expect(probes).toBeGreaterThan(targets) // a second round started: it did run flat out
})
