/**
 * Sources: where log lines come from, parsed into batches. Each followed file gets its own parser
 * and its own name, so that live statistics keep one watermark per source.
 */

import { open } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Readable } from 'node:stream'
import {
  ACCESS_PRESETS,
  type BadLine,
  type BadLineLog,
  createParser,
  detect,
  type FileCheckpoint,
  followBatches,
  parseBatches,
  parseFile,
} from '@shoal/logs'
import type { WebRecordLike } from './aggregation.js'

/** Where the lines come from. */
export type SourceSpec =
  | {
      /** Follow files as they grow (`tail -F`, rotation handled). */
      readonly kind: 'follow'
      readonly paths: readonly string[]
      /** A format name or an Apache/nginx format string; detected from each file when absent. */
      readonly format?: string | undefined
      /** Read the files from their start (default: from their end, like `tail -F`). */
      readonly fromStart?: boolean | undefined
    }
  | {
      /** Read standard input (or another stream) to its end. */
      readonly kind: 'stream'
      readonly name: string
      readonly stream: Readable
      readonly format: string
    }

/** Parsed lines from one source. */
export interface SourceBatch {
  /** Which source: the file name, or `stdin`. */
  readonly source: string
  readonly records: readonly WebRecordLike[]
  readonly errors: readonly BadLine[]
  /** Following only: where reading stands. */
  readonly checkpoint?: FileCheckpoint | undefined
}

/** Options of {@link readSource}. */
export interface ReadSourceOptions {
  /** Stops reading. */
  readonly signal?: AbortSignal | undefined
  /** Where rejected lines are counted, with samples. */
  readonly badLines?: BadLineLog | undefined
  /** Milliseconds between checks of followed files (default 250). */
  readonly pollIntervalMs?: number | undefined
}

/**
 * Reads a source: its batches, from every file at once when following several.
 *
 * @param spec - what to read
 * @param options - signal, bad-line log
 */
export async function* readSource(
  spec: SourceSpec,
  options: ReadSourceOptions = {},
): AsyncGenerator<SourceBatch> {
  const { signal, badLines } = options
  if (spec.kind === 'stream') {
    const parser = createParser(spec.format)
    for await (const batch of parseBatches(spec.stream, parser, { signal, badLines })) {
      yield { source: spec.name, records: batch.records as WebRecordLike[], errors: batch.errors }
    }
    return
  }
  const names = uniqueNames(spec.paths)
  const streams: AsyncIterator<SourceBatch>[] = []
  for (const [k, path] of spec.paths.entries()) {
    const format = spec.format ?? (await detectFormat(path))
    const name = names[k] as string
    const follower = followBatches(path, createParser(format), {
      from: spec.fromStart === true ? 'start' : 'end',
      signal,
      badLines,
      pollIntervalMs: options.pollIntervalMs,
    })
    streams.push(
      (async function* () {
        for await (const batch of follower)
          yield {
            source: name,
            records: batch.records as WebRecordLike[],
            errors: batch.errors,
            checkpoint: batch.checkpoint,
          }
      })(),
    )
  }
  yield* merge(streams)
}

/** Distinct short names for paths: their base names, made unique with an index. */
function uniqueNames(paths: readonly string[]): string[] {
  const seen = new Map<string, number>()
  return paths.map((path) => {
    const name = basename(path)
    const count = (seen.get(name) ?? 0) + 1
    seen.set(name, count)
    return count === 1 ? name : `${name}#${count}`
  })
}

/** Interleaves async iterators as their items come. */
async function* merge<T>(iterators: AsyncIterator<T>[]): AsyncGenerator<T> {
  const pending = new Map<number, Promise<{ k: number; result: IteratorResult<T> }>>()
  const pull = (k: number): void => {
    pending.set(
      k,
      (iterators[k] as AsyncIterator<T>).next().then((result) => ({ k, result })),
    )
  }
  for (let k = 0; k < iterators.length; k++) pull(k)
  try {
    while (pending.size > 0) {
      const { k, result } = await Promise.race(pending.values())
      if (result.done === true) pending.delete(k)
      else {
        pull(k)
        yield result.value
      }
    }
  } finally {
    await Promise.allSettled(iterators.map((iterator) => iterator.return?.()))
  }
}

/**
 * The access-log format of a file, detected from its first 64 KiB (`combined` when the file is
 * missing, empty or fits no access-log format).
 *
 * @param path - the log file
 */
export async function detectFormat(path: string): Promise<string> {
  let head: Buffer
  try {
    const handle = await open(path, 'r')
    try {
      const buffer = Buffer.alloc(64 * 1024)
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
      head = buffer.subarray(0, bytesRead)
    } finally {
      await handle.close()
    }
  } catch {
    return 'combined'
  }
  const lines = head.toString('latin1').split('\n')
  if (head.length === 64 * 1024) lines.pop() // cut short
  const candidates = detect(lines, { candidates: Object.keys(ACCESS_PRESETS) })
  return candidates[0]?.format ?? 'combined'
}

/** Options of {@link fileBatches}. */
export interface FileReadOptions {
  readonly format?: string | undefined
  readonly signal?: AbortSignal | undefined
  readonly badLines?: BadLineLog | undefined
}

/**
 * The batches of a whole file (the batch report's input).
 *
 * @param path - the log file
 * @param options - format (detected when absent), signal, bad-line log
 */
export async function* fileBatches(path: string, options: FileReadOptions = {}): AsyncGenerator<SourceBatch> {
  const format = options.format ?? (await detectFormat(path))
  for await (const batch of parseFile(path, createParser(format), {
    signal: options.signal,
    badLines: options.badLines,
  }))
    yield { source: basename(path), records: batch.records as WebRecordLike[], errors: batch.errors }
}
