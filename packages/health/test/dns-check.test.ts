import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { isShoalError } from '@shoal/core'
import { afterEach, describe, expect, it } from 'vitest'
import { dnsCheck } from '../src/checks/dns-check.js'
import { HealthChecker } from '../src/health-checker.js'
import { dnsResponder, reply } from './dns-responder.js'
import { closeAll, nextState, onClose } from './servers.js'

afterEach(closeAll)

const signal = () => AbortSignal.timeout(5000)

async function reason(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof Error)) throw new Error('expected the check to fail')
  return error.message
}

describe('dnsCheck against a UDP responder on 127.0.0.1', () => {
  it('sends a real query and passes on NOERROR (by default RD set, type A)', async () => {
    const server = await dnsResponder((q) => reply(q))
    const target = `127.0.0.1:${server.port}`
    await expect(dnsCheck({ name: 'Example.com.' })(target, { signal: signal() })).resolves.toBeUndefined()
    await expect(
      dnsCheck({ name: 'example.com', type: 'AAAA', recursionDesired: false, nonEmpty: true })(target, {
        signal: signal(),
      }),
    ).resolves.toBeUndefined()
    const [first, second] = server.queries
    expect(first?.readUInt16BE(2)).toBe(0x0100)
    expect(first?.subarray(12).toString('latin1')).toBe('\x07example\x03com\x00\x00\x01\x00\x01')
    expect(second?.readUInt16BE(2)).toBe(0)
    expect(second?.readUInt16BE(second.length - 4)).toBe(28)
    expect(first?.readUInt16BE(0)).not.toBe(second?.readUInt16BE(0)) // fresh ids (1 in 65,536 to collide)
  })

  it('checks the rcode: NOERROR by default, or the set given', async () => {
    const server = await dnsResponder((q) => reply(q, { rcode: 3, answers: 0 }))
    const target = `127.0.0.1:${server.port}`
    expect(await reason(dnsCheck({ name: 'gone.example' })(target, { signal: signal() }))).toBe(
      'DNS reply NXDOMAIN for gone.example',
    )
    await expect(
      dnsCheck({ name: 'gone.example', rcode: ['NOERROR', 'NXDOMAIN'] })(target, { signal: signal() }),
    ).resolves.toBeUndefined()
    server.answer((q) => reply(q, { rcode: 2, answers: 0 }))
    expect(await reason(dnsCheck({ name: 'x.example', rcode: 3 })(target, { signal: signal() }))).toBe(
      'DNS reply SERVFAIL for x.example',
    )
  })

  it('optionally requires a non-empty answer section', async () => {
    const server = await dnsResponder((q) => reply(q, { answers: 0 }))
    const target = `127.0.0.1:${server.port}`
    await expect(dnsCheck({ name: 'example.com' })(target, { signal: signal() })).resolves.toBeUndefined()
    expect(
      await reason(dnsCheck({ name: 'example.com', nonEmpty: true })(target, { signal: signal() })),
    ).toBe('DNS reply NOERROR for example.com has no answer')
  })

  it('fails, never throws, on garbage, foreign or cut replies', async () => {
    const server = await dnsResponder(() => randomBytes(40))
    const target = `127.0.0.1:${server.port}`
    const check = dnsCheck({ name: 'example.com' })
    expect(await reason(check(target, { signal: signal() }))).toMatch(/^DNS reply from 127\.0\.0\.1:\d+: /)
    server.answer((q) => reply(q, { id: (q.readUInt16BE(0) + 1) & 0xffff }))
    expect(await reason(check(target, { signal: signal() }))).toMatch(/reply id \d+ does not match query id/)
    server.answer((q) => reply(q, { cut: 11 }))
    expect(await reason(check(target, { signal: signal() }))).toMatch(/shorter than a DNS header/)
    server.answer(() => Buffer.alloc(0))
    expect(await reason(check(target, { signal: signal() }))).toMatch(/reply of 0 bytes/)
  })

  it('is aborted by its signal when the server stays silent', async () => {
    const server = await dnsResponder(() => undefined)
    const controller = new AbortController()
    const arrived = server.nextQuery()
    const pending = dnsCheck({ name: 'example.com' })(`127.0.0.1:${server.port}`, {
      signal: controller.signal,
    })
    await arrived
    controller.abort(new Error('timed out'))
    await expect(pending).rejects.toThrow('timed out')
  })

  it('fails at once on a closed port (ICMP port unreachable on the connected socket)', async () => {
    const socket = createSocket('udp4')
    socket.bind(0, '127.0.0.1')
    await once(socket, 'listening')
    const { port } = socket.address() as AddressInfo
    await new Promise<void>((resolve) => socket.close(() => resolve()))
    expect(
      await reason(dnsCheck({ name: 'example.com' })(`127.0.0.1:${port}`, { signal: signal() })),
    ).toMatch(/ECONNREFUSED/)
  })

  it('refuses bad options at once', () => {
    for (const [options, message] of [
      [{ name: 'a'.repeat(64) }, /label of 64 bytes/],
      [{ name: 'example.com', type: 'BOGUS' }, /type must be one of A, NS/],
      [{ name: 'example.com', type: 0 }, /type must be/],
      [{ name: 'example.com', rcode: 'WHATEVER' }, /rcode must be one of NOERROR/],
      [{ name: 'example.com', rcode: 16 }, /rcode must be/],
      [{ name: 'example.com', port: 70000 }, /port must be an integer in 1–65535/],
      [undefined, /options with a name to query are required/],
    ] as const) {
      let error: unknown
      try {
        dnsCheck(options as never)
      } catch (err) {
        error = err
      }
      expect(isShoalError(error, 'ERR_INVALID_ARGUMENT')).toBe(true)
      expect((error as Error).message).toMatch(message)
    }
  })
})

describe('HealthChecker with a DNS check', () => {
  it('takes a server down when it starts answering SERVFAIL, and up when it recovers', async () => {
    const server = await dnsResponder((q) => reply(q))
    const target = `127.0.0.1:${server.port}`
    const health = new HealthChecker({ defaults: { interval: 30, timeout: 25, rise: 2, fall: 2, jitter: 0 } })
    onClose(() => health.stop())
    health.add(target, { check: dnsCheck({ name: 'example.com', nonEmpty: true }) })
    await health.start()
    await health.ready({ signal: signal() })
    expect(health.stateOf(target)).toBe('up')
    server.answer((q) => reply(q, { rcode: 2, answers: 0 }))
    expect((await nextState(health, target, 'down'))?.reason).toBe(
      '2 consecutive checks failed: DNS reply SERVFAIL for example.com',
    )
    server.answer((q) => reply(q))
    await nextState(health, target, 'up')
  })
})
