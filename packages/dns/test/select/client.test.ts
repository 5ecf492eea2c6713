import { isShoalError } from '@shoal/core'
import { describe, expect, it } from 'vitest'
import { formatAddress } from '../../src/select/address.js'
import { ClientInfo } from '../../src/select/client.js'

const ecs4 = (bytes: number[], sourcePrefix: number) => ({
  family: 1,
  sourcePrefix,
  address: Uint8Array.from(bytes),
})

function resolve(
  resolver: string | Uint8Array,
  ecs?: Parameters<ClientInfo['resolve']>[1],
  ignoreEcs = false,
) {
  const client = new ClientInfo()
  client.resolve(resolver, ecs, ignoreEcs)
  return {
    address: formatAddress(client.words, client.family),
    prefix: client.prefix,
    source: client.source,
    privateLength: client.privateLength,
    text: client.text(),
  }
}

describe('the client address of a query', () => {
  it('is the resolver without ECS', () => {
    expect(resolve('198.51.100.7')).toMatchObject({
      address: '198.51.100.7',
      prefix: 32,
      source: 'resolver',
      text: '198.51.100.7',
    })
    expect(resolve(Uint8Array.of(198, 51, 100, 7))).toMatchObject({ address: '198.51.100.7', prefix: 32 })
    expect(resolve('::ffff:198.51.100.7')).toMatchObject({
      address: '198.51.100.7',
      prefix: 32,
      text: '198.51.100.7',
    })
    expect(resolve('2001:db8::53')).toMatchObject({ address: '2001:db8::53', prefix: 128 })
  })

  it('is the ECS subnet when its source prefix is above 0, bits past it cleared', () => {
    expect(resolve('192.0.2.53', ecs4([203, 0, 113, 99], 24))).toMatchObject({
      address: '203.0.113.0',
      prefix: 24,
      source: 'ecs',
      text: '203.0.113.0',
    })
    expect(resolve('192.0.2.53', ecs4([203, 0], 15))).toMatchObject({ address: '203.0.0.0', prefix: 15 })
    const v6 = { family: 2, sourcePrefix: 56, address: Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 1, 0x23) }
    expect(resolve('192.0.2.53', v6)).toMatchObject({
      address: '2001:db8:1:2300::',
      prefix: 56,
      source: 'ecs',
    })
  })

  it('is the resolver when the ECS source prefix is 0 (the client opted out), or the pool ignores ECS', () => {
    expect(resolve('192.0.2.53', ecs4([], 0))).toMatchObject({
      address: '192.0.2.53',
      prefix: 32,
      source: 'ecs-opt-out',
    })
    expect(resolve('192.0.2.53', ecs4([203, 0, 113], 24), true)).toMatchObject({
      address: '192.0.2.53',
      source: 'ecs-opt-out',
    })
  })

  it('is the resolver, with the private network as scope, for private and unroutable subnets (RFC 7871 §10)', () => {
    const cases: [number[], number, number, number][] = [
      [[10, 1, 2], 24, 1, 8],
      [[172, 20, 0], 24, 1, 12],
      [[192, 168, 1], 24, 1, 16],
      [[100, 64, 3], 24, 1, 10],
      [[127, 0, 0, 1], 32, 1, 8],
      [[169, 254, 9], 24, 1, 16],
      [[0xfd, 0x12, 0x34], 48, 2, 7],
      [[0xfe, 0x80, 0, 0, 0, 0, 0, 0], 64, 2, 10],
    ]
    for (const [bytes, source, family, length] of cases) {
      const got = resolve('192.0.2.53', { family, sourcePrefix: source, address: Uint8Array.from(bytes) })
      expect([bytes, got]).toMatchObject([
        bytes,
        { address: '192.0.2.53', source: 'ecs-private', privateLength: length },
      ])
    }
  })

  it('treats a subnet wider than the private network as routable (0.0.0.0/4 is mostly public space)', () => {
    expect(resolve('192.0.2.53', ecs4([0], 4))).toMatchObject({
      address: '0.0.0.0',
      prefix: 4,
      source: 'ecs',
    })
    expect(resolve('192.0.2.53', ecs4([8], 7))).toMatchObject({ source: 'ecs' })
  })

  it('refuses inputs the decoder should never hand over', () => {
    for (const action of [
      () => resolve('not an address'),
      () => resolve(Uint8Array.of(1, 2, 3)),
      () => resolve('192.0.2.53', { family: 3, sourcePrefix: 8, address: Uint8Array.of(1) }),
      () => resolve('192.0.2.53', ecs4([1, 2, 3], 33)),
    ]) {
      expect(() => action()).toThrow()
      try {
        action()
      } catch (error) {
        expect(isShoalError(error, 'ERR_INVALID_ARGUMENT')).toBe(true)
      }
    }
  })
})
