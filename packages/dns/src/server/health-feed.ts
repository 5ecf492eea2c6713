import type { TargetState } from '@shoal/core'

/** The most targets a health feed file may name. */
export const MAX_FEED_ENTRIES = 100_000

/** A parsed health feed, or why it was refused (with the line). */
export type HealthFeedResult =
  | { readonly ok: true; readonly states: ReadonlyMap<string, { state: TargetState; reason: string }> }
  | { readonly ok: false; readonly reason: string }

const STATES: ReadonlyMap<string, TargetState> = new Map([
  ['up', 'up'],
  ['down', 'down'],
  ['drain', 'draining'],
  ['draining', 'draining'],
])

/**
 * Parses an external health feed (the gdnsd `extfile` idea; the same two forms as
 * `@shoal/health`'s state file, so one file can feed both):
 *
 * - text: one `target up|down|drain [reason…]` per line, `#` starts a comment;
 * - JSON, when the text starts with `{`: `{ "web-1": "down", "web-2": { "state": "drain", "reason": "deploy" } }`.
 *
 * The whole file is accepted or refused: a bad line, an unknown state or a target named twice
 * refuses it, so a half-written file never marks half the answers down.
 *
 * @example
 * ```ts
 * const feed = parseHealthFeed('web-1 down maintenance\nweb-2 up\n')
 * ```
 */
export function parseHealthFeed(text: string, maxEntries = MAX_FEED_ENTRIES): HealthFeedResult {
  const states = new Map<string, { state: TargetState; reason: string }>()
  if (text.trimStart().startsWith('{')) return parseJson(text, states, maxEntries)
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string
    const hash = raw.indexOf('#')
    const line = (hash < 0 ? raw : raw.slice(0, hash)).trim()
    if (line === '') continue
    const [target = '', word, ...rest] = line.split(/\s+/)
    const at = `line ${i + 1}`
    if (word === undefined) return refuse(`${at}: '${target}' has no state (expected 'target up|down|drain')`)
    const state = STATES.get(word.toLowerCase())
    if (state === undefined) return refuse(`${at}: unknown state '${word}' (expected up, down or drain)`)
    if (states.has(target)) return refuse(`${at}: target '${target}' is named twice`)
    if (states.size >= maxEntries) return refuse(`more than ${maxEntries} targets`)
    states.set(target, { state, reason: rest.join(' ') })
  }
  return { ok: true, states }
}

function parseJson(
  text: string,
  states: Map<string, { state: TargetState; reason: string }>,
  maxEntries: number,
): HealthFeedResult {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    return refuse(`not valid JSON: ${(error as Error).message}`)
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return refuse('JSON must be an object of target → state')
  for (const [target, value] of Object.entries(data)) {
    if (target === '') return refuse('a target name is empty')
    let word: unknown = value
    let reason: unknown = ''
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      word = (value as { state?: unknown }).state
      reason = (value as { reason?: unknown }).reason ?? ''
    }
    const state = typeof word === 'string' ? STATES.get(word.toLowerCase()) : undefined
    if (state === undefined)
      return refuse(`target '${target}': state must be "up", "down" or "drain", got ${JSON.stringify(word)}`)
    if (typeof reason !== 'string') return refuse(`target '${target}': reason must be a string`)
    if (states.size >= maxEntries) return refuse(`more than ${maxEntries} targets`)
    states.set(target, { state, reason })
  }
  return { ok: true, states }
}

function refuse(reason: string): HealthFeedResult {
  return { ok: false, reason }
}
