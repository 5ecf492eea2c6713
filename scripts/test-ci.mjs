#!/usr/bin/env node
// Runs `npm test` (the README's test command, `vitest run`) with vitest's own output plus a JSON
// report, then prints one plain closing line, `N passed, N failed`, computed from that report.
//
//   node scripts/test-ci.mjs                          # every project
//   node scripts/test-ci.mjs --project packages/core  # extra arguments go to vitest
//
// A test file that fails before running any test (a syntax error, a failing import, a throwing
// top-level hook) counts as one failure, and so does a vitest run that exits non-zero without
// any failed test in its report (unhandled errors, no test files found): the closing line never
// says "0 failed" for a run that did not pass.

import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const reportFile = '.vitest-report.json'
const reportPath = join(root, reportFile)

// A report left over from an earlier run must never be read as this run's result.
rmSync(reportPath, { force: true })

const args = [
  'test',
  '--',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${reportFile}`,
  ...process.argv.slice(2),
]
const run = spawnSync('npm', args, { cwd: root, stdio: 'inherit' })
const vitestFailed = run.status !== 0
const why =
  run.error !== undefined
    ? `could not start npm test: ${run.error.message}`
    : run.signal !== null
      ? `npm test was killed by ${run.signal}`
      : `npm test exited with code ${run.status}`

let passed = 0
let failed = 0

if (existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'))
  passed = report.numPassedTests ?? 0
  failed = report.numFailedTests ?? 0
  // Files that failed without reporting a failed test: they errored before or around their tests.
  for (const file of report.testResults ?? []) {
    const tests = file.assertionResults ?? []
    if (file.status === 'failed' && !tests.some((t) => t.status === 'failed')) {
      failed += 1
      const firstLine = String(file.message ?? '').split('\n')[0]
      console.error(`test file failed outside its tests: ${file.name}${firstLine ? `: ${firstLine}` : ''}`)
    }
  }
  if (vitestFailed && failed === 0) {
    failed = 1
    console.error(`${why}, with no failed test in its report (unhandled error or no test files?)`)
  }
} else {
  failed = Math.max(failed, 1)
  console.error(`${why} and wrote no report at ${reportFile}`)
}

console.log(`${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 || vitestFailed ? 1 : 0
