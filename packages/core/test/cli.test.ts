import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { EXIT_CODES, isShoalError, UsageError, writeOutput } from '../src/index.js'

describe('CLI helpers', () => {
  it('writeOutput waits for a full stream to drain and loses nothing', async () => {
    const chunks: string[] = []
    let pending: (() => void) | undefined
    const slow = new Writable({
      highWaterMark: 4,
      write(chunk, _encoding, callback) {
        chunks.push(String(chunk))
        pending = callback
        setImmediate(() => pending?.())
      },
    })
    for (let i = 0; i < 50; i++) await writeOutput(slow, `line ${i}\n`)
    await new Promise<void>((resolve) => slow.end(resolve))
    expect(chunks.join('')).toBe(Array.from({ length: 50 }, (_, i) => `line ${i}\n`).join(''))
  })

  it('writeOutput rejects when the stream fails while it waits', async () => {
    const broken = new Writable({
      highWaterMark: 1,
      write(_chunk, _encoding, callback) {
        setImmediate(() => callback(new Error('EPIPE')))
      },
    })
    broken.on('error', () => {})
    await expect(writeOutput(broken, 'abc')).rejects.toThrow('EPIPE')
  })

  it('has the documented exit codes and a named usage error', () => {
    expect(EXIT_CODES).toEqual({ ok: 0, failure: 1, usage: 2 })
    const error = new UsageError('bad flag')
    expect(error).toBeInstanceOf(UsageError)
    expect(isShoalError(error, 'ERR_USAGE')).toBe(true)
  })
})
