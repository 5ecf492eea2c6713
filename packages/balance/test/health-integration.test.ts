import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { HealthChecker, httpCheck } from '@shoal/health'
import { afterEach, describe, expect, it } from 'vitest'
import { Balancer } from '../src/balancer.js'
import { Cluster } from '../src/cluster.js'
import { roundRobin } from '../src/pickers/round-robin.js'

// A balancer fed by a real health checker over real HTTP servers on loopback: the HealthSource
// interface end to end, with nothing mocked.
const servers: Server[] = []
let checker: HealthChecker | undefined

afterEach(async () => {
  await checker?.stop()
  checker = undefined
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    server.close()
  }
})

async function backend(): Promise<{ id: string; setHealthy(ok: boolean): void }> {
  let healthy = true
  const server = createServer((_req, res) => {
    res.statusCode = healthy ? 200 : 503
    res.end()
  }).listen(0, '127.0.0.1')
  servers.push(server)
  await once(server, 'listening')
  return { id: `127.0.0.1:${(server.address() as AddressInfo).port}`, setHealthy: (ok) => (healthy = ok) }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 5000) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('balance fed by @shoal/health', () => {
  it('stops picking a backend whose checks fail, and picks it again once they pass', async () => {
    const backends = await Promise.all([backend(), backend(), backend()])
    const cluster = new Cluster(backends.map(({ id }) => ({ id })))
    checker = new HealthChecker({ defaults: { interval: 50, timeout: 40, rise: 1, fall: 1, jitter: 0 } })
    for (const { id } of backends) checker.add(id, { check: httpCheck() })
    const stop = cluster.follow(checker)
    await checker.start()
    await checker.ready({ signal: AbortSignal.timeout(5000) })
    const lb = new Balancer(cluster, { picker: roundRobin() })
    const picked = () => new Set(Array.from({ length: 30 }, () => lb.pick()?.id))

    expect(picked()).toEqual(new Set(backends.map(({ id }) => id)))
    const sick = backends[1] as (typeof backends)[number]
    sick.setHealthy(false)
    await until(() => cluster.stateOf(sick.id) === 'down', 'the failing backend to go down')
    expect(cluster.reasonOf(sick.id)).toMatch(/503/)
    expect(picked().has(sick.id)).toBe(false)

    sick.setHealthy(true)
    await until(() => cluster.stateOf(sick.id) === 'up', 'the backend to come back')
    expect(picked().has(sick.id)).toBe(true)
    stop()
  })
})
