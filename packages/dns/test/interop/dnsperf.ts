// Runs dnsperf (DNS-OARC's, Debian's `dnsperf` package) against a server on loopback and reads its
// statistics, and measures the server's CPU time over the run from /proc/<pid>/stat, so a figure per
// query is the server's own CPU cost whatever else the machine is doing.

import { spawn } from 'node:child_process'
import { processCpuSeconds, TOOLS } from './tools.js'

/** How to load the server. */
export interface DnsperfOptions {
  readonly port: number
  /** The query file: `name type` per line. */
  readonly file: string
  /** Simulated clients (`-c`, default 20). */
  readonly clients?: number
  /** Queries outstanding at most (`-q`, default 500). */
  readonly outstanding?: number
  /** Stop after this many seconds (`-l`). */
  readonly seconds?: number
  /** Stop after going through the file this many times (`-n`). */
  readonly runs?: number
  /** Send at most this many queries per second (`-Q`). */
  readonly rate?: number
  /** Seconds before an unanswered query counts as lost (`-t`, default 1). */
  readonly timeoutSeconds?: number
  /** Send an OPT record (`-e`). */
  readonly edns?: boolean
  /** An EDNS option as `code:hex` (`-E`), e.g. ECS 10.1.2.0/24 is `8:000118000a0102`. */
  readonly ednsOption?: string
  /** Transport (`-m`, default udp). */
  readonly mode?: 'udp' | 'tcp'
}

/** dnsperf's statistics. */
export interface DnsperfResult {
  readonly sent: number
  readonly completed: number
  readonly lost: number
  /** Responses by rcode name (`NOERROR`, `NXDOMAIN`…). */
  readonly rcodes: Readonly<Record<string, number>>
  readonly runSeconds: number
  readonly qps: number
  readonly averageLatencySeconds: number
  readonly maxLatencySeconds: number
  /** The command line, for reports. */
  readonly command: string
}

/** The ECS option for dnsperf's `-E`: family, source prefix, scope 0, the prefix's address bytes. */
export function ecsOptionHex(subnet: string): string {
  const [address = '', prefixText = '32'] = subnet.split('/')
  const prefix = Number(prefixText)
  const bytes = address
    .split('.')
    .map(Number)
    .slice(0, Math.ceil(prefix / 8))
  const hex = (n: number): string => n.toString(16).padStart(2, '0')
  return `8:0001${hex(prefix)}00${bytes.map(hex).join('')}`
}

export function dnsperfArgs(options: DnsperfOptions): string[] {
  const args = ['-s', '127.0.0.1', '-p', String(options.port), '-d', options.file]
  args.push('-c', String(options.clients ?? 20), '-q', String(options.outstanding ?? 500))
  if (options.seconds !== undefined) args.push('-l', String(options.seconds))
  if (options.runs !== undefined) args.push('-n', String(options.runs))
  if (options.rate !== undefined) args.push('-Q', String(options.rate))
  args.push('-t', String(options.timeoutSeconds ?? 1))
  if (options.edns === true) args.push('-e')
  if (options.ednsOption !== undefined) args.push('-E', options.ednsOption)
  if (options.mode !== undefined) args.push('-m', options.mode)
  return args
}

function field(text: string, label: string): number {
  const match = new RegExp(`^\\s*${label.replace(/[()]/g, '\\$&')}:\\s+([\\d.]+)`, 'm').exec(text)
  if (!match) throw new Error(`dnsperf printed no "${label}":\n${text.slice(-2_000)}`)
  return Number(match[1])
}

/** Reads dnsperf's closing statistics. */
export function parseDnsperf(text: string, command = 'dnsperf'): DnsperfResult {
  const rcodes: Record<string, number> = {}
  const codes = /^\s*Response codes:\s+(.*)$/m.exec(text)?.[1] ?? ''
  for (const part of codes.split(',')) {
    const match = /([A-Z]+) (\d+)/.exec(part)
    if (match) rcodes[match[1] as string] = Number(match[2])
  }
  const latency = /^\s*Average Latency \(s\):\s+([\d.]+) \(min [\d.]+, max ([\d.]+)\)/m.exec(text)
  return {
    sent: field(text, 'Queries sent'),
    completed: field(text, 'Queries completed'),
    lost: field(text, 'Queries lost'),
    rcodes,
    runSeconds: field(text, 'Run time (s)'),
    qps: field(text, 'Queries per second'),
    averageLatencySeconds: latency ? Number(latency[1]) : Number.NaN,
    maxLatencySeconds: latency ? Number(latency[2]) : Number.NaN,
    command,
  }
}

/**
 * Runs dnsperf to completion (asynchronously: a server in this same process keeps answering) and
 * returns its statistics.
 */
export function runDnsperf(options: DnsperfOptions): Promise<DnsperfResult> {
  const args = dnsperfArgs(options)
  const command = `dnsperf ${args.join(' ')}`
  // bounded: the run's own limit plus its query timeout and a margin
  const limitMs = ((options.seconds ?? 120) + (options.timeoutSeconds ?? 1) + 30) * 1000
  return new Promise((resolve, reject) => {
    const child = spawn(TOOLS.dnsperf.path, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    // dnsperf prints a line per timed-out query: keep the tail only
    const keep = (text: string, chunk: string): string => {
      const joined = text + chunk
      return joined.length > 200_000 ? joined.slice(-100_000) : joined
    }
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout = keep(stdout, chunk)
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = keep(stderr, chunk)
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      if (code !== 0) reject(new Error(`${command} exited with ${code}:\n${stderr}${stdout.slice(-2_000)}`))
      else {
        try {
          resolve(parseDnsperf(stdout, command))
        } catch (error) {
          reject(error)
        }
      }
    })
  })
}

/** A dnsperf run with the server's CPU time over it. */
export interface LoadResult extends DnsperfResult {
  /** Server CPU seconds (user + system) during the run. */
  readonly serverCpuSeconds: number
  /** Server CPU microseconds per answered query. */
  readonly serverMicrosPerQuery: number
}

/** Runs dnsperf against the server whose process is `pid`, reading its CPU time before and after. */
export async function loadServer(pid: number, options: DnsperfOptions): Promise<LoadResult> {
  const before = processCpuSeconds(pid)
  const result = await runDnsperf(options)
  const serverCpuSeconds = processCpuSeconds(pid) - before
  return {
    ...result,
    serverCpuSeconds,
    serverMicrosPerQuery: result.completed === 0 ? Number.NaN : (serverCpuSeconds * 1e6) / result.completed,
  }
}
