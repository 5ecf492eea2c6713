import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { isShoalError, MAX_UDP_PAYLOAD, openUdpPort, type UdpPort } from '../src/index.js'

let ports: UdpPort[] = []

afterEach(async () => {
  await Promise.all(ports.map((port) => port.close()))
  ports = []
})

async function open(options: Parameters<typeof openUdpPort>[0] = {}): Promise<UdpPort> {
  const port = await openUdpPort(options)
  ports.push(port)
  return port
}

/** Resolves with the next `count` datagrams `port` receives, as text with their senders. */
function receive(port: UdpPort, count: number): Promise<Array<[string, string]>> {
  return new Promise((resolve) => {
    const got: Array<[string, string]> = []
    port.onDatagram((data, from) => {
      got.push([Buffer.from(data).toString(), from])
      if (got.length === count) resolve(got)
    })
  })
}

describe('openUdpPort', () => {
  for (const host of ['127.0.0.1', '::1']) {
    it(`round-trips datagrams on ${host}`, async () => {
      const a = await open({ host })
      const b = await open({ host })
      const expected = host === '::1' ? /^\[::1\]:\d+$/ : /^127\.0\.0\.1:\d+$/
      expect(a.address).toMatch(expected)
      expect(a.boundAddress).toBe(a.address)
      const atB = receive(b, 1)
      a.send(b.address, Buffer.from('ping'))
      expect(await atB).toEqual([['ping', a.address]])
      const atA = receive(a, 1)
      b.send(a.address, new TextEncoder().encode('pong'))
      const [[text, from] = ['', '']] = await atA
      expect(text).toBe('pong')
      expect(from).toBe(b.address)
      expect(a.stats()).toMatchObject({ sent: 1, received: 1, sendErrors: 0, handlerErrors: 0, dropped: 0 })
    })
  }

  it('advertises the given address and keeps the bound one apart', async () => {
    const port = await open({ advertise: '203.0.113.7:7946' })
    expect(port.address).toBe('203.0.113.7:7946')
    expect(port.boundAddress).toMatch(/^127\.0\.0\.1:\d+$/)
    const v6 = await open({ host: '::1', advertise: '[2001:db8::7]:7946' })
    expect(v6.address).toBe('[2001:db8::7]:7946')
    await expect(openUdpPort({ advertise: 'nat-box' })).rejects.toSatisfy((err) =>
      isShoalError(err, 'ERR_INVALID_ARGUMENT'),
    )
  })

  it('throws ERR_INVALID_ARGUMENT for malformed addresses and options', async () => {
    const port = await open()
    for (const bad of [
      'nowhere',
      '127.0.0.1',
      '127.0.0.1:',
      '127.0.0.1:0',
      '127.0.0.1:65536',
      '127.0.0.1:80x',
      'example.com:53',
      '::1:7946',
      '[::1]7946',
      '[127.0.0.1]:53',
      '[::1:53',
      '',
    ])
      expect(() => port.send(bad, Buffer.from('x')), bad).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      )
    await expect(openUdpPort({ host: 'localhost' })).rejects.toSatisfy((err) =>
      isShoalError(err, 'ERR_INVALID_ARGUMENT'),
    )
    await expect(openUdpPort({ port: 70_000 })).rejects.toSatisfy((err) =>
      isShoalError(err, 'ERR_INVALID_ARGUMENT'),
    )
    await expect(openUdpPort({ recvBufferSize: -1 })).rejects.toSatisfy((err) =>
      isShoalError(err, 'ERR_INVALID_ARGUMENT'),
    )
  })

  it('reports a port already taken as ERR_BIND_FAILED', async () => {
    const taken = await open()
    const port = Number(taken.boundAddress.split(':')[1])
    await expect(openUdpPort({ port })).rejects.toSatisfy((err) => isShoalError(err, 'ERR_BIND_FAILED'))
  })

  it('accepts buffer sizes', async () => {
    const a = await open({ recvBufferSize: 1 << 18, sendBufferSize: 1 << 18 })
    const b = await open()
    const atA = receive(a, 1)
    b.send(a.address, Buffer.from('sized'))
    expect((await atA)[0]?.[0]).toBe('sized')
  })

  it('keeps delivering after a handler throws, and counts the throw', async () => {
    const a = await open()
    const b = await open()
    const seen: string[] = []
    let delivered: () => void = () => {}
    const second = new Promise<void>((resolve) => {
      delivered = resolve
    })
    b.onDatagram((data) => {
      const text = Buffer.from(data).toString()
      seen.push(text)
      if (text === 'first') throw new Error('handler bug')
      delivered()
    })
    a.send(b.address, Buffer.from('first'))
    // Sent only once the first has arrived, so the order is fixed.
    while (seen.length === 0) await new Promise((resolve) => setImmediate(resolve))
    a.send(b.address, Buffer.from('second'))
    await second
    expect(seen).toEqual(['first', 'second'])
    expect(b.stats()).toMatchObject({ received: 2, handlerErrors: 1 })
  })

  it('counts and drops oversize datagrams and failed sends without throwing', async () => {
    const a = await open()
    const b = await open()
    a.send(b.address, new Uint8Array(MAX_UDP_PAYLOAD + 1))
    expect(a.stats()).toMatchObject({ sent: 0, dropped: 1, sendErrors: 0 })
    // An IPv4 socket cannot reach an IPv6 peer: counted, not thrown.
    a.send('[::1]:9', Buffer.from('x'))
    const atB = receive(b, 1)
    a.send(b.address, new Uint8Array(MAX_UDP_PAYLOAD))
    const [[text] = ['']] = await atB
    expect(text.length).toBe(MAX_UDP_PAYLOAD)
    while (a.stats().sendErrors === 0) await new Promise((resolve) => setImmediate(resolve))
    expect(a.stats()).toMatchObject({ sent: 1, dropped: 1, sendErrors: 1 })
  })

  it('counts datagrams that arrive with no handler as dropped', async () => {
    const a = await open()
    const b = await open()
    a.send(b.address, Buffer.from('nobody'))
    while (b.stats().received === 0) await new Promise((resolve) => setImmediate(resolve))
    expect(b.stats()).toMatchObject({ received: 1, dropped: 1 })
  })

  it('closes idempotently and refuses to send afterwards', async () => {
    const port = await open()
    const first = port.close()
    expect(port.close()).toBe(first)
    await first
    await port.close()
    expect(port.closed).toBe(true)
    expect(() => port.send('127.0.0.1:9', Buffer.from('x'))).toThrow(
      expect.objectContaining({ code: 'ERR_PORT_CLOSED' }),
    )
    // The port number is free again.
    const again = await open({ port: Number(port.boundAddress.split(':')[1]) })
    expect(again.boundAddress).toBe(port.boundAddress)
  })

  it('closes when the signal aborts, and refuses an aborted signal', async () => {
    const controller = new AbortController()
    const port = await open({ signal: controller.signal })
    expect(port.closed).toBe(false)
    controller.abort()
    expect(port.closed).toBe(true)
    await port.close()
    await expect(openUdpPort({ signal: AbortSignal.abort(new Error('early')) })).rejects.toThrow('early')
  })

  it('disposes with await using', async () => {
    let held: UdpPort | undefined
    {
      await using port = await openUdpPort()
      held = port
      expect(held.closed).toBe(false)
    }
    expect(held.closed).toBe(true)
  })

  it('does not keep the process alive', async () => {
    const source = pathToFileURL(fileURLToPath(new URL('../src/udp-port.ts', import.meta.url))).href
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
    const child = spawn(
      process.execPath,
      [
        '--import',
        tsx,
        '--input-type=module',
        '--eval',
        `import { openUdpPort } from ${JSON.stringify(source)}
         const port = await openUdpPort()
         port.onDatagram(() => {})
         port.send(port.address, new Uint8Array(1))
         process.stdout.write('open ' + port.address + '\\n')`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    child.stdout.on('data', (data: Buffer) => {
      out += data.toString()
    })
    child.stderr.on('data', (data: Buffer) => {
      out += data.toString()
    })
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
    )
    clearTimeout(killer)
    expect(out).toMatch(/^open 127\.0\.0\.1:\d+\n$/)
    expect([code, signal]).toEqual([0, null])
  })
})
