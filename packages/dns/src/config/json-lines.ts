/**
 * The line of every value in a JSON text, keyed by its path as config errors name it
 * (`$.zones[0].file`), so an error can say `config.json:12`. Call it on text that
 * `JSON.parse` accepted; on anything else it returns what it found before the damage.
 *
 * @example
 * ```ts
 * jsonPathLines('{\n  "a": [1,\n 2]\n}').get('$.a[1]') // 3
 * ```
 */
export function jsonPathLines(text: string): Map<string, number> {
  const lines = new Map<string, number>()
  let at = 0
  let line = 1
  // depth is bounded by the text's length; JSON.parse already refused anything deeper than V8's stack
  const skipSpace = (): void => {
    while (at < text.length) {
      const c = text.charCodeAt(at)
      if (c === 10) line++
      else if (c !== 32 && c !== 9 && c !== 13) return
      at++
    }
  }
  const readString = (): string => {
    const start = at
    at++ // opening quote
    while (at < text.length) {
      const c = text.charCodeAt(at)
      if (c === 92) at += 2
      else if (c === 34) {
        at++
        break
      } else at++
    }
    try {
      return JSON.parse(text.slice(start, at)) as string
    } catch {
      return ''
    }
  }
  const value = (path: string): void => {
    skipSpace()
    lines.set(path, line)
    const c = text.charCodeAt(at)
    if (c === 123) {
      at++
      skipSpace()
      if (text.charCodeAt(at) === 125) {
        at++
        return
      }
      while (at < text.length) {
        skipSpace()
        const key = readString()
        skipSpace()
        at++ // ':'
        value(`${path}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`)
        skipSpace()
        if (text.charCodeAt(at++) !== 44) return // ',' or '}'
      }
    } else if (c === 91) {
      at++
      skipSpace()
      if (text.charCodeAt(at) === 93) {
        at++
        return
      }
      for (let i = 0; at < text.length; i++) {
        value(`${path}[${i}]`)
        skipSpace()
        if (text.charCodeAt(at++) !== 44) return // ',' or ']'
      }
    } else if (c === 34) readString()
    else while (at < text.length && /[^\s,\]}]/.test(text.charAt(at))) at++
  }
  value('$')
  return lines
}

/**
 * The path of a config value as errors name it: `$`, then `.key` or `["odd key"]` per object
 * key and `[i]` per array index.
 *
 * @example
 * ```ts
 * pathOf('$.pools', 'web') // '$.pools.web'
 * pathOf('$.zones', 0) // '$.zones[0]'
 * ```
 */
export function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`
  return `${parent}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`
}

/**
 * Where a JSON text stops being JSON: the offset of the first character a strict reader
 * refuses (the text's length when it ends too soon), or -1 when the text is valid. Node 20's
 * `JSON.parse` does not always say where (`Unexpected token '}'`), and a person needs the line.
 *
 * @example
 * ```ts
 * jsonErrorOffset('{"a": 1,}') // 8
 * ```
 */
export function jsonErrorOffset(text: string): number {
  let at = 0
  const space = (): void => {
    while (at < text.length && /[ \t\r\n]/.test(text.charAt(at))) at++
  }
  const fail = (): never => {
    throw at
  }
  const literal = (word: string): void => {
    if (text.startsWith(word, at)) at += word.length
    else fail()
  }
  const string = (): void => {
    at++
    for (;;) {
      if (at >= text.length) fail()
      const c = text.charCodeAt(at)
      if (c === 34) {
        at++
        return
      }
      if (c < 32) fail()
      if (c === 92) {
        const e = text.charAt(at + 1)
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
            at += 2
            fail()
          }
          at += 6
        } else if ('"\\/bfnrt'.includes(e) && e !== '') at += 2
        else {
          at++
          fail()
        }
      } else at++
    }
  }
  const value = (depth: number): void => {
    if (depth > 512) fail()
    space()
    const c = text.charAt(at)
    if (c === '{') {
      at++
      space()
      if (text.charAt(at) === '}') {
        at++
        return
      }
      for (;;) {
        space()
        if (text.charAt(at) !== '"') fail()
        string()
        space()
        if (text.charAt(at) !== ':') fail()
        at++
        value(depth + 1)
        space()
        const next = text.charAt(at)
        at++
        if (next === '}') return
        if (next !== ',') {
          at--
          fail()
        }
      }
    } else if (c === '[') {
      at++
      space()
      if (text.charAt(at) === ']') {
        at++
        return
      }
      for (;;) {
        value(depth + 1)
        space()
        const next = text.charAt(at)
        at++
        if (next === ']') return
        if (next !== ',') {
          at--
          fail()
        }
      }
    } else if (c === '"') string()
    else if (c === 't') literal('true')
    else if (c === 'f') literal('false')
    else if (c === 'n') literal('null')
    else {
      const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(at, at + 400))
      if (m === null) fail()
      else at += m[0].length
    }
  }
  try {
    value(0)
    space()
    if (at < text.length) fail()
    return -1
  } catch (offset) {
    if (typeof offset === 'number') return offset
    throw offset
  }
}
