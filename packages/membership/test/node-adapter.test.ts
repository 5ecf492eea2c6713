import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { MemberEvent } from '../src/core/events.js'
import { Membership, type MembershipOptions } from '../src/node/membership.js'
import { MAX_FRAME_BYTES } from '../src/node/stream-transport.js'
import { encodeMessages } from '../src/wire/codec.js'
import { createEnvelope } from '../src/wire/envelope.js'
import { Keyring } from '../src/wire/keyring.js'

const open: Membership[] = []

afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.stop()))
})

async function member(name: string, options: MembershipOptions = {}): Promise<Membership> {
  const m = new Membership({ name, bind: '127.0.0.1:0', profile: 'local', loopDelay: false, ...options })
  open.push(m)
  await m.start()
  return m
}

/** Polls `condition` every 10 ms until it holds or `ms` pass; returns whether it held. */
async function until(condition: () => boolean, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (condition()) return true
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return condition()
}

function sees(m: Membership, name: string, state = 'alive'): boolean {
  return m.member(name)?.state === state
}

function converged(members: readonly Membership[]): boolean {
  return members.every((a) => members.every((b) => sees(a, b.name)))
}

describe('Membership (Node adapter)', () => {
  it('three members on 127.0.0.1 converge, and a leave is seen as left', async () => {
    const a = await member('a')
    const b = await member('b', { seeds: [a.address] })
    const c = await member('c', { seeds: [a.address] })
    expect(a.address).toMatch(/^127\.0\.0\.1:\d+$/)
    expect(await until(() => converged([a, b, c]))).toBe(true)
    expect(b.self.state).toBe('alive')
    expect(a.stats.tcpAccepted).toBeGreaterThanOrEqual(2)

    const left: string[] = []
    a.addEventListener('left', (event) => left.push(event.detail.member.name))
    await c.leave()
    expect(await until(() => sees(a, 'c', 'left') && sees(b, 'c', 'left'))).toBe(true)
    expect(left).toEqual(['c'])
    expect(a.member('c')?.state).not.toBe('dead')
  })

  it('works on ::1', async () => {
    const a = await member('a6', { bind: '[::1]:0' })
    const b = await member('b6', { bind: '[::1]:0', seeds: [a.address] })
    expect(a.address).toMatch(/^\[::1\]:\d+$/)
    expect(await until(() => converged([a, b]))).toBe(true)
  })

  it('metadata propagates with a new incarnation', async () => {
    const a = await member('a', { meta: { zone: 'eu' } })
    const b = await member('b', { seeds: [a.address] })
    expect(await until(() => converged([a, b]))).toBe(true)
    expect(b.member('a')?.meta).toEqual({ zone: 'eu' })
    const updates: MemberEvent[] = []
    b.addEventListener('update', (event) => updates.push(event.detail))
    a.setMeta({ zone: 'eu', load: '0.3' })
    expect(await until(() => b.member('a')?.meta.load === '0.3')).toBe(true)
    expect(b.member('a')?.incarnation).toBe(1)
    expect(updates.map((e) => e.member.name)).toContain('a')
    expect(() => a.setMeta({ big: 'x'.repeat(600) })).toThrow(/./)
  })

  it('changes() yields the events, and ends at stop', async () => {
    const a = await member('a')
    const seen: string[] = []
    const done = (async () => {
      for await (const event of a.changes()) seen.push(`${event.type}:${event.member.name}`)
    })()
    const b = await member('b', { seeds: [a.address] })
    expect(await until(() => seen.includes('join:b'))).toBe(true)
    await b.stop()
    expect(await until(() => seen.includes('dead:b') || seen.includes('suspect:b'), 10_000)).toBe(true)
    await a.stop()
    await done
  })

  it('drops datagrams of another cluster, plain or with a wrong key, without replying, and counts them', async () => {
    const a = await member('a')
    const socket = createSocket('udp4')
    const replies: Buffer[] = []
    socket.on('message', (data) => replies.push(data))
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()))
    try {
      const port = Number(a.address.split(':')[1])
      const { address, port: own } = socket.address()
      const ping = encodeMessages([
        { type: 'ping', seq: 7, target: 'a', source: 'x', sourceAddress: `${address}:${own}` },
      ])
      const other = createEnvelope({ cluster: 'other' }).seal(ping)
      const plain = createEnvelope({ cluster: 'shoal' }).seal(ping)
      socket.send(other, port, '127.0.0.1')
      expect(await until(() => a.stats.dropped.cluster >= 1)).toBe(true)

      const b = await member('b', { keys: [randomBytes(32)] })
      const bPort = Number(b.address.split(':')[1])
      socket.send(plain, bPort, '127.0.0.1') // plain to an encrypted member
      const sealed = createEnvelope({ cluster: 'shoal', keyring: new Keyring([randomBytes(32)]) }).seal(ping)
      socket.send(sealed, bPort, '127.0.0.1') // encrypted with a key it does not hold
      expect(await until(() => b.stats.dropped.encryption >= 1 && b.stats.dropped.auth >= 1)).toBe(true)

      // control: a ping a member accepts is answered, so the silence above means something
      socket.send(createEnvelope({ cluster: 'shoal' }).seal(ping), port, '127.0.0.1')
      expect(await until(() => replies.length === 1)).toBe(true)
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(replies.length).toBe(1)
    } finally {
      socket.close()
    }
  })

  it('encrypted members with the same keys converge; with other keys they stay apart', async () => {
    const k1 = randomBytes(32)
    const a = await member('a', { keys: [k1] })
    const b = await member('b', { keys: [k1], seeds: [a.address] })
    const c = await member('c', { keys: [k1, randomBytes(32)], seeds: [a.address] }) // a second key to open with
    expect(await until(() => converged([a, b, c]))).toBe(true)
    expect(a.stats.dropped.auth).toBe(0)

    const d = await member('d', { keys: [randomBytes(32)], seeds: [a.address, c.address] })
    expect(await until(() => d.stats.tcpFailures >= 1)).toBe(true)
    expect(await until(() => a.stats.dropped.auth + c.stats.dropped.auth >= 1)).toBe(true)
    expect(d.members().map((m) => m.name)).toEqual(['d'])
    expect(a.member('d')).toBeUndefined()
    expect(c.member('d')).toBeUndefined()
  })

  it('refuses oversized frames and closes silent connections', async () => {
    const a = await member('a', { streamTimeoutMs: 200 })
    const port = Number(a.address.split(':')[1])
    const big = connect({ host: '127.0.0.1', port })
    big.on('error', () => {})
    const header = Buffer.alloc(4)
    header.writeUInt32BE(MAX_FRAME_BYTES + 1)
    big.write(header)
    expect(await until(() => a.stats.framesRefused === 1)).toBe(true)
    const silent = connect({ host: '127.0.0.1', port })
    silent.on('error', () => {})
    const closed = new Promise((resolve) => silent.once('close', resolve))
    expect(await until(() => a.stats.tcpTimeouts === 1)).toBe(true)
    await closed
    big.destroy()
  })

  it("a stalled event loop raises local health (Lifeguard's input from this process)", async () => {
    const m = await member('stalled', { loopDelay: true })
    expect(m.localHealth).toBe(0)
    // the delay monitor needs a first sample before it can see a late one
    await new Promise((resolve) => setTimeout(resolve, 100))
    const busyUntil = Date.now() + 300
    while (Date.now() < busyUntil) {
      // hold the event loop, as a long GC pause or a synchronous task would
    }
    expect(await until(() => m.localHealth > 0, 3_000)).toBe(true)
  })

  it('rejects bad options at once', () => {
    expect(() => new Membership({ bind: 'localhost:7946' })).toThrow(/bind must be/)
    expect(() => new Membership({ seeds: ['10.0.0.1'] })).toThrow(/seed/)
    expect(() => new Membership({ keys: [new Uint8Array(3)] })).toThrow(/32 bytes/)
    expect(() => new Membership({ profile: 'lan', config: { probeTimeoutMs: 1_000 } })).toThrow(
      /probeTimeoutMs/,
    )
    expect(() => new Membership({ meta: { k: 'v'.repeat(1_000) } })).toThrow(/./)
  })
})
