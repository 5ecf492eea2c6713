/**
 * Benchmark of `@shoal/logs` beside its peers, on the same generated file in the same run.
 *
 * Combined log (Apache `combined`, all fields, escape-aware): ours, `alpine` (LogFormat string),
 * `clf-parser`, `nginxparser` (nginx `combined` log_format), the usual `"([^"]*)"` regex, and
 * GoAccess parse-only (17 of 18 panels ignored) where `goaccess` is installed.
 * JSON lines (nginx `escape=json`): ours beside `JSON.parse` per line.
 *
 * Every contender streams the file in 1 MiB chunks, counts the records it accepted and sums the
 * status and size fields and the user agents' lengths, so the work is real and the results can be
 * checked against what the generator wrote.
 *
 * Run: `npm run bench -- logs [--smoke] [--lines N] [--seed S] [--repeats N] [--only a,b]`.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { apacheParser, jsonLinesParser, parseBatches } from '@shoal/logs'
import { type GeneratedLogMeta, generateLog, type LogVariant } from '../src/gen-combined-log.js'
import {
  type Comparison,
  type Contender,
  formatInt,
  runBenchmark,
  type Tally,
  type Workload,
} from '../src/harness.js'
import { CHUNK_BYTES, forEachLine, openChunks } from '../src/lines.js'

/** A generated log file and what it holds. */
interface LogWorkload extends Workload {
  readonly path: string
  readonly variant: LogVariant
  readonly seed: number
  readonly meta: GeneratedLogMeta
}

const DEFAULT_LINES = 2_000_000
const SMOKE_LINES = 20_000
/** The longest line ours accepts; longer ones are reported as `oversize`. */
const MAX_LINE_BYTES = 65_536

const COMBINED_LOGFORMAT = '%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"'
const COMBINED_NGINX =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'
/** The one-liner everyone writes first: quoted fields as `"([^"]*)"`, so an escaped quote breaks it. */
const NAIVE_REGEX = /^(\S+) (\S+) (\S+) \[([^\]]+)\] "([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$/

/** GoAccess 1.7 panels; all but REQUESTS are ignored for a parse-only run. */
const GOACCESS_PANELS = [
  'VISITORS',
  'REQUESTS',
  'REQUESTS_STATIC',
  'NOT_FOUND',
  'HOSTS',
  'OS',
  'BROWSERS',
  'VISIT_TIMES',
  'VIRTUAL_HOSTS',
  'REFERRERS',
  'REFERRING_SITES',
  'KEYPHRASES',
  'STATUS_CODES',
  'REMOTE_USER',
  'CACHE_STATUS',
  'GEO_LOCATION',
  'MIME_TYPE',
  'TLS_TYPE',
]

// ---------------------------------------------------------------- counting

/** What every contender adds up per record: the same small amount of work for each. */
class Counter {
  accepted = 0
  rejected = 0
  statusSum = 0
  sizeSum = 0
  uaChars = 0
  uaWithQuote = 0

  add(status: number, size: number, userAgent: string | null | undefined): void {
    this.accepted++
    this.statusSum += status
    this.sizeSum += size
    if (userAgent != null && userAgent !== '-') {
      this.uaChars += userAgent.length
      if (userAgent.indexOf('"') !== -1) this.uaWithQuote++
    }
  }

  tally(): Tally {
    const { accepted, rejected, statusSum, sizeSum, uaChars, uaWithQuote } = this
    return { accepted, checks: { rejected, statusSum, sizeSum, uaChars, uaWithQuote } }
  }
}

/** Turns a size field written as text (`-` for none) into a number. */
function sizeOf(text: string | number | null | undefined): number {
  if (text == null || text === '-') return 0
  return typeof text === 'number' ? text : Number(text)
}

// ---------------------------------------------------------------- workloads

function prepareLog(variant: LogVariant, title: string) {
  return (context: { smoke: boolean; options: Readonly<Record<string, string | boolean | undefined>> }) => {
    const lines = context.smoke ? SMOKE_LINES : Number(context.options.lines ?? DEFAULT_LINES)
    const seed = Number(context.options.seed ?? 1)
    if (!Number.isSafeInteger(lines) || lines < 1) throw new Error('--lines must be a positive integer')
    if (!Number.isSafeInteger(seed)) throw new Error('--seed must be an integer')
    const started = performance.now()
    const log = generateLog({ lines, seed, variant })
    const took = (performance.now() - started) / 1000
    if (took > 0.5) process.stderr.write(`generated ${log.path} in ${took.toFixed(1)} s\n`)
    const { meta } = log
    const workload: LogWorkload = {
      description:
        `${formatInt(meta.lines)} ${title} lines, ${(meta.bytes / 1e6).toFixed(1)} MB ` +
        `(${Math.round(meta.bytes / meta.lines)} B/line; seed ${seed}; ${meta.uaWithQuote} user agents with a quote, ` +
        `${meta.uaNonAscii} with UTF-8)`,
      items: meta.lines,
      bytes: meta.bytes,
      unit: 'lines',
      path: log.path,
      variant,
      seed,
      meta,
    }
    return workload
  }
}

function expectedStatusSum(meta: GeneratedLogMeta): number {
  let sum = 0
  for (const [status, count] of Object.entries(meta.statuses)) sum += Number(status) * count
  return sum
}

/** Compares a contender's tally with what the generator wrote. */
function verdict(workload: LogWorkload, tally: Tally): string {
  const { meta } = workload
  const checks = tally.checks ?? {}
  const parts: string[] = []
  const all = tally.accepted === meta.lines
  const rejected = meta.lines - tally.accepted
  parts.push(
    all
      ? `all ${formatInt(meta.lines)} lines`
      : `${formatInt(rejected)} line${rejected === 1 ? '' : 's'} rejected`,
  )
  if (checks.sizeSum !== undefined) parts.push(checks.sizeSum === meta.sizeSum ? 'sizes ✓' : 'sizes ≠')
  if (checks.statusSum !== undefined && all)
    parts.push(checks.statusSum === expectedStatusSum(meta) ? 'statuses ✓' : 'statuses ≠')
  const { uaChars, uaWithQuote } = checks
  if (uaChars !== undefined && uaWithQuote !== undefined) {
    if (all && uaChars === meta.uaChars) parts.push('user agents ✓ (escapes decoded)')
    else if (all && uaChars === meta.uaCharsEscaped) parts.push('user agents whole, escapes left in')
    else if (uaWithQuote < meta.uaWithQuote)
      parts.push(`${formatInt(meta.uaWithQuote - uaWithQuote)} user agents with \\" cut or lost`)
    else if (all) parts.push('user agents ≠')
  }
  return parts.join(' · ')
}

// ---------------------------------------------------------------- ours

/** The nginx fields ours coerces, as a user of these logs would: numbers, and the time to epoch ms. */
const JSON_FIELDS = {
  status: 'int',
  body_bytes_sent: 'int',
  request_time: 'number',
  time_local: 'time',
} as const

/** Ours with the generated scanner (the default) or the interpreter that serves where code generation is forbidden. */
function shoalContender(codegen: boolean): Contender<LogWorkload> {
  return {
    name: codegen ? 'shoal' : 'shoal-interpreter',
    description: `@shoal/logs apacheParser("combined"${codegen ? '' : ', { codegen: false }'}) over parseBatches: all fields, escapes decoded`,
    ours: codegen,
    async load(workload) {
      const parser = apacheParser('combined', { codegen })
      return async () => {
        const counter = new Counter()
        const source = openChunks(workload.path)
        for await (const batch of parseBatches(source, parser, { maxLineBytes: MAX_LINE_BYTES })) {
          counter.rejected += batch.errors.length
          for (const record of batch.records)
            counter.add(record.status ?? 0, record.bytes ?? 0, record.userAgent)
        }
        return counter.tally()
      }
    },
  }
}

const ours = shoalContender(true)
const oursInterpreted = shoalContender(false)

// ---------------------------------------------------------------- peers

const alpine: Contender<LogWorkload> = {
  name: 'alpine',
  description: `alpine 0.2.1, LogFormat ${COMBINED_LOGFORMAT}; throws on a bad line (caught, counted)`,
  async load(workload) {
    const { default: Alpine } = await import('alpine')
    const parser = new Alpine(COMBINED_LOGFORMAT)
    return async () => {
      const counter = new Counter()
      await forEachLine(workload.path, (line) => {
        let row: Record<string, string | undefined>
        try {
          row = parser.parseLine(line)
        } catch {
          counter.rejected++
          return
        }
        counter.add(Number(row.status), sizeOf(row.sizeCLF), row['RequestHeader User-Agent'])
      })
      return counter.tally()
    }
  },
}

const clfParser: Contender<LogWorkload> = {
  name: 'clf-parser',
  description: 'clf-parser 0.0.2: one line.match() per delimiter, Date for the time',
  async load(workload) {
    const { default: parse } = await import('clf-parser')
    return async () => {
      const counter = new Counter()
      await forEachLine(workload.path, (line) => {
        const row = parse(line)
        if (typeof row.status !== 'number' || Number.isNaN(row.status)) counter.rejected++
        else counter.add(row.status, sizeOf(row.body_bytes_sent), row.http_user_agent)
      })
      return counter.tally()
    }
  },
}

const nginxParser: Contender<LogWorkload> = {
  name: 'nginxparser',
  description: 'nginxparser 2.1.0, log_format combined compiled to one RegExp',
  async load(workload) {
    const { default: NginxParser } = await import('nginxparser')
    const parser = new NginxParser(COMBINED_NGINX)
    return async () => {
      const counter = new Counter()
      let matched = false
      const onRow = (row: Record<string, string | number | Date | null>): void => {
        matched = true
        const ua = row.http_user_agent
        counter.add(
          Number(row.status),
          sizeOf(row.body_bytes_sent as string | null),
          typeof ua === 'string' ? ua : null,
        )
      }
      await forEachLine(workload.path, (line) => {
        matched = false
        parser.parseLine(line, onRow)
        if (!matched) counter.rejected++
      })
      return counter.tally()
    }
  },
}

const naiveRegex: Contender<LogWorkload> = {
  name: 'naive-regex',
  description: `the usual one-liner ${NAIVE_REGEX.source}`,
  async load(workload) {
    return async () => {
      const counter = new Counter()
      await forEachLine(workload.path, (line) => {
        const m = NAIVE_REGEX.exec(line)
        if (m === null) counter.rejected++
        else counter.add(Number(m[6]), sizeOf(m[7]), m[9])
      })
      return counter.tally()
    }
  },
}

let goaccessProbe: { version: string | undefined } | undefined

/** The installed GoAccess version, or undefined when there is none (probed once). */
function goaccessVersion(): string | undefined {
  if (goaccessProbe === undefined) {
    const probe = spawnSync('goaccess', ['--version'], { encoding: 'utf8' })
    const found = probe.error === undefined && probe.status === 0
    goaccessProbe = {
      version: found ? (/GoAccess - ([\d.]+)/.exec(probe.stdout)?.[1] ?? 'unknown') : undefined,
    }
  }
  return goaccessProbe.version
}

const goaccess: Contender<LogWorkload> = {
  name: 'goaccess',
  get description() {
    const version = goaccessVersion()
    return `GoAccess ${version ?? '(not installed)'} parse-only: COMBINED, every panel but REQUESTS ignored, JSON report`
  },
  unavailable() {
    return goaccessVersion() === undefined
      ? 'goaccess is not installed (Debian: apt-get install goaccess); skipped'
      : undefined
  },
  command(workload, scratch) {
    const ignored = GOACCESS_PANELS.filter((panel) => panel !== 'REQUESTS').map(
      (panel) => `--ignore-panel=${panel}`,
    )
    return {
      file: 'goaccess',
      args: [
        workload.path,
        '--log-format=COMBINED',
        '--no-progress',
        ...ignored,
        '-o',
        join(scratch, 'report.json'),
      ],
    }
  },
  tally(_workload, scratch) {
    const report = JSON.parse(readFileSync(join(scratch, 'report.json'), 'utf8')) as {
      general: { valid_requests: number; failed_requests: number; bandwidth: number }
    }
    const { valid_requests, failed_requests, bandwidth } = report.general
    return { accepted: valid_requests, checks: { rejected: failed_requests, sizeSum: bandwidth } }
  },
}

// ---------------------------------------------------------------- JSON lines

const oursJson: Contender<LogWorkload> = {
  name: 'shoal-jsonl',
  description:
    '@shoal/logs jsonLinesParser over parseBatches, coercing status, body_bytes_sent, request_time and time_local',
  ours: true,
  async load(workload) {
    const parser = jsonLinesParser({ fields: JSON_FIELDS })
    return async () => {
      const counter = new Counter()
      const source = openChunks(workload.path)
      for await (const batch of parseBatches(source, parser, { maxLineBytes: MAX_LINE_BYTES })) {
        counter.rejected += batch.errors.length
        for (const record of batch.records) {
          const ua = record.http_user_agent
          counter.add(
            record.status ?? 0,
            record.body_bytes_sent ?? 0,
            typeof ua === 'string' && ua !== '' ? ua : null,
          )
        }
      }
      return counter.tally()
    }
  },
}

const jsonParse: Contender<LogWorkload> = {
  name: 'JSON.parse',
  description: 'JSON.parse per line (UTF-8 decoded chunks), try/catch per line, no coercion',
  async load(workload) {
    return async () => {
      const counter = new Counter()
      await forEachLine(workload.path, (line) => {
        let row: { status?: unknown; body_bytes_sent?: unknown; http_user_agent?: unknown }
        try {
          row = JSON.parse(line) as typeof row
        } catch {
          counter.rejected++
          return
        }
        const ua = row.http_user_agent
        counter.add(
          Number(row.status),
          Number(row.body_bytes_sent),
          typeof ua === 'string' && ua !== '' ? ua : null,
        )
      })
      return counter.tally()
    }
  },
}

// ---------------------------------------------------------------- the benchmark

const combined: Comparison<LogWorkload> = {
  id: 'combined',
  title: 'Apache combined log, all fields, escape-aware',
  prepare: prepareLog('combined', 'combined-format'),
  verdict,
  contenders: [ours, oursInterpreted, alpine, clfParser, nginxParser, naiveRegex, goaccess],
}

const jsonLines: Comparison<LogWorkload> = {
  id: 'jsonl',
  title: 'JSON lines (nginx escape=json)',
  prepare: prepareLog('jsonl', 'JSON'),
  verdict,
  contenders: [oursJson, jsonParse],
}

await runBenchmark({
  package: 'logs',
  title: '@shoal/logs: access-log parsing beside its peers',
  usage:
    `  --lines N       lines in the generated logs (default ${formatInt(DEFAULT_LINES)}; --smoke: ${formatInt(SMOKE_LINES)})\n` +
    `  --seed S        generator seed (default 1)\n` +
    `Files are read in ${CHUNK_BYTES / 1024 / 1024} MiB chunks; generated logs are cached in the temp directory.`,
  options: {
    lines: { type: 'string' },
    seed: { type: 'string' },
  },
  comparisons: [combined, jsonLines],
})
