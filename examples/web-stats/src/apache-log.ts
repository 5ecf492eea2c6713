/**
 * Writing access-log lines the way Apache httpd's mod_log_config writes them, in the
 * `combined_d` layout: `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D`.
 */

/** What one logged request holds, before formatting. Text fields hold bytes, one char per byte (latin1). */
export interface AccessEntry {
  /** `%h`: the client (after mod_remoteip: the X-Forwarded-For address). */
  readonly remoteHost: string
  /** `%u`: the authenticated user, or null. */
  readonly remoteUser: string | null
  /** `%t`: when the request was received, epoch milliseconds. */
  readonly time: number
  /** `%r`: the request line as received, e.g. `GET /a?b=1 HTTP/1.1`. */
  readonly requestLine: string
  /** `%>s`: the final status. */
  readonly status: number
  /** `%b`: body bytes sent (0 is written `-`). */
  readonly bytes: number
  /** `%{Referer}i`, or null when the header is absent. */
  readonly referer: string | null
  /** `%{User-Agent}i`, or null when the header is absent. */
  readonly userAgent: string | null
  /** `%D`: time taken to serve the request, microseconds. */
  readonly durationUs: number
}

const HEX = '0123456789abcdef'
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/**
 * Escapes a logged value as Apache's `ap_escape_logitem` does: `"` and `\` get a backslash; `\b`,
 * `\n`, `\r`, `\t` and `\v` are written as such; every other byte outside printable ASCII
 * (0x20–0x7e) is written `\xhh` (lower-case hex). The value holds one character per byte: pass
 * header values as Node reads them (latin1), or `Buffer.from(text).toString('latin1')`.
 *
 * @param value - the bytes of the value, one character per byte
 * @returns the escaped value, printable ASCII only
 */
export function escapeLogItem(value: string): string {
  let plain = true
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
      plain = false
      break
    }
  }
  if (plain) return value
  let out = ''
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i) & 0xff
    switch (c) {
      case 0x22:
        out += '\\"'
        break
      case 0x5c:
        out += '\\\\'
        break
      case 0x08:
        out += '\\b'
        break
      case 0x0a:
        out += '\\n'
        break
      case 0x0d:
        out += '\\r'
        break
      case 0x09:
        out += '\\t'
        break
      case 0x0b:
        out += '\\v'
        break
      default:
        out += c < 0x20 || c > 0x7e ? `\\x${HEX[c >> 4]}${HEX[c & 15]}` : String.fromCharCode(c)
    }
  }
  return out
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n))

/**
 * Apache's `%t`: `[10/Oct/2000:13:55:36 +0000]`, here always in UTC.
 *
 * @param time - epoch milliseconds
 */
export function formatClfTime(time: number): string {
  const d = new Date(time)
  return (
    `[${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000]`
  )
}

const field = (value: string | null): string => (value === null || value === '' ? '-' : escapeLogItem(value))
const quoted = (value: string | null): string => (value === null ? '-' : escapeLogItem(value))

/**
 * One `combined_d` line, newline included.
 *
 * @param entry - the request to log
 * @returns the line as Apache would write it, printable ASCII only
 */
export function formatCombinedD(entry: AccessEntry): string {
  return (
    `${field(entry.remoteHost)} - ${field(entry.remoteUser)} ${formatClfTime(entry.time)} ` +
    `"${escapeLogItem(entry.requestLine)}" ${entry.status} ${entry.bytes === 0 ? '-' : entry.bytes} ` +
    `"${quoted(entry.referer)}" "${quoted(entry.userAgent)}" ${Math.max(0, Math.round(entry.durationUs))}\n`
  )
}

/** The `combined_d` format string, as written in an Apache configuration. */
export const COMBINED_D = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D'
