import type { Segment } from './field-spec.js'
import { formatError } from './format-error.js'
import { nginxVariable } from './nginx-variables.js'

/**
 * Compiles an nginx `log_format` string (the part after the name and `escape=`, with the
 * configuration's quotes already removed and its parts joined) into segments. Variables are
 * `$name` or `${name}`.
 */
export function compileNginxFormat(format: string): Segment[] {
  const segments: Segment[] = []
  let literal = ''
  let i = 0
  while (i < format.length) {
    const c = format[i] as string
    if (c !== '$') {
      literal += c
      i++
      continue
    }
    const start = i
    let name: string
    if (format[i + 1] === '{') {
      const close = format.indexOf('}', i)
      if (close < 0) throw formatError(format, i, 'unclosed ${ in variable')
      name = format.slice(i + 2, close)
      i = close + 1
    } else {
      const match = /^[A-Za-z0-9_]+/.exec(format.slice(i + 1))
      if (match === null) throw formatError(format, i, 'a $ must start a variable name')
      name = match[0]
      i += 1 + name.length
    }
    if (!/^[A-Za-z0-9_]+$/.test(name)) throw formatError(format, start, `bad variable name "${name}"`)
    if (literal !== '') {
      segments.push({ literal })
      literal = ''
    }
    segments.push({ field: nginxVariable(name) })
  }
  if (literal !== '') segments.push({ literal })
  return segments
}
