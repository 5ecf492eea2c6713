import { createRandom, type HealthSource, type TargetState } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import { compileSelector } from '../../src/select/selector.js'
import type { ClientInfo } from '../../src/server/query-handler.js'
import { Responder } from '../../src/server/responder.js'
import { buildServing } from '../../src/server/serving.js'
import { parseZone } from '../../src/zone/parse.js'
import { decode, ecsOption, option, query } from './packets.js'
import { ZONE } from './zone-fixture.js'

const UDP: ClientInfo = { address: '192.0.2.200', port: 40000, transport: 'udp' }

function health(
  states: Record<string, TargetState>,
): HealthSource & { set(t: string, s: TargetState): void } {
  const listeners = new Set<(c: { target: string; state: TargetState }) => void>()
  return {
    stateOf: (target) => states[target],
    subscribe(listener) {
      listeners.add(listener as never)
      return () => listeners.delete(listener as never)
    },
    set(target, state) {
      const previous = states[target]
      states[target] = state
      for (const l of listeners) l({ target, state, previous, reason: '', time: 0 } as never)
    },
  }
}

function dynamicResponder(feed?: HealthSource) {
  const selector = compileSelector(
    {
      web: {
        answers: [
          { id: 'w1', value: '192.0.2.11', health: ['w1'] },
          { id: 'w2', value: '192.0.2.12', health: ['w2'] },
          { id: 'w6', value: '2001:db8::11' },
        ],
        ttl: { max: 120, min: 30 },
      },
      geo: {
        answers: [
          { id: 'ten', value: '192.0.2.51' },
          { id: 'other', value: '192.0.2.52' },
        ],
        chain: [
          { filter: 'view', views: [{ nets: ['198.51.100.0/24'], answers: ['ten'] }], default: ['other'] },
        ],
      },
      edge: { kind: 'cname', answers: [{ id: 'cdn', value: 'edge.cdn.example.net' }] },
      closed: { answers: [{ id: 'c1', value: '192.0.2.99', health: ['c1'] }], onAllDown: 'servfail' },
    },
    { random: createRandom(1), health: feed },
  )
  const zone = parseZone(ZONE, { origin: 'example.com' })
  return new Responder({
    serving: buildServing(
      [zone],
      [
        { name: 'dyn.example.com', type: 'A', pool: 'web' },
        { name: 'dyn.example.com', type: 'AAAA', pool: 'web' },
        { name: 'geo.example.com', type: 'A', pool: 'geo' },
        { name: 'cdn.deep.example.com', type: 'CNAME', pool: 'edge' },
        { name: 'closed.example.com', type: 'A', pool: 'closed' },
      ],
      selector,
    ),
  })
}

describe('Responder: dynamic names', () => {
  it('answers A and AAAA from the pool, authoritatively, with the pool’s TTL, and counts selections', () => {
    const r = dynamicResponder()
    const a = decode(r.answer(query({ name: 'dyn.example.com' }), UDP))
    expect(a.aa).toBe(true)
    expect(a.answers.map((x) => [x.type, x.data, x.ttl])).toEqual([
      ['A', '192.0.2.11', 120],
      ['A', '192.0.2.12', 120],
    ])
    const aaaa = decode(r.answer(query({ name: 'dyn.example.com', type: 28 }), UDP))
    expect(aaaa.answers.map((x) => x.data)).toEqual(['2001:db8::11'])
    expect(r.counters.snapshot().pools.web).toEqual({ selections: 2, answers: { w1: 1, w2: 1, w6: 1 } })
  })

  it('gives NODATA, not NXDOMAIN, for other types at a dynamic name and for the names above it', () => {
    const r = dynamicResponder()
    for (const [name, type] of [
      ['dyn.example.com', 16],
      ['deep.example.com', 1],
    ] as const) {
      const reply = decode(r.answer(query({ name, type }), UDP))
      expect(reply.rcodeNumber, name).toBe(0)
      expect(reply.answers).toEqual([])
      expect(reply.authorities.map((x) => x.type)).toEqual(['SOA'])
    }
    const any = decode(r.answer(query({ name: 'dyn.example.com', type: 255 }), UDP))
    expect(any.answers.map((x) => x.type)).toEqual(['HINFO'])
  })

  it('echoes the selection’s ECS scope, 0 without ECS, and the private network’s length for a private subnet', () => {
    const r = dynamicResponder()
    const ask = (options: object) => decode(r.answer(query({ name: 'geo.example.com', ...options }), UDP))
    const matched = ask({ edns: { options: [ecsOption('198.51.100.0', 24)] } })
    expect(matched.answers.map((x) => x.data)).toEqual(['192.0.2.51'])
    expect(option(matched, 8)).toEqual(Uint8Array.of(0, 1, 24, 24, 198, 51, 100))
    const other = ask({ edns: { options: [ecsOption('203.0.113.0', 24)] } })
    expect(other.answers.map((x) => x.data)).toEqual(['192.0.2.52'])
    expect(option(other, 8)?.[3]).toBeGreaterThan(0)
    // RFC 7871 §10: a private subnet says nothing of a location; the resolver is used, scope /8
    const private10 = ask({ edns: { options: [ecsOption('10.1.2.0', 24)] } })
    expect(private10.answers.map((x) => x.data)).toEqual(['192.0.2.52'])
    expect(option(private10, 8)?.[3]).toBe(8)
    // source prefix 0: the client opts out, scope 0
    expect(option(ask({ edns: { options: [ecsOption('0.0.0.0', 0)] } }), 8)?.[3]).toBe(0)
    expect(ask({ edns: {} }).answers.map((x) => x.data)).toEqual(['192.0.2.52'])
  })

  it('answers a dynamic CNAME for every type, alone', () => {
    const r = dynamicResponder()
    for (const type of [1, 28, 5]) {
      const reply = decode(r.answer(query({ name: 'CDN.deep.example.com', type }), UDP))
      expect(reply.answers.map((x) => [x.name, x.type, x.data])).toEqual([
        ['CDN.deep.example.com', 'CNAME', 'edge.cdn.example.net'],
      ])
    }
  })

  it('follows health: a down answer leaves, the TTL drops to the minimum; a fail-closed pool answers SERVFAIL', () => {
    const feed = health({ w1: 'up', w2: 'up', c1: 'down' })
    const r = dynamicResponder(feed)
    feed.set('w2', 'down')
    const reply = decode(r.answer(query({ name: 'dyn.example.com' }), UDP))
    expect(reply.answers.map((x) => [x.data, x.ttl])).toEqual([['192.0.2.11', 30]])
    const closed = decode(r.answer(query({ name: 'closed.example.com' }), UDP))
    expect(closed.rcodeNumber).toBe(2)
    expect(r.counters.values.servfail).toBe(1)
  })
})
