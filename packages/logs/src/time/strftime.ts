import { invalidArgument } from '@shoal/core'
import { civilToEpoch, monthAt } from './calendar.js'

type Step =
  | { readonly literal: string }
  | {
      readonly number: 'year' | 'year2' | 'month' | 'day' | 'hour' | 'hour12' | 'minute' | 'second' | 'epoch'
      readonly width: number
      readonly pad: boolean
    }
  | { readonly word: 'month' | 'monthName' | 'dayName' | 'ampm' | 'zoneName' }
  | { readonly zone: true }
  | { readonly space: true }

const EXPANSIONS: Readonly<Record<string, string>> = {
  T: '%H:%M:%S',
  D: '%m/%d/%y',
  F: '%Y-%m-%d',
  R: '%H:%M',
  r: '%I:%M:%S %p',
}

function plan(pattern: string, steps: Step[]): void {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    if (c !== '%') {
      steps.push({ literal: c })
      continue
    }
    const spec = pattern[++i]
    if (spec === undefined) throw invalidArgument(`strftime layout "${pattern}" ends with %`)
    const expansion = EXPANSIONS[spec]
    if (expansion !== undefined) {
      plan(expansion, steps)
      continue
    }
    switch (spec) {
      case 'Y':
        steps.push({ number: 'year', width: 4, pad: false })
        break
      case 'y':
        steps.push({ number: 'year2', width: 2, pad: false })
        break
      case 'm':
        steps.push({ number: 'month', width: 2, pad: false })
        break
      case 'd':
        steps.push({ number: 'day', width: 2, pad: false })
        break
      case 'e':
        steps.push({ number: 'day', width: 2, pad: true })
        break
      case 'H':
        steps.push({ number: 'hour', width: 2, pad: false })
        break
      case 'I':
        steps.push({ number: 'hour12', width: 2, pad: false })
        break
      case 'M':
        steps.push({ number: 'minute', width: 2, pad: false })
        break
      case 'S':
        steps.push({ number: 'second', width: 2, pad: false })
        break
      case 's':
        steps.push({ number: 'epoch', width: 0, pad: false })
        break
      case 'b':
      case 'h':
        steps.push({ word: 'month' })
        break
      case 'B':
        steps.push({ word: 'monthName' })
        break
      case 'a':
      case 'A':
        steps.push({ word: 'dayName' })
        break
      case 'p':
        steps.push({ word: 'ampm' })
        break
      case 'Z':
        steps.push({ word: 'zoneName' })
        break
      case 'z':
        steps.push({ zone: true })
        break
      case 'n':
      case 't':
        steps.push({ space: true })
        break
      case '%':
        steps.push({ literal: '%' })
        break
      default:
        throw invalidArgument(`strftime layout "${pattern}": %${spec} is not supported`)
    }
  }
}

const isLetter = (code: number): boolean => (code >= 65 && code <= 90) || (code >= 97 && code <= 122)

/**
 * Reads times written with a strftime(3) layout (`%Y %y %m %d %e %H %I %M %S %p %s %b %h %B %a
 * %A %z %Z %T %D %F %R %r %n %t %%`). Month names are English, capitalised as `%b` writes them. Times without `%z` are taken as UTC; `%Z` names are read
 * and ignored. Parsing is self-delimiting: {@link StrftimeParser.end} tells where the time ended.
 */
export class StrftimeParser {
  readonly #steps: Step[] = []
  /** Where the last {@link StrftimeParser.parse} stopped. */
  end = 0

  /** @param pattern - the strftime layout */
  constructor(pattern: string) {
    plan(pattern, this.#steps)
  }

  /** Parses a time starting at `at`; returns epoch milliseconds or NaN, and sets {@link StrftimeParser.end}. */
  parse(text: string, at: number): number {
    let i = at
    let year = 1970
    let month = 1
    let day = 1
    let hour = 0
    let minute = 0
    let second = 0
    let pm = -1
    let offset = 0
    let epoch = Number.NaN
    for (const step of this.#steps) {
      if ('literal' in step) {
        if (text[i] !== step.literal) return Number.NaN
        i++
      } else if ('number' in step) {
        if (step.pad && text[i] === ' ') i++
        const start = i
        let value = 0
        const limit =
          step.width === 0
            ? text.length
            : start + (step.pad && i > at && text[i - 1] === ' ' ? step.width - 1 : step.width)
        while (i < limit) {
          const d = text.charCodeAt(i) - 48
          if (d < 0 || d > 9) break
          value = value * 10 + d
          i++
        }
        if (i === start) return Number.NaN
        switch (step.number) {
          case 'year':
            year = value
            break
          case 'year2':
            year = value < 69 ? 2000 + value : 1900 + value
            break
          case 'month':
            month = value
            break
          case 'day':
            day = value
            break
          case 'hour':
          case 'hour12':
            hour = value
            break
          case 'minute':
            minute = value
            break
          case 'second':
            second = value
            break
          case 'epoch':
            epoch = value * 1000
            break
        }
      } else if ('word' in step) {
        const start = i
        while (i < text.length && isLetter(text.charCodeAt(i))) i++
        if (i === start) return Number.NaN
        if (step.word === 'month' || step.word === 'monthName') {
          month = i - start >= 3 ? monthAt(text, start) : 0
          if (month === 0) return Number.NaN
        } else if (step.word === 'ampm') {
          const word = text.slice(start, i).toUpperCase()
          if (word !== 'AM' && word !== 'PM') return Number.NaN
          pm = word === 'PM' ? 1 : 0
        }
      } else if ('zone' in step) {
        const sign = text[i] === '+' ? 1 : text[i] === '-' ? -1 : 0
        const hh = Number(text.slice(i + 1, i + 3))
        const mm = Number(text.slice(i + 3, i + 5))
        if (sign === 0 || !/^\d{4}$/.test(text.slice(i + 1, i + 5)) || mm > 59) return Number.NaN
        offset = sign * (hh * 60 + mm)
        i += 5
      } else {
        if (text[i] !== ' ' && text[i] !== '\t') return Number.NaN
        while (text[i] === ' ' || text[i] === '\t') i++
      }
    }
    this.end = i
    if (!Number.isNaN(epoch)) return epoch
    if (pm >= 0) {
      if (hour < 1 || hour > 12) return Number.NaN
      hour = (hour % 12) + (pm === 1 ? 12 : 0)
    }
    return civilToEpoch(year, month, day, hour, minute, second, offset)
  }
}
