import type { ScanPlan } from './scan-plan.js'

const SIMPLE_READERS: Readonly<Record<string, string>> = {
  string: 'text',
  int: 'int',
  bytes: 'bytes',
  number: 'number',
  'hex-int': 'hex',
  'clf-time': 'clfTime',
  'iso-time': 'isoTime',
  request: 'request',
}
const SCALED_READERS: Readonly<Record<string, string>> = {
  duration: 'duration',
  durations: 'durations',
  epoch: 'epoch',
  'time-fraction': 'epoch',
}

const lit = (text: string): string => JSON.stringify(text)

/** A condition that `line` holds `literal` at `p`, from character `from` on: charCodeAt tests for short literals. */
function matchesAt(literal: string, from: number): string {
  if (literal.length > 8) return `line.startsWith(${lit(literal)}, p)`
  const tests: string[] = []
  for (let k = from; k < literal.length; k++)
    tests.push(`line.charCodeAt(p + ${k}) === ${literal.charCodeAt(k)}`)
  return tests.length === 0 ? 'true' : tests.join(' && ')
}

/**
 * Writes the source of a scanner specialised to one {@link ScanPlan}: the steps of the
 * interpreter unrolled, literals and offsets as constants, and the record built by one object
 * literal so every record of the format shares one hidden class. The function body receives
 * `env` (the value readers and failure builder) and returns `scan(line)`. It never recovers
 * damaged lines; lenient parsers hand failures to the interpreter for that.
 */
export function scannerSource(plan: ScanPlan, strict: boolean): string {
  const out: string[] = []
  const emit = (code: string): void => {
    out.push(code)
  }
  emit('"use strict";')
  emit('const { ctx, fail, findClosingQuote, endsCleanly, REJECT, strftime, restOf, hasHighBytes } = env;')
  emit('return function scan(line, ascii) {')
  emit(`  let p = ${plan.lead.length}; let e = 0; ctx.ascii = ascii === true || !hasHighBytes(line);`)
  if (plan.lead !== '')
    emit(`  if (!line.startsWith(${lit(plan.lead)})) return fail(-1, 'literal-mismatch', 0);`)
  const names: string[] = plan.keys.map((_, slot) => `v${slot}`)
  const declared = new Set<number>()
  plan.steps.forEach((step, i) => {
    const { spec, after, slots } = step
    const slot = slots[0] as number
    const last = i === plan.steps.length - 1
    if (!last || after !== '') emit(`  if (p >= line.length) return fail(${i - 1}, 'missing-field', p);`)
    let start = 'p'
    let end = 'e'
    let located = false
    if (spec.kind === 'clf-time' && spec.bracketed) {
      emit(
        `  if (line.charCodeAt(p) !== 91 || line.charCodeAt(p + 27) !== 93) return fail(${i}, 'bad-time', p);`,
      )
      start = 'p + 1'
      end = 'p + 27'
    } else if (spec.kind === 'strftime') {
      emit(`  let v${slot} = strftime[${i}].parse(line, p);`)
      emit(`  if (v${slot} !== v${slot}) return fail(${i}, 'bad-time', p);`)
      emit(`  p = strftime[${i}].end;`)
      declared.add(slot)
    } else if (step.quoted) {
      emit('  e = findClosingQuote(line, p);')
      emit(`  if (e < 0) return fail(${i}, 'unterminated-quote', p);`)
    } else if (after !== '') {
      emit(`  e = line.indexOf(${lit(after)}, p);`)
      emit(`  if (e < 0) return fail(${i}, 'missing-field', p);`)
      located = true
    } else {
      emit("  e = line.indexOf(' ', p); if (e < 0) e = line.length;")
    }
    if (spec.kind !== 'strftime') {
      const simple = SIMPLE_READERS[spec.kind]
      const call =
        simple !== undefined
          ? `ctx.${simple}(line, ${start}, ${end})`
          : `ctx.${SCALED_READERS[spec.kind]}(line, ${start}, ${end}, ${spec.scale})`
      const keyword = step.timeSlot >= 0 ? 'const' : declared.has(slot) ? '' : 'let'
      emit(`  ${keyword} v${slot} = ${call};`)
      declared.add(slot)
      emit(`  if (v${slot} === REJECT) return fail(${i}, ctx.reason, ${start});`)
      if (spec.kind === 'request') {
        emit(`  const v${slots[1]} = ctx.method, v${slots[2]} = ctx.target, v${slots[3]} = ctx.protocol;`)
        for (const s of slots) declared.add(s)
      }
      if (step.timeSlot >= 0)
        emit(
          `  if (typeof v${step.timeSlot} === 'number' && typeof v${slot} === 'number') v${step.timeSlot} += v${slot};`,
        )
      emit(spec.kind === 'clf-time' && spec.bracketed ? '  p += 28;' : '  p = e;')
    }
    if (after !== '') {
      // a quoted field's scan stopped on its closing quote: only the rest of the literal needs a check
      const check = matchesAt(after, step.quoted ? 1 : 0)
      if (!located && check !== 'true')
        emit(
          `  if (!(${check})) return fail(${i}, p >= line.length ? 'missing-field' : 'literal-mismatch', p);`,
        )
      emit(`  p += ${after.length};`)
    }
  })
  emit('  let rest = null;')
  const trailing = strict
    ? "return fail(-2, 'trailing-data', p);"
    : "if (!endsCleanly(line, p)) return fail(-2, 'trailing-data', p); rest = restOf(line, p);"
  emit(`  if (p < line.length) { ${trailing} }`)
  const fields = plan.keys.map((key, slot) => `${lit(key)}: ${names[slot]}`)
  emit(`  return { ${[...fields, 'rest: rest', 'recovered: false'].join(', ')} };`)
  emit('};')
  return out.join('\n')
}
