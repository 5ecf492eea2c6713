import { EXIT_CODES, writeOutput } from '@shoal/core'
import { detect } from '../detect.js'
import type { CliIo } from './cli-io.js'
import type { CliOptions } from './cli-options.js'
import { headLines, openInputs } from './input.js'

/** `detect`: the formats that fit each input's first lines, best first; exit 1 if none fits. */
export async function detectCommand(options: CliOptions, io: CliIo): Promise<number> {
  let failed = false
  for (const input of await openInputs(options.files, io.stdin)) {
    const candidates = detect(headLines(input.head))
    if (candidates.length === 0) failed = true
    if (options.json) {
      await writeOutput(io.stdout, `${JSON.stringify({ file: input.name, candidates })}\n`)
      continue
    }
    let out = `${input.name}:\n`
    if (candidates.length === 0) out += '  no known format fits\n'
    for (const c of candidates.slice(0, 5))
      out += `  ${c.format.padEnd(18)} ${(c.confidence * 100).toFixed(1).padStart(5)}%  (${c.matched}/${c.sampled} lines)\n`
    await writeOutput(io.stdout, out)
  }
  return failed ? EXIT_CODES.failure : EXIT_CODES.ok
}
