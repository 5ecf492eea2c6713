/**
 * Why the simulated network dropped a datagram.
 *
 * @example
 * ```ts
 * const reason: DropReason = 'loss'
 * ```
 */
export type DropReason = 'loss' | 'partition' | 'down' | 'queue' | 'crashed' | 'unknown'

/**
 * One line of a simulation's trace: every delivery, drop, timer, fault and emitted event, with
 * its virtual time. Two runs with the same seed and schedule give identical traces.
 *
 * @example
 * ```ts
 * const entry: TraceEntry = { time: 12, kind: 'deliver', node: 'b', peer: 'a', detail: '4' }
 * ```
 */
export interface TraceEntry {
  /** Virtual time (ms). */
  readonly time: number
  /** What happened. */
  readonly kind: 'deliver' | 'drop' | 'duplicate' | 'timer' | 'fault' | 'emit' | 'start' | 'app'
  /** The node it happened at (the receiver of a datagram). */
  readonly node: string
  /** The other node (the sender of a datagram), when there is one. */
  readonly peer?: string
  /** Kind-specific detail: bytes, timer id, drop reason, fault, emitted event as JSON. */
  readonly detail?: string
}

/**
 * How much of the trace a {@link Simulation} keeps: `full` (entries and hash), `hash` (the hash
 * only, no memory growth) or `off` (fastest, for benchmarks).
 *
 * @example
 * ```ts
 * const mode: TraceMode = 'hash'
 * ```
 */
export type TraceMode = 'full' | 'hash' | 'off'

/**
 * Records trace entries and folds them into a 64-bit FNV-1a hash (two 32-bit lanes), so two
 * runs can be compared by one string.
 *
 * @example
 * ```ts
 * const trace = new TraceRecorder('full')
 * trace.record({ time: 0, kind: 'start', node: 'a' })
 * trace.hash() // 16 hex digits
 * ```
 */
export class TraceRecorder {
  /** The mode this recorder was created with. */
  readonly mode: TraceMode
  readonly #entries: TraceEntry[] = []
  #h1 = 0x811c9dc5
  #h2 = 0x050c5d1f

  /** @param mode - how much to keep */
  constructor(mode: TraceMode) {
    this.mode = mode
  }

  /** The recorded entries (empty unless the mode is `full`). */
  get entries(): readonly TraceEntry[] {
    return this.#entries
  }

  /** Adds an entry (ignored when the mode is `off`). */
  record(entry: TraceEntry): void {
    if (this.mode === 'off') return
    if (this.mode === 'full') this.#entries.push(entry)
    const line = `${entry.time}|${entry.kind}|${entry.node}|${entry.peer ?? ''}|${entry.detail ?? ''}\n`
    let h1 = this.#h1
    let h2 = this.#h2
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i)
      h1 = Math.imul(h1 ^ c, 0x01000193)
      h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h2 >>> 15)
    }
    this.#h1 = h1
    this.#h2 = h2
  }

  /** The hash of everything recorded so far, as 16 hex digits. */
  hash(): string {
    return (this.#h1 >>> 0).toString(16).padStart(8, '0') + (this.#h2 >>> 0).toString(16).padStart(8, '0')
  }
}
