import { dirname, join, resolve } from 'node:path'
import { invalidArgument, type ShoalError } from '@shoal/core'
import { nameToWire } from '../wire/name.js'
import { encodeRecordData, RdataError } from './encode.js'
import { DEFAULT_MAX_ERRORS, type ZoneErrorCode, type ZoneWarning, zoneFailure, zoneIssue } from './errors.js'
import { formatRecordData } from './format.js'
import { type Entry, Lexer, type Token } from './lexer.js'
import { isSubdomain, type ZoneName, zoneName } from './names.js'
import { parseRdata } from './parse-rdata.js'
import {
  isMetaType,
  KNOWN_TYPES,
  type KnownType,
  otherMnemonic,
  type RecordData,
  typeName,
} from './record-data.js'
import { decodeBytes, EntryError, fail, parseName } from './text.js'
import { looksLikeTtl, MAX_TTL, parseTtl } from './ttl.js'
import { buildZone, type ParsedRecord, type Zone } from './zone.js'

/** How deep `$INCLUDE` may nest: a file included by an included file is depth 2. */
export const MAX_INCLUDE_DEPTH = 8

/** Options of {@link parseZone} and {@link checkZone}. */
export interface ZoneOptions {
  /** The zone's apex, `example.com` or `example.com.`; also the first `$ORIGIN`. */
  readonly origin: string
  /** The file name that errors and warnings give (default `'zone'`); `$INCLUDE` paths are relative to it. */
  readonly file?: string | undefined
  /** The TTL of records that give none, when the file has no `$TTL` before them. */
  readonly defaultTtl?: number | undefined
  /** The most errors collected before the parser stops (default {@link DEFAULT_MAX_ERRORS}). */
  readonly maxErrors?: number | undefined
}

/** What {@link checkZone} found: the zone when it has no error, and everything wrong with it. */
export interface ZoneCheck {
  /** The zone, when there is no error; `undefined` otherwise. */
  readonly zone: Zone | undefined
  /** Every error found (up to the cap), in file order then zone checks; each a `ShoalError` with `{ file, line }`. */
  readonly errors: readonly ShoalError[]
  /** Warnings: the zone loads, but these deserve a look. */
  readonly warnings: readonly ZoneWarning[]
  /** Whether the parser stopped at the error cap, so more errors may follow. */
  readonly truncated: boolean
}

/** The texts of `$INCLUDE` files, read beforehand (the parser itself reads no files). */
export type IncludeTexts = ReadonlyMap<string, string | Error>

/** The path an `$INCLUDE` names, relative to the directory of the file that includes it. */
export function includePath(fromFile: string, path: string): string {
  return path.startsWith('/') ? path : join(dirname(fromFile), path)
}

/** The file named by an `$INCLUDE` entry, if `entry` is one that names a file. */
export function includeTarget(entry: Entry): string | undefined {
  const [directive, file] = entry.tokens
  if (directive === undefined || directive.quoted || directive.text.toUpperCase() !== '$INCLUDE')
    return undefined
  if (file === undefined) return undefined
  try {
    return new TextDecoder().decode(decodeBytes(file))
  } catch {
    return undefined
  }
}

class StopParsing extends Error {}

interface FileState {
  readonly file: string
  origin: ZoneName
  owner: ZoneName | undefined
}

class Parser {
  readonly records: ParsedRecord[] = []
  readonly errors: ShoalError[] = []
  readonly warnings: ZoneWarning[] = []
  truncated = false
  private ttl: number | undefined // $TTL
  private lastTtl: number | undefined // RFC 1035 §5.1: the last TTL stated

  constructor(
    readonly apex: ZoneName,
    private readonly defaultTtl: number | undefined,
    private readonly maxErrors: number,
    private readonly includes: IncludeTexts | undefined,
  ) {}

  error(code: ZoneErrorCode, file: string, line: number, message: string): void {
    if (this.errors.length >= this.maxErrors) {
      this.truncated = true
      throw new StopParsing()
    }
    this.errors.push(zoneIssue(code, file, line, message))
  }

  warn(file: string, line: number, message: string): void {
    if (this.warnings.length < this.maxErrors * 10) this.warnings.push({ file, line, message })
  }

  parseFile(text: string, state: FileState, chain: readonly string[]): void {
    const lexer = new Lexer(text, (line, message) => this.error('ERR_ZONE_SYNTAX', state.file, line, message))
    for (let entry = lexer.next(); entry !== undefined; entry = lexer.next()) {
      try {
        const first = entry.tokens[0] as Token
        if (entry.broken) {
          // Already reported; only keep track of the owner so the lines after it read right.
          if (!entry.indented && !first.text.startsWith('$')) state.owner = parseName(first, state.origin)
        } else if (!first.quoted && first.text.startsWith('$')) this.directive(entry, state, chain)
        else this.record(entry, state)
      } catch (err) {
        if (entry.broken && err instanceof EntryError) continue
        if (!(err instanceof EntryError)) throw err
        this.error(
          err.invalid ? 'ERR_ZONE_INVALID' : 'ERR_ZONE_SYNTAX',
          state.file,
          err.line ?? entry.line,
          err.message,
        )
      }
    }
  }

  private directive(entry: Entry, state: FileState, chain: readonly string[]): void {
    const [word, arg] = entry.tokens as [Token, Token | undefined]
    const name = word.text.toUpperCase()
    const extra = (n: number, usage: string): void => {
      const t = entry.tokens[n]
      if (t !== undefined) fail(t, `unexpected '${t.text}' after ${usage}`)
    }
    if (name === '$ORIGIN') {
      if (arg === undefined) fail(word, '$ORIGIN needs a domain name, like: $ORIGIN example.com.')
      state.origin = parseName(arg, state.origin)
      extra(2, '$ORIGIN <name>')
    } else if (name === '$TTL') {
      if (arg === undefined) fail(word, '$TTL needs a time, like: $TTL 3600 or $TTL 1h')
      this.ttl = parseTtl(arg)
      this.lastTtl = this.ttl
      extra(2, '$TTL <ttl>')
    } else if (name === '$INCLUDE') {
      this.include(entry, state, chain)
    } else if (name === '$GENERATE') {
      fail(word, '$GENERATE is not supported; write the records it would generate')
    } else {
      fail(word, `unknown directive '${word.text}' (known: $ORIGIN, $TTL, $INCLUDE)`)
    }
  }

  private include(entry: Entry, state: FileState, chain: readonly string[]): void {
    const [word, fileToken, originToken] = entry.tokens as [Token, Token | undefined, Token | undefined]
    if (fileToken === undefined) fail(word, '$INCLUDE needs a file name, like: $INCLUDE hosts.zone')
    if (entry.tokens.length > 3)
      fail(
        entry.tokens[3] as Token,
        `unexpected '${(entry.tokens[3] as Token).text}' after $INCLUDE <file> [<origin>]`,
      )
    const target = new TextDecoder().decode(decodeBytes(fileToken))
    const origin = originToken === undefined ? state.origin : parseName(originToken, state.origin)
    if (this.includes === undefined)
      fail(
        word,
        `$INCLUDE ${target}: parseZone reads no files; load the zone with loadZoneFile to resolve $INCLUDE`,
      )
    const path = includePath(state.file, target)
    if (chain.length > MAX_INCLUDE_DEPTH)
      fail(word, `$INCLUDE ${target}: includes nest deeper than ${MAX_INCLUDE_DEPTH} files`)
    if (chain.some((file) => resolve(file) === resolve(path)))
      fail(
        word,
        `$INCLUDE ${target}: the includes loop (${[...chain, path].join(' → ')}); a file cannot include itself`,
      )
    const text = this.includes.get(path)
    if (text === undefined || text instanceof Error) {
      const why = text instanceof Error ? text.message : 'it was not read'
      throw new EntryError(`$INCLUDE ${target}: cannot read ${path}: ${why}`, word.line, true)
    }
    // The included file starts with the given origin and the current owner; both revert after it.
    this.parseFile(text, { file: path, origin, owner: state.owner }, [...chain, path])
  }

  private record(entry: Entry, state: FileState): void {
    const tokens = entry.tokens
    let i = 0
    let owner: ZoneName
    if (entry.indented) {
      if (state.owner === undefined)
        fail(
          tokens[0] as Token,
          'this line starts with a blank, so it continues the previous owner name, but no record came before it: write the owner name at the start of the line',
        )
      owner = state.owner
    } else {
      owner = parseName(tokens[0] as Token, state.origin)
      state.owner = owner
      i = 1
    }
    let ttl: number | undefined
    let haveClass = false
    for (;;) {
      const t = tokens[i]
      if (t === undefined) break
      if (ttl === undefined && looksLikeTtl(t)) ttl = parseTtl(t)
      else if (!haveClass && isClass(t)) {
        checkClass(t)
        haveClass = true
      } else break
      i++
    }
    const typeToken = tokens[i]
    if (typeToken === undefined)
      fail(
        tokens[tokens.length - 1] as Token,
        `the record for ${owner.text || '.'} has no type (like A, MX, TXT)`,
      )
    const code = parseType(typeToken)
    if (!isSubdomain(owner.key, this.apex.key))
      throw new EntryError(
        `${owner.text || '.'} is outside the zone ${this.apex.text || '.'}: a record's name must end in the zone's name (check $ORIGIN and a missing final dot)`,
        tokens[0]?.line,
        true,
      )
    const data = parseRdata(code, tokens, i + 1, state.origin, typeToken)
    let rdata: Uint8Array
    try {
      rdata = encodeRecordData(data)
    } catch (err) {
      if (!(err instanceof RdataError)) throw err
      fail(tokens[i + 1] ?? typeToken, err.message)
    }
    if (ttl === undefined) ttl = this.inheritedTtl(data, entry, state)
    else this.lastTtl = ttl
    this.records.push({
      owner,
      type: code,
      ttl,
      data,
      rdata,
      text: formatRecordData(data, rdata),
      file: state.file,
      line: entry.line,
    })
  }

  private inheritedTtl(data: RecordData, entry: Entry, state: FileState): number {
    const ttl = this.ttl ?? this.defaultTtl ?? this.lastTtl
    if (ttl !== undefined) return ttl
    if (data.type === 'SOA') {
      this.warn(
        state.file,
        entry.line,
        `no TTL given and no $TTL before it: the SOA takes its minimum, ${data.minimum}`,
      )
      this.lastTtl = data.minimum
      return data.minimum
    }
    throw new EntryError(
      'this record has no TTL and no $TTL comes before it: add a line like `$TTL 3600` at the top of the file',
      entry.line,
    )
  }
}

const CLASSES = new Set(['IN', 'CH', 'CHAOS', 'HS', 'HESIOD', 'CS', 'NONE', 'ANY'])

function isClass(token: Token): boolean {
  if (token.quoted) return false
  const word = token.text.toUpperCase()
  return CLASSES.has(word) || /^CLASS[0-9]+$/.test(word)
}

function checkClass(token: Token): void {
  const word = token.text.toUpperCase()
  if (word !== 'IN' && word !== 'CLASS1')
    fail(token, `class ${token.text} is not supported: a zone here holds class IN records only`)
}

function parseType(token: Token): number {
  const word = token.text.toUpperCase()
  const known = KNOWN_TYPES[word as KnownType]
  if (!token.quoted && known !== undefined) return known
  const generic = /^TYPE([0-9]{1,5})$/.exec(word)
  if (!token.quoted && generic !== null) {
    const code = Number(generic[1])
    if (code > 65_535) fail(token, `${token.text}: a type number is at most 65535`)
    if (isMetaType(code))
      fail(token, `${typeName(code)} is a query-only or meta type and cannot be zone data`)
    return code
  }
  const other = otherMnemonic(word)
  if (other !== undefined)
    fail(
      token,
      `type ${word} is not read in its usual form here; write it as TYPE${other} \\# <length> <hex> (RFC 3597)`,
    )
  fail(
    token,
    `unknown record type '${token.text}' (read: ${Object.keys(KNOWN_TYPES).join(', ')}, or TYPEnnn \\# <length> <hex>)`,
  )
}

function apexOf(origin: unknown): ZoneName {
  if (typeof origin !== 'string')
    throw invalidArgument(`options.origin must be a zone name such as 'example.com', got ${String(origin)}`)
  return zoneName(nameToWire(origin))
}

/**
 * Reads a zone's master file (RFC 1035 §5) and checks the zone, without throwing for what is in the
 * text: every error is collected (up to `maxErrors`), each with its `file:line`, for a tool to print.
 * `$INCLUDE` is refused here (this function reads no files); {@link checkZoneFile} resolves it.
 * Throws `ERR_INVALID_ARGUMENT` for bad options only.
 *
 * @example
 * ```ts
 * const { zone, errors } = checkZone(text, { origin: 'example.com', file: 'example.com.zone' })
 * const report = errors.map((e) => e.message) // ['example.com.zone:7: …']
 * ```
 */
export function checkZone(text: string, options: ZoneOptions): ZoneCheck {
  return checkWithIncludes(text, options, undefined)
}

/** {@link checkZone} with the texts of `$INCLUDE` files read beforehand (by {@link checkZoneFile}). */
export function checkWithIncludes(
  text: string,
  options: ZoneOptions,
  includes: IncludeTexts | undefined,
): ZoneCheck {
  if (typeof text !== 'string') throw invalidArgument('the zone text must be a string')
  const apex = apexOf(options.origin)
  const { defaultTtl, maxErrors = DEFAULT_MAX_ERRORS, file = 'zone' } = options
  if (defaultTtl !== undefined && !(Number.isInteger(defaultTtl) && defaultTtl >= 0 && defaultTtl <= MAX_TTL))
    throw invalidArgument(
      `options.defaultTtl must be a whole number of seconds from 0 to ${MAX_TTL}, got ${defaultTtl}`,
    )
  if (!(Number.isInteger(maxErrors) && maxErrors >= 1))
    throw invalidArgument(`options.maxErrors must be a whole number of at least 1, got ${maxErrors}`)
  const parser = new Parser(apex, defaultTtl, maxErrors, includes)
  try {
    parser.parseFile(text, { file, origin: apex, owner: undefined }, [file])
  } catch (err) {
    if (!(err instanceof StopParsing)) throw err
  }
  let zone: Zone | undefined
  if (!parser.truncated) {
    const built = buildZone(
      apex,
      parser.records,
      file,
      (where, message) => {
        try {
          parser.error('ERR_ZONE_INVALID', where.file, where.line, message)
        } catch (err) {
          if (!(err instanceof StopParsing)) throw err
        }
      },
      (where, message) => parser.warn(where.file, where.line, message),
      parser.warnings,
    )
    if (parser.errors.length === 0) zone = built
  }
  return { zone, errors: parser.errors, warnings: parser.warnings, truncated: parser.truncated }
}

/**
 * Reads a zone's master file (RFC 1035 §5) into a {@link Zone}: `$ORIGIN`, `$TTL`, `@`, relative
 * names, owners continued from the previous line, parentheses, comments, quoted strings with
 * `\DDD` and `\X` escapes, TTL units (`1w2d3h4m5s`), class IN, the types SOA, NS, A, AAAA, CNAME,
 * MX, TXT, SRV, CAA and PTR, and any type in RFC 3597 form (`TYPE65534 \# 3 abcdef`).
 *
 * Throws a `ShoalError` (`ERR_ZONE_SYNTAX` for unreadable text, `ERR_ZONE_INVALID` for a zone
 * that cannot be served) with `details.file` and `details.line` of the first error and every
 * error in `details.errors`. `$INCLUDE` is refused here; {@link loadZoneFile} resolves it.
 *
 * @example
 * ```ts
 * const zone = parseZone(text, { origin: 'example.com', file: 'example.com.zone' })
 * const result = zone.lookup('www.example.com') // { kind: 'answer', rrsets, … }
 * ```
 */
export function parseZone(text: string, options: ZoneOptions): Zone {
  const check = checkZone(text, options)
  if (check.zone === undefined) throw zoneFailure(check.errors, check.warnings, check.truncated)
  return check.zone
}
