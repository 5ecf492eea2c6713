/**
 * A real cluster of `shoal-member` processes on loopback, for the idle-CPU figure: start them,
 * wait until each has printed a `join` line for every other, and read their CPU time from
 * `/proc/<pid>/stat`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** The repository root (this file is bench/membership/, its bundle bench/.cache/). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const DIST_CLI = `${ROOT}packages/membership/dist/cli.js`
const SOURCE_CLI = `${ROOT}packages/membership/src/cli/main.ts`

/** How to start the CLI: the built one when there is one, else the source under tsx. */
export function cliCommand(): { readonly args: readonly string[]; readonly how: string } | undefined {
  if (existsSync(DIST_CLI)) return { args: [DIST_CLI], how: 'node packages/membership/dist/cli.js' }
  if (existsSync(SOURCE_CLI))
    return {
      args: ['--conditions=@shoal/source', '--import', 'tsx', SOURCE_CLI],
      how: 'node --conditions=@shoal/source --import tsx packages/membership/src/cli/main.ts',
    }
  return undefined
}

/** Why the CLI cannot run here, or undefined: it must exist and answer `--help`. */
export function cliUnavailable(): string | undefined {
  const cli = cliCommand()
  if (cli === undefined) return 'no shoal-member CLI (neither dist/cli.js nor src/cli/main.ts)'
  if (!existsSync('/proc/self/stat')) return 'needs /proc (Linux) to read CPU time'
  try {
    const help = execFileSync(process.execPath, [...cli.args, '--help'], { cwd: ROOT, timeout: 20_000 })
    if (!help.toString().includes('--bind')) return `${cli.how} --help printed no usage`
  } catch (error) {
    return `${cli.how} --help failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`
  }
  return undefined
}

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100
  } catch {
    return 100
  }
}

/** utime + stime of a process in seconds. */
function cpuSeconds(pid: number, ticks: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // fields after the command name (which may hold spaces), from field 3 (state) on
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / ticks
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) / 1024 : Number.NaN
}

interface Member {
  readonly name: string
  readonly child: ChildProcess
  address: string | undefined
  readonly joined: Set<string>
  exited: boolean
}

/** A running cluster of member processes. */
export interface ProcessCluster {
  readonly pids: readonly number[]
  /** Milliseconds from the first spawn until every member saw every other join. */
  readonly convergedMs: number
  readonly how: string
  /** Measures every member's CPU over `ms`: % of one core each, and RSS. */
  measure(ms: number): Promise<{ readonly percent: number[]; readonly rssMiB: number[] }>
  /** Ends them all: SIGTERM (a graceful leave), SIGKILL after 3 s. */
  stop(): Promise<void>
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/**
 * Starts `size` members on 127.0.0.1 (port 0), the first one's address as every other's
 * `--join`, and resolves once each has printed a `join` line for each of the others.
 */
export async function startProcessCluster(
  size: number,
  profile: string,
  timeoutMs = 60_000,
): Promise<ProcessCluster> {
  const cli = cliCommand()
  if (cli === undefined) throw new Error('no shoal-member CLI')
  const members: Member[] = []
  const t0 = performance.now()
  let settle: (error?: Error) => void = () => {}
  const ready = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error))
  })
  const check = (): void => {
    if (members.length === size && members.every((m) => m.joined.size >= size - 1)) settle()
  }
  const start = (name: string, join: string | undefined): Member => {
    const args = [...cli.args, '--name', name, '--bind', '127.0.0.1:0', '--profile', profile, '--json']
    if (join !== undefined) args.push('--join', join)
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    live.add(child)
    const member: Member = { name, child, address: undefined, joined: new Set(), exited: false }
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString()
    })
    child.on('exit', (code, signal) => {
      member.exited = true
      live.delete(child)
      settle(new Error(`${name} exited (${code ?? signal}) ${stderr.trim().split('\n')[0] ?? ''}`))
    })
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let event: { type?: string; address?: string; member?: string }
      try {
        event = JSON.parse(line) as typeof event
      } catch {
        return
      }
      if (event.type === 'listening') member.address = event.address
      if (event.type === 'join' && event.member !== undefined && event.member !== name)
        member.joined.add(event.member)
      check()
    })
    return member
  }
  const stop = async (): Promise<void> => {
    const all = members.filter((m) => !m.exited)
    await Promise.all(
      all.map(
        (m) =>
          new Promise<void>((resolve) => {
            const kill = setTimeout(() => m.child.kill('SIGKILL'), 3_000)
            m.child.once('exit', () => {
              clearTimeout(kill)
              resolve()
            })
            m.child.kill('SIGTERM')
          }),
      ),
    )
  }
  const timer = setTimeout(() => settle(new Error(`no convergence within ${timeoutMs} ms`)), timeoutMs)
  try {
    const first = start('m0', undefined)
    members.push(first)
    const address = await new Promise<string>((resolve, reject) => {
      const poll = setInterval(() => {
        if (first.address !== undefined) {
          clearInterval(poll)
          resolve(first.address)
        } else if (first.exited) {
          clearInterval(poll)
          reject(new Error('m0 exited before listening'))
        }
      }, 10)
    })
    for (let i = 1; i < size; i++) members.push(start(`m${i}`, address))
    await ready
  } catch (error) {
    await stop()
    throw error
  } finally {
    clearTimeout(timer)
  }
  const convergedMs = performance.now() - t0
  const ticks = clockTicks()
  const pids = members.map((m) => m.child.pid as number)
  return {
    pids,
    convergedMs,
    how: cli.how,
    async measure(ms) {
      const before = pids.map((pid) => cpuSeconds(pid, ticks))
      const w0 = performance.now()
      await new Promise((resolve) => setTimeout(resolve, ms))
      const wall = (performance.now() - w0) / 1000
      if (members.some((m) => m.exited)) throw new Error('a member exited during the measurement')
      const after = pids.map((pid) => cpuSeconds(pid, ticks))
      return {
        percent: after.map((a, i) => ((a - (before[i] as number)) / wall) * 100),
        rssMiB: pids.map(rssMiB),
      }
    },
    stop,
  }
}
