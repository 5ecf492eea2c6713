import { invalidArgument } from '@shoal/core'
import { LineFailure } from '../bad-line.js'
import type { LineParser, LineResult } from '../line-parser.js'
import { decodeBinary, hasHighBytes, type InvalidUtf8Policy, toBinary } from '../text.js'
import type { AccessRecord } from './access-record.js'
import { scannerSource } from './codegen.js'
import { ScanInterpreter } from './interpreter.js'
import { REJECT, ScanContext } from './scan-context.js'
import { type ScanPlan, stepFailure } from './scan-plan.js'
import type { EscapeMode } from './unescape.js'
import { endsCleanly, findClosingQuote } from './value-readers.js'

/** Options of the access-log parsers ({@link apacheParser}, {@link nginxParser}). */
export interface AccessParserOptions {
  /**
   * `lenient` (default) keeps text after the last field in `rest` and recovers lines damaged by
   * unescaped or unterminated quotes (flagging them `recovered`); `strict` rejects both, with
   * reasons `trailing-data`, `literal-mismatch` or `unterminated-quote`.
   */
  readonly mode?: 'strict' | 'lenient' | undefined
  /** What to do with fields that are not valid UTF-8 (default `replace`). */
  readonly invalidUtf8?: InvalidUtf8Policy | undefined
  /**
   * Compile the format to specialised JavaScript (default true). Where code generation is
   * forbidden (a CSP, `--disallow-code-generation-from-strings`), the parser falls back to an
   * interpreter by itself; `false` forces the interpreter.
   */
  readonly codegen?: boolean | undefined
}

type Scan = (line: string, ascii?: boolean) => AccessRecord | LineFailure

const factories = new Map<string, (env: unknown) => Scan>()
const MAX_CACHED = 256

function restOf(line: string, at: number): string {
  let start = at
  while (line.charCodeAt(start) === 32 || line.charCodeAt(start) === 9) start++
  return decodeBinary(line.slice(start), 'replace') ?? ''
}

/** Compiles (or takes from the cache) the scanner factory of a plan; undefined where `new Function` is forbidden. */
function scannerFactory(plan: ScanPlan, strict: boolean): ((env: unknown) => Scan) | undefined {
  const source = scannerSource(plan, strict)
  let factory = factories.get(source)
  if (factory === undefined) {
    try {
      factory = new Function('env', source) as (env: unknown) => Scan
    } catch {
      return undefined
    }
    if (factories.size >= MAX_CACHED) factories.delete(factories.keys().next().value as string)
    factories.set(source, factory)
  }
  return factory
}

/**
 * A {@link LineParser} for a compiled access-log format (Apache `LogFormat` or nginx
 * `log_format`). Each one keeps a small time cache: use one per stream or thread.
 */
export interface AccessParser extends LineParser<AccessRecord> {
  /** The record keys in order, `rest` and `recovered` excluded. */
  readonly fields: readonly string[]
}

/** The {@link AccessParser} behind the factories: a generated scanner, or the interpreter. */
export class CompiledAccessParser implements AccessParser {
  readonly name: string
  /** The record keys in order, `rest` and `recovered` excluded. */
  readonly fields: readonly string[]
  readonly #plan: ScanPlan
  readonly #strict: boolean
  readonly #interpreter: ScanInterpreter
  readonly #scan: Scan

  /**
   * @param name - the format's name (a preset name or the format string)
   * @param plan - the compiled format
   * @param escapeMode - how values were escaped by the writer
   * @param options - mode, UTF-8 policy, code generation
   */
  constructor(name: string, plan: ScanPlan, escapeMode: EscapeMode, options: AccessParserOptions = {}) {
    const mode = options.mode ?? 'lenient'
    if (mode !== 'strict' && mode !== 'lenient')
      throw invalidArgument(`mode must be 'strict' or 'lenient', got ${String(mode)}`)
    const policy = options.invalidUtf8 ?? 'replace'
    if (policy !== 'replace' && policy !== 'bytes' && policy !== 'reject') {
      throw invalidArgument(`invalidUtf8 must be 'replace', 'bytes' or 'reject', got ${String(policy)}`)
    }
    this.name = name
    this.fields = plan.keys
    this.#plan = plan
    this.#strict = mode === 'strict'
    const ctx = new ScanContext(escapeMode, policy)
    this.#interpreter = new ScanInterpreter(plan, ctx)
    const factory = options.codegen === false ? undefined : scannerFactory(plan, this.#strict)
    this.#scan =
      factory === undefined
        ? (line) => this.#interpret(line, false)
        : factory({
            ctx,
            REJECT,
            findClosingQuote,
            endsCleanly,
            restOf,
            hasHighBytes,
            strftime: plan.steps.map((step) => step.strftime),
            fail: (index: number, reason: LineFailure['reason'], column: number) =>
              stepFailure(plan, index, reason, column),
          })
  }

  /** {@inheritDoc LineParser.parseBinary} */
  parseBinary(line: string, ascii?: boolean): AccessRecord | LineFailure {
    const result = this.#scan(line, ascii)
    if (this.#strict || !(result instanceof LineFailure)) return result
    const recovered = this.#interpret(line, true)
    return recovered instanceof LineFailure ? result : recovered
  }

  /** {@inheritDoc LineParser.parseLine} */
  parseLine(line: string | Uint8Array): LineResult<AccessRecord> {
    const result = this.parseBinary(toBinary(line))
    return result instanceof LineFailure ? { ok: false, failure: result } : { ok: true, record: result }
  }

  #interpret(line: string, recover: boolean): AccessRecord | LineFailure {
    const keys = this.#plan.keys
    const values = new Array<unknown>(keys.length).fill(null)
    const failure = this.#interpreter.scan(line, values, recover)
    if (failure !== undefined) return failure
    const end = this.#interpreter.end
    let rest: string | null = null
    if (end < line.length) {
      if (this.#strict || !endsCleanly(line, end)) return stepFailure(this.#plan, -2, 'trailing-data', end)
      rest = restOf(line, end)
    }
    const record: Record<string, unknown> = {}
    for (let i = 0; i < keys.length; i++) record[keys[i] as string] = values[i]
    record.rest = rest
    record.recovered = this.#interpreter.recovered
    return record as AccessRecord
  }
}
