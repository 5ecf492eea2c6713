/**
 * Benchmark of `@shoal/dns`'s server beside gdnsd and two Node servers written on npm DNS
 * libraries, all answering the same zone (the interop fixture's) to the same dnsperf load:
 *
 * - ours: `DnsServer` from `@shoal/dns`, in the measuring process, RRL off (gdnsd has none);
 * - gdnsd 3.8 (Debian's `gdnsd`), one UDP thread, its own process;
 * - `dns-packet` 5.6.1 and `dns2` 3.1.1: minimal authoritative servers written the way their
 *   READMEs show (bench/dns/dns-packet-server.ts, bench/dns/dns2-server.ts), in the measuring
 *   process; they serve the static records and one weighted draw, not a selection chain.
 *
 * Each run: start the server, warm it up (a short dnsperf run), then the timed dnsperf run:
 * `dnsperf -s 127.0.0.1 -p <port> -d <file> -c 20 -q 500 -n <runs> -t 1` (a fixed number of
 * queries, so queries per second is the harness's items/s and the ratio between servers is their
 * throughput ratio), and for the fixed-rate comparison `-Q 20000 -l 10`. The figure to compare is
 * the server's CPU time per answered query, read from `/proc/<pid>/stat` before and after the run
 * (the measuring process's own pid for the in-process servers, gdnsd's for gdnsd): on a shared
 * 2-core machine it barely moves with the load, where queries per second does. The harness's
 * `CPU s` column is the measuring process's: the server's own for the Node servers, nearly nothing
 * for gdnsd (a separate process); `server µs/query` is the same measure for all four.
 *
 * Workloads (query files, `name type` per line):
 * - static: `www.example.com A` (three A records, 84-byte reply);
 * - mix: A, AAAA, TXT, MX, NS, a CNAME, NXDOMAIN, NODATA and the weighted name;
 * - weighted: the weighted pool (one of three addresses, odds 1 : 2 : 3);
 * - chain: the full selection chain with an ECS option (192.0.2.0/24): nets view → failover →
 *   up → weighted shuffle → first 1 (gdnsd: geoip nets map → weighted); ours and gdnsd only;
 * - fixed rate: the mix at 20,000 queries per second for 10 s (loss must be zero).
 *
 *   npm run bench -- dns [--smoke] [--queries N] [--seconds S] [--repeats N] [--only gdnsd,dns-packet]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  ecsOptionHex,
  type LoadResult,
  loadServer,
  runDnsperf,
} from '../../packages/dns/test/interop/dnsperf.js'
import { GDNSD_PLUGINS, gdnsdZone, ORIGIN } from '../../packages/dns/test/interop/fixture.js'
import { startGdnsd } from '../../packages/dns/test/interop/gdnsd-harness.js'
import { startOurs } from '../../packages/dns/test/interop/our-server.js'
import { missingTools } from '../../packages/dns/test/interop/tools.js'
import {
  type BenchContext,
  type CheckColumn,
  type Comparison,
  type Contender,
  formatInt,
  runBenchmark,
  type Tally,
  type Workload,
} from '../src/harness.js'
import { startDnsPacketServer } from './dns-packet-server.js'
import { startDns2Server } from './dns2-server.js'

// ---------------------------------------------------------------- workloads

interface LoadWorkload extends Workload {
  /** The query file. */
  readonly file: string
  /** Lines in the file. */
  readonly lines: number
  /** Passes over the file (`-n`), for a fixed number of queries. */
  readonly runs?: number
  /** Seconds (`-l`), for a time-limited run. */
  readonly seconds?: number
  /** Queries per second (`-Q`). */
  readonly rate?: number
  /** An EDNS option for every query (`-E code:hex`). */
  readonly ednsOption?: string
  /** Passes over the file before the timed run, to warm the server up. */
  readonly warmupRuns: number
  /** dnsperf's `-t` (default {@link LOST_AFTER_SECONDS}). */
  readonly timeoutSeconds?: number
  /** Expected share of each rcode, to check that every server answered the same. */
  readonly rcodes: Readonly<Record<string, number>>
  /** Target for ours, server CPU µs per query (none: no target on this workload). */
  readonly targetMicros?: number
}

const SCRATCH = join(tmpdir(), 'shoal-bench-dns')

/** Writes a query file and returns its path. */
function queryFile(name: string, lines: readonly string[]): string {
  mkdirSync(SCRATCH, { recursive: true })
  const file = join(SCRATCH, `${name}.txt`)
  writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

const MIX: readonly (readonly [string, string, string])[] = [
  [`www.${ORIGIN}`, 'A', 'NOERROR'],
  [`www.${ORIGIN}`, 'AAAA', 'NOERROR'],
  [`txt.${ORIGIN}`, 'TXT', 'NOERROR'],
  [ORIGIN, 'MX', 'NOERROR'],
  [ORIGIN, 'NS', 'NOERROR'],
  [`alias.${ORIGIN}`, 'A', 'NOERROR'],
  [`nope.${ORIGIN}`, 'A', 'NXDOMAIN'],
  [`www.${ORIGIN}`, 'MX', 'NOERROR'],
  [`wgt.${ORIGIN}`, 'A', 'NOERROR'],
]

function shares(rows: readonly (readonly [string, string, string])[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [, , rcode] of rows) out[rcode] = (out[rcode] ?? 0) + 1 / rows.length
  return out
}

const DEFAULT_QUERIES = 400_000
const SMOKE_QUERIES = 5_000
const DEFAULT_SECONDS = 10
const SMOKE_SECONDS = 1
const FIXED_RATE = 20_000
/** Queries that warm a server up before the timed run (JIT for the Node servers). */
const WARMUP_QUERIES = 50_000
/**
 * Seconds before dnsperf counts a query lost. At the start of a run dnsperf sends 500 queries at
 * once, more than a default socket buffer holds, so a few hundred are always lost and dnsperf
 * waits this long for them at the end: short, so the wait barely stretches the timed run.
 */
const LOST_AFTER_SECONDS = 0.2
/** The selection chain's client subnet: documentation space (private subnets are ignored by ours, RFC 7871 §10). */
const CHAIN_SUBNET = '192.0.2.0/24'

function queriesOf(context: BenchContext): number {
  const given = context.options.queries
  return typeof given === 'string' ? Number(given) : context.smoke ? SMOKE_QUERIES : DEFAULT_QUERIES
}

function countWorkload(
  context: BenchContext,
  id: string,
  description: string,
  rows: readonly (readonly [string, string, string])[],
  extra: { ednsOption?: string; targetMicros?: number } = {},
): LoadWorkload {
  const queries = queriesOf(context)
  const runs = Math.max(1, Math.round(queries / rows.length))
  return {
    description: `${description}: ${formatInt(runs * rows.length)} queries, dnsperf -c 20 -q 500 -n ${runs} -t ${LOST_AFTER_SECONDS}${extra.ednsOption === undefined ? '' : ` -E ${extra.ednsOption}`}`,
    items: runs * rows.length,
    bytes: 0,
    unit: 'queries',
    file: queryFile(
      id,
      rows.map(([name, type]) => `${name} ${type}`),
    ),
    lines: rows.length,
    runs,
    warmupRuns: context.smoke ? 1 : Math.round(WARMUP_QUERIES / rows.length),
    rcodes: shares(rows),
    ...extra,
  }
}

// ---------------------------------------------------------------- contenders

/** A server a contender starts: its port, the pid whose CPU is its own, and how to stop it. */
interface RunningServer {
  readonly port: number
  readonly pid: number
  close(): Promise<void>
}

function toTally(result: LoadResult, workload: LoadWorkload, close: () => Promise<void>): Tally {
  const checks: Record<string, number> = {
    serverMicros: result.serverMicrosPerQuery,
    serverCpuSeconds: result.serverCpuSeconds,
    qps: result.qps,
    lostPercent: result.sent === 0 ? 0 : (result.lost / result.sent) * 100,
    latencyMs: result.averageLatencySeconds * 1000,
    sent: result.sent,
    completed: result.completed,
  }
  for (const [rcode, count] of Object.entries(result.rcodes)) checks[`rcode.${rcode}`] = count
  for (const rcode of Object.keys(workload.rcodes)) checks[`rcode.${rcode}`] ??= 0
  return {
    accepted: result.completed,
    checks,
    // the server stops once the clock has stopped (the process ends when its sockets are closed)
    untimed: () => {
      void close()
      return {}
    },
  }
}

function contender(
  name: string,
  description: string,
  start: () => Promise<RunningServer>,
  options: { ours?: boolean; unavailable?: (w: LoadWorkload) => string | undefined } = {},
): Contender<LoadWorkload> {
  return {
    name,
    description,
    ours: options.ours ?? false,
    ...(options.unavailable === undefined ? {} : { unavailable: options.unavailable }),
    async load(workload) {
      const server = await start()
      const base = {
        port: server.port,
        file: workload.file,
        ...(workload.ednsOption === undefined ? {} : { ednsOption: workload.ednsOption }),
      }
      await runDnsperf({ ...base, runs: workload.warmupRuns, timeoutSeconds: LOST_AFTER_SECONDS })
      return async () => {
        const result = await loadServer(server.pid, {
          ...base,
          ...(workload.runs === undefined ? {} : { runs: workload.runs }),
          ...(workload.seconds === undefined ? {} : { seconds: workload.seconds }),
          ...(workload.rate === undefined ? {} : { rate: workload.rate }),
          timeoutSeconds: workload.timeoutSeconds ?? LOST_AFTER_SECONDS,
        })
        return toTally(result, workload, () => server.close())
      }
    },
  }
}

const needsDnsperf = (): string | undefined => missingTools('dnsperf')

const ours = contender(
  'shoal',
  '@shoal/dns DnsServer, in-process, RRL off',
  async () => {
    const server = await startOurs()
    return { port: server.port, pid: process.pid, close: () => server.stop() }
  },
  { ours: true, unavailable: needsDnsperf },
)

const gdnsd = contender(
  'gdnsd',
  "gdnsd 3.8.1, 1 UDP thread, its own process (CPU s is the driver's: read server µs/query)",
  async () => {
    const server = await startGdnsd({ zones: { [ORIGIN]: gdnsdZone() }, plugins: GDNSD_PLUGINS })
    return { port: server.port, pid: server.pid, close: () => server.stop() }
  },
  { unavailable: () => needsDnsperf() ?? missingTools('gdnsd') },
)

const dnsPacket = contender(
  'dns-packet',
  'dns-packet 5.6.1 decode/encode on node:dgram, in-process',
  async () => {
    const server = await startDnsPacketServer()
    return { port: server.port, pid: process.pid, close: () => server.close() }
  },
  {
    unavailable: (w) =>
      needsDnsperf() ??
      (w.ednsOption === undefined
        ? undefined
        : 'serves static records and one weighted draw, no selection chain'),
  },
)

const dns2 = contender(
  'dns2',
  'dns2 3.1.1 createServer, in-process',
  async () => {
    const server = await startDns2Server()
    return { port: server.port, pid: process.pid, close: () => server.close() }
  },
  {
    unavailable: (w) =>
      needsDnsperf() ??
      (w.ednsOption === undefined
        ? undefined
        : 'serves static records and one weighted draw, no selection chain'),
  },
)

const CONTENDERS: readonly Contender<LoadWorkload>[] = [ours, gdnsd, dnsPacket, dns2]

// ---------------------------------------------------------------- comparisons

const number1 = (value: number): string => value.toFixed(1)
const columns: readonly CheckColumn[] = [
  { check: 'serverMicros', header: 'server µs/query', format: number1 },
  { check: 'qps', header: 'dnsperf qps', format: formatInt },
  { check: 'lostPercent', header: 'lost %', format: (v) => v.toFixed(2) },
  { check: 'latencyMs', header: 'avg latency ms', format: (v) => v.toFixed(2) },
]

/** Says whether the rcodes a server gave match the shares the query file asks for. */
function verdict(workload: LoadWorkload, tally: Tally): string {
  const completed = tally.accepted
  const parts: string[] = []
  let ok = completed > 0
  for (const [rcode, share] of Object.entries(workload.rcodes)) {
    const got = (tally.checks?.[`rcode.${rcode}`] ?? 0) / Math.max(completed, 1)
    if (Math.abs(got - share) > 0.01) ok = false
    parts.push(`${rcode} ${(got * 100).toFixed(1)}%`)
  }
  const others = Object.keys(tally.checks ?? {}).filter(
    (key) => key.startsWith('rcode.') && !(key.slice(6) in workload.rcodes) && (tally.checks?.[key] ?? 0) > 0,
  )
  for (const key of others) parts.push(`${key.slice(6)} ${formatInt(tally.checks?.[key] ?? 0)}`)
  return `${ok && others.length === 0 ? 'rcodes ✓' : 'rcodes ✗'} (${parts.join(', ')})`
}

function comparison(
  id: string,
  title: string,
  prepare: (context: BenchContext) => LoadWorkload,
  contenders: readonly Contender<LoadWorkload>[] = CONTENDERS,
): Comparison<LoadWorkload> {
  return { id, title, prepare, columns, contenders, verdict: (w, t) => verdict(w, t) }
}

const COMPARISONS: readonly Comparison<LoadWorkload>[] = [
  comparison('static', 'Static A RRset over UDP, as fast as each server answers', (context) =>
    countWorkload(context, 'static', 'www.example.com A (3 records)', [[`www.${ORIGIN}`, 'A', 'NOERROR']]),
  ),
  comparison('mix', 'A mix of names and types over UDP', (context) =>
    countWorkload(context, 'mix', 'A, AAAA, TXT, MX, NS, CNAME, NXDOMAIN, NODATA, weighted', MIX),
  ),
  comparison('weighted', 'The weighted pool over UDP', (context) =>
    countWorkload(context, 'weighted', 'wgt.example.com A (1 of 3, odds 1:2:3)', [
      [`wgt.${ORIGIN}`, 'A', 'NOERROR'],
    ]),
  ),
  comparison('chain', 'The full selection chain with ECS over UDP', (context) =>
    countWorkload(
      context,
      'chain',
      `chain.example.com A, ECS ${CHAIN_SUBNET} (view → failover → up → weighted shuffle → first 1)`,
      [[`chain.${ORIGIN}`, 'A', 'NOERROR']],
      { ednsOption: ecsOptionHex(CHAIN_SUBNET), targetMicros: 12 },
    ),
  ),
  comparison('fixed-rate', `The mix at a fixed ${formatInt(FIXED_RATE)} queries per second`, (context) => {
    const given = context.options.seconds
    const seconds =
      typeof given === 'string' ? Number(given) : context.smoke ? SMOKE_SECONDS : DEFAULT_SECONDS
    return {
      description: `the mix at dnsperf -Q ${FIXED_RATE} -l ${seconds} -c 20 -q 500 -t ${context.smoke ? LOST_AFTER_SECONDS : 1} (${formatInt(FIXED_RATE * seconds)} queries)`,
      items: FIXED_RATE * seconds,
      bytes: 0,
      unit: 'queries',
      file: queryFile(
        'fixed-rate',
        MIX.map(([name, type]) => `${name} ${type}`),
      ),
      lines: MIX.length,
      seconds,
      rate: FIXED_RATE,
      warmupRuns: context.smoke ? 1 : Math.round(WARMUP_QUERIES / MIX.length),
      // a reply later than a second is a loss at this rate; --smoke only checks that the run works
      timeoutSeconds: context.smoke ? LOST_AFTER_SECONDS : 1,
      rcodes: shares(MIX),
    }
  }),
]

// ---------------------------------------------------------------- summary

interface ResultsFile {
  readonly smoke: boolean
  readonly comparisons: readonly {
    readonly id: string
    readonly title: string
    readonly workload: LoadWorkload
    readonly contenders: readonly {
      readonly name: string
      readonly ours: boolean
      readonly median: {
        readonly itemsPerSecond: number
        readonly checks: Readonly<Record<string, number>>
      } | null
    }[]
  }[]
}

/** How many times the dns-packet server's CPU per query ours must beat (≥ 2× its throughput per core). */
const MIN_PER_CORE_VS_DNS_PACKET = 2

const times = (ratio: number): string =>
  Number.isFinite(ratio) ? `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}×` : '—'

/**
 * The figures beside the targets (server CPU per query for the selection chain, zero loss at the
 * fixed rate, throughput per core beside dns-packet), and ours beside every peer, as markdown.
 * Throughput per core is 1 / CPU time per query: what one core would answer if the server had it
 * to itself, which a shared machine's queries per second cannot show.
 */
function summary(file: string): string {
  const results = JSON.parse(readFileSync(file, 'utf8')) as ResultsFile
  const targets: string[][] = []
  const ratios: string[][] = []
  for (const comparison of results.comparisons) {
    const ours = comparison.contenders.find((c) => c.ours)?.median
    if (!ours) continue
    const micros = ours.checks.serverMicros ?? Number.NaN
    const lost = ours.checks.lostPercent ?? Number.NaN
    if (comparison.workload.targetMicros !== undefined)
      targets.push([
        comparison.title,
        `server CPU ${micros.toFixed(1)} µs/query`,
        `≤ ${comparison.workload.targetMicros} µs`,
        micros <= comparison.workload.targetMicros ? 'met' : '**missed**',
      ])
    if (comparison.workload.rate !== undefined)
      targets.push([
        comparison.title,
        `${lost.toFixed(2)} % lost`,
        'no loss',
        lost === 0 ? 'met' : '**missed**',
      ])
    for (const peer of comparison.contenders) {
      if (peer.ours || !peer.median) continue
      const theirs = peer.median.checks.serverMicros ?? Number.NaN
      // a run too short for one clock tick of the peer's CPU time gives 0: no ratio then
      const perCore = theirs > 0 && micros > 0 ? theirs / micros : Number.NaN
      ratios.push([
        comparison.title,
        peer.name,
        `${micros.toFixed(1)} / ${theirs.toFixed(1)}`,
        times(perCore),
        times((ours.checks.qps ?? Number.NaN) / (peer.median.checks.qps ?? Number.NaN)),
      ])
      if (peer.name === 'dns-packet' && comparison.workload.rate === undefined)
        targets.push([
          comparison.title,
          `throughput per core ${times(perCore)} dns-packet's`,
          `≥ ${MIN_PER_CORE_VS_DNS_PACKET}×`,
          Number.isNaN(perCore) ? '—' : perCore >= MIN_PER_CORE_VS_DNS_PACKET ? 'met' : '**missed**',
        ])
    }
  }
  const md = (header: string[], rows: string[][]) =>
    [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n')
  return (
    (results.smoke
      ? '\n(--smoke: runs too short to warm the servers up; they check that every contender works, and their figures mean nothing)\n'
      : '') +
    '\n## Ours against the targets (median run)\n\n' +
    md(['comparison', 'ours', 'target', ''], targets) +
    '\n\n## Ours beside each peer (server CPU µs per query, ours / theirs; throughput per core = their CPU per query ÷ ours; dnsperf qps ratio)\n\n' +
    md(['comparison', 'peer', 'µs/query ours / peer', 'per core ours ÷ peer', 'qps ours ÷ peer'], ratios) +
    '\n'
  )
}

const smokeRun = process.argv.includes('--smoke')

await runBenchmark({
  package: 'dns',
  title: '@shoal/dns: the server beside gdnsd, dns-packet and dns2 under dnsperf',
  usage:
    `  --queries N   queries per timed run (default ${formatInt(DEFAULT_QUERIES)}; --smoke ${formatInt(SMOKE_QUERIES)})\n` +
    `  --seconds S   length of the fixed-rate run (default ${DEFAULT_SECONDS}; --smoke ${SMOKE_SECONDS})\n` +
    'Needs dnsperf (Debian: apt-get install dnsperf); gdnsd is skipped without it (apt-get install gdnsd).',
  options: { queries: { type: 'string' }, seconds: { type: 'string' } },
  // --smoke checks that every contender runs: the mix already asks for the weighted name
  comparisons: smokeRun ? COMPARISONS.filter((c) => c.id !== 'weighted') : COMPARISONS,
})

if (
  !process.argv.includes('--child') &&
  !process.argv.includes('--no-write') &&
  !process.argv.includes('--help')
)
  process.stdout.write(
    summary(fileURLToPath(new URL(`../results/dns${smokeRun ? '.smoke' : ''}.json`, import.meta.url))),
  )
