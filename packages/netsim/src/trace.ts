/**
 * Why the simulated network dropped a datagram: `overflow` is a paused node's full receive
 * buffer ({@link SimulationOptions.receiveBuffer}).
 *
 * @example
 * ```ts
 * const reason: DropReason = 'loss'
 * ```
 */
export type DropReason = 'loss' | 'partition' | 'down' | 'queue' | 'crashed' | 'overflow' | 'unknown'

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

const FLOAT = new Float64Array(1)
const WORDS = new Uint32Array(FLOAT.buffer)

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
    this.add(entry.time, entry.kind, entry.node, entry.peer, entry.detail)
  }

  /**
   * Adds an entry given as fields: in `hash` mode no entry object is built, so hashing a long
   * run allocates nothing per entry.
   */
  add(time: number, kind: TraceEntry['kind'], node: string, peer?: string, detail?: string): void {
    if (this.mode === 'off') return
    if (this.mode === 'full') {
      const entry: { -readonly [K in keyof TraceEntry]: TraceEntry[K] } = { time, kind, node }
      if (peer !== undefined) entry.peer = peer
      if (detail !== undefined) entry.detail = detail
      this.#entries.push(entry)
    }
    FLOAT[0] = time
    this.#mix(WORDS[0] as number)
    this.#mix(WORDS[1] as number)
    this.#text(kind)
    this.#text(node)
    this.#text(peer ?? '')
    this.#text(detail ?? '')
  }

  #text(text: string): void {
    for (let i = 0; i < text.length; i++) this.#mix(text.charCodeAt(i))
    this.#mix(0x1f)
  }

  #mix(value: number): void {
    this.#h1 = Math.imul(this.#h1 ^ value, 0x01000193)
    this.#h2 = Math.imul(this.#h2 ^ value, 0x01000193) ^ (this.#h2 >>> 15)
  }

  /** The hash of everything recorded so far, as 16 hex digits. */
  hash(): string {
    return (this.#h1 >>> 0).toString(16).padStart(8, '0') + (this.#h2 >>> 0).toString(16).padStart(8, '0')
  }
}
