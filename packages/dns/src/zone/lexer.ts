/** One word of a master file entry: its raw text with backslash escapes still in it. */
export interface Token {
  /** The characters as written, escapes undecoded, quotes removed. */
  readonly text: string
  /** Whether it was written in double quotes. */
  readonly quoted: boolean
  /** The 1-based line it is on. */
  readonly line: number
}

/** One entry (RFC 1035 §5.1): a line, or several joined by parentheses. */
export interface Entry {
  /** The line it starts on. */
  readonly line: number
  /** Whether the first line starts with a blank, so the owner is the previous entry's. */
  readonly indented: boolean
  /** Its words, comments and parentheses removed; never empty. */
  readonly tokens: readonly Token[]
  /** Whether a syntax error was reported inside it (its words may be incomplete). */
  readonly broken: boolean
}

/** Receives a syntax error found by the lexer. */
export type LexError = (line: number, message: string) => void

const SPACE = 0x20
const TAB = 0x09
const CR = 0x0d
const LF = 0x0a
const QUOTE = 0x22
const BACKSLASH = 0x5c
const SEMICOLON = 0x3b
const OPEN = 0x28
const CLOSE = 0x29

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR
}

/**
 * Splits master-file text into entries: comments (`;` to the end of the line) and parentheses
 * removed, quoted strings kept whole, backslash escapes kept raw for the caller to decode in
 * context (a `\.` means one thing in a name and another in a string). Errors are reported and
 * skipped over, so one pass finds all of them; every step advances, so the scan is linear.
 */
export class Lexer {
  private pos = 0
  private line = 1
  private errors = 0

  /**
   * @param text - the master file's text
   * @param onError - receives each syntax error with its line
   */
  constructor(
    private readonly text: string,
    private readonly reportError: LexError,
  ) {}

  private onError(line: number, message: string): void {
    this.errors++
    this.reportError(line, message)
  }

  /** The next entry with at least one token, or `undefined` at the end of the text. */
  next(): Entry | undefined {
    const text = this.text
    while (this.pos < text.length) {
      const startLine = this.line
      const startErrors = this.errors
      const indented = isBlank(text.charCodeAt(this.pos))
      let openLine = 0 // the line of the outer open parenthesis, 0 when none is open
      let depth = 0 // parentheses may nest (BIND reads them so); the entry ends at depth 0
      const tokens: Token[] = []
      while (this.pos < text.length) {
        const c = text.charCodeAt(this.pos)
        if (c === LF) {
          this.pos++
          this.line++
          if (openLine === 0) break
        } else if (isBlank(c)) {
          this.pos++
        } else if (c === SEMICOLON) {
          while (this.pos < text.length && text.charCodeAt(this.pos) !== LF) this.pos++
        } else if (c === OPEN) {
          this.pos++
          if (depth++ === 0) openLine = this.line
        } else if (c === CLOSE) {
          this.pos++
          if (depth === 0) this.onError(this.line, `')' without an opening '('`)
          else if (--depth === 0) openLine = 0
        } else if (c === QUOTE) {
          this.quoted(tokens)
        } else {
          this.word(tokens)
        }
      }
      if (openLine !== 0) this.onError(openLine, `'(' opened here is never closed`)
      if (tokens.length > 0) return { line: startLine, indented, tokens, broken: this.errors > startErrors }
    }
    return undefined
  }

  private quoted(tokens: Token[]): void {
    const text = this.text
    const line = this.line
    const start = ++this.pos
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos)
      if (c === QUOTE) {
        tokens.push({ text: text.slice(start, this.pos), quoted: true, line })
        this.pos++
        return
      }
      if (c === LF) break
      this.pos += c === BACKSLASH && text.charCodeAt(this.pos + 1) !== LF ? 2 : 1
    }
    // Leave the newline for the entry loop, so line counting and entry ends stay right.
    this.onError(line, 'a quoted string is not closed before the end of the line')
  }

  private word(tokens: Token[]): void {
    const text = this.text
    const start = this.pos
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos)
      if (c === BACKSLASH) {
        const next = text.charCodeAt(this.pos + 1)
        if (Number.isNaN(next) || next === LF) {
          this.onError(this.line, 'a backslash at the end of a line escapes nothing')
          if (this.pos > start)
            tokens.push({ text: text.slice(start, this.pos), quoted: false, line: this.line })
          this.pos++
          return
        }
        this.pos += 2
        continue
      }
      if (isBlank(c) || c === LF || c === SEMICOLON || c === OPEN || c === CLOSE || c === QUOTE) break
      this.pos++
    }
    tokens.push({ text: text.slice(start, this.pos), quoted: false, line: this.line })
  }
}
