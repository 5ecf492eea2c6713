import { invalidArgument } from '@shoal/core'
import { LineFailure } from './bad-line.js'
import { createParser, FORMAT_NAMES } from './format-registry.js'
import { toBinary } from './text.js'

/** How well one format fits a sample of lines. */
export interface DetectCandidate {
  /** The format's name, for {@link createParser}. */
  readonly format: string
  /** The share of sampled lines the format reads, 0 to 1. */
  readonly confidence: number
  /** How many sampled lines it reads. */
  readonly matched: number
  /** How many lines were sampled (empty lines are not counted). */
  readonly sampled: number
}

/** Options of {@link detect}. */
export interface DetectOptions {
  /** The formats to try (default every name in {@link FORMAT_NAMES}). */
  readonly candidates?: readonly string[] | undefined
  /** How many non-empty lines to look at, from the start (default 100). */
  readonly sample?: number | undefined
}

/**
 * Which known formats fit a sample of lines, best first: by the share of lines each reads in
 * strict mode, ties broken towards the more specific format (`combined_d` before `combined`,
 * Apache names before nginx ones for the same layout, `logfmt` last). Formats that read no line
 * are left out.
 *
 * @example
 * ```ts
 * const [best] = detect(readFileSync('access.log', 'utf8').split('\n').slice(0, 100))
 * if (best !== undefined && best.confidence > 0.9) use(best.format)
 * ```
 */
export function detect(lines: Iterable<string | Uint8Array>, options: DetectOptions = {}): DetectCandidate[] {
  const limit = options.sample ?? 100
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw invalidArgument(`sample must be a positive integer, got ${limit}`)
  const names = options.candidates ?? FORMAT_NAMES
  const sample: string[] = []
  for (const line of lines) {
    const binary = toBinary(line).replace(/\r$/, '')
    if (binary.trim() === '') continue
    sample.push(binary)
    if (sample.length >= limit) break
  }
  const candidates: DetectCandidate[] = []
  if (sample.length === 0) return candidates
  for (const format of names) {
    const parser = createParser(format, { mode: 'strict' })
    let matched = 0
    for (const line of sample) {
      const result = parser.parseBinary(line)
      if (!(result instanceof LineFailure) && (format !== 'logfmt' || hasPair(result))) matched++
    }
    if (matched > 0)
      candidates.push({ format, confidence: matched / sample.length, matched, sampled: sample.length })
  }
  const rank = (format: string): number => {
    const index = FORMAT_NAMES.indexOf(format)
    return index < 0 ? FORMAT_NAMES.length : index
  }
  return candidates.sort((a, b) => b.confidence - a.confidence || rank(a.format) - rank(b.format))
}

/** A logfmt reading counts only with at least one `key=value`: otherwise any prose would be logfmt. */
function hasPair(record: unknown): boolean {
  for (const value of Object.values(record as Record<string, unknown>)) if (value !== true) return true
  return false
}
