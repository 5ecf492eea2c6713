import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'

// Real `shoal-member` processes on 127.0.0.1, with the `lan` profile: crashes (SIGKILL), pauses
// (SIGSTOP/SIGCONT), restarts and mismatched keys, read from each process's JSON lines.

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))

interface Line {
  readonly type: string
  readonly member?: string
  readonly state?: string
  readonly incarnation?: number
  readonly address?: string
  readonly name?: string
  /** When the test read it (Date.now()). */
  readonly seen: number
}

class MemberProcess {
  readonly child: ChildProcess
  readonly lines: Line[] = []
  stderr = ''
  #buffer = ''

  constructor(
    readonly name: string,
    argv: readonly string[],
  ) {
    this.child = spawn(
      process.execPath,
      [
        '--conditions=@shoal/source',
        '--import',
        'tsx',
        MAIN,
        '--name',
        name,
        '--bind',
        '127.0.0.1:0',
        '--json',
        ...argv,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString()
      for (let nl = this.#buffer.indexOf('\n'); nl >= 0; nl = this.#buffer.indexOf('\n')) {
        const text = this.#buffer.slice(0, nl)
        this.#buffer = this.#buffer.slice(nl + 1)
        this.lines.push({ ...(JSON.parse(text) as Omit<Line, 'seen'>), seen: Date.now() })
      }
    })
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString()
    })
  }

  get address(): string {
    const listening = this.lines.find((l) => l.type === 'listening')
    if (listening?.address === undefined) throw new Error(`${this.name} is not listening yet`)
    return listening.address
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null
  }

  /** The member events about `member` this process printed since `after`. */
  about(member: string, after = 0): Line[] {
    return this.lines.filter((l) => l.member === member && l.seen >= after)
  }

  /** The state this process last printed for `member`. */
  stateOf(member: string): string | undefined {
    return this.about(member).at(-1)?.state
  }

  kill(signal: NodeJS.Signals): void {
    if (!this.exited) this.child.kill(signal)
  }

  closed(): Promise<void> {
    if (this.exited) return Promise.resolve()
    return new Promise((resolve) => this.child.once('close', () => resolve()))
  }
}

const running: MemberProcess[] = []

afterEach(async () => {
  const all = running.splice(0)
  for (const p of all) {
    p.kill('SIGCONT')
    p.kill('SIGKILL')
  }
  await Promise.all(all.map((p) => p.closed()))
})

function start(name: string, argv: readonly string[] = []): MemberProcess {
  const p = new MemberProcess(name, argv)
  running.push(p)
  return p
}

/** Polls `condition` every 25 ms until it holds or `ms` pass; fails with `what` otherwise. */
async function until(what: string, condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    const dead = running.find((p) => p.exited && p.stderr !== '')
    if (dead !== undefined) throw new Error(`${dead.name} failed: ${dead.stderr}`)
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Starts `size` members; the first is every other's seed. */
async function cluster(
  size: number,
  argv: (i: number) => readonly string[] = () => [],
): Promise<MemberProcess[]> {
  const first = start('m0', ['--profile', 'lan', ...argv(0)])
  await until('m0 listens', () => first.lines.some((l) => l.type === 'listening'), 20_000)
  const rest = Array.from({ length: size - 1 }, (_, i) =>
    start(`m${i + 1}`, ['--profile', 'lan', '--join', first.address, ...argv(i + 1)]),
  )
  return [first, ...rest]
}

function allSee(
  observers: readonly MemberProcess[],
  members: readonly MemberProcess[],
  state: string,
): boolean {
  return observers.every((o) => members.every((m) => o.stateOf(m.name) === state))
}

describe('shoal-member processes on 127.0.0.1', () => {
  it('a process paused for 300 ms is not declared dead', async () => {
    const members = await cluster(5)
    await until('every member sees every other alive', () => allSee(members, members, 'alive'), 25_000)
    const paused = members[2] as MemberProcess
    const others = members.filter((m) => m !== paused)
    const from = Date.now()
    paused.kill('SIGSTOP')
    await new Promise((resolve) => setTimeout(resolve, 300))
    paused.kill('SIGCONT')
    // bounded observation window: nothing is awaited here but the passing of the 5 s
    await new Promise((resolve) => setTimeout(resolve, 5_000))
    for (const o of others) {
      expect(o.about(paused.name, from).filter((l) => l.type === 'dead')).toEqual([])
      expect(o.stateOf(paused.name)).toBe('alive')
    }
  }, 45_000)

  it('a killed process is declared dead by every other, and is alive again when restarted', async () => {
    const members = await cluster(5)
    await until('every member sees every other alive', () => allSee(members, members, 'alive'), 25_000)
    const victim = members[3] as MemberProcess
    const others = members.filter((m) => m !== victim)
    const killedAt = Date.now()
    victim.kill('SIGKILL')
    await until('every other member prints it dead', () => allSee(others, [victim], 'dead'), 15_000)
    const detection =
      Math.max(...others.map((o) => (o.about(victim.name, killedAt).at(-1) as Line).seen)) - killedAt
    expect(detection).toBeLessThan(15_000)
    // nobody else was declared dead on the way
    for (const o of others)
      for (const m of others) expect(o.about(m.name, killedAt).filter((l) => l.type === 'dead')).toEqual([])
    const deadAt = Math.max(...others.map((o) => o.about(victim.name).at(-1)?.incarnation ?? 0))

    const restartedAt = Date.now()
    const again = start(victim.name, ['--profile', 'lan', '--join', (members[0] as MemberProcess).address])
    await until(
      'every other member prints it back',
      () =>
        others.every((o) =>
          o
            .about(victim.name, restartedAt)
            .some((l) => (l.type === 'alive' || l.type === 'join') && (l.incarnation ?? 0) > deadAt),
        ),
      20_000,
    )
    await until('the restarted member sees the others', () => allSee([again], others, 'alive'), 10_000)
  }, 60_000)

  it('two groups with different keys only ever see their own members', async () => {
    const keyA = randomBytes(32).toString('base64')
    const keyB = randomBytes(32).toString('hex')
    const a0 = start('a0', ['--profile', 'lan', '--key', keyA])
    await until('a0 listens', () => a0.lines.some((l) => l.type === 'listening'), 20_000)
    const b0 = start('b0', ['--profile', 'lan', '--key', keyB, '--join', a0.address])
    await until('b0 listens', () => b0.lines.some((l) => l.type === 'listening'), 20_000)
    const groupA = [a0, start('a1', ['--profile', 'lan', '--key', keyA, '--join', a0.address])]
    groupA.push(start('a2', ['--profile', 'lan', '--key', keyA, '--join', `${a0.address},${b0.address}`]))
    const groupB = [
      b0,
      start('b1', ['--profile', 'lan', '--key', keyB, '--join', `${a0.address},${b0.address}`]),
    ]
    await until(
      'each group has converged',
      () => allSee(groupA, groupA, 'alive') && allSee(groupB, groupB, 'alive'),
      25_000,
    )
    // a few more probe periods and join retries, which keep knocking at the other group
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    const namesA = new Set(groupA.map((p) => p.name))
    const namesB = new Set(groupB.map((p) => p.name))
    for (const p of groupA)
      for (const l of p.lines) if (l.member !== undefined) expect(namesA.has(l.member)).toBe(true)
    for (const p of groupB)
      for (const l of p.lines) if (l.member !== undefined) expect(namesB.has(l.member)).toBe(true)
  }, 60_000)
})
