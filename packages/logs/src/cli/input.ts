import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import type { Readable } from 'node:stream'

/** One input of a command: a file, or standard input (`-`). */
export interface Input {
  /** The name shown in reports. */
  readonly name: string
  /** The file's size in bytes, when known (for progress). */
  readonly size: number | undefined
  /** The first bytes, read ahead for format detection. */
  readonly head: Buffer
  /** Every byte, the head included. */
  readonly source: AsyncIterable<Buffer>
}

const HEAD_BYTES = 64 * 1024

/** Opens the named files, or standard input when there are none (or for `-`). */
export async function openInputs(files: readonly string[], stdin: Readable): Promise<Input[]> {
  const names = files.length === 0 ? ['-'] : files
  return Promise.all(names.map((name) => (name === '-' ? stdinInput(stdin) : fileInput(name))))
}

async function fileInput(path: string): Promise<Input> {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    const buffer = Buffer.alloc(Math.min(HEAD_BYTES, size))
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    return {
      name: path,
      size,
      head: buffer.subarray(0, bytesRead),
      source: createReadStream(path, { highWaterMark: 256 * 1024 }),
    }
  } finally {
    await handle.close()
  }
}

async function stdinInput(stdin: Readable): Promise<Input> {
  const iterator = stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>
  const chunks: Buffer[] = []
  let length = 0
  let ended = false
  while (length < HEAD_BYTES) {
    const next = await iterator.next()
    if (next.done === true) {
      ended = true
      break
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value
    chunks.push(chunk)
    length += chunk.length
  }
  const head = Buffer.concat(chunks)
  async function* source(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head
    if (ended) return
    for (;;) {
      const next = await iterator.next()
      if (next.done === true) return
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value
    }
  }
  return { name: 'stdin', size: undefined, head, source: source() }
}

/** The first lines of a head, for detection (the last, possibly partial, line is dropped unless it is all there is). */
export function headLines(head: Buffer): string[] {
  const lines = head.toString('latin1').split('\n')
  if (lines.length > 1) lines.pop()
  return lines.map((line) => Buffer.from(line, 'latin1').toString('utf8'))
}
