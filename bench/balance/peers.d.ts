// Types for the balancing peers the balance benchmark compares with (they ship none).

declare module 'hashring' {
  /** A ketama-compatible ring: md5, 40 hashes × 4 points per server, a 5,000-entry LRU of lookups. */
  class HashRing {
    constructor(
      servers: readonly string[] | Readonly<Record<string, number>>,
      algorithm?: string,
      options?: object,
    )
    /** The server for `key`. */
    get(key: string): string
  }
  export = HashRing
}

declare module 'consistent-hash' {
  /** A ring of control points placed with `Math.random()`, keys hashed with a PJW variant. */
  class ConsistentHash {
    constructor(options?: { range?: number; weight?: number; distribution?: 'random' | 'uniform' })
    add(node: string, weight?: number): this
    remove(node: string): this
    /** The node for `name`, or `null` when the ring is empty. */
    get(name: string): string | null
  }
  export = ConsistentHash
}

declare module 'skeleton-rendezvous' {
  /** Skeleton rendezvous hashing over clusters of sites, md5 hex scores. */
  class SkeletonRendezvousHasher {
    constructor(options?: { sites?: readonly string[]; fanout?: number; targetClusterSize?: number })
    findSite(key: string): string | null
  }
  export = SkeletonRendezvousHasher
}

declare module 'wrr-pool' {
  /** LVS interleaved weighted round robin. */
  class WRRPool<T = unknown> {
    add(value: T, weight: number): void
    next(): T | null
  }
  export = WRRPool
}

declare module 'rr' {
  /** The next element of `array` round robin (the cursor lives on the array). */
  function rr<T>(array: T[]): T | null
  export = rr
}

declare module 'roundround' {
  /** A function returning the elements of `array` round robin. */
  function roundround<T>(array: readonly T[], index?: number): () => T
  export = roundround
}
