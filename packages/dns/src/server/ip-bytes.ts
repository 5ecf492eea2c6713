/**
 * Reads a textual IP address (as `node:dgram` and `node:net` report a peer) into bytes:
 * 4 bytes for IPv4 (IPv4-mapped IPv6 such as `::ffff:192.0.2.1` counts as IPv4, as a dual-stack
 * socket reports it), 16 for IPv6 (a `%zone` suffix is ignored).
 *
 * @param address - the textual address
 * @param out - at least 16 bytes; the address is written from index 0
 * @returns 4 or 6 for the family read, 0 when `address` is not an IP address
 *
 * @example
 * ```ts
 * const bytes = new Uint8Array(16)
 * parseIpBytes('192.0.2.1', bytes) // 4, bytes starts 192, 0, 2, 1
 * ```
 */
export function parseIpBytes(address: string, out: Uint8Array): 0 | 4 | 6 {
  if (address.indexOf(':') < 0) return parseV4(address, 0, address.length, out, 0) ? 4 : 0
  const family = parseV6(address, out)
  if (family === 6 && isV4Mapped(out)) {
    out.copyWithin(0, 12, 16)
    return 4
  }
  return family
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false
  return b[10] === 0xff && b[11] === 0xff
}

function parseV4(s: string, from: number, to: number, out: Uint8Array, at: number): boolean {
  let part = 0
  let value = 0
  let digits = 0
  for (let i = from; i <= to; i++) {
    const c = i === to ? 46 : s.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || part > 3) return false
      out[at + part++] = value
      value = 0
      digits = 0
    } else if (c >= 48 && c <= 57) {
      // a leading zero is refused: "010" is octal to some parsers and decimal to others
      if (digits > 0 && value === 0) return false
      value = value * 10 + (c - 48)
      if (++digits > 3 || value > 255) return false
    } else return false
  }
  return part === 4
}

function parseV6(s: string, out: Uint8Array): 0 | 6 {
  let end = s.indexOf('%')
  if (end < 0) end = s.length
  if (end > 45) return 0
  let groups = 0
  let gap = -1
  let i = 0
  if (s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return 0
    gap = 0
    i = 2
  }
  while (i < end && groups < 8) {
    // an embedded IPv4 tail takes the last two groups
    const colon = s.indexOf(':', i)
    const stop = colon < 0 || colon > end ? end : colon
    if (stop === end && s.indexOf('.', i) >= 0 && s.indexOf('.', i) < end) {
      if (groups > 6 || !parseV4(s, i, end, out, groups * 2)) return 0
      groups += 2
      i = end
      break
    }
    const len = stop - i
    if (len < 1 || len > 4) return 0
    let v = 0
    for (let j = i; j < stop; j++) {
      const h = hex(s.charCodeAt(j))
      if (h < 0) return 0
      v = (v << 4) | h
    }
    out[groups * 2] = v >>> 8
    out[groups * 2 + 1] = v & 0xff
    groups++
    i = stop
    if (i < end) {
      i++ // the ':'
      if (s.charCodeAt(i) === 58) {
        if (gap >= 0) return 0
        gap = groups
        i++
      } else if (i === end) return 0
    }
  }
  if (i < end) return 0
  if (gap < 0) return groups === 8 ? 6 : 0
  if (groups > 7) return 0
  // move the groups after "::" to the end and zero the gap
  const tail = (groups - gap) * 2
  out.copyWithin(16 - tail, gap * 2, groups * 2)
  out.fill(0, gap * 2, 16 - tail)
  return 6
}

function hex(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  return -1
}
