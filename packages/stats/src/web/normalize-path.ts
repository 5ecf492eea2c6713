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

const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,})$/i

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
    const segments = path.split('/')
    let changed = false
    for (let k = 0; k < segments.length; k++) {
      const segment = segments[k] as string
      if (segment !== '' && ID_SEGMENT.test(segment)) {
        segments[k] = ':id'
        changed = true
      }
    }
    if (changed) path = segments.join('/')
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
