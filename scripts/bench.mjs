#!/usr/bin/env node
// Runs the benchmarks bench/<package>/<package>.bench.ts, one after the other, each in its own process.
//
//   npm run bench                         every benchmark
//   npm run bench -- logs                 only bench/logs/logs.bench.ts
//   npm run bench -- logs --smoke         tiny workload, one repeat (what CI runs)
//   npm run bench -- logs --lines 2000000 --repeats 5
//
// Arguments before the first option name benchmarks; everything from the first option on is
// passed to each benchmark unchanged.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const benchDir = join(root, 'bench')
const suffix = '.bench.ts'

const args = process.argv.slice(2)
const firstOption = args.findIndex((arg) => arg.startsWith('-'))
const names = firstOption === -1 ? args : args.slice(0, firstOption)
const passThrough = firstOption === -1 ? [] : args.slice(firstOption)

// one folder per package, holding <package>.bench.ts (bench/src is the shared harness)
const available = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(benchDir, entry.name, `${entry.name}${suffix}`)))
  .map((entry) => entry.name)
  .sort()

const unknown = names.filter((name) => !available.includes(name))
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')} (available: ${available.join(', ') || 'none'})`)
  process.exit(2)
}
const selected = names.length > 0 ? names : available
if (selected.length === 0) {
  console.error(`no benchmarks in ${benchDir}`)
  process.exit(2)
}

const tsx = createRequire(import.meta.url).resolve('tsx/cli')
let failed = 0
for (const name of selected) {
  const file = join(benchDir, name, `${name}${suffix}`)
  console.log(`\n# bench: ${name}`)
  const result = spawnSync(process.execPath, [tsx, '--conditions=@shoal/source', file, ...passThrough], {
    cwd: root,
    stdio: 'inherit',
  })
  if (result.error) {
    console.error(`bench ${name}: ${result.error.message}`)
    failed++
  } else if (result.status !== 0) {
    console.error(`bench ${name} exited with ${result.status ?? result.signal}`)
    failed++
  }
}
process.exit(failed > 0 ? 1 : 0)
