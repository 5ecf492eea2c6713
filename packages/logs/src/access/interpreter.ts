import { LineFailure } from '../bad-line.js'
import { hasHighBytes } from '../text.js'
import { REJECT, type ScanContext } from './scan-context.js'
import { type ScanPlan, type ScanStep, stepFailure } from './scan-plan.js'
import { endsCleanly, findClosingQuote } from './value-readers.js'

/** Quotes considered as the end of one quoted field during a recovery. */
const MAX_CANDIDATES = 16
/** Re-splits tried per line during a recovery: a bound on backtracking over many quotes. */
const MAX_ATTEMPTS = 64

/**
 * Reads a line by walking a {@link ScanPlan} step by step. It is the fallback where code
 * generation is not allowed, and the only scanner that recovers lines in lenient mode: a quoted
 * field holding a raw `"` (producers that do not escape) is re-split at the next quote after which
 * the rest of the line fits, and a last quoted field that never closes runs to the end of the line.
 */
export class ScanInterpreter {
  readonly #plan: ScanPlan
  readonly #ctx: ScanContext
  /** Where the last successful scan stopped: the start of trailing text, or the line's length. */
  end = 0
  /** Whether the last successful scan needed a recovery. */
  recovered = false
  #budget = 0

  constructor(plan: ScanPlan, ctx: ScanContext) {
    this.#plan = plan
    this.#ctx = ctx
  }

  /** Reads `line` into `values` (one entry per plan key). */
  scan(line: string, values: unknown[], recover: boolean): LineFailure | undefined {
    this.recovered = false
    this.#budget = MAX_ATTEMPTS
    this.#ctx.ascii = !hasHighBytes(line)
    const lead = this.#plan.lead
    if (!line.startsWith(lead)) return stepFailure(this.#plan, -1, 'literal-mismatch', 0)
    const result = this.#scanFrom(line, 0, lead.length, values, recover)
    if (result instanceof LineFailure) return result
    this.end = result
    return undefined
  }

  #scanFrom(
    line: string,
    first: number,
    pos: number,
    values: unknown[],
    recover: boolean,
  ): number | LineFailure {
    const steps = this.#plan.steps
    let p = pos
    for (let i = first; i < steps.length; i++) {
      const step = steps[i] as ScanStep
      const after = step.after
      const kind = step.spec.kind
      if (p >= line.length && (i < steps.length - 1 || after !== ''))
        return stepFailure(this.#plan, i - 1, 'missing-field', p)
      let start = p
      let end: number
      if (kind === 'clf-time' && step.spec.bracketed) {
        if (line.charCodeAt(p) !== 91 || line.charCodeAt(p + 27) !== 93)
          return stepFailure(this.#plan, i, 'bad-time', p)
        start = p + 1
        end = p + 27
        p = end + 1
      } else if (kind === 'strftime') {
        p = end = -1
      } else if (step.quoted) {
        if (recover) return this.#recoverQuoted(line, i, p, values)
        end = findClosingQuote(line, p)
        if (end < 0 || !line.startsWith(after, end)) {
          return stepFailure(
            this.#plan,
            i,
            end < 0 ? 'unterminated-quote' : 'literal-mismatch',
            end < 0 ? p : end,
          )
        }
        p = end
      } else if (after !== '') {
        end = line.indexOf(after, p)
        if (end < 0) return stepFailure(this.#plan, i, 'missing-field', p)
        p = end
      } else {
        end = line.indexOf(' ', p)
        if (end < 0) end = line.length
        p = end
      }
      const failure =
        kind === 'strftime'
          ? this.#readStrftime(line, i, start, values)
          : this.#convert(step, line, start, end, values)
      if (failure !== undefined) {
        if (typeof failure === 'number') p = failure
        else return failure
      }
      if (after !== '' && !line.startsWith(after, p)) {
        return stepFailure(this.#plan, i, p >= line.length ? 'missing-field' : 'literal-mismatch', p)
      }
      p += after.length
    }
    return p
  }

  #readStrftime(line: string, index: number, start: number, values: unknown[]): number | LineFailure {
    const step = this.#plan.steps[index] as ScanStep
    const parser = step.strftime
    const value = parser === null ? Number.NaN : parser.parse(line, start)
    if (Number.isNaN(value) || parser === null) return stepFailure(this.#plan, index, 'bad-time', start)
    values[step.slots[0] as number] = value
    return parser.end
  }

  #recoverQuoted(line: string, index: number, start: number, values: unknown[]): number | LineFailure {
    const step = this.#plan.steps[index] as ScanStep
    const proper = findClosingQuote(line, start)
    // the proper closing quote first, then every other quote the next literal follows
    const candidates = proper >= 0 ? [proper] : []
    for (
      let q = line.indexOf('"', start);
      q >= 0 && candidates.length < MAX_CANDIDATES;
      q = line.indexOf('"', q + 1)
    ) {
      if (q !== proper) candidates.push(q)
    }
    // a split that leaves no trailing text is preferred to one that leaves some
    for (const wholeLine of [true, false]) {
      for (const q of candidates) {
        if (this.#budget-- <= 0) break
        if (!line.startsWith(step.after, q) || this.#convert(step, line, start, q, values) !== undefined)
          continue
        const rest = this.#scanFrom(line, index + 1, q + step.after.length, values, true)
        if (typeof rest === 'number' && (wholeLine ? rest === line.length : endsCleanly(line, rest))) {
          if (q !== proper) this.recovered = true
          return rest
        }
      }
    }
    if (
      index === this.#plan.steps.length - 1 &&
      step.after === '"' &&
      this.#convert(step, line, start, line.length, values) === undefined
    ) {
      // the line was cut inside its last quoted field: keep what there is
      this.recovered = true
      return line.length
    }
    return stepFailure(this.#plan, index, proper < 0 ? 'unterminated-quote' : 'literal-mismatch', start)
  }

  #convert(
    step: ScanStep,
    line: string,
    start: number,
    end: number,
    values: unknown[],
  ): LineFailure | undefined {
    const ctx = this.#ctx
    const spec = step.spec
    let value: unknown
    switch (spec.kind) {
      case 'string':
        value = ctx.text(line, start, end)
        break
      case 'int':
        value = ctx.int(line, start, end)
        break
      case 'bytes':
        value = ctx.bytes(line, start, end)
        break
      case 'number':
        value = ctx.number(line, start, end)
        break
      case 'hex-int':
        value = ctx.hex(line, start, end)
        break
      case 'duration':
        value = ctx.duration(line, start, end, spec.scale)
        break
      case 'durations':
        value = ctx.durations(line, start, end, spec.scale)
        break
      case 'clf-time':
        value = ctx.clfTime(line, start, end)
        break
      case 'iso-time':
        value = ctx.isoTime(line, start, end)
        break
      case 'epoch':
      case 'time-fraction':
        value = ctx.epoch(line, start, end, spec.scale)
        break
      case 'request':
        value = ctx.request(line, start, end)
        if (value !== REJECT) {
          values[step.slots[1] as number] = ctx.method
          values[step.slots[2] as number] = ctx.target
          values[step.slots[3] as number] = ctx.protocol
        }
        break
      case 'strftime':
        value = REJECT
        break
    }
    if (value === REJECT) return stepFailure(this.#plan, this.#plan.steps.indexOf(step), ctx.reason, start)
    values[step.slots[0] as number] = value
    if (step.timeSlot >= 0 && typeof value === 'number' && typeof values[step.timeSlot] === 'number') {
      values[step.timeSlot] = (values[step.timeSlot] as number) + value
    }
    return undefined
  }
}
