import type { Message } from '../wire/messages.js'

interface Entry {
  readonly key: string
  readonly message: Message
  readonly size: number
  transmits: number
  live: boolean
}

/**
 * Gossip waiting to be sent, fewest transmissions first: an update is piggybacked on probes and
 * sent in gossip rounds until it has gone out `limit` times. A newer update about the same member
 * replaces the older one (which would only be ignored), so the queue holds at most one entry per
 * member and its size is bounded by the member table's.
 */
export class BroadcastQueue {
  readonly #byKey = new Map<string, Entry>()
  /** Entries bucketed by transmissions; in a bucket, the newest last. */
  #buckets: Entry[][] = [[]]
  readonly #promoted: Entry[] = []
  /** Replaced or removed entries still sitting in a bucket. */
  #stale = 0

  /** Updates waiting. */
  get size(): number {
    return this.#byKey.size
  }

  /** Queues `message` about `key` (a member name), replacing what was queued about it. */
  enqueue(key: string, message: Message, size: number): void {
    this.#retire(key)
    const entry: Entry = { key, message, size, transmits: 0, live: true }
    this.#byKey.set(key, entry)
    ;(this.#buckets[0] as Entry[]).push(entry)
  }

  /** Drops what is queued about `key`. */
  remove(key: string): void {
    this.#retire(key)
  }

  /** Marks what is queued about `key` dead; compacts once dead entries outnumber live ones. */
  #retire(key: string): void {
    const old = this.#byKey.get(key)
    if (old === undefined) return
    old.live = false
    this.#byKey.delete(key)
    if (++this.#stale > this.#byKey.size + 64) {
      for (const bucket of this.#buckets) {
        let kept = 0
        for (const e of bucket) if (e.live) bucket[kept++] = e
        bucket.length = kept
      }
      this.#stale = 0
    }
  }

  /**
   * Appends to `out` the least-sent updates that fit in `budget` bytes (at most `maxCount`), counts
   * one transmission for each and retires those sent `limit` times. Returns the bytes used.
   */
  fill(out: Message[], budget: number, maxCount: number, limit: number): number {
    let used = 0
    const buckets = this.#buckets
    for (let b = 0; b < buckets.length && out.length < maxCount && used < budget; b++) {
      const bucket = buckets[b] as Entry[]
      let kept = 0
      // Newest first within a bucket, then compact it in place.
      for (let i = bucket.length - 1; i >= 0; i--) {
        const e = bucket[i] as Entry
        if (!e.live) continue
        if (out.length < maxCount && used + e.size <= budget) {
          out.push(e.message)
          used += e.size
          e.transmits++
          if (e.transmits >= limit) {
            e.live = false
            this.#byKey.delete(e.key)
          } else {
            this.#promoted.push(e)
          }
        }
      }
      for (let i = 0; i < bucket.length; i++) {
        const e = bucket[i] as Entry
        if (e.live && e.transmits === b) bucket[kept++] = e
      }
      bucket.length = kept
    }
    for (const e of this.#promoted) {
      while (buckets.length <= e.transmits) buckets.push([])
      ;(buckets[e.transmits] as Entry[]).push(e)
    }
    this.#promoted.length = 0
    this.#trim()
    return used
  }

  /** Drops dead entries from idle buckets so a quiet queue holds no garbage. */
  #trim(): void {
    const buckets = this.#buckets
    while (buckets.length > 1 && (buckets[buckets.length - 1] as Entry[]).every((e) => !e.live)) buckets.pop()
    if (this.#byKey.size === 0) {
      this.#buckets = [[]]
      this.#stale = 0
    }
  }
}
