/**
 * The web-stats command line: live web statistics in the browser (embedded demo, followed files or
 * stdin), or a batch report of a log file.
 */

import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { AGGREGATOR, burstRule } from './aggregation.js'
import { reportTable, summaryLines } from './snapshot.js'
import type { SourceSpec } from './sources.js'
import { type RunOptions, reportFile, run } from './topology.js'

const HELP = `web-stats — live web statistics of a site, from its access log, in the browser

Usage:
  web-stats [options]                            embedded demo: a real site, traffic and incidents
  web-stats --follow <file...> [--format <fmt>]  follow log files (tail -F, rotation handled)
  web-stats --stdin [--format <fmt>]             read lines from standard input
  web-stats --file <path> [--json]               print the report of a whole file and exit

Sources:
  --follow <file>     follow a log file; repeat it, or list more files after it
  --from-start        read followed files from their start (default: from their end)
  --stdin             read standard input
  --file <path>       batch report of one file
  --format <fmt>      a format name (combined, combined_d, nginx_combined, vhost_combined, …) or an
                      Apache LogFormat / nginx log_format string; default: detected from the file
                      (--follow, --file), combined (--stdin)

Output:
  --json              --file: print the full report as one JSON document; live: print alert events
                      and the final report as JSON lines
  --top <n>           rows of each top-N table (default 10)
  --port <n>          dashboard port (default 0: any free port)
  --host <addr>       dashboard address (default 127.0.0.1)
  --no-dashboard      no dashboard server

Embedded demo:
  --rate <n>          requests per second (default 40)
  --seed <n>          seed of the traffic (default 1)
  --no-incidents      no scripted incidents (default: a 5xx burst and a slow period every 3 min)
  --rotate <seconds>  rotate the site's log by rename this often

Run:
  --duration <s>      stop after this many seconds (default: run until Ctrl-C)
  --threshold <n>     alert when 5xx responses in 10 s reach n (default 10)
  -h, --help          this text

Exit codes: 0 ok, 1 failure, 2 usage.
`

type Values = Record<string, string | boolean | string[] | undefined>

function usage(message: string): void {
  process.stderr.write(`web-stats: ${message}\nTry --help.\n`)
  process.exitCode = 2
}

class UsageError extends Error {}

function number(
  values: Values,
  name: string,
  check: (n: number) => boolean,
  what: string,
): number | undefined {
  const raw = values[name]
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(n) || !check(n))
    throw new UsageError(`--${name} must be ${what}, got ${String(raw)}`)
  return n
}

async function main(argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parse>
  try {
    parsed = parse(argv)
  } catch (error) {
    return usage((error as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help === true) {
    process.stdout.write(HELP)
    return
  }
  const follow = [...(values.follow ?? [])]
  if (positionals.length > 0) {
    if (follow.length === 0) return usage(`unexpected argument ${positionals[0]}`)
    follow.push(...positionals)
  }
  const modes = [follow.length > 0, values.stdin === true, values.file !== undefined].filter(Boolean).length
  if (modes > 1) return usage('choose one of --follow, --stdin and --file')

  let top: number | undefined
  let port: number | undefined
  let rate: number | undefined
  let seed: number | undefined
  let duration: number | undefined
  let threshold: number | undefined
  let rotate: number | undefined
  try {
    const count = (n: number): boolean => Number.isInteger(n) && n > 0
    top = number(values, 'top', count, 'a positive integer')
    port = number(values, 'port', (n) => Number.isInteger(n) && n >= 0 && n < 65_536, 'a port number')
    rate = number(values, 'rate', (n) => n > 0 && n <= 100_000, 'a number in (0, 100000]')
    seed = number(values, 'seed', Number.isInteger, 'an integer')
    duration = number(values, 'duration', (n) => n > 0, 'a positive number')
    threshold = number(values, 'threshold', count, 'a positive integer')
    rotate = number(values, 'rotate', (n) => n > 0, 'a positive number')
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message)
    throw error
  }

  // ---- batch report
  if (values.file !== undefined) {
    if (!existsSync(values.file)) {
      process.stderr.write(`web-stats: no such file: ${values.file}\n`)
      process.exitCode = 1
      return
    }
    const report = await reportFile(values.file, { format: values.format, top: top ?? 10 })
    if (values.json === true)
      process.stdout.write(`${JSON.stringify({ file: values.file, ...report }, null, 2)}\n`)
    else process.stdout.write(reportTable(report, `${values.file}  (${AGGREGATOR.name}: ${AGGREGATOR.note})`))
    return
  }

  // ---- live
  let source: SourceSpec | undefined
  if (follow.length > 0)
    source = {
      kind: 'follow',
      paths: follow,
      format: values.format,
      fromStart: values['from-start'] === true,
    }
  else if (values.stdin === true)
    source = { kind: 'stream', name: 'stdin', stream: process.stdin, format: values.format ?? 'combined' }

  const stop = new AbortController()
  const onSignal = (): void => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    stop.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  // a timer, not AbortSignal.any with AbortSignal.timeout: on Node 20 that composite signal can be
  // garbage-collected before it fires
  const timer = duration === undefined ? undefined : setTimeout(() => stop.abort(), duration * 1000)
  const signal = stop.signal

  const json = values.json === true
  const tty = process.stdout.isTTY === true && !json
  let url: string | null = null
  let printed = 0
  const rules = [burstRule({ threshold })]
  const options: RunOptions = {
    signal,
    source,
    rate,
    seed,
    top,
    rules,
    rotateEveryMs: rotate === undefined ? undefined : rotate * 1000,
    incidents: values['no-incidents'] === true ? [] : undefined,
    dashboard: values['no-dashboard'] === true ? false : { host: values.host, port: port ?? 0 },
    onReady: (ready) => {
      url = ready.dashboardUrl
      if (json) return
      if (url !== null) process.stdout.write(`dashboard  ${url}\n`)
      if (ready.siteUrl !== null)
        process.stdout.write(`site       ${ready.siteUrl}  (log: ${ready.logPath})\n`)
      process.stdout.write(tty ? '\n' : 'Ctrl-C stops.\n')
    },
    onTick: (snapshot) => {
      if (!tty) return
      const lines = summaryLines(snapshot, null)
      // redraw the summary in place
      const up = printed > 0 ? `\x1b[${printed}A` : ''
      process.stdout.write(
        `${up}${lines.map((line) => `\x1b[2K${line.slice(0, process.stdout.columns || 120)}`).join('\n')}\n`,
      )
      printed = lines.length
    },
    onAlert: (event) => {
      if (json) process.stdout.write(`${JSON.stringify({ type: 'alert', ...event })}\n`)
      else if (!tty && event.state !== 'inactive')
        process.stdout.write(
          `${new Date(event.at).toISOString()}  ${event.rule} ${event.state} (${event.value ?? '–'}/${event.threshold})\n`,
        )
    },
  }

  const result = await run(options).finally(() => clearTimeout(timer))
  if (json) {
    process.stdout.write(`${JSON.stringify({ type: 'report', ...result.report })}\n`)
    return
  }
  if (tty && printed > 0) process.stdout.write(`\x1b[${printed}A\x1b[J`)
  process.stdout.write(
    reportTable(
      result.report,
      `\nsince start: ${result.parser.lines.toLocaleString('en-US')} lines read, ${result.parser.bad} bad, ${result.parser.late} late` +
        (result.site === null
          ? ''
          : `; the site logged ${result.site.requests.toLocaleString('en-US')} requests`),
    ),
  )
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      follow: { type: 'string', multiple: true },
      'from-start': { type: 'boolean' },
      stdin: { type: 'boolean' },
      file: { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean' },
      top: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'no-dashboard': { type: 'boolean' },
      rate: { type: 'string' },
      seed: { type: 'string' },
      'no-incidents': { type: 'boolean' },
      rotate: { type: 'string' },
      duration: { type: 'string' },
      threshold: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`web-stats: ${(error as Error).stack ?? String(error)}\n`)
  process.exitCode = 1
})
