import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DnsServer } from '../../src/server/dns-server.js'
import { TcpClient, udpExchange } from './net-helpers.js'
import { decode, query } from './packets.js'
import { ZONE } from './zone-fixture.js'

let dir: string
let server: DnsServer | undefined

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-dns-server-'))
  await writeFile(join(dir, 'example.com.zone'), ZONE)
})

afterEach(async () => {
  await server?.stop()
  server = undefined
  await rm(dir, { recursive: true, force: true })
})

interface ConfigOverrides {
  readonly [key: string]: unknown
}

async function start(overrides: ConfigOverrides = {}): Promise<DnsServer> {
  const config = {
    listen: ['127.0.0.1:0', '[::1]:0'],
    zones: [{ origin: 'example.com', file: 'example.com.zone' }],
    pools: { web: { answers: [{ id: 'w1', value: '192.0.2.11' }] } },
    dynamic: [{ name: 'dyn.example.com', type: 'A', pool: 'web' }],
    rrl: false,
    http: '127.0.0.1:0',
    ...overrides,
  }
  await writeFile(join(dir, 'dns.json'), JSON.stringify(config, null, 2))
  server = new DnsServer({ configFile: join(dir, 'dns.json') })
  await server.start()
  return server
}

function bound(
  s: DnsServer,
  transport: 'udp' | 'tcp' | 'http',
  family: 4 | 6 = 4,
): { address: string; port: number } {
  const found = s
    .addresses()
    .find((a) => a.transport === transport && a.address.includes(':') === (family === 6))
  if (found === undefined) throw new Error(`no ${transport} IPv${family} listener`)
  return found
}

describe('DnsServer over UDP and TCP', () => {
  it('answers over UDP and TCP on 127.0.0.1 and ::1', async () => {
    const s = await start()
    for (const family of [4, 6] as const) {
      const udp = bound(s, 'udp', family)
      const reply = decode(
        await udpExchange(udp.address, udp.port, query({ name: 'www.example.com', id: 7 })),
      )
      expect(reply.id).toBe(7)
      expect(reply.answers).toHaveLength(3)
      const dyn = decode(await udpExchange(udp.address, udp.port, query({ name: 'dyn.example.com' })))
      expect(dyn.answers.map((a) => a.data)).toEqual(['192.0.2.11'])
      const tcp = bound(s, 'tcp', family)
      expect(tcp.port).toBe(udp.port)
      const client = await TcpClient.connect(tcp.address, tcp.port)
      client.send(query({ name: 'www.example.com', id: 8 }))
      await client.waitFor(1)
      expect(decode(client.replies[0]).id).toBe(8)
      client.close()
    }
  })

  it('gives no reply over UDP to a response packet', async () => {
    const s = await start()
    const udp = bound(s, 'udp')
    expect(
      await udpExchange(udp.address, udp.port, query({ name: 'www.example.com', qr: true }), 300),
    ).toBeUndefined()
    expect(s.counters.values.dropped).toBe(1)
  })

  it('answers pipelined TCP queries in order, across a split length prefix', async () => {
    const s = await start()
    const tcp = bound(s, 'tcp')
    const client = await TcpClient.connect(tcp.address, tcp.port)
    const stream = Buffer.concat(
      [1, 2, 3].map((id) => {
        const q = query({ name: 'www.example.com', id })
        return Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q])
      }),
    )
    // the first query's length prefix split between two writes, the rest in one
    client.write(stream.subarray(0, 1))
    await new Promise((resolve) => setImmediate(resolve))
    client.write(stream.subarray(1, 20))
    client.write(stream.subarray(20))
    await client.waitFor(3)
    expect(client.replies.map((r) => decode(r).id)).toEqual([1, 2, 3])
    client.close()
  })

  it('closes a TCP connection on a zero-length frame, after answering what came before', async () => {
    const s = await start()
    const tcp = bound(s, 'tcp')
    const client = await TcpClient.connect(tcp.address, tcp.port)
    client.send(query({ name: 'www.example.com', id: 5 }))
    client.write(Uint8Array.of(0, 0))
    await client.closed
    expect(client.replies.map((r) => decode(r).id)).toEqual([5])
  })

  it('closes an idle TCP connection after the idle timeout, and counts it', async () => {
    const s = await start({ tcp: { idleTimeoutMs: 150 } })
    const tcp = bound(s, 'tcp')
    const client = await TcpClient.connect(tcp.address, tcp.port)
    const opened = Date.now()
    await client.closed
    expect(Date.now() - opened).toBeGreaterThanOrEqual(100)
    expect(s.counters.values.tcpTimeouts).toBe(1)
  })

  it('refuses TCP connections beyond the per-client cap and the total cap', async () => {
    const s = await start({ tcp: { maxConnections: 3, maxConnectionsPerClient: 2 } })
    const tcp = bound(s, 'tcp')
    const a = await TcpClient.connect(tcp.address, tcp.port)
    const b = await TcpClient.connect(tcp.address, tcp.port)
    const c = await TcpClient.connect(tcp.address, tcp.port)
    await c.closed
    expect(s.counters.values.tcpRejected).toBe(1)
    // a and b still answer
    a.send(query({ name: 'www.example.com', id: 1 }))
    b.send(query({ name: 'www.example.com', id: 2 }))
    await Promise.all([a.waitFor(1), b.waitFor(1)])
    // from another address (::1), one more fits the total of 3, the next does not
    const tcp6 = bound(s, 'tcp', 6)
    const d = await TcpClient.connect(tcp6.address, tcp6.port)
    d.send(query({ name: 'www.example.com', id: 3 }))
    await d.waitFor(1)
    const e = await TcpClient.connect(tcp6.address, tcp6.port)
    await e.closed
    expect(s.counters.values.tcpRejected).toBe(2)
    for (const client of [a, b, d]) client.close()
  })

  it('truncates a large answer over UDP, and the client gets it whole over TCP', async () => {
    const s = await start()
    const udp = bound(s, 'udp')
    const truncated = decode(
      await udpExchange(udp.address, udp.port, query({ name: 'big.example.com', edns: {} })),
    )
    expect(truncated.tc).toBe(true)
    expect(truncated.answers).toEqual([])
    const tcp = bound(s, 'tcp')
    const client = await TcpClient.connect(tcp.address, tcp.port)
    client.send(query({ name: 'big.example.com', edns: {} }))
    await client.waitFor(1)
    const whole = decode(client.replies[0])
    expect(whole.tc).toBe(false)
    expect(whole.answers).toHaveLength(100)
    client.close()
  })

  it('does not read further queries while the client does not read its replies (backpressure)', async () => {
    const s = await start()
    const tcp = bound(s, 'tcp')
    const client = await TcpClient.connect(tcp.address, tcp.port)
    client.socket.pause()
    // 4,000 queries for 1.6 kB answers: 6.4 MB of replies, more than the kernel's socket buffers hold
    const count = 4000
    const q = query({ name: 'big.example.com' })
    const one = Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q])
    client.write(Buffer.concat(Array(count).fill(one)))
    // wait until the server stops answering (its count holds still for 100 ms)
    let last = -1
    for (let i = 0; i < 40 && s.counters.values.tcpQueries !== last; i++) {
      last = s.counters.values.tcpQueries
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(s.counters.values.tcpQueries).toBeGreaterThan(0)
    expect(s.counters.values.tcpQueries).toBeLessThan(count)
    client.socket.resume()
    await client.waitFor(count)
    expect(s.counters.values.tcpQueries).toBe(count)
    client.close()
  })
})

describe('DnsServer reload', () => {
  it('swaps in a good configuration and keeps serving the old one when the new one is bad', async () => {
    const s = await start()
    const udp = bound(s, 'udp')
    const ask = async (name: string) => decode(await udpExchange(udp.address, udp.port, query({ name })))
    expect((await ask('new.example.com')).rcodeNumber).toBe(3)

    await writeFile(join(dir, 'example.com.zone'), `${ZONE}new A 192.0.2.222\n`)
    expect(await s.reload()).toMatchObject({ ok: true })
    expect((await ask('new.example.com')).answers.map((a) => a.data)).toEqual(['192.0.2.222'])

    await writeFile(join(dir, 'example.com.zone'), `${ZONE}new A 192.0.2.222\nbroken A not-an-address\n`)
    const bad = await s.reload()
    expect(bad.ok).toBe(false)
    if (!bad.ok) {
      // the broken record is the second line after the fixture's
      expect(bad.issues[0]).toMatchObject({
        file: join(dir, 'example.com.zone'),
        line: ZONE.split('\n').length + 1,
      })
      expect(bad.issues[0]?.message).toMatch(/not-an-address/)
    }
    expect((await ask('new.example.com')).answers.map((a) => a.data)).toEqual(['192.0.2.222'])

    await writeFile(join(dir, 'dns.json'), '{ "zones": [ }')
    expect(await s.reload()).toMatchObject({ ok: false, issues: [{ path: '$', line: 1 }] })
    expect((await ask('www.example.com')).answers).toHaveLength(3)
    const metrics = s.metrics()
    expect(metrics).toContain('shoal_dns_reloads_total{result="ok"} 1')
    expect(metrics).toContain('shoal_dns_reloads_total{result="failed"} 2')
  })

  it('refuses to start on a bad configuration, naming every problem', async () => {
    await writeFile(join(dir, 'bad.zone'), '$TTL 60\n@ SOA ns1 h 1 2 3 4 5\n@ NS ns1\nns1 A 1.2.3\n')
    await writeFile(
      join(dir, 'dns.json'),
      JSON.stringify({ listen: ['127.0.0.1:0'], zones: [{ origin: 'example.org', file: 'bad.zone' }] }),
    )
    server = new DnsServer({ configFile: join(dir, 'dns.json') })
    await expect(server.start()).rejects.toMatchObject({
      code: 'ERR_DNS_CONFIG',
      message: expect.stringContaining('bad.zone:4'),
    })
    expect(server.addresses()).toEqual([])
  })
})

describe('DnsServer HTTP endpoint', () => {
  it('serves /metrics in Prometheus text and /healthz', async () => {
    const s = await start()
    const udp = bound(s, 'udp')
    await udpExchange(udp.address, udp.port, query({ name: 'dyn.example.com' }))
    const http = bound(s, 'http')
    const metrics = await fetch(`http://127.0.0.1:${http.port}/metrics`)
    expect(metrics.status).toBe(200)
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await metrics.text()
    expect(text).toContain('shoal_dns_queries_total{transport="udp"} 1')
    expect(text).toContain('shoal_dns_answer_selections_total{pool="web",answer="w1"} 1')
    expect(text).toContain('shoal_dns_zones 1')
    const health = await fetch(`http://127.0.0.1:${http.port}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.text()).toMatch(/^ok: 1 zones/)
    expect((await fetch(`http://127.0.0.1:${http.port}/nope`)).status).toBe(404)
    expect((await fetch(`http://127.0.0.1:${http.port}/metrics`, { method: 'POST' })).status).toBe(405)
  })

  it('reports 503 until the health feed has been read, then 200', async () => {
    const feed = join(dir, 'health.txt')
    const s = await start({
      health: { file: 'health.txt', pollMs: 50 },
      pools: {
        web: {
          answers: [
            { id: 'w1', value: '192.0.2.11', health: ['w1'] },
            { id: 'w2', value: '192.0.2.12', health: ['w2'] },
          ],
        },
      },
    })
    const http = bound(s, 'http')
    const before = await fetch(`http://127.0.0.1:${http.port}/healthz`)
    expect(before.status).toBe(503)
    expect(await before.text()).toMatch(/first round of health/)
    await writeFile(feed, 'w1 up\nw2 down\n')
    for (let i = 0; i < 100 && !s.healthReport().ok; i++)
      await new Promise((resolve) => setTimeout(resolve, 20))
    expect((await fetch(`http://127.0.0.1:${http.port}/healthz`)).status).toBe(200)
    const udp = bound(s, 'udp')
    const reply = decode(await udpExchange(udp.address, udp.port, query({ name: 'dyn.example.com' })))
    expect(reply.answers.map((a) => a.data)).toEqual(['192.0.2.11'])
  })
})
