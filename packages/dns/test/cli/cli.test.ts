import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/run-cli.js'
import { udpExchange } from '../server/net-helpers.js'
import { decode, query } from '../server/packets.js'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))

const ZONE = `$TTL 3600
@     SOA   ns1 hostmaster ( 1 7200 1800 1209600 300 )
@     NS    ns1
ns1   A     192.0.2.53
www   A     192.0.2.1
`

const CONFIG = {
  listen: ['127.0.0.1:0'],
  node: { id: 'ns1', site: 'ams' },
  zones: [{ origin: 'example.com', file: 'example.com.zone' }],
  pools: {
    web: {
      answers: [
        { id: 'ams-1', value: '192.0.2.10', site: 'ams' },
        { id: 'fra-1', value: '192.0.2.20', site: 'fra' },
      ],
      chain: ['up', 'preferSite', { filter: 'selectFirstN', n: 1 }],
    },
  },
  dynamic: [{ name: 'app.example.com', type: 'A', pool: 'web' }],
  rrl: false,
  http: '127.0.0.1:0',
}

let dir: string
let child: ChildProcess | undefined

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-dns-cli-'))
  await writeFile(join(dir, 'example.com.zone'), ZONE)
  await writeFile(join(dir, 'dns.json'), JSON.stringify(CONFIG, null, 2))
})

afterEach(async () => {
  if (child !== undefined && child.exitCode === null) {
    child.kill('SIGKILL')
    await new Promise((resolve) => child?.once('close', resolve))
  }
  child = undefined
  await rm(dir, { recursive: true, force: true })
})

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on('data', (c: Buffer) => out.push(c))
  stderr.on('data', (c: Buffer) => err.push(c))
  const code = await runCli(argv, { stdout, stderr })
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }
}

/** Runs the real `shoal-dns` in a child process. */
function run(argv: string[]): ChildProcess {
  return spawn(process.execPath, ['--conditions=@shoal/source', '--import', 'tsx', MAIN, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

function collect(process: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  process.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  process.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  return new Promise((resolve) => process.once('close', (code) => resolve({ code, stdout, stderr })))
}

/** Resolves with each JSON line the process prints, as it prints them, until `until` says stop. */
function jsonLines(
  process: ChildProcess,
  until: (event: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = ''
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString()
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + 1)
        const event = JSON.parse(line) as Record<string, unknown>
        if (until(event)) {
          process.stdout?.off('data', onData)
          resolve(event)
          return
        }
      }
    }
    process.stdout?.on('data', onData)
    process.once('close', (code) => reject(new Error(`exited with ${code} before the event`)))
  })
}

describe('shoal-dns (in process)', () => {
  it('--help documents every command and flag; a usage mistake exits 2', async () => {
    const help = await cli(['--help'])
    expect(help.code).toBe(0)
    for (const word of [
      'serve',
      'check',
      'explain',
      '--config',
      '--workers',
      '--no-watch',
      '--name',
      '--type',
      '--client',
      '--ecs',
      '--tcp',
      '--json',
      'Exit codes',
    ])
      expect(help.stdout).toContain(word)
    expect((await cli([])).code).toBe(2)
    expect((await cli(['serve'])).stderr).toMatch(/--config <file> is required/)
    expect((await cli(['check', '--config', 'x', '--workers', '2'])).code).toBe(2)
    expect((await cli(['explain', '--config', 'x'])).stderr).toMatch(/explain needs --name/)
    expect((await cli(['frobnicate', '--config', 'x'])).code).toBe(2)
  })

  it('check prints every problem as file:line and exits 1', async () => {
    await writeFile(
      join(dir, 'example.com.zone'),
      `${ZONE}bad A 300.1.1.1\nalso CNAME www\nalso A 192.0.2.9\n`,
    )
    await writeFile(
      join(dir, 'dns.json'),
      JSON.stringify(
        { ...CONFIG, dynamic: [{ name: 'app.example.com', type: 'CNAME', pool: 'web' }] },
        null,
        2,
      ),
    )
    const { code, stdout } = await cli(['check', '--config', join(dir, 'dns.json')])
    expect(code).toBe(1)
    const zone = join(dir, 'example.com.zone')
    expect(stdout).toMatch(new RegExp(`^${zone}:6: .*300\\.1\\.1\\.1`, 'm'))
    expect(stdout).toMatch(new RegExp(`^${zone}:\\d+: .*CNAME`, 'm'))
    expect(stdout).toMatch(/problems\n$/)
  })

  it('check --json reports the zones, pools and names of a good configuration', async () => {
    const { code, stdout } = await cli(['check', '--config', join(dir, 'dns.json'), '--json'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toEqual({
      ok: true,
      errors: [],
      warnings: [],
      zones: [{ origin: 'example.com', records: 4 }],
      pools: 1,
      dynamic: 1,
    })
  })

  it('check names a configuration error with its JSON path and line', async () => {
    const text = JSON.stringify({ ...CONFIG, tcp: { maxConnections: -1 } }, null, 2)
    await writeFile(join(dir, 'dns.json'), text)
    const line = text.split('\n').findIndex((l) => l.includes('"maxConnections"')) + 1
    const { code, stdout } = await cli(['check', '--config', join(dir, 'dns.json')])
    expect(code).toBe(1)
    expect(stdout).toContain(
      `${join(dir, 'dns.json')}:${line}: $.tcp.maxConnections: must be an integer from 1 to 65535, got -1`,
    )
  })

  it('explain --json gives the reply, the reasons and the selection trace', async () => {
    const { code, stdout } = await cli([
      'explain',
      '--config',
      join(dir, 'dns.json'),
      '--name',
      'app.example.com',
      '--client',
      '192.0.2.1',
      '--ecs',
      '198.51.100.0/24',
      '--json',
    ])
    expect(code).toBe(0)
    const result = JSON.parse(stdout)
    expect(result).toMatchObject({
      rcode: 'NOERROR',
      authoritative: true,
      truncated: false,
      answer: [{ name: 'app.example.com', type: 'A', data: '192.0.2.10', ttl: 300 }],
      ecsScope: 0,
      zone: 'example.com',
    })
    expect(result.reasons.join('\n')).toMatch(/dynamic: A from pool "web"/)
    expect(result.selection.steps.map((s: { filter: string }) => s.filter)).toEqual(
      expect.arrayContaining([expect.stringMatching(/preferSite/)]),
    )
  })

  it('explain tells NXDOMAIN, referral and REFUSED apart', async () => {
    const ask = async (name: string) =>
      JSON.parse((await cli(['explain', '--config', join(dir, 'dns.json'), '--name', name, '--json'])).stdout)
    expect(await ask('nope.example.com')).toMatchObject({
      rcode: 'NXDOMAIN',
      authority: [{ type: 'SOA', ttl: 300 }],
    })
    expect(await ask('www.example.org')).toMatchObject({ rcode: 'REFUSED', authoritative: false })
    const text = await cli([
      'explain',
      '--config',
      join(dir, 'dns.json'),
      '--name',
      'www.example.com',
      '--type',
      'MX',
    ])
    expect(text.stdout).toMatch(/NOERROR, authoritative/)
    expect(text.stdout).toMatch(
      /;; AUTHORITY\nexample\.com\.\t300\tIN\tSOA\tns1\.example\.com\. hostmaster\.example\.com\. 1 7200/,
    )
    expect(
      (await cli(['explain', '--config', join(dir, 'dns.json'), '--name', 'x.example.com', '--ecs', 'nope']))
        .code,
    ).toBe(2)
  })
})

describe('shoal-dns (child process)', () => {
  it('check and explain run as the real program', async () => {
    const check = await collect(run(['check', '--config', join(dir, 'dns.json')]))
    expect(check.code).toBe(0)
    expect(check.stdout).toMatch(/ok, 1 zone \(4 records\), 1 pools, 1 dynamic names/)
    const explain = await collect(
      run(['explain', '--config', join(dir, 'dns.json'), '--name', 'www.example.com']),
    )
    expect(explain.code).toBe(0)
    expect(explain.stdout).toMatch(/www\.example\.com\.\t3600\tIN\tA\t192\.0\.2\.1/)
  })

  it('serve answers, reloads on SIGHUP, refuses a broken reload, and stops on SIGTERM', async () => {
    child = run(['serve', '--config', join(dir, 'dns.json'), '--json', '--no-watch'])
    const done = collect(child)
    const listening = await jsonLines(child, (e) => e.event === 'listening')
    const addresses = listening.addresses as { transport: string; address: string; port: number }[]
    const udp = addresses.find((a) => a.transport === 'udp')
    const http = addresses.find((a) => a.transport === 'http')
    if (udp === undefined || http === undefined) throw new Error('no UDP or HTTP address')
    const ask = async (name: string) => decode(await udpExchange(udp.address, udp.port, query({ name })))
    expect((await ask('app.example.com')).answers.map((a) => a.data)).toEqual(['192.0.2.10'])
    expect((await fetch(`http://127.0.0.1:${http.port}/healthz`)).status).toBe(200)

    await writeFile(join(dir, 'example.com.zone'), `${ZONE}new A 192.0.2.77\n`)
    child.kill('SIGHUP')
    expect(
      await jsonLines(child, (e) => e.event === 'reloaded' || e.event === 'reload-refused'),
    ).toMatchObject({
      event: 'reloaded',
    })
    expect((await ask('new.example.com')).answers.map((a) => a.data)).toEqual(['192.0.2.77'])

    await writeFile(join(dir, 'example.com.zone'), `${ZONE}new A 192.0.2.77\nbroken A x\n`)
    child.kill('SIGHUP')
    const refused = await jsonLines(child, (e) => e.event === 'reloaded' || e.event === 'reload-refused')
    expect(refused).toMatchObject({
      event: 'reload-refused',
      errors: [{ file: join(dir, 'example.com.zone'), line: 7 }],
    })
    expect((await ask('new.example.com')).answers.map((a) => a.data)).toEqual(['192.0.2.77'])

    child.kill('SIGTERM')
    const { code } = await done
    expect(code).toBe(0)
  })

  it('serve reloads when a zone file changes', async () => {
    child = run(['serve', '--config', join(dir, 'dns.json'), '--json'])
    const listening = await jsonLines(child, (e) => e.event === 'listening')
    const udp = (listening.addresses as { transport: string; address: string; port: number }[]).find(
      (a) => a.transport === 'udp',
    )
    if (udp === undefined) throw new Error('no UDP address')
    await writeFile(join(dir, 'example.com.zone'), `${ZONE}watched A 192.0.2.88\n`)
    await jsonLines(child, (e) => e.event === 'reloaded')
    const reply = decode(await udpExchange(udp.address, udp.port, query({ name: 'watched.example.com' })))
    expect(reply.answers.map((a) => a.data)).toEqual(['192.0.2.88'])
  })

  it('serve exits 1 with every problem when the configuration cannot be served', async () => {
    await writeFile(join(dir, 'example.com.zone'), `${ZONE}bad A 1.2.3\n`)
    const { code, stderr } = await collect(run(['serve', '--config', join(dir, 'dns.json')]))
    expect(code).toBe(1)
    expect(stderr).toContain(`${join(dir, 'example.com.zone')}:6:`)
  })

  it('serve --workers 2 answers from both workers and sums their counters in /metrics', async () => {
    child = run(['serve', '--config', join(dir, 'dns.json'), '--json', '--workers', '2', '--no-watch'])
    const done = collect(child)
    const listening = await jsonLines(child, (e) => e.event === 'listening')
    expect(listening.workers).toBe(2)
    const addresses = listening.addresses as { transport: string; address: string; port: number }[]
    const udp = addresses.find((a) => a.transport === 'udp')
    const http = addresses.find((a) => a.transport === 'http')
    if (udp === undefined || http === undefined) throw new Error('no UDP or HTTP address')
    for (let i = 0; i < 20; i++) {
      const reply = decode(
        await udpExchange(udp.address, udp.port, query({ name: 'www.example.com', id: i })),
      )
      expect(reply.id).toBe(i)
    }
    const metrics = await (await fetch(`http://127.0.0.1:${http.port}/metrics`)).text()
    expect(metrics).toContain('shoal_dns_queries_total{transport="udp"} 20')
    expect(metrics).toContain('shoal_dns_workers 2')
    expect((await fetch(`http://127.0.0.1:${http.port}/healthz`)).status).toBe(200)
    child.kill('SIGTERM')
    expect((await done).code).toBe(0)
  })
})
