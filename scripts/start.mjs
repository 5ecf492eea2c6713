#!/usr/bin/env node
// `npm start`: the flagship topology, examples/web-stats, from its TypeScript sources:
//
//   tsx --conditions=@shoal/source examples/web-stats/src/main.ts [arguments]
//
// With no arguments it starts a small real site on 127.0.0.1, drives traffic at it with scripted
// incidents, follows and parses its access log, and serves a live dashboard; it prints the
// dashboard URL within seconds. Arguments go to the example's CLI (`npm start -- --help`), e.g.
// `npm start -- --follow /var/log/apache2/access.log --format combined` or
// `npm start -- --file access.log --json`. The older @shoal/logs demo is `npm run demo:logs`.

import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const main = join(root, 'examples', 'web-stats', 'src', 'main.ts')
const tsx = join(root, 'node_modules', '.bin', 'tsx')

if (!existsSync(main)) {
  console.error(`npm start: ${relative(root, main)} is missing`)
  process.exitCode = 1
} else {
  const args = ['--conditions=@shoal/source', relative(root, main), ...process.argv.slice(2)]
  const child = spawn(existsSync(tsx) ? tsx : 'npx', existsSync(tsx) ? args : ['tsx', ...args], {
    cwd: root,
    stdio: 'inherit',
  })
  // Ctrl-C reaches the child too (same process group): it stops, prints its final report and
  // exits; this process waits for it rather than dying first. SIGTERM is passed on.
  process.on('SIGINT', () => {})
  process.on('SIGTERM', () => child.kill('SIGTERM'))
  child.on('error', (error) => {
    console.error(`npm start: could not start tsx: ${error.message}`)
    process.exitCode = 1
  })
  child.on('close', (code, signal) => {
    process.exitCode = code ?? (signal === null ? 1 : 128 + (signal === 'SIGINT' ? 2 : 15))
  })
}
