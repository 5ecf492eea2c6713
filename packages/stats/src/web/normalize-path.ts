/** Options of {@link normalizePath}. */
export interface PathNormalization {
  /** Drop `?query` (default true): the first lever on memory, as GoAccess's `-q` is. */
  readonly stripQuery?: boolean | undefined
  /** Decode `%xx` escapes (default true); malformed escapes are kept as written. */
  readonly percentDecode?: boolean | undefined
  /** Replace path segments that are numbers, UUIDs or long hex strings by `:id` (default true). */
  readonly collapseIds?: boolean | undefined
  /** Longest key kept, in characters (default 512); longer keys are cut and end with `…`. */
  readonly maxLength?: number | undefined
}

/** Whether `path[start, end)` is an id: all digits, a UUID, or 16+ hex digits. Checked by hand: this runs per request. */
function isIdSegment(path: string, start: number, end: number): boolean {
  const length = end - start
  if (length === 0) return false
  let digits = 0
  let dashes = 0
  for (let i = start; i < end; i++) {
    const c = path.charCodeAt(i)
    if (c >= 48 && c <= 57) digits++
    else if ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)) continue
    else if (c === 45 && (i - start === 8 || i - start === 13 || i - start === 18 || i - start === 23))
      dashes++
    else return false
  }
  if (digits === length) return true
  if (dashes === 4) return length === 36
  return dashes === 0 && length >= 16 && digits > 0
}

/**
 * The key a request target is counted under: `/users/123/avatar.png?s=40` becomes
 * `/users/:id/avatar.png`. Bounded key spaces keep top-k tables meaningful and memory small.
 */
export function normalizePath(target: string, options: PathNormalization = {}): string {
  let path = target
  if (options.stripQuery ?? true) {
    const query = path.indexOf('?')
    if (query >= 0) path = path.slice(0, query)
  }
  if ((options.percentDecode ?? true) && path.includes('%')) {
    try {
      path = decodeURIComponent(path)
    } catch {
      // keep malformed escapes as written
    }
  }
  if (options.collapseIds ?? true) {
    let out = ''
    let copied = 0
    let start = 0
    while (start <= path.length) {
      let end = path.indexOf('/', start)
      if (end < 0) end = path.length
      if (isIdSegment(path, start, end)) {
        out += `${path.slice(copied, start)}:id`
        copied = end
      }
      start = end + 1
    }
    if (copied > 0) path = out + path.slice(copied)
  }
  const max = options.maxLength ?? 512
  return path.length > max ? `${path.slice(0, max - 1)}…` : path
}

/** The site of a referrer URL (`https://www.example.com/a?b` → `www.example.com`), or null for `-`, empty or unparsable ones. */
export function refererSite(referer: string | null | undefined): string | null {
  if (referer === null || referer === undefined || referer === '' || referer === '-') return null
  const scheme = referer.indexOf('://')
  if (scheme < 0) return null
  const start = scheme + 3
  let end = start
  while (end < referer.length) {
    const c = referer.charCodeAt(end)
    if (c === 47 || c === 63 || c === 35 || c === 58) break // / ? # :
    end++
  }
  return end > start ? referer.slice(start, end).toLowerCase() : null
}
