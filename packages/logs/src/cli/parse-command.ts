import { EXIT_CODES, writeOutput } from '@shoal/core'
import { BadLineLog } from '../bad-line-log.js'
import { parseBatches } from '../parse-stream.js'
import { chooseParser } from './choose-parser.js'
import type { CliIo } from './cli-io.js'
import type { CliOptions } from './cli-options.js'
import { formatCounts } from './format-counts.js'
import { openInputs } from './input.js'
import { Progress } from './progress.js'

/** `parse`: every record as a JSON line on stdout; a summary of bad lines on stderr. */
export async function parseCommand(options: CliOptions, io: CliIo): Promise<number> {
  const progress = new Progress(io.stderr)
  let remaining = options.limit ?? Number.POSITIVE_INFINITY
  for (const input of await openInputs(options.files, io.stdin)) {
    const chosen = chooseParser(options, input)
    if (chosen === undefined) {
      await writeOutput(io.stderr, `${input.name}: no known format fits; name one with --format\n`)
      return EXIT_CODES.failure
    }
    const badLines = new BadLineLog(0)
    let records = 0
    for await (const batch of parseBatches(input.source, chosen.parser, {
      badLines,
      maxLineBytes: options.maxLineBytes,
      signal: io.signal,
    })) {
      const take = batch.records.length > remaining ? batch.records.slice(0, remaining) : batch.records
      let text = ''
      for (const record of take) text += `${JSON.stringify(record)}\n`
      await writeOutput(io.stdout, text)
      records += take.length
      remaining -= take.length
      progress.update(input.name, batch.line, batch.offset, input.size)
      if (remaining <= 0) break
    }
    progress.done()
    if (badLines.total > 0) {
      await writeOutput(
        io.stderr,
        `${input.name}: ${records} records (${chosen.format}), ${badLines.total} bad lines: ${formatCounts(badLines.counts)}\n`,
      )
    }
    if (remaining <= 0) break
  }
  return EXIT_CODES.ok
}
