import { crc32 as zlibCrc32 } from 'node:zlib'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  NGINX_CHASH_POINTS_PER_WEIGHT,
  nginxChashPoints,
  nginxHashStep,
  nginxKeyHash,
} from '../../src/hash/nginx-hash.js'
import { anyText, utf8 } from './arbitraries.js'

const invalid = expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' })

/**
 * ngx_http_upstream_init_chash transcribed over bytes: split host and port the way its loop
 * does, then point j = crc32(host, 0x00, port, le32(point j - 1)), starting from 0.
 */
function nginxReference(server: string, weight: number): number[] {
  const data = Buffer.from(server, 'utf8')
  let host = data
  let port = Buffer.alloc(0)
  if (data.length >= 5 && data.subarray(0, 5).toString('latin1').toLowerCase() === 'unix:') {
    host = data.subarray(5)
  } else {
    for (let j = 0; j < data.length; j++) {
      const c = data[data.length - j - 1] as number
      if (c === 0x3a) {
        host = data.subarray(0, data.length - j - 1)
        port = data.subarray(data.length - j)
        break
      }
      if (c < 0x30 || c > 0x39) break
    }
  }
  const points: number[] = []
  const prev = Buffer.alloc(4)
  for (let j = 0; j < weight * 160; j++) {
    const hash = zlibCrc32(Buffer.concat([host, Buffer.from([0]), port, prev]))
    points.push(hash)
    prev.writeUInt32LE(hash)
  }
  return points
}

describe('nginxChashPoints', () => {
  it('gives the points of host, NUL, port and the previous point, 160 per unit of weight', () => {
    const points = nginxChashPoints('127.0.0.1:8081')
    expect(points.length).toBe(NGINX_CHASH_POINTS_PER_WEIGHT)
    expect(Array.from(points.subarray(0, 3))).toEqual([0x50aabcf7, 0xb8dc900a, 0x2a3355ce])
    expect(Array.from(nginxChashPoints('unix:/run/app.sock').subarray(0, 2))).toEqual([
      0xad39754f, 0x9a97c570,
    ])
    expect(Array.from(points)).toEqual(nginxReference('127.0.0.1:8081', 1))
    expect(nginxChashPoints('127.0.0.1:8081', 3).length).toBe(480)
  })

  it('splits server names exactly as nginx does', () => {
    const names = [
      'backend.example.com:8080',
      '10.0.0.1', // no port written: the whole name is the host
      '[::1]:80',
      '[::1]',
      'host:', // an empty port
      '8080', // digits only, no colon
      'a:b:12', // the last colon splits
      'a:b12', // a letter before any colon: no port
      'UNIX:/tmp/x.sock',
      'unix:',
      'unix',
      'hé.example:443',
      '',
    ]
    for (const name of names) {
      for (const weight of [1, 2]) {
        expect(Array.from(nginxChashPoints(name, weight)), name).toEqual(nginxReference(name, weight))
      }
    }
    // the port really is hashed apart from the host: the NUL byte sits between them
    expect(nginxChashPoints('a:1')[0]).toBe(zlibCrc32(new Uint8Array([0x61, 0, 0x31, 0, 0, 0, 0])))
  })

  it('agrees with the transcription for any name', () => {
    const piece = fc.oneof(anyText, fc.constantFrom(':', ':80', 'unix:', 'UNIX:', '0', '9'))
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 4 }), fc.integer({ min: 1, max: 3 }), (pieces, weight) => {
        const name = pieces.join('')
        expect(Array.from(nginxChashPoints(name, weight))).toEqual(nginxReference(name, weight))
      }),
      { numRuns: 300 },
    )
  })

  it('writes into a shared array at an offset, and refuses bad weights or too little room', () => {
    const out = new Uint32Array(400)
    nginxChashPoints('b:2', 2, out, 80)
    expect(Array.from(out.subarray(80))).toEqual(nginxReference('b:2', 2))
    expect(() => nginxChashPoints('b:2', 3, out)).toThrow(invalid)
    expect(() => nginxChashPoints('b:2', 0)).toThrow(invalid)
    expect(() => nginxChashPoints('b:2', 1.5)).toThrow(invalid)
    expect(() => nginxChashPoints('b:2', 1, out, 241)).toThrow(invalid)
  })
})

describe('nginxKeyHash', () => {
  it('is the CRC-32 of the key bytes (ngx_crc32_long)', () => {
    expect(nginxKeyHash('123456789')).toBe(0xcbf43926)
    fc.assert(
      fc.property(anyText, (key) => {
        expect(nginxKeyHash(key)).toBe(zlibCrc32(utf8(key)))
      }),
    )
  })
})

describe('nginxHashStep', () => {
  it('takes bits 16-30 of the CRC-32 of the try number and the key', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: 25 }), (key, rehash) => {
        const prefix = rehash > 0 ? String(rehash) : ''
        expect(nginxHashStep(key, rehash)).toBe((zlibCrc32(utf8(prefix + key)) >>> 16) & 0x7fff)
      }),
    )
    expect(nginxHashStep('123456789')).toBe(0xcbf4 & 0x7fff)
  })
})
