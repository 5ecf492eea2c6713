import { isShoalError } from '@shoal/core'
import { afterEach, describe, expect, it } from 'vitest'
import { httpCheck } from '../src/checks/http-check.js'
import { HealthChecker } from '../src/health-checker.js'
import {
  closeAll,
  closedPort,
  httpServer,
  httpsServer,
  nextState,
  onClose,
  TLS,
  tcpServer,
} from './servers.js'

afterEach(closeAll)

const signal = () => AbortSignal.timeout(5000)

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof Error)) throw new Error('expected the check to fail')
  return error
}

describe('httpCheck', () => {
  it('sends the method, path, Host and User-Agent asked for, on a fresh connection', async () => {
    const server = await httpServer((_req, res) => res.end('ok'))
    const check = httpCheck({
      method: 'head',
      path: '/healthz?deep=1',
      hostHeader: 'www.example.com',
      userAgent: 'probe/1.0',
      headers: { 'x-check': 'yes' },
    })
    await check(`127.0.0.1:${server.port}`, { signal: signal() })
    await check(`127.0.0.1:${server.port}`, { signal: signal() })
    expect(server.requests).toHaveLength(2)
    const [request] = server.requests
    expect(request?.method).toBe('HEAD')
    expect(request?.url).toBe('/healthz?deep=1')
    expect(request?.headers.host).toBe('www.example.com')
    expect(request?.headers['user-agent']).toBe('probe/1.0')
    expect(request?.headers['x-check']).toBe('yes')
    expect(request?.headers.connection).toBe('close')
    await server.acceptedAtLeast(2)
    expect(server.accepted).toBe(2)
  })

  it('passes 2xx and 3xx by default, and exactly the statuses given when given', async () => {
    let status = 200
    const server = await httpServer((_req, res) => {
      res.statusCode = status
      res.end()
    })
    const target = `127.0.0.1:${server.port}`
    for (status of [200, 204, 301, 399])
      await expect(httpCheck()(target, { signal: signal() })).resolves.toBeUndefined()
    status = 503
    const error = await failure(httpCheck()(target, { signal: signal() }))
    expect(isShoalError(error, 'ERR_CHECK_FAILED')).toBe(true)
    expect(error.message).toBe('GET /: status 503 not accepted')
    await expect(httpCheck({ status: [200, 503] })(target, { signal: signal() })).resolves.toBeUndefined()
    status = 200
    expect((await failure(httpCheck({ status: [204] })(target, { signal: signal() }))).message).toMatch(
      /status 200 not accepted/,
    )
    await expect(
      httpCheck({ status: (code) => code === 200 })(target, { signal: signal() }),
    ).resolves.toBeUndefined()
  })

  it('matches the body against a string or a RegExp, within maxBodyBytes', async () => {
    const server = await httpServer((_req, res) => {
      res.write(`${'x'.repeat(100)}{"status":"ok"}`)
      res.end()
    })
    const target = `127.0.0.1:${server.port}`
    await expect(httpCheck({ body: '"status":"ok"' })(target, { signal: signal() })).resolves.toBeUndefined()
    await expect(
      httpCheck({ body: /"status":\s*"ok"/g })(target, { signal: signal() }),
    ).resolves.toBeUndefined()
    await expect(
      httpCheck({ body: /"status":\s*"ok"/g })(target, { signal: signal() }),
    ).resolves.toBeUndefined()
    const miss = await failure(httpCheck({ body: 'degraded' })(target, { signal: signal() }))
    expect(miss.message).toBe('GET /: body does not match degraded')
    const cut = await failure(httpCheck({ body: 'ok', maxBodyBytes: 50 })(target, { signal: signal() }))
    expect(cut.message).toMatch(/body does not match ok/)
  })

  it('fails against a closed port, and is aborted by its signal when the server never answers', async () => {
    const port = await closedPort()
    const refused = await failure(httpCheck()(`127.0.0.1:${port}`, { signal: signal() }))
    expect(refused.message).toMatch(/ECONNREFUSED/)

    const hang = await tcpServer() // accepts, never answers
    const controller = new AbortController()
    const pending = httpCheck()(`127.0.0.1:${hang.port}`, { signal: controller.signal })
    await hang.acceptedAtLeast(1)
    controller.abort(new Error('timed out'))
    await expect(pending).rejects.toThrow('timed out')
  })

  it('checks https with SNI: the servername is sent and the certificate verified against it', async () => {
    const server = await httpsServer((_req, res, sni) => {
      res.statusCode = sni === 'health.test' ? 200 : 421
      res.end(`sni=${sni}`)
    })
    const target = `127.0.0.1:${server.port}`
    const https = { scheme: 'https', ca: TLS.cert } as const
    await expect(
      httpCheck({ ...https, servername: 'health.test', body: 'sni=health.test' })(target, {
        signal: signal(),
      }),
    ).resolves.toBeUndefined()
    // the Host header's name is the default servername
    await expect(
      httpCheck({ ...https, hostHeader: 'health.test:8443' })(target, { signal: signal() }),
    ).resolves.toBeUndefined()
    // without a name, the certificate (DNS:health.test only) does not match 127.0.0.1
    const unverified = await failure(httpCheck(https)(target, { signal: signal() }))
    expect(unverified.message).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list|altnames/)
    // a name the certificate does not carry fails verification too
    const wrongName = await failure(
      httpCheck({ ...https, servername: 'other.test' })(target, { signal: signal() }),
    )
    expect(wrongName.message).toMatch(/other\.test/)
    // without verification, the server still sees the servername sent, and answers 421 to the wrong one
    const misdirected = await failure(
      httpCheck({ scheme: 'https', servername: 'other.test', rejectUnauthorized: false })(target, {
        signal: signal(),
      }),
    )
    expect(misdirected.message).toBe('GET /: status 421 not accepted')
    // and the system's CAs do not know the test certificate
    const untrusted = await failure(
      httpCheck({ scheme: 'https', servername: 'health.test' })(target, { signal: signal() }),
    )
    expect(untrusted.message).toMatch(/self.signed|unable to verify/i)
  })

  it('refuses bad options at once', () => {
    expect(() => httpCheck({ scheme: 'ftp' as never })).toThrow(/scheme must be 'http' or 'https'/)
    expect(() => httpCheck({ path: 'healthz' })).toThrow(/path must start with '\/'/)
    expect(() => httpCheck({ status: [] })).toThrow(/non-empty list/)
    expect(() => httpCheck({ status: [99] })).toThrow(/100–599/)
    expect(() => httpCheck({ method: 'GET /x' })).toThrow(/method must be a word/)
    expect(() => httpCheck({ body: 42 as never })).toThrow(/string or a RegExp/)
    expect(() => httpCheck({ maxBodyBytes: 0 })).toThrow(/maxBodyBytes/)
  })
})

describe('HealthChecker with real HTTP servers', () => {
  it('takes a hanging server down by timeout, with no probe pile-up', async () => {
    const hang = await tcpServer() // accepts and never answers
    const target = `127.0.0.1:${hang.port}`
    const health = new HealthChecker({ defaults: { interval: 50, timeout: 25, fall: 2, jitter: 0 } })
    onClose(() => health.stop())
    health.add(target, { check: httpCheck() })
    const started = performance.now()
    await health.start()
    const down = await nextState(health, target, 'down')
    expect(down?.reason).toBe('first check failed: timed out after 25 ms')
    await nextState(health, target, 'up', 600).catch(() => undefined) // it must not come up: wait the bound
    const elapsed = performance.now() - started
    await health.stop()
    const status = health.status(target)
    // one connection per probe, never more than one open at a time, about one probe per interval
    expect(hang.maxOpen).toBe(1)
    expect(status?.probes).toBeGreaterThanOrEqual(5)
    expect(status?.probes).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 1)
    // every probe timed out, but the last one, which stop() may have aborted first
    expect(status?.timedOut).toBeGreaterThanOrEqual((status?.probes ?? 0) - 1)
    expect(health.stateOf(target)).toBe('down')
  })

  it('follows a server whose health endpoint turns bad and good again', async () => {
    let healthy = true
    const server = await httpServer((_req, res) => {
      res.statusCode = healthy ? 200 : 500
      res.end(healthy ? 'ok' : 'broken')
    })
    const target = `127.0.0.1:${server.port}`
    const health = new HealthChecker({ defaults: { interval: 30, timeout: 25, rise: 2, fall: 2, jitter: 0 } })
    onClose(() => health.stop())
    health.add(target, { check: httpCheck({ path: '/health', body: 'ok' }) })
    await health.start()
    await health.ready({ signal: AbortSignal.timeout(5000) })
    expect(health.stateOf(target)).toBe('up')
    healthy = false
    expect((await nextState(health, target, 'down'))?.reason).toBe(
      '2 consecutive checks failed: GET /health: status 500 not accepted',
    )
    healthy = true
    await nextState(health, target, 'up')
  })
})
