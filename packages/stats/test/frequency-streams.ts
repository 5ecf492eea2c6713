/** Seeded streams for the frequency and counter tests. */

/** mulberry32: a small seeded generator of floats in [0, 1). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A sampler of ranks 0 … n−1 with P(rank) ∝ 1 / (rank + 1)^s. */
export function zipf(n: number, s: number, random: () => number): () => number {
  const cumulative = new Float64Array(n)
  let sum = 0
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** s
    cumulative[i] = sum
  }
  return () => {
    const u = random() * sum
    let lo = 0
    let hi = n - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((cumulative[mid] as number) < u) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** A Zipf stream of `length` string items over `universe` keys, with the true counts. */
export function zipfStream(
  seed: number,
  length: number,
  universe: number,
  s = 1.1,
  maxWeight = 1,
): { items: string[]; weights: number[]; truth: Map<string, number> } {
  const random = seeded(seed)
  const next = zipf(universe, s, random)
  const items: string[] = []
  const weights: number[] = []
  const truth = new Map<string, number>()
  for (let i = 0; i < length; i++) {
    const item = `/path/${next()}`
    const weight = maxWeight === 1 ? 1 : 1 + Math.floor(random() * maxWeight)
    items.push(item)
    weights.push(weight)
    truth.set(item, (truth.get(item) ?? 0) + weight)
  }
  return { items, weights, truth }
}

/** The bytes as a Node Buffer, for readable comparisons. */
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
