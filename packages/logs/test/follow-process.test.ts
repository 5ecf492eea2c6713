import { type ChildProcess, spawn } from 'node:child_process'
import { appendFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTempDir, removeTempDir } from './follow-helpers.js'

// A real process shows what no in-process test can: whether a follower keeps the event loop alive.

const followFileSource = fileURLToPath(new URL('../src/follow/follow-file.ts', import.meta.url))
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href

const CHILD = `
import { followFile } from ${JSON.stringify(pathToFileURL(followFileSource).href)}
const [path, mode] = process.argv.slice(2)
const follower = followFile(path, { keepAlive: mode === 'keep', pollIntervalMs: 20 })
const first = await follower.next()
process.stdout.write('ready ' + first.value.kind + '\\n')
const second = await follower.next()
process.stdout.write('got ' + second.value.kind + ' ' + second.value.data.toString())
await follower.return()
`

let dir: string | undefined
let children: ChildProcess[] = []

beforeEach(async () => {
  dir = await makeTempDir()
})

afterEach(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  children = []
  await removeTempDir(dir)
  dir = undefined
})

interface Run {
  readonly child: ChildProcess
  readonly output: () => string
  readonly waitForOutput: (part: string) => Promise<void>
  readonly exited: Promise<number | null>
}

function run(mode: 'keep' | 'default'): Run {
  if (dir === undefined) throw new Error('no temp dir')
  const script = join(dir, 'child.mts')
  writeFileSync(script, CHILD)
  const child = spawn(
    process.execPath,
    ['--conditions=@shoal/source', '--import', tsxLoader, script, join(dir, 'app.log'), mode],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  children.push(child)
  let out = ''
  let err = ''
  const listeners = new Set<() => void>()
  child.stdout?.on('data', (data: Buffer) => {
    out += data.toString()
    for (const listener of listeners) listener()
  })
  child.stderr?.on('data', (data: Buffer) => {
    err += data.toString()
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(killer)
      for (const listener of listeners) listener()
      resolve(code)
    }),
  )
  const waitForOutput = async (part: string): Promise<void> => {
    while (!out.includes(part)) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`child ended before printing ${part}: ${out}${err}`)
      await new Promise<void>((resolve) => listeners.add(resolve))
    }
  }
  return { child, output: () => out + err, waitForOutput, exited }
}

describe('followFile in a process of its own', () => {
  it('does not keep the process alive while waiting for the file to grow', async () => {
    writeFileSync(join(dir as string, 'app.log'), 'old\n')
    const child = run('default')
    // the child has nothing else to do: with a next() pending on an idle file, Node exits
    // (code 13: the top-level await never settled)
    expect(await child.exited).toBe(13)
    expect(child.output()).toContain('ready opened')
    expect(child.output()).not.toContain('got')
  })

  it('keeps it alive while a next() is pending when keepAlive is set', async () => {
    const path = join(dir as string, 'app.log')
    writeFileSync(path, 'old\n')
    const child = run('keep')
    await child.waitForOutput('ready opened')
    appendFileSync(path, 'new line\n')
    expect(await child.exited).toBe(0)
    expect(child.output()).toContain('got data new line')
  })
})
