/** Options of {@link TypedEventTarget.addEventListener}. */
export interface ListenerOptions {
  /** Remove the listener after its first call. */
  readonly once?: boolean | undefined
  /** Remove the listener when this signal aborts. */
  readonly signal?: AbortSignal | undefined
}

/** A listener of events whose payload is `Detail`. */
export type TypedListener<Detail> = (event: CustomEvent<Detail>) => void

/**
 * A typed event source built on Node's `EventTarget`: event names and payloads are typed by
 * `Events`, a map from event name to the `detail` of its `CustomEvent`.
 *
 * @example
 * ```ts
 * class Watcher extends TypedEventTarget<{ change: { path: string } }> {}
 * new Watcher().addEventListener('change', (event) => reload(event.detail.path))
 * ```
 */
export class TypedEventTarget<Events extends Record<string, unknown>> {
  readonly #target = new EventTarget()

  /** Adds `listener` for events of `type`. */
  addEventListener<K extends keyof Events & string>(
    type: K,
    listener: TypedListener<Events[K]>,
    options: ListenerOptions = {},
  ): void {
    this.#target.addEventListener(type, listener as (event: Event) => void, toNodeOptions(options))
  }

  /** Removes a listener added with {@link TypedEventTarget.addEventListener}. */
  removeEventListener<K extends keyof Events & string>(type: K, listener: TypedListener<Events[K]>): void {
    this.#target.removeEventListener(type, listener as (event: Event) => void)
  }

  /** Dispatches a `CustomEvent` of `type` carrying `detail` to every listener, synchronously. */
  emit<K extends keyof Events & string>(type: K, detail: Events[K]): void {
    this.#target.dispatchEvent(new CustomEvent(type, { detail }))
  }
}

function toNodeOptions(options: ListenerOptions): { once?: boolean; signal?: AbortSignal } {
  const out: { once?: boolean; signal?: AbortSignal } = {}
  if (options.once !== undefined) out.once = options.once
  if (options.signal !== undefined) out.signal = options.signal
  return out
}
