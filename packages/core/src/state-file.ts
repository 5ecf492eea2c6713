import type { TargetState } from './health-source.js'

/** One target's line (or key) of a state file. */
export interface StateFileEntry {
  /** The state the file gives it. */
  readonly state: TargetState
  /** The reason the file gives, `''` when none. */
  readonly reason: string
}

/** A parsed state file, or what is wrong with it (and where). */
export type StateFileResult =
  | { readonly ok: true; readonly states: ReadonlyMap<string, StateFileEntry> }
  | { readonly ok: false; readonly reason: string }

/** The most targets a state file may name. */
export const MAX_STATE_FILE_ENTRIES = 100_000

const STATES: ReadonlyMap<string, TargetState> = new Map([
  ['up', 'up'],
  ['down', 'down'],
  ['drain', 'draining'],
  ['draining', 'draining'],
])

/**
 * Parses a state file: the external feed of target states that `@shoal/health` watches and
 * `@shoal/dns` follows (gdnsd's `extfile` idea), so one file can feed both. Two forms:
 *
 * - JSON, when the text starts with `{`: `{ "web-1": "down", "web-2": { "state": "drain", "reason": "deploy" } }`;
 * - text: one `target state [reason…]` per line, `#` starts a comment, blank lines are skipped.
 *
 * States are `up`, `down`, `drain` or `draining`, in any case. The whole file is accepted or the
 * whole file is refused: any bad line, an unknown state, a target named twice or more than
 * {@link MAX_STATE_FILE_ENTRIES} targets refuse it, with the line that is wrong, so a half-written
 * file never marks half the targets down.
 *
 * @example
 * ```ts
 * const parsed = parseStateFile('web-1 down maintenance\nweb-2 up\n')
 * if (parsed.ok) parsed.states.get('web-1') // { state: 'down', reason: 'maintenance' }
 * ```
 */
export function parseStateFile(text: string, maxEntries = MAX_STATE_FILE_ENTRIES): StateFileResult {
  const states = new Map<string, StateFileEntry>()
  if (text.trimStart().startsWith('{')) return parseJson(text, states, maxEntries)
  const lines = text.split(/\r?\n/)
  const firstSeen = new Map<string, number>()
  for (let i = 0; i < lines.length; i++) {
    const hash = (lines[i] as string).indexOf('#')
    const line = (hash < 0 ? (lines[i] as string) : (lines[i] as string).slice(0, hash)).trim()
    if (line === '') continue
    const [target, word, ...rest] = line.split(/\s+/)
    const at = `line ${i + 1}`
    if (word === undefined) return refuse(`${at}: '${target}' has no state (expected 'target up|down|drain')`)
    const state = STATES.get(word.toLowerCase())
    if (state === undefined) return refuse(`${at}: unknown state '${word}' (expected up, down or drain)`)
    const first = firstSeen.get(target as string)
    if (first !== undefined) return refuse(`${at}: target '${target}' is already on line ${first}`)
    if (states.size >= maxEntries) return refuse(`more than ${maxEntries} targets`)
    firstSeen.set(target as string, i + 1)
    states.set(target as string, { state, reason: rest.join(' ') })
  }
  return { ok: true, states }
}

function parseJson(text: string, states: Map<string, StateFileEntry>, maxEntries: number): StateFileResult {
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

function refuse(reason: string): StateFileResult {
  return { ok: false, reason }
}
