import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hash128, murmur3x64128 } from '../src/hash/murmur3.js'
import { WasmMurmur3 } from '../src/hash/murmur3-wasm.js'
import { MURMUR3_WASM } from '../src/hash/murmur3-wasm-bytes.js'
// @ts-expect-error: a plain ES module script without types
import { compileWat } from '../wasm/build.mjs'

describe('WebAssembly MurmurHash3', () => {
  const wasm = WasmMurmur3.create()

  it('is available on Node', () => {
    expect(wasm).toBeDefined()
  })

  it('agrees with the JavaScript hash on every length, seed and memory size', () => {
    if (wasm === undefined) return
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(0xffffffff), (bytes, seed) => {
        wasm.input(bytes.length).set(bytes)
        expect(wasm.hash(bytes.length, seed, hash128())).toEqual(
          murmur3x64128(bytes, 0, bytes.length, seed, hash128()),
        )
      }),
      { numRuns: 1000 },
    )
    const big = new Uint8Array(200_000).map((_, i) => (i * 7) & 255)
    wasm.input(big.length).set(big)
    expect(wasm.hash(big.length, 9001, hash128())).toEqual(murmur3x64128(big, 0, big.length, 9001, hash128()))
  })

  it('embeds exactly the module compiled from wasm/murmur3.wat', async () => {
    const compiled: Uint8Array = await compileWat()
    expect(Buffer.from(compiled).toString('base64')).toBe(MURMUR3_WASM)
    expect(readFileSync(new URL('../wasm/murmur3.wat', import.meta.url), 'utf8')).toContain('(export "hash")')
  })
})
