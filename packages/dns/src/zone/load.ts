import { readFile } from 'node:fs/promises'
import { type AbortOptions, invalidArgument, ShoalError } from '@shoal/core'
import { zoneFailure } from './errors.js'
import { Lexer } from './lexer.js'
import {
  checkWithIncludes,
  includePath,
  includeTarget,
  MAX_INCLUDE_DEPTH,
  type ZoneCheck,
  type ZoneOptions,
} from './parse.js'
import type { Zone } from './zone.js'

/** The most files one zone may read through `$INCLUDE`. */
export const MAX_INCLUDE_FILES = 1_000

/** Options of {@link loadZoneFile} and {@link checkZoneFile}: those of `parseZone` but the file name, and a signal. */
export interface LoadZoneOptions extends Omit<ZoneOptions, 'file'>, AbortOptions {}

// Reads every file the text includes, recursively, before the (synchronous) parser runs. Reading
// failures are kept as Errors for the parser to report at the $INCLUDE line; nesting past the
// depth limit is left to the parser to report.
async function readIncludes(
  text: string,
  file: string,
  depth: number,
  texts: Map<string, string | Error>,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (depth > MAX_INCLUDE_DEPTH) return
  const lexer = new Lexer(text, () => {})
  for (let entry = lexer.next(); entry !== undefined; entry = lexer.next()) {
    const target = includeTarget(entry)
    if (target === undefined) continue
    const path = includePath(file, target)
    if (texts.has(path)) continue
    if (texts.size >= MAX_INCLUDE_FILES) {
      texts.set(path, new Error(`the zone includes more than ${MAX_INCLUDE_FILES} files`))
      continue
    }
    try {
      const included = await readFile(path, { encoding: 'utf8', signal })
      texts.set(path, included)
      await readIncludes(included, path, depth + 1, texts, signal)
    } catch (err) {
      signal?.throwIfAborted()
      texts.set(path, err as Error)
    }
  }
}

/**
 * Reads and checks a zone file like `checkZone`, resolving `$INCLUDE <file> [<origin>]` relative
 * to the directory of the including file, at most {@link MAX_INCLUDE_DEPTH} deep (a file that
 * includes itself is an error). Errors give the path of the file they are in. Rejects with
 * `ERR_ZONE_READ` when the file itself cannot be read.
 *
 * @example
 * ```ts
 * const { errors, warnings } = await checkZoneFile('zones/example.com.zone', { origin: 'example.com' })
 * ```
 */
export async function checkZoneFile(path: string, options: LoadZoneOptions): Promise<ZoneCheck> {
  if (typeof path !== 'string' || path === '')
    throw invalidArgument('the zone file path must be a non-empty string')
  const { signal, ...rest } = options
  signal?.throwIfAborted()
  let text: string
  try {
    text = await readFile(path, { encoding: 'utf8', signal })
  } catch (err) {
    signal?.throwIfAborted()
    throw new ShoalError('ERR_ZONE_READ', `cannot read the zone file ${path}: ${(err as Error).message}`, {
      cause: err,
      details: { file: path },
    })
  }
  const includes = new Map<string, string | Error>()
  await readIncludes(text, path, 1, includes, signal)
  return checkWithIncludes(text, { ...rest, file: path }, includes)
}

/**
 * Reads a zone file into a {@link Zone}, like `parseZone` but from a file and with `$INCLUDE`
 * resolved (see {@link checkZoneFile}). Rejects with the `ERR_ZONE_SYNTAX` or `ERR_ZONE_INVALID`
 * error that `parseZone` throws, or `ERR_ZONE_READ` when the file cannot be read.
 *
 * @example
 * ```ts
 * const zone = await loadZoneFile('zones/example.com.zone', { origin: 'example.com' })
 * ```
 */
export async function loadZoneFile(path: string, options: LoadZoneOptions): Promise<Zone> {
  const check = await checkZoneFile(path, options)
  if (check.zone === undefined) throw zoneFailure(check.errors, check.warnings, check.truncated)
  return check.zone
}
