// The command line, as a person runs it: a child process from the TypeScript sources.

import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { formatCombinedD } from '../src/apache-log.js'

const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url))
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))

function cli(
  args: string[],
  stdin?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['--conditions=@shoal/source', MAIN, ...args], { stdio: 'pipe' })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => err.push(c))
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() })
    })
    child.stdin.end(stdin ?? '')
  })
}

const line = (k: number): string =>
  formatCombinedD({
    remoteHost: `203.0.113.${k % 5}`,
    remoteUser: null,
    time: Date.UTC(2024, 4, 17, 10, 0, k),
    requestLine: `GET /${k % 3 === 0 ? 'missing' : `page/${k % 4}`}?x=${k} HTTP/1.1`,
    status: k % 3 === 0 ? 404 : 200,
    bytes: 1_000 + k,
    referer: k % 2 === 0 ? 'https://www.example.org/from' : null,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    durationUs: 1_000 * (k + 1),
  })
const LOG = `${Array.from({ length: 30 }, (_, k) => line(k)).join('')}this is not a log line\n`

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'web-stats-cli-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('the web-stats command line', () => {
  it('--file --json prints the full report once and exits 0; without --json, a table', async () => {
    const file = join(dir, 'access.log')
    await writeFile(file, LOG)
    const [json, table] = await Promise.all([
      cli(['--file', file, '--json']),
      cli(['--file', file, '--top', '3']),
    ])
    expect(json.stderr).toBe('')
    expect(json.code).toBe(0)
    const report = JSON.parse(json.stdout)
    expect(report).toMatchObject({
      requests: 30,
      failedLines: 1,
      failedByReason: { 'bad-time': 1 },
      bandwidth: 30 * 1_000 + (29 * 30) / 2,
      statusCodes: { '200': 20, '404': 10 },
      statusClasses: { '2xx': 20, '4xx': 10 },
      uniqueVisitors: { estimate: 5, exact: true },
    })
    expect(report.paths[0]).toEqual({ key: '/missing', count: 10, lowerBound: 10, upperBound: 10 })
    expect(report.notFound).toEqual([{ key: '/missing', count: 10, lowerBound: 10, upperBound: 10 }])
    expect(report.referringSites[0]).toMatchObject({ key: 'www.example.org', count: 15 })
    expect(report.userAgents[0]).toMatchObject({ key: 'Firefox', count: 30 })
    expect(report.clients).toHaveLength(5)
    // quantiles within 1 % (the relative accuracy of a quantile sketch; exact here is fine too)
    expect(report.latency.count).toBe(30)
    expect(Math.abs(report.latency.p50 / 15_000 - 1)).toBeLessThanOrEqual(0.01)
    expect(Math.abs(report.latency.max / 30_000 - 1)).toBeLessThanOrEqual(0.01)

    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/requests\s+30\n/)
    expect(table.stdout).toMatch(/top paths\n\s+10 {2}\/missing\n/)
  }, 30_000)

  it('--stdin reads to the end of the input, then prints its report', async () => {
    const { code, stdout } = await cli(['--stdin', '--format', 'combined_d', '--no-dashboard', '--json'], LOG)
    expect(code).toBe(0)
    const last = JSON.parse(stdout.trim().split('\n').at(-1) as string)
    expect(last).toMatchObject({ type: 'report', requests: 30, failedLines: 1 })
  }, 30_000)

  it('prints its help, and exits 2 on a usage error', async () => {
    const [help, bad, conflict] = await Promise.all([
      cli(['--help']),
      cli(['--rate', 'fast']),
      cli(['--stdin', '--file', 'x.log']),
    ])
    expect(help.code).toBe(0)
    for (const flag of [
      '--follow',
      '--stdin',
      '--file',
      '--json',
      '--format',
      '--port',
      '--rate',
      '--duration',
    ])
      expect(help.stdout).toContain(flag)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--rate must be')
    expect(conflict.code).toBe(2)
  }, 30_000)
})
