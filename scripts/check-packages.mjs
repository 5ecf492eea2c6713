#!/usr/bin/env node
// Checks every publishable workspace under packages/ the way a user will meet it, from its tarball:
//
//   1. `npm pack` into a temporary folder;
//   2. the tarball holds only what users need: package.json, README.md, CHANGELOG.md, LICENSE
//      (optional), dist/** and src/** — no tests, configs, or source maps outside dist;
//   3. `publint --strict` on the tarball;
//   4. `attw` (Are the Types Wrong?) on the tarball, strict profile: every resolution mode
//      (node10, node16 from CommonJS, node16 from ESM, bundler) without a problem;
//   5. all tarballs installed together into a fresh npm project outside the repository, where
//      an ESM script (`import * as m from '@shoal/<name>'`) and a CommonJS script
//      (`require('@shoal/<name>')`) must each see a non-empty, identical set of export names.
//
// Run `npm run build` first. Check some packages only with CHECK_PACKAGES=core,logs (or the same
// names as arguments). Exits 1 on any problem, after printing a table of every result.

import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)
const scope = '@shoal/'

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Runs a command without a shell; resolves with its exit code and combined output. */
function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
    })
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    child.on('error', (error) => resolve({ code: -1, stdout, stderr: `${stderr}${error.message}\n` }))
    child.on('close', (code, signal) => resolve({ code: code ?? `signal ${signal}`, stdout, stderr }))
  })
}

/** Maps over items with at most `limit` calls in flight; results keep the input order. */
async function mapLimit(items, limit, fn) {
  const results = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index])
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

const indent = (text) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')

// Children must not inherit options that change resolution, e.g. --conditions=@shoal/source.
const cleanEnv = { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', NO_COLOR: '1' }

// ---------------------------------------------------------------------------------------------
// Which packages

const all = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'packages', entry.name, 'package.json')))
  .map((entry) => {
    const dir = join(root, 'packages', entry.name)
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    return { folder: entry.name, dir, manifest, name: manifest.name }
  })
  .filter((pkg) => pkg.manifest.private !== true)
  .sort((a, b) => a.folder.localeCompare(b.folder))

const wanted = [...(process.env.CHECK_PACKAGES ?? '').split(','), ...process.argv.slice(2)]
  .map((name) => name.trim())
  .filter((name) => name !== '')
const selected =
  wanted.length === 0 ? all : all.filter((p) => wanted.includes(p.folder) || wanted.includes(p.name))
const unknown = wanted.filter((name) => !all.some((p) => p.folder === name || p.name === name))
if (unknown.length > 0) {
  console.error(`check:packages: no publishable package named ${unknown.join(', ')} under packages/`)
  console.error(`known: ${all.map((p) => p.folder).join(', ')}`)
  process.exit(2)
}
if (selected.length === 0) {
  console.error('check:packages: no publishable package under packages/')
  process.exit(1)
}

// The install step needs every @shoal package the selected ones depend on, as tarballs too, so
// that nothing of ours is fetched from the registry.
const byName = new Map(all.map((p) => [p.name, p]))
const toInstall = new Set(selected)
for (const pkg of toInstall) {
  for (const dep of Object.keys({ ...pkg.manifest.dependencies, ...pkg.manifest.peerDependencies })) {
    const local = byName.get(dep)
    if (local !== undefined) toInstall.add(local)
  }
}

// Builds are assumed done: say so plainly rather than letting pack produce an empty package.
const unbuilt = [...toInstall].filter((p) => {
  const dist = join(p.dir, 'dist')
  return !existsSync(dist) || readdirSync(dist).length === 0
})
if (unbuilt.length > 0) {
  for (const p of unbuilt) console.error(`check:packages: ${p.name} has no dist/ (packages/${p.folder}/dist)`)
  console.error('check:packages: run `npm run build` first')
  process.exit(1)
}

const work = mkdtempSync(join(tmpdir(), 'shoal-check-packages-'))
const packDir = join(work, 'tarballs')
const projectDir = join(work, 'project')
mkdirSync(packDir)
mkdirSync(projectDir)

// ---------------------------------------------------------------------------------------------
// Per-package checks

const allowedTop = new Set([
  'package.json',
  'README.md',
  'CHANGELOG.md',
  'LICENSE',
  'LICENSE.md',
  'LICENSE.txt',
])

/** Returns the reasons a packed file should not be published (empty when it belongs). */
function contentProblem(path) {
  const base = path.split('/').at(-1) ?? path
  if (!path.includes('/')) return allowedTop.has(path) ? null : 'not a file users need'
  const top = path.split('/')[0]
  if (top !== 'dist' && top !== 'src') return `${top}/ is not published`
  if (/\.(test|spec|bench)\.[cm]?[jt]sx?$/.test(base)) return 'test or benchmark file'
  if (/(^|\/)(test|tests|__tests__|__fixtures__|fixtures)\//.test(path)) return 'test folder'
  if (/^tsconfig.*\.json$/.test(base) || /^tsup\.config\./.test(base) || /^vitest\.config\./.test(base))
    return 'build configuration'
  if (base.endsWith('.tsbuildinfo')) return 'build cache'
  if (base.endsWith('.map') && top !== 'dist') return 'source map outside dist/'
  if (base.endsWith('.tgz')) return 'tarball'
  return null
}

async function pack(pkg) {
  const result = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], {
    cwd: pkg.dir,
    env: cleanEnv,
  })
  if (result.code !== 0) return { ok: false, detail: `npm pack failed:\n${result.stderr}${result.stdout}` }
  const info = JSON.parse(result.stdout)[0]
  return { ok: true, tarball: join(packDir, info.filename), files: info.files.map((f) => f.path), info }
}

async function checkPackage(pkg) {
  const row = { pkg, problems: [] }
  const packed = pkg.packed
  if (!packed.ok) {
    row.pack = 'FAIL'
    row.problems.push(packed.detail)
    return row
  }
  row.pack = 'ok'
  row.files = packed.files.length
  row.size = `${(packed.info.size / 1024).toFixed(1)} kB`

  // Contents.
  const bad = packed.files.map((path) => [path, contentProblem(path)]).filter(([, why]) => why !== null)
  const missing = ['package.json', 'README.md'].filter((f) => !packed.files.includes(f))
  if (!packed.files.some((f) => f.startsWith('dist/'))) missing.push('dist/**')
  row.contents = bad.length === 0 && missing.length === 0 ? 'ok' : 'FAIL'
  for (const [path, why] of bad) row.problems.push(`tarball holds ${path}: ${why}`)
  for (const path of missing) row.problems.push(`tarball lacks ${path}`)
  if (!packed.files.some((f) => f.startsWith('LICENSE'))) row.notes = 'no LICENSE'

  // publint and attw read the tarball itself: exactly what would be published.
  const [publint, attw] = await Promise.all([
    run(bin('publint'), ['run', packed.tarball, '--strict'], { cwd: work, env: cleanEnv }),
    run(
      bin('attw'),
      [
        packed.tarball,
        '--profile',
        'strict',
        '--no-definitely-typed',
        '--format',
        'table',
        '--no-emoji',
        '--no-color',
      ],
      { cwd: work, env: cleanEnv },
    ),
  ])
  // With --strict, warnings fail; suggestions don't change the exit code, so also require its
  // "All good!" to keep suggestions from slipping through.
  const publintSays = `${publint.stdout}${publint.stderr}`
  const publintClean = publint.code === 0 && publintSays.includes('All good!')
  row.publint = publintClean ? 'ok' : 'FAIL'
  if (!publintClean) row.problems.push(`publint --strict (exit ${publint.code}):\n${indent(publintSays)}`)
  row.attw = attw.code === 0 ? 'ok' : 'FAIL'
  if (attw.code !== 0)
    row.problems.push(`attw (exit ${attw.code}):\n${indent(`${attw.stdout}${attw.stderr}`)}`)
  return row
}

// ---------------------------------------------------------------------------------------------
// Install all tarballs together outside the repository, then import and require each package.

async function installAndLoad(rows) {
  const installable = [...toInstall].filter((p) => p.packed.ok)
  if (installable.length !== toInstall.size) {
    for (const row of rows) row.import = row.require = 'skipped'
    return ['install skipped: some package did not pack']
  }
  writeFileSync(
    join(projectDir, 'package.json'),
    `${JSON.stringify({ name: 'shoal-install-check', version: '0.0.0', private: true }, null, 2)}\n`,
  )
  const install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', ...installable.map((p) => p.packed.tarball)],
    { cwd: projectDir, env: cleanEnv },
  )
  if (install.code !== 0) {
    for (const row of rows) row.import = row.require = 'skipped'
    return [
      `npm install of the tarballs failed (exit ${install.code}):\n${indent(install.stderr + install.stdout)}`,
    ]
  }

  const problems = []
  // Every @shoal package in the tree must be one of our tarballs, installed once at the top.
  const lock = JSON.parse(readFileSync(join(projectDir, 'package-lock.json'), 'utf8'))
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const at = path.lastIndexOf('node_modules/')
    if (at === -1 || !path.slice(at + 'node_modules/'.length).startsWith(scope)) continue
    const fromTarball = typeof entry.resolved === 'string' && entry.resolved.startsWith('file:')
    if (!fromTarball || at !== 0) {
      problems.push(
        `${path} was installed from ${entry.resolved ?? 'the registry'}, not from a packed tarball`,
      )
    }
  }

  for (const row of rows) {
    const name = row.pkg.name
    const safe = row.pkg.folder
    const esm = join(projectDir, `esm-${safe}.mjs`)
    const cjs = join(projectDir, `cjs-${safe}.cjs`)
    writeFileSync(
      esm,
      [
        `import * as m from '${name}'`,
        `const where = import.meta.resolve('${name}')`,
        'console.log(JSON.stringify({ where, names: Object.keys(m).sort() }))',
        '',
      ].join('\n'),
    )
    writeFileSync(
      cjs,
      [
        `const m = require('${name}')`,
        `const where = require.resolve('${name}')`,
        "const names = Object.keys(m).filter((k) => k !== '__esModule').sort()",
        'console.log(JSON.stringify({ where, names }))',
        '',
      ].join('\n'),
    )
    const [fromImport, fromRequire] = await Promise.all(
      [esm, cjs].map(async (file) => {
        const result = await run(process.execPath, [file], { cwd: projectDir, env: cleanEnv })
        if (result.code !== 0)
          return { error: `node ${relative(projectDir, file)} failed:\n${indent(result.stderr)}` }
        try {
          return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '')
        } catch {
          return { error: `node ${relative(projectDir, file)} printed no result:\n${indent(result.stdout)}` }
        }
      }),
    )
    for (const [label, got, key] of [
      ['import', fromImport, 'import'],
      ['require', fromRequire, 'require'],
    ]) {
      if (got.error !== undefined) {
        row[key] = 'FAIL'
        row.problems.push(got.error)
      } else if (got.names.length === 0) {
        row[key] = 'FAIL'
        row.problems.push(`${label} of ${name} gave no exports (${got.where})`)
      } else if (got.where.includes('/src/')) {
        row[key] = 'FAIL'
        row.problems.push(`${label} of ${name} resolved to TypeScript source ${got.where}`)
      } else {
        row[key] = `${got.names.length} exports`
      }
    }
    if (fromImport.names !== undefined && fromRequire.names !== undefined) {
      const a = new Set(fromImport.names)
      const b = new Set(fromRequire.names)
      const onlyImport = [...a].filter((n) => !b.has(n))
      const onlyRequire = [...b].filter((n) => !a.has(n))
      if (onlyImport.length > 0 || onlyRequire.length > 0) {
        row.import = row.require = 'FAIL'
        row.problems.push(
          `import and require of ${name} differ: only from import [${onlyImport.join(', ')}], ` +
            `only from require [${onlyRequire.join(', ')}]`,
        )
      }
    }
  }
  return problems
}

// ---------------------------------------------------------------------------------------------

const started = Date.now()
console.log(`check:packages: ${selected.map((p) => p.name).join(', ')} (work dir ${work})`)

for (const pkg of toInstall) pkg.packed = await pack(pkg)
const rows = await mapLimit(selected, Math.max(1, Math.min(4, availableParallelism())), checkPackage)
const installProblems = await installAndLoad(rows)

const columns = [
  ['package', (r) => r.pkg.name],
  ['files', (r) => String(r.files ?? '-')],
  ['size', (r) => r.size ?? '-'],
  ['contents', (r) => r.contents ?? '-'],
  ['publint', (r) => r.publint ?? '-'],
  ['attw', (r) => r.attw ?? '-'],
  ['import', (r) => r.import ?? '-'],
  ['require', (r) => r.require ?? '-'],
  ['notes', (r) => r.notes ?? ''],
]
const cells = rows.map((r) => columns.map(([, get]) => get(r)))
const widths = columns.map(([title], i) => Math.max(title.length, ...cells.map((c) => c[i].length)))
const line = (values) =>
  values
    .map((v, i) => v.padEnd(widths[i]))
    .join('  ')
    .trimEnd()
console.log('')
console.log(line(columns.map(([title]) => title)))
console.log(line(widths.map((w) => '-'.repeat(w))))
for (const c of cells) console.log(line(c))
console.log('')

const problems = [
  ...rows.flatMap((r) => r.problems.map((p) => `${r.pkg.name}: ${p}`)),
  ...installProblems.map((p) => `install: ${p}`),
]
const seconds = ((Date.now() - started) / 1000).toFixed(1)
if (problems.length > 0) {
  for (const p of problems) console.error(`✗ ${p}`)
  console.error(`\ncheck:packages: ${problems.length} problem(s) in ${seconds}s; files kept in ${work}`)
  process.exitCode = 1
} else {
  rmSync(work, { recursive: true, force: true })
  console.log(`check:packages: ${rows.length} package(s) ok in ${seconds}s`)
}
