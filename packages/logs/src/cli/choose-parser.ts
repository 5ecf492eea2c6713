import { detect } from '../detect.js'
import { createParser } from '../format-registry.js'
import type { LineParser } from '../line-parser.js'
import type { CliOptions } from './cli-options.js'
import { headLines, type Input } from './input.js'

/** What the command will parse with: the named format, or the best detected one (undefined if none fits). */
export function chooseParser(
  options: CliOptions,
  input: Input,
): { parser: LineParser<unknown>; format: string } | undefined {
  let format = options.format
  if (format === 'auto') {
    const best = detect(headLines(input.head))[0]
    if (best === undefined || best.confidence < 0.5) return undefined
    format = best.format
  }
  const parser = createParser(format, { mode: options.strict ? 'strict' : 'lenient', escape: options.escape })
  return { parser, format }
}
