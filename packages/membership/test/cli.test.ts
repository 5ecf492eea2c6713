import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/run-cli.js'

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))

const children: ChildProcess[] = []
let dir: string | undefined

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await new Promise((resolve) => child.once('close', resolve))
    }
  }
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on('data', (c: Buffer) => out.push(c))
  stderr.on('data', (c: Buffer) => err.push(c))
  const code = await runCli(argv, { stdout, stderr, signal: AbortSignal.abort() })
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }
}

/** Runs the real `shoal-member` in a child process, collecting its output. */
function run(argv: string[]): { child: ChildProcess; stdout: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--conditions=@shoal/source', '--import', 'tsx', MAIN, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let stdout = ''
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  child.stderr?.resume()
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  return { child, stdout: () => stdout, exit }
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe('shoal-member', () => {
  it('--help documents every flag and exits 0', async () => {
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    for (const flag of [
      '--name',
      '--bind',
      '--advertise',
      '--join',
      '--cluster',
      '--key',
      '--key-file',
      '--profile',
      '--meta',
      '--list',
      '--wait',
      '--json',
      '--help',
      'Exit codes',
    ])
      expect(help.stdout).toContain(flag)
  })

  it('a usage mistake exits 2 with a message', async () => {
    const unknown = await cli(['--frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/shoal-member: .*frobnicate[\s\S]*--help/)
    expect((await cli(['--profile', 'moon'])).stderr).toMatch(/--profile takes lan, wan or local/)
    expect((await cli(['--meta', 'novalue'])).code).toBe(2)
    expect((await cli(['--wait', '10'])).stderr).toMatch(/--wait applies to --list/)
    expect((await cli(['--key', 'short'])).stderr).toMatch(/32 bytes/)
    expect((await cli(['--bind', 'localhost:1'])).stderr).toMatch(/bind must be/)
    expect((await cli(['--join', '10.0.0.1'])).code).toBe(2)
  })

  it('an unreadable key file fails with 1; a key file is read', async () => {
    expect((await cli(['--key-file', '/nonexistent/keys'])).code).toBe(1)
    dir = await mkdtemp(join(tmpdir(), 'shoal-member-'))
    const file = join(dir, 'keys')
    await writeFile(file, `# cluster keys\n${'ab'.repeat(32)}\n\n`)
    const { code, stdout } = await cli(['--key-file', file, '--bind', '127.0.0.1:0', '--json'])
    expect(code).toBe(0)
    expect(jsonLines(stdout)[0]).toMatchObject({ type: 'listening' })
    await writeFile(file, '# nothing\n')
    expect((await cli(['--key-file', file])).stderr).toMatch(/holds no key/)
  })

  it('--list against a running member prints both members; SIGTERM makes the member leave and exit 0', async () => {
    const member = run([
      '--name',
      'keeper',
      '--bind',
      '127.0.0.1:0',
      '--profile',
      'local',
      '--json',
      '--meta',
      'role=db',
    ])
    await until(() => member.stdout().includes('"listening"'), 20_000)
    const listening = jsonLines(member.stdout())[0] as { type: string; address: string; name: string }
    expect(listening).toMatchObject({ type: 'listening', name: 'keeper' })

    const list = run([
      '--name',
      'lister',
      '--bind',
      '127.0.0.1:0',
      '--profile',
      'local',
      '--join',
      listening.address,
      '--list',
      '--wait',
      '500',
      '--json',
    ])
    expect(await list.exit).toBe(0)
    const members = jsonLines(list.stdout())
    expect(members.map((m) => m.name)).toEqual(['keeper', 'lister'])
    expect(members[0]).toMatchObject({ address: listening.address, state: 'alive', meta: { role: 'db' } })

    // the member saw the lister come and go
    await until(() => member.stdout().includes('"left","member":"lister"'), 5_000)
    member.child.kill('SIGTERM')
    expect(await member.exit).toBe(0)
    const lines = jsonLines(member.stdout())
    expect(lines.at(-2)).toMatchObject({ type: 'left', member: 'keeper' })
    expect(lines.at(-1)).toMatchObject({ type: 'stopped', name: 'keeper' })
  }, 40_000)

  it('--list exits 1 when no member answers', async () => {
    const { code, stdout, stderr } = await cli([
      '--bind',
      '127.0.0.1:0',
      '--join',
      '127.0.0.1:9',
      '--list',
      '--wait',
      '300',
      '--json',
    ])
    expect(code).toBe(1)
    expect(jsonLines(stdout)).toHaveLength(1)
    expect(stderr).toMatch(/no member answered/)
  })
})
