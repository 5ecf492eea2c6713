/**
 * Apache's `ap_escape_logitem`, byte for byte: the test oracle for the parser's decoding.
 * Quotes and backslashes are escaped, C escapes for \b \n \r \t \v, and every other byte that is
 * not printable ASCII becomes \xhh.
 */
export function apacheEscape(text: string): string {
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte === 0x22) out += '\\"'
    else if (byte === 0x5c) out += '\\\\'
    else if (byte === 0x08) out += '\\b'
    else if (byte === 0x0a) out += '\\n'
    else if (byte === 0x0d) out += '\\r'
    else if (byte === 0x09) out += '\\t'
    else if (byte === 0x0b) out += '\\v'
    else if (byte < 0x20 || byte >= 0x7f) out += `\\x${byte.toString(16).padStart(2, '0')}`
    else out += String.fromCharCode(byte)
  }
  return out
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** Apache's `%t`: `[dd/Mon/yyyy:HH:MM:SS ±hhmm]` for an epoch second shown at a UTC offset in minutes. */
export function clfTime(epochSeconds: number, offsetMinutes: number): string {
  const d = new Date((epochSeconds + offsetMinutes * 60) * 1000)
  const two = (n: number): string => String(n).padStart(2, '0')
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return `[${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}]`
}
