/**
 * The front end the peers share: stream a file in fixed-size chunks, cut each chunk at its last
 * newline, decode the complete lines once and hand them out one by one. The carried partial line
 * is joined to the next chunk as bytes, so no line is ever split or lost at a chunk boundary.
 */
import { createReadStream } from 'node:fs'

/** Chunk size every contender reads the file with (ours included), in bytes. */
export const CHUNK_BYTES = 1 << 20

/** Opens the workload file as a stream of {@link CHUNK_BYTES} chunks. */
export function openChunks(path: string): NodeJS.ReadableStream & AsyncIterable<Buffer> {
  return createReadStream(path, { highWaterMark: CHUNK_BYTES })
}

/**
 * Calls `onLine` with every non-empty line of the file (without `\n` or `\r\n`), decoded with
 * `encoding`, and resolves to the number of lines.
 */
export async function forEachLine(
  path: string,
  onLine: (line: string) => void,
  encoding: BufferEncoding = 'utf8',
): Promise<number> {
  let carry: Buffer | null = null
  let count = 0
  const emit = (text: string): void => {
    let start = 0
    for (;;) {
      const end = text.indexOf('\n', start)
      if (end === -1) break
      const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end
      if (stop > start) {
        onLine(text.slice(start, stop))
        count++
      }
      start = end + 1
    }
  }
  for await (const chunk of openChunks(path)) {
    const last = chunk.lastIndexOf(10)
    if (last === -1) {
      carry = carry ? Buffer.concat([carry, chunk]) : chunk
      continue
    }
    const head = carry ? Buffer.concat([carry, chunk.subarray(0, last + 1)]) : chunk.subarray(0, last + 1)
    emit(head.toString(encoding))
    carry = last + 1 < chunk.length ? Buffer.from(chunk.subarray(last + 1)) : null
  }
  if (carry && carry.length > 0) emit(`${carry.toString(encoding)}\n`)
  return count
}
