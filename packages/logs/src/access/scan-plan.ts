import type { BadLineReason } from '../bad-line.js'
import { LineFailure } from '../bad-line.js'
import { StrftimeParser } from '../time/strftime.js'
import type { FieldSpec, Segment } from './field-spec.js'
import { formatError } from './format-error.js'

/** One field of a {@link ScanPlan} with everything the scanners need to read it. */
export interface ScanStep {
  readonly spec: FieldSpec
  /** Output slots in the record: one, or four for a request (request, method, target, protocol). */
  readonly slots: readonly number[]
  /** The literal that follows the field ('' for a field that ends the format). */
  readonly after: string
  /** Whether the field sits between double quotes, and so ends at an unescaped `"`. */
  readonly quoted: boolean
  /** The layout reader of a `strftime` field. */
  readonly strftime: StrftimeParser | null
  /** For a `time-fraction` field: the slot of the nearest time field before it, or -1. */
  readonly timeSlot: number
}

/** A compiled format, ready to scan: the leading literal, the fields, and the record's keys. */
export interface ScanPlan {
  readonly source: string
  readonly lead: string
  readonly steps: readonly ScanStep[]
  /** Record keys in slot order, `rest` and `recovered` excluded. */
  readonly keys: readonly string[]
}

const TIME_KINDS = new Set<FieldSpec['kind']>(['clf-time', 'strftime', 'epoch', 'iso-time'])

const SELF_DELIMITING = (spec: FieldSpec): boolean =>
  (spec.kind === 'clf-time' && spec.bracketed) || spec.kind === 'strftime'

/** Builds the {@link ScanPlan} of compiled segments; record keys that repeat get a numeric suffix. */
export function planScan(source: string, segments: readonly Segment[]): ScanPlan {
  const keys: string[] = []
  const slotOf = (name: string): number => {
    let key = name
    for (let n = 2; keys.includes(key); n++) key = `${name}${n}`
    keys.push(key)
    return keys.length - 1
  }
  let lead = ''
  const steps: ScanStep[] = []
  let timeSlot = -1
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as Segment
    if ('literal' in segment) {
      if (i === 0) lead = segment.literal
      continue
    }
    const spec = segment.field
    const next = segments[i + 1]
    const previous = segments[i - 1]
    if (next !== undefined && 'field' in next && !SELF_DELIMITING(spec)) {
      throw formatError(
        source,
        source.indexOf(next.field.directive),
        `${spec.directive} and ${next.field.directive} need text between them`,
      )
    }
    const after = next !== undefined && 'literal' in next ? next.literal : ''
    const quoted =
      previous !== undefined &&
      'literal' in previous &&
      previous.literal.endsWith('"') &&
      after.startsWith('"')
    const slots =
      spec.kind === 'request'
        ? [slotOf(spec.name), slotOf('method'), slotOf('target'), slotOf('protocol')]
        : [slotOf(spec.name)]
    if (TIME_KINDS.has(spec.kind)) timeSlot = slots[0] as number
    steps.push({
      spec,
      slots,
      after,
      quoted,
      strftime: spec.kind === 'strftime' ? new StrftimeParser(spec.pattern) : null,
      timeSlot: spec.kind === 'time-fraction' ? timeSlot : -1,
    })
  }
  if (steps.length === 0) throw formatError(source, 0, 'the format has no fields')
  return { source, lead, steps, keys }
}

/** The failure of step `index` of `plan` for `reason` at `column`, with a message naming the field. */
export function stepFailure(
  plan: ScanPlan,
  index: number,
  reason: BadLineReason,
  column: number,
): LineFailure {
  const step = plan.steps[index]
  const what = step === undefined ? 'the line' : step.spec.directive
  switch (reason) {
    case 'literal-mismatch':
      return new LineFailure(
        reason,
        column,
        step === undefined
          ? `expected ${JSON.stringify(plan.lead)} at the start`
          : `expected ${JSON.stringify(step.after)} after ${what}`,
      )
    case 'missing-field':
      return new LineFailure(
        reason,
        column,
        `line ends before ${step === undefined ? 'the format does' : `${JSON.stringify(step.after)} after ${what}`}`,
      )
    case 'unterminated-quote':
      return new LineFailure(reason, column, `the quoted ${what} never closes`)
    case 'trailing-data':
      return new LineFailure(reason, column, 'text after the last field (strict mode)')
    case 'encoding':
      return new LineFailure(reason, column, `${what} is not valid UTF-8`)
    default:
      return new LineFailure(reason, column, `${what} is not a valid ${reason.replace('bad-', '')}`)
  }
}
