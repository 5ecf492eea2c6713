import { readFile, rename, writeFile } from 'node:fs/promises'
import { EXIT_CODES, UsageError, writeOutput } from '@shoal/core'
import { detect } from '../detect.js'
import type { FileCheckpoint } from '../follow/checkpoint.js'
import { followBatches } from '../follow/follow-batches.js'
import { createParser } from '../format-registry.js'
import type { CliIo } from './cli-io.js'
import type { CliOptions } from './cli-options.js'
import { headLines, openInputs } from './input.js'

/** `follow`: records of a growing file as JSON lines until interrupted, saving a checkpoint if asked. */
export async function followCommand(options: CliOptions, io: CliIo): Promise<number> {
  const path = options.files[0] as string
  let format = options.format
  if (format === 'auto') {
    const [input] = await openInputs([path], io.stdin).catch(() => [])
    const best = input === undefined ? undefined : detect(headLines(input.head))[0]
    if (best === undefined || best.confidence < 0.5) {
      await writeOutput(
        io.stderr,
        `${path}: cannot detect the format (is the file there and non-empty?); name one with --format\n`,
      )
      return EXIT_CODES.failure
    }
    format = best.format
  }
  const parser = createParser(format, { mode: options.strict ? 'strict' : 'lenient', escape: options.escape })
  const checkpoint = options.checkpoint === undefined ? undefined : await loadCheckpoint(options.checkpoint)
  const batches = followBatches(path, parser, {
    from: options.from,
    checkpoint,
    pollIntervalMs: options.pollMs,
    maxLineBytes: options.maxLineBytes,
    signal: io.signal,
    // following is this process's whole job: its timers must keep it alive
    keepAlive: true,
  })
  try {
    for await (const batch of batches) {
      let text = ''
      for (const record of batch.records) text += `${JSON.stringify(record)}\n`
      for (const bad of batch.errors)
        await writeOutput(io.stderr, `${path}:${bad.line}: ${bad.reason}: ${bad.message}\n`)
      await writeOutput(io.stdout, text)
      if (options.checkpoint !== undefined) await saveCheckpoint(options.checkpoint, batch.checkpoint)
    }
  } catch (err) {
    if (io.signal?.aborted !== true) throw err
  }
  return EXIT_CODES.ok
}

async function loadCheckpoint(file: string): Promise<FileCheckpoint | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  try {
    const saved = JSON.parse(text) as { path: unknown; inode: unknown; offset: unknown }
    if (
      typeof saved.path === 'string' &&
      typeof saved.inode === 'string' &&
      Number.isSafeInteger(saved.offset)
    ) {
      return { path: saved.path, inode: BigInt(saved.inode), offset: saved.offset as number }
    }
  } catch {
    // reported below
  }
  throw new UsageError(`checkpoint file ${file} is not a checkpoint this tool wrote; delete it to start over`)
}

async function saveCheckpoint(file: string, checkpoint: FileCheckpoint): Promise<void> {
  const temporary = `${file}.tmp`
  await writeFile(temporary, JSON.stringify({ ...checkpoint, inode: String(checkpoint.inode) }))
  await rename(temporary, file)
}
