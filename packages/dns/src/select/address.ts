/**
 * IP addresses as the selection pipeline holds them: four 32-bit words, most significant first
 * (an IPv4 address uses word 0 only), so a prefix test or a trie walk reads bits without strings.
 * The parsers write into a caller's array and allocate nothing, because the resolver's address
 * arrives as text on every query.
 */

/** An address family: 4 or 6 (0 where a parser rejects its input). */
export type Family = 4 | 6

/** A parsed network: family, words (bits past `length` are zero) and prefix length. */
export interface Cidr {
  readonly family: Family
  readonly words: Uint32Array
  readonly length: number
}

const groups = new Int32Array(8)

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  const lower = c | 0x20
  if (lower >= 97 && lower <= 102) return lower - 87
  return -1
}

/** Parses a dotted quad between `start` and `end`; returns the address as an unsigned word, or -1. */
function parseV4(text: string, start: number, end: number): number {
  let value = 0
  let octets = 0
  let i = start
  while (octets < 4) {
    let octet = 0
    let digits = 0
    while (i < end) {
      const c = text.charCodeAt(i)
      if (c < 48 || c > 57) break
      // "01.2.3.4" is refused, as Node's net.isIP does: a leading zero reads as octal elsewhere
      if (digits === 1 && octet === 0) return -1
      octet = octet * 10 + (c - 48)
      digits++
      i++
      if (octet > 255) return -1
    }
    if (digits === 0) return -1
    value = value * 256 + octet
    octets++
    if (octets < 4) {
      if (i >= end || text.charCodeAt(i) !== 46) return -1
      i++
    }
  }
  return i === end ? value : -1
}

function parseV6(text: string, out: Uint32Array): boolean {
  let end = text.length
  // a zone index ("fe80::1%eth0", as dgram reports link-local peers) names an interface, not bits
  const zone = text.indexOf('%')
  if (zone >= 0) end = zone
  let count = 0
  let gap = -1
  let i = 0
  if (end >= 2 && text.charCodeAt(0) === 58) {
    if (text.charCodeAt(1) !== 58) return false
    gap = 0
    i = 2
  }
  while (i < end) {
    if (count === 8) return false
    const start = i
    let value = 0
    let digits = 0
    while (i < end) {
      const h = hexValue(text.charCodeAt(i))
      if (h < 0) break
      value = value * 16 + h
      digits++
      i++
    }
    if (i < end && text.charCodeAt(i) === 46) {
      // a trailing dotted quad ("::ffff:192.0.2.1") fills the last two groups
      if (count > 6) return false
      const v4 = parseV4(text, start, end)
      if (v4 < 0) return false
      groups[count++] = v4 >>> 16
      groups[count++] = v4 & 0xffff
      i = end
      break
    }
    if (digits === 0 || digits > 4) return false
    groups[count++] = value
    if (i === end) break
    if (text.charCodeAt(i) !== 58) return false
    i++
    if (i < end && text.charCodeAt(i) === 58) {
      if (gap >= 0) return false
      gap = count
      i++
    } else if (i === end) return false
  }
  if (gap < 0 ? count !== 8 : count > 7) return false
  const fill = 8 - count
  for (let k = 0; k < 4; k++) {
    const hi = groupAt(2 * k, gap, fill)
    const lo = groupAt(2 * k + 1, gap, fill)
    out[k] = ((hi << 16) | lo) >>> 0
  }
  return true
}

function groupAt(position: number, gap: number, fill: number): number {
  if (gap < 0 || position < gap) return groups[position] as number
  if (position < gap + fill) return 0
  return groups[position - fill] as number
}

/**
 * Parses an IPv4 or IPv6 literal into `out` (four words). An IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`, as a dual-stack socket reports IPv4 peers) is returned as IPv4.
 *
 * @returns the family, or 0 when `text` is not an address
 * @example
 * ```ts
 * const words = new Uint32Array(4)
 * parseAddress('2001:db8::1', words) // 6, words = [0x20010db8, 0, 0, 1]
 * ```
 */
export function parseAddress(text: string, out: Uint32Array): Family | 0 {
  if (text.indexOf(':') < 0) {
    const v4 = parseV4(text, 0, text.length)
    if (v4 < 0) return 0
    out[0] = v4
    out[1] = 0
    out[2] = 0
    out[3] = 0
    return 4
  }
  if (!parseV6(text, out)) return 0
  if (out[0] === 0 && out[1] === 0 && out[2] === 0xffff) {
    out[0] = out[3] as number
    out[1] = 0
    out[2] = 0
    out[3] = 0
    return 4
  }
  return 6
}

/**
 * Reads address bytes (4 or 16 of them, as a socket or an ECS option carries them; fewer are
 * padded with zeros) into `out`.
 */
export function readAddressBytes(bytes: Uint8Array, family: Family, out: Uint32Array): void {
  const size = family === 4 ? 4 : 16
  for (let k = 0; k < 4; k++) {
    let word = 0
    for (let b = 0; b < 4; b++) {
      const at = 4 * k + b
      word = word * 256 + (at < size && at < bytes.length ? (bytes[at] as number) : 0)
    }
    out[k] = word
  }
}

/** Whether the address in `words` lies in the network `cidr` of the same family. */
export function inCidr(words: Uint32Array, family: Family, cidr: Cidr): boolean {
  if (family !== cidr.family) return false
  let left = cidr.length
  for (let k = 0; k < 4 && left > 0; k++) {
    const bits = Math.min(32, left)
    const mask = bits === 32 ? 0xffffffff : ~(0xffffffff >>> bits) >>> 0
    if (((words[k] as number) & mask) >>> 0 !== (cidr.words[k] as number)) return false
    left -= bits
  }
  return true
}

/** Zeroes every bit of `words` from bit `length` on. */
export function maskWords(words: Uint32Array, length: number): void {
  for (let k = 0; k < 4; k++) {
    const start = 32 * k
    if (length >= start + 32) continue
    const keep = length - start
    words[k] = keep <= 0 ? 0 : ((words[k] as number) & ~(0xffffffff >>> keep)) >>> 0
  }
}

/** Bit `index` (0 = most significant) of `words`. */
export function bitAt(words: Uint32Array, index: number): number {
  return ((words[index >>> 5] as number) >>> (31 - (index & 31))) & 1
}

/**
 * Parses `"192.0.2.0/24"`, `"2001:db8::/32"` or a bare address (a host network).
 *
 * @returns the network, or a sentence saying what is wrong with it
 * @example
 * ```ts
 * parseCidr('10.1.0.0/8') // '"10.1.0.0/8" has bits set past /8: did you mean "10.0.0.0/8"?'
 * ```
 */
export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/')
  const words = new Uint32Array(4)
  const family = parseAddress(slash < 0 ? text : text.slice(0, slash), words)
  if (family === 0) return `"${text}" is not an IPv4 or IPv6 network`
  // a mapped form would silently become an IPv4 network of another length
  if (family === 4 && text.indexOf(':') >= 0)
    return `"${text}" is an IPv4-mapped IPv6 network: write it as an IPv4 network`
  const max = family === 4 ? 32 : 128
  let length = max
  if (slash >= 0) {
    const digits = text.slice(slash + 1)
    if (!/^(0|[1-9][0-9]{0,2})$/.test(digits) || Number(digits) > max)
      return `"${text}" has a prefix length that is not a whole number from 0 to ${max}`
    length = Number(digits)
  }
  const masked = new Uint32Array(words)
  maskWords(masked, length)
  for (let k = 0; k < 4; k++) {
    if (masked[k] !== words[k]) {
      return `"${text}" has bits set past /${length}: did you mean "${formatAddress(masked, family)}/${length}"?`
    }
  }
  return { family, words: masked, length }
}

/**
 * Formats an address: dotted quad, or RFC 5952 text (lowercase, longest zero run as `::`).
 *
 * @example
 * ```ts
 * formatAddress(Uint32Array.of(0x20010db8, 0, 0, 1), 6) // '2001:db8::1'
 * ```
 */
export function formatAddress(words: Uint32Array, family: Family): string {
  if (family === 4) {
    const w = words[0] as number
    return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`
  }
  const parts: number[] = []
  for (let k = 0; k < 4; k++) parts.push((words[k] as number) >>> 16, (words[k] as number) & 0xffff)
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8; ) {
    if (parts[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && parts[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = (from: number, to: number) =>
    parts
      .slice(from, to)
      .map((p) => p.toString(16))
      .join(':')
  if (bestStart < 0) return hex(0, 8)
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`
}

/** Formats a network as `address/length`. */
export function formatCidr(words: Uint32Array, family: Family, length: number): string {
  return `${formatAddress(words, family)}/${length}`
}
