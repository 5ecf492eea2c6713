import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Clock, isShoalError, ManualClock, type ShoalError, type TimerHandle } from '@shoal/core'
import { afterEach, describe, expect, it } from 'vitest'
import { AlertEngine } from '../src/alerts/alert-engine.js'
import type { AlertTransition } from '../src/alerts/alert-transition.js'
import { type WebhookSink, webhookSink } from '../src/alerts/webhook-sink.js'

interface Received {
  readonly body: unknown
  readonly contentType: string | undefined
  readonly authorization: string | undefined
}

type Handler = (request: IncomingMessage, response: ServerResponse, index: number) => void

let server: Server | undefined
const sinks: WebhookSink[] = []

afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.stop()
  if (server !== undefined) {
    server.closeAllConnections()
    await new Promise((resolve) => server?.close(resolve))
    server = undefined
  }
})

/** A real HTTP server on 127.0.0.1, port 0, answering with `handler`; records what it receives. */
async function startServer(
  handler: Handler,
): Promise<{ url: string; received: Received[]; arrived: () => Promise<void> }> {
  const received: Received[] = []
  const waiters: Array<() => void> = []
  server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      received.push({
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        contentType: request.headers['content-type'],
        authorization: request.headers.authorization,
      })
      handler(request, response, received.length)
      for (const wake of waiters.splice(0)) wake()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const arrived = () => new Promise<void>((resolve) => waiters.push(resolve))
  return { url: `http://127.0.0.1:${port}/hook`, received, arrived }
}

function transition(n: number, to: AlertTransition['to'] = 'firing'): AlertTransition {
  return {
    ruleId: '5xx-burst',
    dedupKey: 'http-5xx',
    from: 'pending',
    to,
    atMs: n * 1_000,
    value: 9,
    metric: 'status5xx',
    windowMs: 10_000,
    comparator: '>=',
    threshold: 5,
    resolveThreshold: 2,
    sinceMs: 0,
    sequence: n,
  }
}

function sink(options: ConstructorParameters<typeof WebhookSink>[0]): WebhookSink {
  const created = webhookSink(options)
  sinks.push(created)
  return created
}

const FAST = { backoff: { initial: 1, max: 4 } } as const

describe('webhook sink', () => {
  it('posts each transition as JSON, retrying on 500 until it is accepted', async () => {
    const { url, received } = await startServer((_req, res, index) => {
      res.statusCode = index <= 2 ? 500 : 204
      res.end()
    })
    const errors: ShoalError[] = []
    const hook = sink({
      url,
      ...FAST,
      headers: { authorization: 'Bearer t' },
      onError: (e) => errors.push(e),
    })
    hook.deliver(transition(1))
    await hook.drain()
    expect(received).toHaveLength(3)
    for (const request of received) {
      expect(request.body).toEqual(transition(1))
      expect(request.contentType).toBe('application/json')
      expect(request.authorization).toBe('Bearer t')
    }
    expect(hook.stats).toEqual({ pending: 0, sent: 1, failed: 0, retries: 2, dropped: 0 })
    expect(errors).toEqual([])
  })

  it('gives up after the configured retries and reports it', async () => {
    const { url, received } = await startServer((_req, res) => {
      res.statusCode = 503
      res.end()
    })
    const errors: ShoalError[] = []
    const hook = sink({ url, ...FAST, retries: 2, onError: (e) => errors.push(e) })
    hook.deliver(transition(1))
    hook.deliver(transition(2, 'resolved'))
    await hook.drain()
    expect(received.map((r) => (r.body as AlertTransition).sequence)).toEqual([1, 1, 1, 2, 2, 2])
    expect(hook.stats).toMatchObject({ sent: 0, failed: 2, retries: 4 })
    expect(errors.map((e) => [e.code, e.details])).toEqual([
      ['ERR_WEBHOOK_DELIVERY', { reason: 'status', status: 503, attempts: 3, ruleId: '5xx-burst' }],
      ['ERR_WEBHOOK_DELIVERY', { reason: 'status', status: 503, attempts: 3, ruleId: '5xx-burst' }],
    ])
    expect(errors[0]?.message).toBe(
      `alert 5xx-burst (firing) not delivered to ${new URL(url).origin}: answered HTTP 503 after 3 attempts`,
    )
  })

  it('does not retry a client error other than 408, 425 or 429', async () => {
    const { url, received } = await startServer((_req, res, index) => {
      res.statusCode = index === 1 ? 429 : 400
      res.end()
    })
    const hook = sink({ url, ...FAST })
    hook.deliver(transition(1))
    await hook.drain()
    expect(received).toHaveLength(2)
    expect(hook.stats).toMatchObject({ failed: 1, retries: 1 })
  })

  it('sends only firing and resolved transitions by default', async () => {
    const { url, received } = await startServer((_req, res) => res.end())
    const hook = sink({ url })
    hook.deliver(transition(1, 'pending'))
    hook.deliver(transition(2, 'firing'))
    hook.deliver(transition(3, 'inactive'))
    hook.deliver(transition(4, 'resolved'))
    await hook.drain()
    expect(received.map((r) => (r.body as AlertTransition).to)).toEqual(['firing', 'resolved'])
  })

  it('never blocks the evaluation: a hanging endpoint fills a bounded queue, then stop() aborts', async () => {
    const hanging: ServerResponse[] = []
    const { url, received, arrived } = await startServer((_req, res) => void hanging.push(res))
    const errors: string[] = []
    const hook = sink({ url, maxQueue: 3, onError: (e) => errors.push(String(e.details.reason)) })
    let value = 0
    const engine = new AlertEngine<number>({
      rules: [{ id: 'flap', metric: 'm', window: '1s', comparator: '>', threshold: 0 }],
      windows: { window: () => value },
      metrics: (v) => ({ m: v }),
      sinks: [hook],
    })
    const first = arrived()
    for (let s = 1; s <= 20; s++) {
      value = s % 2 // flaps: a firing or resolved transition each second
      engine.evaluate(s * 1_000)
    }
    expect(engine.stats.transitions).toBe(20)
    await first
    expect(received).toHaveLength(1) // one request in flight, one at a time
    expect(hook.stats).toMatchObject({ pending: 3, dropped: 17 })
    expect(errors.filter((r) => r === 'queue-full')).toHaveLength(17)
    await hook.stop()
    expect(hook.stats).toMatchObject({ pending: 0, sent: 0, dropped: 20 })
    expect(errors.filter((r) => r === 'stopped')).toHaveLength(3)
    hook.deliver(transition(99))
    expect(hook.stats.dropped).toBe(21)
  })

  it('times out a request with the injected clock and retries it', async () => {
    const hanging: ServerResponse[] = []
    const { url, arrived } = await startServer((_req, res, index) => {
      if (index === 1) hanging.push(res)
      else res.end()
    })
    const clock = new ManualClock()
    const hook = sink({ url, clock, timeout: '5s', backoff: { initial: 0 } })
    const first = arrived()
    hook.deliver(transition(1))
    await first
    const second = arrived()
    clock.advance(5_000)
    await second
    await hook.drain()
    expect(hook.stats).toMatchObject({ sent: 1, retries: 1 })
  })

  it('backs off exponentially up to the maximum (scripted fetch and clock)', async () => {
    const manual = new ManualClock()
    const delays: number[] = []
    let onTimer: (() => void) | undefined
    const clock: Clock = {
      now: () => manual.now(),
      setTimeout(callback, ms) {
        if (ms !== 10_000) {
          delays.push(ms)
          onTimer?.()
        }
        return manual.setTimeout(callback, ms)
      },
      clearTimeout: (handle: TimerHandle) => manual.clearTimeout(handle),
    }
    let calls = 0
    const fetch = (async () => {
      calls++
      throw new TypeError('connection refused')
    }) as unknown as typeof globalThis.fetch
    const errors: ShoalError[] = []
    const hook = sink({
      url: 'http://127.0.0.1:9/hook',
      clock,
      fetch,
      retries: 5,
      backoff: { initial: '100ms', factor: 3, max: '2s' },
      onError: (e) => errors.push(e),
    })
    hook.deliver(transition(1))
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        onTimer = resolve
        if (delays.length > i) resolve()
      })
      manual.advance(delays[i] as number)
    }
    await hook.drain()
    expect(delays).toEqual([100, 300, 900, 2_000, 2_000])
    expect(calls).toBe(6)
    expect(errors[0]?.details).toMatchObject({ reason: 'network', attempts: 6 })
    expect(isShoalError(errors[0], 'ERR_WEBHOOK_DELIVERY')).toBe(true)
  })

  it('stops when its signal aborts', async () => {
    const { url, arrived } = await startServer(() => {})
    const controller = new AbortController()
    const hook = sink({ url, signal: controller.signal })
    const first = arrived()
    hook.deliver(transition(1))
    await first
    controller.abort()
    await hook.drain()
    expect(hook.stats).toMatchObject({ pending: 0, dropped: 1 })
  })

  it('refuses invalid options', () => {
    for (const options of [
      { url: 'ftp://x' },
      { url: 'not a url' },
      { url: 'http://x', retries: -1 },
      { url: 'http://x', backoff: { factor: 0.5 } },
    ]) {
      let caught: unknown
      try {
        webhookSink(options)
      } catch (err) {
        caught = err
      }
      expect(isShoalError(caught, 'ERR_INVALID_ARGUMENT'), JSON.stringify(options)).toBe(true)
    }
  })
})
