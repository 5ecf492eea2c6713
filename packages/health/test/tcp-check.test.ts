import { createServer } from 'node:net'
import { isShoalError } from '@shoal/core'
import { afterEach, describe, expect, it } from 'vitest'
import { tcpCheck } from '../src/checks/tcp-check.js'
import { HealthChecker } from '../src/health-checker.js'
import { closeAll, closedPort, nextState, onClose, tcpServer } from './servers.js'

afterEach(closeAll)

const signal = () => new AbortController().signal

describe('tcpCheck', () => {
  it('passes against a listening server, the address taken from the target name', async () => {
    const server = await tcpServer()
    await expect(tcpCheck()(`127.0.0.1:${server.port}`, { signal: signal() })).resolves.toBeUndefined()
    await expect(
      tcpCheck({ host: '127.0.0.1', port: server.port })('any-name', { signal: signal() }),
    ).resolves.toBeUndefined()
    await server.acceptedAtLeast(2)
    expect(server.accepted).toBe(2)
  })

  it('passes against a server that accepts and never answers (a connect check does not read)', async () => {
    const server = await tcpServer()
    await expect(tcpCheck()(`127.0.0.1:${server.port}`, { signal: signal() })).resolves.toBeUndefined()
  })

  it('fails with the reason against a closed port', async () => {
    const port = await closedPort()
    const error = await tcpCheck()(`127.0.0.1:${port}`, { signal: signal() }).catch((e: unknown) => e)
    expect(isShoalError(error, 'ERR_CHECK_FAILED')).toBe(true)
    expect((error as Error).message).toMatch(/ECONNREFUSED/)
  })

  it('connects over IPv6 to [::1]:port where the host has ::1', async (context) => {
    const probe = createServer()
    const ok = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false))
      probe.listen(0, '::1', () => resolve(true))
    })
    probe.close()
    if (!ok) {
      context.skip('::1 is not configured on this host')
      return
    }
    const server = await tcpServer(0, '::1')
    await expect(tcpCheck()(`[::1]:${server.port}`, { signal: signal() })).resolves.toBeUndefined()
  })

  it('rejects with the signal’s reason when aborted, and when no address can be found', async () => {
    const controller = new AbortController()
    controller.abort(new Error('stop now'))
    await expect(tcpCheck()('127.0.0.1:1', { signal: controller.signal })).rejects.toThrow('stop now')
    const error = await tcpCheck()('no-port-here', { signal: signal() }).catch((e: unknown) => e)
    expect(isShoalError(error, 'ERR_INVALID_ARGUMENT')).toBe(true)
    expect((error as Error).message).toMatch(/name the target 'host:port'/)
  })

  it('refuses bad options at once', () => {
    expect(() => tcpCheck({ port: 0 })).toThrow(/port must be an integer in 1–65535/)
    expect(() => tcpCheck({ host: '' })).toThrow(/host must be a non-empty string/)
  })
})

describe('HealthChecker with real TCP servers', () => {
  it('follows a server that goes down and comes back on the same port', async () => {
    const server = await tcpServer()
    const target = `127.0.0.1:${server.port}`
    const health = new HealthChecker({ defaults: { interval: 40, timeout: 30, rise: 2, fall: 2, jitter: 0 } })
    onClose(() => health.stop())
    health.add(target, { check: tcpCheck() })
    await health.start()
    await health.ready({ signal: AbortSignal.timeout(5000) })
    expect(health.stateOf(target)).toBe('up')

    await server.close()
    const down = await nextState(health, target, 'down')
    expect(down?.reason).toMatch(/^2 consecutive checks failed: connect to .* failed: .*ECONNREFUSED/)

    const again = await tcpServer(server.port)
    const up = await nextState(health, target, 'up')
    expect(up?.reason).toBe('2 consecutive checks passed')
    await again.acceptedAtLeast(2)
  })
})
