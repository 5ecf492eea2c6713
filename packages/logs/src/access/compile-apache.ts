import { apacheDirective } from './apache-directives.js'
import type { Segment } from './field-spec.js'
import { formatError } from './format-error.js'

const TWO_LETTER = new Set(['^FB', '^ti', '^to'])

/**
 * Compiles an Apache `LogFormat` string into segments. Understands every 2.4 directive, the
 * `<`/`>` and status-list modifiers (`%400,501{User-agent}i`, `%!200{Referer}i`: they only change
 * when Apache writes `-`, so they are accepted and need nothing else), `%%`, and the backslash
 * escapes of configuration strings (`\"`, `\\`, `\n`, `\t`).
 */
export function compileApacheFormat(format: string): Segment[] {
  const segments: Segment[] = []
  let literal = ''
  let i = 0
  while (i < format.length) {
    const c = format[i] as string
    if (c === '\\' && i + 1 < format.length) {
      const next = format[i + 1] as string
      literal += next === 'n' ? '\n' : next === 't' ? '\t' : next
      i += 2
      continue
    }
    if (c !== '%') {
      literal += c
      i++
      continue
    }
    const start = i
    i++
    if (format[i] === '%') {
      literal += '%'
      i++
      continue
    }
    let original = false
    // modifiers: '<' / '>' and a status-code condition list such as !200,304
    while (i < format.length && /[<>!0-9,]/.test(format[i] as string)) {
      if (format[i] === '<') original = true
      i++
    }
    let argument = ''
    if (format[i] === '{') {
      const close = format.indexOf('}', i)
      if (close < 0) throw formatError(format, start, 'unclosed { in directive')
      argument = format.slice(i + 1, close)
      i = close + 1
      while (i < format.length && /[<>!0-9,]/.test(format[i] as string)) {
        if (format[i] === '<') original = true
        i++
      }
    }
    if (i >= format.length) throw formatError(format, start, 'format ends inside a directive')
    let letter = format[i] as string
    if (letter === '^') {
      letter = format.slice(i, i + 3)
      if (!TWO_LETTER.has(letter)) throw formatError(format, i, `unknown directive %${letter}`)
      i += 3
    } else i++
    if (literal !== '') {
      segments.push({ literal })
      literal = ''
    }
    segments.push({
      field: apacheDirective(format, start, format.slice(start, i), letter, argument, original),
    })
  }
  if (literal !== '') segments.push({ literal })
  return segments
}
