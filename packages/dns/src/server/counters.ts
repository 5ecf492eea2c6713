/**
 * The plain counters of a DNS server: gdnsd's set (responses by rcode, drops, EDNS, ECS,
 * cookies, truncation, per-transport queries, TCP connections, RRL) with the same meanings.
 */
export interface CounterValues {
  /** Replies with RCODE NOERROR (answers and empty answers). */
  noerror: number
  /** Replies with RCODE NXDOMAIN. */
  nxdomain: number
  /** Replies with RCODE REFUSED (names outside every zone). */
  refused: number
  /** Replies with RCODE FORMERR. */
  formerr: number
  /** Replies with RCODE NOTIMP (opcodes other than QUERY). */
  notimp: number
  /** Replies with RCODE SERVFAIL (a pool set to fail closed). */
  servfail: number
  /** Replies with extended RCODE BADVERS (EDNS version above 0). */
  badvers: number
  /** Replies with extended RCODE BADCOOKIE. */
  badcookie: number
  /** Queries given no reply: malformed beyond a reply, QR=1, source port 0, RRL drops. */
  dropped: number
  /** Queries that carried an OPT RR. */
  edns: number
  /** Queries with the DNSSEC OK bit. */
  ednsDo: number
  /** Queries that carried an EDNS Client Subnet option. */
  ecs: number
  /** Queries with a client cookie alone (a first contact). */
  cookieInit: number
  /** Queries with a valid server cookie. */
  cookieOk: number
  /** Queries with a server cookie that is not valid here. */
  cookieBad: number
  /** Replies sent truncated (TC=1), RRL slips included. */
  tc: number
  /** Queries received over UDP. */
  udpQueries: number
  /** Queries received over TCP. */
  tcpQueries: number
  /** UDP receive errors reported by the socket. */
  udpRecvErrors: number
  /** UDP sends that failed. */
  udpSendErrors: number
  /** TCP connections accepted. */
  tcpConnections: number
  /** TCP connections refused at once (connection or per-client cap). */
  tcpRejected: number
  /** TCP connections closed for idleness. */
  tcpTimeouts: number
  /** Responses RRL dropped. */
  rrlDrops: number
  /** Responses RRL sent truncated instead. */
  rrlSlips: number
}

/** A copy of every counter, plain data (JSON-safe), as workers send it to the primary. */
export interface CountersSnapshot {
  /** The scalar counters. */
  readonly values: Readonly<CounterValues>
  /** Per pool: how many times it was selected from, and how many times each answer was given. */
  readonly pools: Readonly<
    Record<string, { readonly selections: number; readonly answers: Readonly<Record<string, number>> }>
  >
}

/** The counter names, in output order. */
export const COUNTER_NAMES: readonly (keyof CounterValues)[] = [
  'noerror',
  'nxdomain',
  'refused',
  'formerr',
  'notimp',
  'servfail',
  'badvers',
  'badcookie',
  'dropped',
  'edns',
  'ednsDo',
  'ecs',
  'cookieInit',
  'cookieOk',
  'cookieBad',
  'tc',
  'udpQueries',
  'tcpQueries',
  'udpRecvErrors',
  'udpSendErrors',
  'tcpConnections',
  'tcpRejected',
  'tcpTimeouts',
  'rrlDrops',
  'rrlSlips',
]

interface PoolCount {
  selections: number
  readonly answers: Map<string, number>
}

/**
 * The mutable counters one responder and its sockets update: plain number fields (an increment
 * is a property store), plus selection counts per pool and per answer (gdnsd#16).
 *
 * @example
 * ```ts
 * const counters = new DnsCounters()
 * counters.values.noerror++
 * counters.countSelection('web', ['web-1'])
 * const text = renderPrometheus(counters.snapshot())
 * ```
 */
export class DnsCounters {
  /** The scalar counters, incremented in place. */
  readonly values: CounterValues = zeroValues()
  readonly #pools = new Map<string, PoolCount>()

  /** Counts one selection from `pool` that gave `answers` (their ids). */
  countSelection(pool: string, answers: readonly string[]): void {
    let count = this.#pools.get(pool)
    if (count === undefined) {
      count = { selections: 0, answers: new Map() }
      this.#pools.set(pool, count)
    }
    count.selections++
    for (let i = 0; i < answers.length; i++) {
      const id = answers[i] as string
      count.answers.set(id, (count.answers.get(id) ?? 0) + 1)
    }
  }

  /** A plain copy of every counter. */
  snapshot(): CountersSnapshot {
    const pools: Record<string, { selections: number; answers: Record<string, number> }> = {}
    for (const [name, count] of this.#pools) {
      pools[name] = { selections: count.selections, answers: Object.fromEntries(count.answers) }
    }
    return { values: { ...this.values }, pools }
  }
}

/**
 * Counters all at zero.
 *
 * @example
 * ```ts
 * const values = zeroValues() // every counter at 0
 * ```
 */
export function zeroValues(): CounterValues {
  const values = {} as CounterValues
  for (const name of COUNTER_NAMES) values[name] = 0
  return values
}

/**
 * Sums snapshots (one per cluster worker) into one.
 *
 * @example
 * ```ts
 * const total = mergeSnapshots([a.snapshot(), b.snapshot()])
 * ```
 */
export function mergeSnapshots(snapshots: readonly CountersSnapshot[]): CountersSnapshot {
  const values = zeroValues()
  const pools: Record<string, { selections: number; answers: Record<string, number> }> = {}
  for (const snap of snapshots) {
    for (const name of COUNTER_NAMES) values[name] += snap.values[name] ?? 0
    for (const [name, count] of Object.entries(snap.pools)) {
      const into = pools[name] ?? { selections: 0, answers: {} }
      pools[name] = into
      into.selections += count.selections
      for (const [id, n] of Object.entries(count.answers)) into.answers[id] = (into.answers[id] ?? 0) + n
    }
  }
  return { values, pools }
}
