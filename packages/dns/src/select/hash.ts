/**
 * The small hashes behind sticky ordering: MurmurHash3's 32-bit body and finalizer over words,
 * and FNV-1a over a name with ASCII case folded (DNS names compare without case, RFC 4343), so
 * hashing a query name allocates no lowercase copy.
 */

/** MurmurHash3's finalizer: a bijection of 32-bit words that mixes every bit into every other. */
export function fmix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** One MurmurHash3 body step: folds `k` into `h`. */
export function mixWord(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  k = Math.imul(k, 0x1b873593)
  h ^= k
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

/** FNV-1a over the UTF-16 code units of `text` with A–Z folded to a–z, then finalized. */
export function hashName(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) | 0
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i)
    if (c >= 65 && c <= 90) c |= 0x20
    h = Math.imul(h ^ c, 0x01000193)
  }
  return fmix32(h)
}
