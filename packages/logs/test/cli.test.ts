import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/run-cli.js'

const GOOD = '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 12 "-" "UA"'

async function cli(argv: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on('data', (c: Buffer) => out.push(c))
  stderr.on('data', (c: Buffer) => err.push(c))
  const code = await runCli(argv, { stdin: Readable.from([Buffer.from(stdin)]), stdout, stderr })
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-logs-cli-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('shoal-logs', () => {
  it('parse prints one JSON record per line, detecting the format', async () => {
    const file = join(dir, 'a.log')
    await writeFile(file, `${GOOD}\n${GOOD.replace('200', '404')}\nbroken\n`)
    const { code, stdout, stderr } = await cli(['parse', file])
    expect(code).toBe(0)
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).status),
    ).toEqual([200, 404])
    expect(stderr).toContain('2 records (combined), 1 bad lines: missing-field 1')
  })

  it('parse reads stdin, honours --format and --limit', async () => {
    const { code, stdout } = await cli(
      ['parse', '--format', '%h %>s', '--limit', '2'],
      '1.1.1.1 200\n2.2.2.2 301\n3.3.3.3 500\n',
    )
    expect(code).toBe(0)
    expect(
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { remoteHost: '1.1.1.1', status: 200, rest: null, recovered: false },
      { remoteHost: '2.2.2.2', status: 301, rest: null, recovered: false },
    ])
  })

  it('check exits 1 with counts and samples when lines are bad, 0 when none are', async () => {
    const bad = await cli(
      ['check', '--json', '--format', 'combined', '--strict', '-'],
      `${GOOD}\n${GOOD} extra\n${GOOD.slice(0, -2)}\n`,
    )
    expect(bad.code).toBe(1)
    const report = JSON.parse(bad.stdout)
    expect(report).toMatchObject({
      format: 'combined',
      lines: 3,
      records: 1,
      badLines: 2,
      byReason: { 'trailing-data': 1, 'unterminated-quote': 1 },
    })
    expect(report.samples.map((s: { line: number }) => s.line)).toEqual([2, 3])
    const good = await cli(['check', '--format', 'combined', '-'], `${GOOD}\n`)
    expect(good.code).toBe(0)
    expect(good.stdout).toContain('1 lines, 1 records, 0 bad')
  })

  it('detect names the format, or exits 1 when none fits', async () => {
    const found = await cli(['detect', '--json'], '<34>1 2003-10-11T22:14:15.003Z host su - ID47 - hello\n')
    expect(found.code).toBe(0)
    expect(JSON.parse(found.stdout).candidates[0]).toMatchObject({ format: 'syslog', confidence: 1 })
    const none = await cli(['detect'], '\u0000\u0001\u0002\n')
    expect(none.code).toBe(1)
    expect(none.stdout).toContain('no known format fits')
  })

  it('usage mistakes exit 2 with a hint; --help documents every flag', async () => {
    for (const argv of [
      [],
      ['frobnicate'],
      ['parse', '--limit', 'x'],
      ['follow'],
      ['parse', '--from', 'end'],
      ['parse', '--escape', 'html'],
      ['parse', '-f', '%h %Q'],
    ]) {
      const { code, stderr } = await cli(argv)
      expect(code, argv.join(' ')).toBe(2)
      expect(stderr).toMatch(/^shoal-logs: /)
    }
    const { code, stdout } = await cli(['--help'])
    expect(code).toBe(0)
    for (const flag of [
      '--format',
      '--escape',
      '--strict',
      '--max-line-bytes',
      '--json',
      '--limit',
      '--samples',
      '--from',
      '--checkpoint',
      '--poll-ms',
      '--help',
    ]) {
      expect(stdout).toContain(flag)
    }
  })

  it('a missing file is a failure, not a crash', async () => {
    const { code, stderr } = await cli(['parse', join(dir, 'nope.log')])
    expect(code).toBe(1)
    expect(stderr).toContain('ENOENT')
  })

  it('the real process delivers every record through a pipe to another process', {
    timeout: 60_000,
  }, async () => {
    const file = join(dir, 'big.log')
    await writeFile(
      file,
      Array.from({ length: 3000 }, (_, i) => GOOD.replace('GET /', `GET /${i}`)).join('\n'),
    )
    const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))
    const cliProcess = spawn(
      process.execPath,
      ['--conditions=@shoal/source', '--import', 'tsx', main, 'parse', file],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const counter = spawn(
      process.execPath,
      [
        '-e',
        "let n=0;require('readline').createInterface({input:process.stdin}).on('line',()=>n++).on('close',()=>console.log(n))",
      ],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    )
    cliProcess.stdout.pipe(counter.stdin)
    const counted = await new Promise<string>((resolve) => {
      let text = ''
      counter.stdout.on('data', (c: Buffer) => {
        text += c.toString()
      })
      counter.on('close', () => resolve(text.trim()))
    })
    const exitCode = await new Promise<number | null>((resolve) => {
      if (cliProcess.exitCode !== null) resolve(cliProcess.exitCode)
      else cliProcess.on('close', resolve)
    })
    expect(exitCode).toBe(0)
    expect(counted).toBe('3000')
  })
})
