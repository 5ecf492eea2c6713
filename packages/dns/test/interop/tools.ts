// The real DNS tools the interop tests drive (dig, gdnsd, dnsperf), where Debian installs them, and
// the process plumbing they share: free ports, running a program to completion, stopping a daemon.

import { type ChildProcess, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/** Debian 12 paths; the packages are `bind9-dnsutils`, `gdnsd` and `dnsperf`. */
export const TOOLS = {
  dig: { path: '/usr/bin/dig', apt: 'bind9-dnsutils' },
  gdnsd: { path: '/usr/sbin/gdnsd', apt: 'gdnsd' },
  dnsperf: { path: '/usr/bin/dnsperf', apt: 'dnsperf' },
} as const

export type ToolName = keyof typeof TOOLS

/**
 * `SHOAL_SKIP_DNS_TOOLS=1` skips the tests that need the tools. Without it a missing tool fails
 * the test: CI installs them, so their absence must be noticed, not skipped.
 */
export const SKIP_DNS_TOOLS = process.env.SHOAL_SKIP_DNS_TOOLS === '1'

/** Appended to the title of a suite that needs the tools, so a skipped run says why. */
export const SKIP_NOTE = SKIP_DNS_TOOLS ? ' (skipped: SHOAL_SKIP_DNS_TOOLS=1)' : ''

/** Why the tests cannot run (which tools are missing and how to install them), or `undefined`. */
export function missingTools(...names: readonly ToolName[]): string | undefined {
  const missing = names.filter((name) => !existsSync(TOOLS[name].path))
  if (missing.length === 0) return undefined
  const packages = [...new Set(missing.map((name) => TOOLS[name].apt))].join(' ')
  return `${missing.map((name) => TOOLS[name].path).join(', ')} missing: install with \`apt-get install ${packages}\` (or set SHOAL_SKIP_DNS_TOOLS=1 to skip these tests)`
}

/** Throws the reason the tools are missing, if they are. */
export function requireTools(...names: readonly ToolName[]): void {
  const missing = missingTools(...names)
  if (missing !== undefined) throw new Error(missing)
}

/**
 * A port on 127.0.0.1 free for both UDP and TCP when asked (a daemon that cannot bind port 0 may
 * still lose it to a race, so callers retry on "address in use").
 */
export async function freeDnsPort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = createSocket('udp4')
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject)
      udp.bind(0, '127.0.0.1', () => resolve(udp.address().port))
    })
    const tcp = createServer()
    const tcpFree = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false))
      tcp.listen(port, '127.0.0.1', () => resolve(true))
    })
    await new Promise<void>((resolve) => udp.close(() => resolve()))
    if (tcp.listening) await new Promise<void>((resolve) => tcp.close(() => resolve()))
    if (tcpFree) return port
  }
  throw new Error('no port on 127.0.0.1 was free for both UDP and TCP in 20 attempts')
}

/** What a program printed and how it ended. */
export interface ProcessResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a program to completion (killed after `timeoutMs`), collecting its output. */
export function runProcess(
  file: string,
  args: readonly string[],
  timeoutMs = 10_000,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

/** Kills the child if the test process exits first, so no daemon outlives its test. */
export function killOnExit(child: ChildProcess): void {
  const kill = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', kill)
  child.once('exit', () => process.off('exit', kill))
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 2_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited
  clearTimeout(timer)
}

/** User + system CPU seconds a process has used so far, from `/proc/<pid>/stat` (Linux). */
export function processCpuSeconds(pid: number): number {
  return procStatTicks(pid) / CLOCK_TICKS
}

/** `sysconf(_SC_CLK_TCK)`: 100 on every Linux Node supports. */
const CLOCK_TICKS = 100

function procStatTicks(pid: number): number {
  // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command name
  return Number(fields[11]) + Number(fields[12])
}
