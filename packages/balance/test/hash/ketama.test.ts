import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  KETAMA_HASHES_PER_SERVER,
  ketamaHashCount,
  ketamaKeyHash,
  ketamaPoints,
} from '../../src/hash/ketama.js'
import { anyText } from './arbitraries.js'

const invalid = expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' })

/** libketama's point `h` of a digest, written as its C source writes it. */
function point(d: Buffer, h: number): number {
  return (
    (((d[3 + h * 4] as number) << 24) |
      ((d[2 + h * 4] as number) << 16) |
      ((d[1 + h * 4] as number) << 8) |
      (d[h * 4] as number)) >>>
    0
  )
}

const digest = (text: string): Buffer => createHash('md5').update(text, 'utf8').digest()

describe('ketamaKeyHash', () => {
  it('reads the first four digest bytes little-endian, as ketama_hashi does', () => {
    expect(ketamaKeyHash('abc')).toBe(0x98500190)
    expect(ketamaKeyHash('user:1001')).toBe(0xe4d46b12)
    fc.assert(
      fc.property(anyText, (key) => {
        expect(ketamaKeyHash(key)).toBe(point(digest(key), 0))
      }),
      { numRuns: 2000 },
    )
  })
})

describe('ketamaPoints', () => {
  it('gives four points per digest of "name-k", in libketama order', () => {
    const points = ketamaPoints('10.0.1.1:11211')
    expect(points.length).toBe(160)
    expect(Array.from(points.subarray(0, 4))).toEqual([0x90ed8713, 0xf5ce3b03, 0x060386a6, 0xa22b367d])
    for (let k = 0; k < KETAMA_HASHES_PER_SERVER; k++) {
      const d = digest(`10.0.1.1:11211-${k}`)
      for (let h = 0; h < 4; h++) expect(points[k * 4 + h]).toBe(point(d, h))
    }
  })

  it('agrees with node:crypto for any server name and digest count', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: 50 }), (name, hashes) => {
        const points = ketamaPoints(name, hashes)
        expect(points.length).toBe(hashes * 4)
        for (let k = 0; k < hashes; k++) {
          const d = digest(`${name}-${k}`)
          for (let h = 0; h < 4; h++) expect(points[k * 4 + h]).toBe(point(d, h))
        }
      }),
      { numRuns: 200 },
    )
  })

  it('writes into a shared array at an offset, and refuses bad counts or too little room', () => {
    const out = new Uint32Array(10)
    ketamaPoints('a:1', 2, out, 2)
    expect(Array.from(out.subarray(2))).toEqual(Array.from(ketamaPoints('a:1', 2)))
    expect(out[0]).toBe(0)
    expect(() => ketamaPoints('a:1', 3, out, 0)).toThrow(invalid)
    expect(() => ketamaPoints('a:1', 1, out, 7)).toThrow(invalid)
    expect(() => ketamaPoints('a:1', -1)).toThrow(invalid)
    expect(() => ketamaPoints('a:1', 1.5)).toThrow(invalid)
  })
})

describe('ketamaHashCount', () => {
  it("gives n equal servers 40 digests each, or 39 where libketama's floats round down", () => {
    const short = [61, 122, 237, 244, 474, 488, 933, 948, 951, 953, 976]
    for (let n = 1; n <= 1000; n++) {
      expect(ketamaHashCount(1, n, n), `${n} servers`).toBe(short.includes(n) ? 39 : 40)
      expect(ketamaHashCount(1000, 1000 * n, n), `${n} servers`).toBe(short.includes(n) ? 39 : 40)
    }
    // double precision would get other counts wrong: it loses a digest at 7 servers
    expect(Math.floor((1 / 7) * 40 * 7)).toBe(39)
    expect(Math.floor((1 / 61) * 40 * 61)).toBe(40)
  })

  it('gives weighted servers their share of 40 × n digests, rounded down', () => {
    expect(ketamaHashCount(300, 600, 3)).toBe(60)
    expect(ketamaHashCount(100, 600, 3)).toBe(20)
    expect(ketamaHashCount(1, 3, 2)).toBe(26) // floor(0.3333333 × 80)
    expect(ketamaHashCount(0, 10, 2)).toBe(0)
  })

  it('refuses impossible weights', () => {
    expect(() => ketamaHashCount(-1, 10, 2)).toThrow(invalid)
    expect(() => ketamaHashCount(1, 0, 2)).toThrow(invalid)
    expect(() => ketamaHashCount(1, 10, 0)).toThrow(invalid)
    expect(() => ketamaHashCount(Number.NaN, 10, 2)).toThrow(invalid)
  })
})
