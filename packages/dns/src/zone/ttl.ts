import type { Token } from './lexer.js'
import { fail } from './text.js'

/** The largest TTL (RFC 2181 §8: 2^31 - 1 seconds). */
export const MAX_TTL = 0x7fffffff

const UNITS: Readonly<Record<string, number>> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 }

/** Whether a word is meant as a TTL (or another time value): it starts with a digit. */
export function looksLikeTtl(token: Token): boolean {
  const c = token.text.charCodeAt(0)
  return !token.quoted && c >= 0x30 && c <= 0x39
}

/**
 * Parses a time value in seconds: plain (`3600`) or with units, in any case and order
 * (`1w2d3h4m5s`, `1h30m`). At most {@link MAX_TTL}; `what` names the field in errors.
 */
export function parseTtl(token: Token, what = 'TTL'): number {
  const raw = token.text
  const help = `${what} must be seconds (3600) or a duration like 1h30m (units w, d, h, m, s), at most ${MAX_TTL}`
  if (token.quoted || raw.length === 0 || raw.length > 40) fail(token, `${help}; got '${raw}'`)
  if (/^[0-9]+$/.test(raw)) {
    const value = Number(raw)
    if (value > MAX_TTL) fail(token, `${help}; got ${raw}`)
    return value
  }
  if (!/^([0-9]+[wdhmsWDHMS])+$/.test(raw)) fail(token, `${help}; got '${raw}'`)
  let total = 0
  for (const [, digits, unit] of raw.matchAll(/([0-9]+)([a-zA-Z])/g))
    total += Number(digits) * (UNITS[(unit as string).toLowerCase()] as number)
  if (total > MAX_TTL) fail(token, `${help}; '${raw}' is ${total} seconds`)
  return total
}
