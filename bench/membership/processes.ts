/**
 * A real cluster of `shoal-member` processes on loopback: start them, wait until each has printed
 * every other alive, read their CPU time from `/proc/<pid>/stat` (the idle figure), and kill and
 * restart members one at a time (the detection figure, from the lines the others print).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { processCpuSeconds } from '../../packages/dns/test/interop/tools.js'

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

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) / 1024 : Number.NaN
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** One event line a member printed (`--json`), as the bench read it. */
export interface MemberLine {
  /** The member that printed it. */
  readonly observer: string
  readonly type: string
  /** The member it is about. */
  readonly member: string
  readonly state: string
  /** The line's own `time`: the printing member's clock when its core emitted the event (ms since the epoch, ms resolution). */
  readonly time: number
  /** `performance.now()` in the bench when it read the line. */
  readonly readAt: number
}

/** One life of a member: a process. A restarted member is a new life under the same name. */
interface Life {
  readonly name: string
  readonly child: ChildProcess
  address: string | undefined
  /** performance.now() when its `listening` line was read. */
  listeningAt: number | undefined
  /** The state it last printed for each other member. */
  readonly view: Map<string, string>
  exited: boolean
  /** Killed on purpose: its exit is no failure. */
  killed: boolean
}

interface Waiter {
  readonly predicate: () => boolean
  readonly resolve: (readAt: number) => void
  readonly reject: (error: Error) => void
}

/** A running cluster of member processes. */
export interface ProcessCluster {
  /** The members' names, m0 … m(n−1); m0 is the seed the others joined. */
  readonly names: readonly string[]
  /** The process id of each member's current life. */
  readonly pids: readonly number[]
  /** Milliseconds from the first spawn until every member printed every other alive. */
  readonly convergedMs: number
  readonly how: string
  /** Measures every member's CPU over `ms`: % of one core each, and RSS. */
  measure(ms: number): Promise<{ readonly percent: number[]; readonly rssMiB: number[] }>
  /** Calls `listener` with every event line any member prints from now on; returns the unsubscribe. */
  onLine(listener: (line: MemberLine) => void): () => void
  /** The state `observer` last printed for `member` (undefined if none). */
  view(observer: string, member: string): string | undefined
  /**
   * Resolves with the read time (`performance.now()`) of the line after which `predicate` holds, or
   * now if it holds already; rejects after `timeoutMs`, or when a member exits that was not killed.
   */
  until(predicate: () => boolean, timeoutMs: number, what: string): Promise<number>
  /** SIGKILLs a member: the times just before the signal, and its exit. */
  kill(name: string): { readonly at: number; readonly wallAt: number; readonly exited: Promise<void> }
  /**
   * Starts a killed member again under its name, bound to its old address, joining `join`:
   * `at` is the spawn's `performance.now()`, `listening` resolves with its `listening` line's.
   */
  restart(name: string, join: string): { readonly at: number; readonly listening: Promise<number> }
  /** The address a member listens on. */
  address(name: string): string
  /** Ends them all: SIGTERM (a graceful leave), SIGKILL after 3 s. */
  stop(): Promise<void>
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL')
})

/**
 * Starts `size` members on 127.0.0.1 (port 0), the first one's address as every other's
 * `--join`, and resolves once each has printed every other alive.
 */
export async function startProcessCluster(
  size: number,
  profile: string,
  timeoutMs = 60_000,
): Promise<ProcessCluster> {
  const cli = cliCommand()
  if (cli === undefined) throw new Error('no shoal-member CLI')
  const names = Array.from({ length: size }, (_, i) => `m${i}`)
  const lives = new Map<string, Life>()
  const listeners = new Set<(line: MemberLine) => void>()
  const waiters = new Set<Waiter>()
  let failure: Error | undefined
  let stopping = false

  const check = (readAt: number): void => {
    for (const w of waiters) {
      if (failure !== undefined) w.reject(failure)
      else if (w.predicate()) w.resolve(readAt)
    }
  }
  const lifeOf = (name: string): Life => {
    const life = lives.get(name)
    if (life === undefined) throw new Error(`no member ${name}`)
    return life
  }

  const start = (name: string, bind: string, join: string | undefined): Life => {
    const args = [...cli.args, '--name', name, '--bind', bind, '--profile', profile, '--json']
    if (join !== undefined) args.push('--join', join)
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    live.add(child)
    const life: Life = {
      name,
      child,
      address: undefined,
      listeningAt: undefined,
      view: new Map(),
      exited: false,
      killed: false,
    }
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString()
    })
    child.on('exit', (code, signal) => {
      life.exited = true
      live.delete(child)
      if (!life.killed && !stopping) {
        failure ??= new Error(`${name} exited (${code ?? signal}) ${stderr.trim().split('\n')[0] ?? ''}`)
        check(performance.now())
      }
    })
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      const readAt = performance.now()
      let event: { type?: string; address?: string; member?: string; state?: string; time?: string }
      try {
        event = JSON.parse(text) as typeof event
      } catch {
        return
      }
      if (event.type === 'listening') {
        life.address = event.address
        life.listeningAt = readAt
      } else if (event.member !== undefined && event.state !== undefined && event.type !== undefined) {
        if (event.member !== name) life.view.set(event.member, event.state)
        const line: MemberLine = {
          observer: name,
          type: event.type,
          member: event.member,
          state: event.state,
          time: event.time === undefined ? Number.NaN : Date.parse(event.time),
          readAt,
        }
        for (const listener of listeners) listener(line)
      }
      check(readAt)
    })
    lives.set(name, life)
    return life
  }

  const until = (predicate: () => boolean, ms: number, what: string): Promise<number> => {
    if (failure !== undefined) return Promise.reject(failure)
    if (predicate()) return Promise.resolve(performance.now())
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter)
        reject(new Error(`not within ${ms} ms: ${what}`))
      }, ms)
      const waiter: Waiter = {
        predicate,
        resolve: (readAt) => {
          clearTimeout(timer)
          waiters.delete(waiter)
          resolve(readAt)
        },
        reject: (error) => {
          clearTimeout(timer)
          waiters.delete(waiter)
          reject(error)
        },
      }
      waiters.add(waiter)
    })
  }

  const stop = async (): Promise<void> => {
    stopping = true
    const running = [...lives.values()].filter((l) => !l.exited)
    await Promise.all(
      running.map(
        (l) =>
          new Promise<void>((resolve) => {
            const kill = setTimeout(() => l.child.kill('SIGKILL'), 3_000)
            l.child.once('exit', () => {
              clearTimeout(kill)
              resolve()
            })
            l.child.kill('SIGTERM')
          }),
      ),
    )
  }

  const allSeeAll = (): boolean =>
    names.every((n) => {
      const life = lives.get(n)
      return life !== undefined && names.every((o) => o === n || life.view.get(o) === 'alive')
    })

  const t0 = performance.now()
  try {
    const first = start('m0', '127.0.0.1:0', undefined)
    await until(() => first.address !== undefined, timeoutMs, 'm0 prints its listening address')
    for (const name of names.slice(1)) start(name, '127.0.0.1:0', first.address)
    await until(allSeeAll, timeoutMs, 'every member prints every other alive')
  } catch (error) {
    await stop()
    throw error
  }
  const convergedMs = performance.now() - t0
  const pidsNow = (): number[] => names.map((n) => lifeOf(n).child.pid as number)
  return {
    names,
    get pids() {
      return pidsNow()
    },
    convergedMs,
    how: cli.how,
    async measure(ms) {
      const pids = pidsNow()
      const before = pids.map((pid) => processCpuSeconds(pid))
      const w0 = performance.now()
      await sleep(ms)
      const wall = (performance.now() - w0) / 1000
      if (failure !== undefined) throw failure
      const after = pids.map((pid) => processCpuSeconds(pid))
      return {
        percent: after.map((a, i) => ((a - (before[i] as number)) / wall) * 100),
        rssMiB: pids.map(rssMiB),
      }
    },
    onLine(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    view: (observer, member) => lifeOf(observer).view.get(member),
    until,
    kill(name) {
      const life = lifeOf(name)
      const exited = life.exited
        ? Promise.resolve()
        : new Promise<void>((resolve) => life.child.once('exit', () => resolve()))
      life.killed = true
      const at = performance.now()
      const wallAt = Date.now()
      life.child.kill('SIGKILL')
      return { at, wallAt, exited }
    },
    restart(name, join) {
      const old = lifeOf(name)
      if (!old.exited) throw new Error(`${name} is still running`)
      if (old.address === undefined) throw new Error(`${name} never listened`)
      const at = performance.now()
      const life = start(name, old.address, join)
      const listening = until(() => life.listeningAt !== undefined, 30_000, `${name} listens again`).then(
        () => life.listeningAt as number,
      )
      listening.catch(() => undefined) // the caller awaits it later
      return { at, listening }
    },
    address(name) {
      const address = lifeOf(name).address
      if (address === undefined) throw new Error(`${name} never listened`)
      return address
    },
    stop,
  }
}

/** How the detection trials run. */
export interface DetectionOptions {
  readonly trials: number
  /** Uniform in [0, 1): picks the wait before each kill and the order of the members killed. */
  readonly random: () => number
  /** The wait before each kill, once every member sees every other alive: uniform in [min, max) ms. */
  readonly waitMs: readonly [number, number]
  /** The most any one step (convergence, detection, rejoin) may take. */
  readonly timeoutMs: number
}

/** One kill and restart. */
export interface DetectionTrial {
  readonly victim: string
  readonly waitMs: number
  /** From just before the SIGKILL until the bench read the last other member's `dead` line. */
  readonly detectedMs: number
  /** From the bench's clock at the kill to the latest of those `dead` lines' own `time` fields. */
  readonly detectedByTimeFieldMs: number
  /** Until the bench read the first `dead` line. */
  readonly firstDeadMs: number
  /** From the restart's spawn until the bench read the last other member's line printing it alive. */
  readonly rejoinMs: number
  /** The same, from the restarted process's `listening` line (without Node's start-up). */
  readonly rejoinFromListeningMs: number
}

/** What the detection trials saw. */
export interface DetectionReport {
  readonly trials: readonly DetectionTrial[]
  /** `dead` lines about a member that was not the one killed in that trial (a false death). */
  readonly falseDead: number
  /**
   * `suspect` lines about the member restarted last, once every other had printed it alive again
   * (until the next kill): each brief, refuted at once, or it would be a false death.
   */
  readonly suspectsOfRejoined: number
  /** `suspect` lines about any other member that was not the one killed. */
  readonly suspectsOfOthers: number
}

/**
 * Runs `trials` times: wait until every member prints every other alive, wait a random moment,
 * SIGKILL a member (in rounds: each round kills every member once, in a random order, so the seed
 * m0 is killed too), time until every other member printed it `dead`, restart it under the
 * same name at the same address joining the seed (m0; m1 when m0 is the one restarted), time until
 * every other member printed it alive again.
 */
export async function detectionTrials(
  cluster: ProcessCluster,
  options: DetectionOptions,
): Promise<DetectionReport> {
  const { names } = cluster
  const trials: DetectionTrial[] = []
  let victim: string | undefined
  let rejoined: string | undefined
  let falseDead = 0
  let suspectsOfRejoined = 0
  let suspectsOfOthers = 0
  const deadRead = new Map<string, number>()
  const deadTime = new Map<string, number>()
  const off = cluster.onLine((line) => {
    if (line.member === line.observer) return
    if (line.type === 'dead') {
      if (line.member !== victim) falseDead++
      else if (!deadRead.has(line.observer)) {
        deadRead.set(line.observer, line.readAt)
        deadTime.set(line.observer, line.time)
      }
    }
    if (line.type === 'suspect' && line.member !== victim) {
      if (line.member === rejoined) suspectsOfRejoined++
      else suspectsOfOthers++
    }
  })
  const everyoneSeesEveryone = (): boolean =>
    names.every((n) => names.every((o) => o === n || cluster.view(n, o) === 'alive'))
  const round: string[] = []
  try {
    for (let i = 0; i < options.trials; i++) {
      if (round.length === 0) {
        round.push(...names)
        for (let k = round.length - 1; k > 0; k--) {
          const j = Math.floor(options.random() * (k + 1))
          ;[round[k], round[j]] = [round[j] as string, round[k] as string]
        }
      }
      await cluster.until(everyoneSeesEveryone, options.timeoutMs, 'every member prints every other alive')
      const [min, max] = options.waitMs
      const waitMs = min + options.random() * (max - min)
      await sleep(waitMs)
      const name = round.pop() as string
      const others = names.filter((n) => n !== name)
      deadRead.clear()
      deadTime.clear()
      victim = name
      const kill = cluster.kill(name)
      await cluster.until(
        () => others.every((o) => deadRead.has(o)),
        options.timeoutMs,
        `every other member prints ${name} dead`,
      )
      await kill.exited
      const read = others.map((o) => deadRead.get(o) as number)
      const printed = others.map((o) => deadTime.get(o) as number)
      const restart = cluster.restart(name, cluster.address(name === 'm0' ? 'm1' : 'm0'))
      const rejoinedAt = await cluster.until(
        () => others.every((o) => cluster.view(o, name) === 'alive'),
        options.timeoutMs,
        `every other member prints ${name} alive again`,
      )
      const listeningAt = await restart.listening
      victim = undefined
      rejoined = name
      trials.push({
        victim: name,
        waitMs,
        detectedMs: Math.max(...read) - kill.at,
        detectedByTimeFieldMs: Math.max(...printed) - kill.wallAt,
        firstDeadMs: Math.min(...read) - kill.at,
        rejoinMs: rejoinedAt - restart.at,
        rejoinFromListeningMs: rejoinedAt - listeningAt,
      })
    }
  } finally {
    off()
  }
  return { trials, falseDead, suspectsOfRejoined, suspectsOfOthers }
}
