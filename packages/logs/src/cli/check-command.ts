import { EXIT_CODES, writeOutput } from '@shoal/core'
import type { BadLine, BadLineReason } from '../bad-line.js'
import { BadLineLog } from '../bad-line-log.js'
import { parseBatches } from '../parse-stream.js'
import { chooseParser } from './choose-parser.js'
import type { CliIo } from './cli-io.js'
import type { CliOptions } from './cli-options.js'
import { openInputs } from './input.js'
import { Progress } from './progress.js'

/** What `check` finds in one input. */
interface CheckReport {
  readonly file: string
  readonly format: string | null
  readonly lines: number
  readonly records: number
  readonly recovered: number
  readonly badLines: number
  readonly byReason: Partial<Record<BadLineReason, number>>
  readonly samples: BadLine[]
}

/** `check`: bad lines counted by reason, with samples; exit 1 if any input has one. */
export async function checkCommand(options: CliOptions, io: CliIo): Promise<number> {
  const progress = new Progress(io.stderr)
  let failed = false
  for (const input of await openInputs(options.files, io.stdin)) {
    const chosen = chooseParser(options, input)
    if (chosen === undefined) {
      failed = true
      await writeOutput(io.stderr, `${input.name}: no known format fits; name one with --format\n`)
      continue
    }
    const badLines = new BadLineLog(0)
    const samples: BadLine[] = []
    const shown = new Map<BadLineReason, number>()
    const onBadLine = (bad: BadLine): void => {
      const count = shown.get(bad.reason) ?? 0
      if (count < options.samples) samples.push(bad)
      shown.set(bad.reason, count + 1)
    }
    let records = 0
    let recovered = 0
    let lines = 0
    for await (const batch of parseBatches(input.source, chosen.parser, {
      badLines,
      onBadLine,
      maxLineBytes: options.maxLineBytes,
      signal: io.signal,
    })) {
      records += batch.records.length
      for (const record of batch.records)
        if ((record as { recovered?: unknown }).recovered === true) recovered++
      lines = batch.line
      progress.update(input.name, batch.line, batch.offset, input.size)
    }
    progress.done()
    const byReason = Object.fromEntries(Object.entries(badLines.counts).filter(([, n]) => n > 0))
    const report: CheckReport = {
      file: input.name,
      format: chosen.format,
      lines,
      records,
      recovered,
      badLines: badLines.total,
      byReason,
      samples,
    }
    if (report.badLines > 0) failed = true
    await writeOutput(io.stdout, options.json ? `${JSON.stringify(report)}\n` : humanReport(report))
  }
  return failed ? EXIT_CODES.failure : EXIT_CODES.ok
}

function humanReport(report: CheckReport): string {
  const n = (x: number): string => x.toLocaleString('en')
  let out = `${report.file} (${report.format}): ${n(report.lines)} lines, ${n(report.records)} records`
  if (report.recovered > 0) out += ` (${n(report.recovered)} recovered)`
  out += `, ${n(report.badLines)} bad\n`
  for (const [reason, count] of Object.entries(report.byReason)) {
    out += `  ${reason.padEnd(20)} ${n(count)}\n`
    for (const bad of report.samples.filter((s) => s.reason === reason)) {
      out += `    line ${bad.line}, column ${bad.column}: ${bad.message}\n      ${JSON.stringify(bad.sample.slice(0, 120))}\n`
    }
  }
  return out
}
