/**
 * The benchmark harness every `*.bench.ts` uses.
 *
 * A benchmark is a set of comparisons. Each comparison prepares one workload and runs our
 * contender and its peers on it in the same run, interleaved (repeat 1 of every contender, then
 * repeat 2…), takes the median of the repeats, prints a table with absolute figures and the
 * ratio of ours to each peer, and writes `bench/results/<package>.json`.
 *
 * By default every run of a contender is its own child process, so peak RSS is the contender's
 * own (`process.resourceUsage().maxRSS`, which includes Node itself and the TypeScript loader)
 * and no contender warms the JIT or fills the heap for another. External programs (C tools) run
 * under `/usr/bin/time` for their CPU time and peak RSS, or with `/proc` polling without it.
 *
 * A contender that cannot run here (a tool not installed, an export not there yet) is skipped
 * with a printed reason; the rest still run.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type ParseArgsConfig, parseArgs } from 'node:util'

/** What a comparison's contenders process. Extra fields (paths…) must be JSON values. */
export interface Workload {
  /** One line describing the workload, for the table and the results file. */
  readonly description: string
  /** Items (lines, messages…) in the workload; throughput is reported in these per second. */
  readonly items: number
  /** Bytes in the workload, for MB/s. */
  readonly bytes: number
  /** What an item is, plural (`lines`, `messages`); default `items`. */
  readonly unit?: string
}

/** What one run of a contender reports about its work, to keep it honest and check agreement. */
export interface Tally {
  /** Items the contender accepted (parsed records, valid requests…). */
  readonly accepted: number
  /** Any other figures that should agree between contenders (sums, counts). */
  readonly checks?: Readonly<Record<string, number>>
  /**
   * Figures worked out after the clock stops (accuracy against the known truth, serialized
   * sizes): called once the timed part is measured, and merged into {@link Tally.checks}.
   */
  readonly untimed?: () => Readonly<Record<string, number>>
}

interface ContenderBase<W extends Workload> {
  /** Short name, unique in its comparison; `--only` selects by it. */
  readonly name: string
  /** What it does, one line. */
  readonly description: string
  /** The contender the ratios are taken from (exactly one per comparison). */
  readonly ours?: boolean
  /** Why it cannot run here, or `undefined` when it can. Called once, in the parent process. */
  unavailable?(workload: W): string | undefined | Promise<string | undefined>
  /** Runs at most this many times whatever `--repeats` says (a peer too slow to repeat). */
  readonly maxRepeats?: number
}

/** A contender written in JavaScript, run inside Node. */
export interface NodeContender<W extends Workload> extends ContenderBase<W> {
  /**
   * Loads modules and builds what the run needs (not timed), and returns the run itself (timed).
   * Called in the child process that measures it.
   */
  load(workload: W): Promise<() => Promise<Tally>>
}

/** An external program, timed from spawn to exit. */
export interface CommandContender<W extends Workload> extends ContenderBase<W> {
  /** The program and its arguments; `scratch` is an empty temporary directory for its output. */
  command(workload: W, scratch: string): { readonly file: string; readonly args: readonly string[] }
  /** Reads what the program produced (in `scratch`) into a {@link Tally}. */
  tally(workload: W, scratch: string): Tally | Promise<Tally>
}

/** A contender of a comparison. */
export type Contender<W extends Workload> = NodeContender<W> | CommandContender<W>

/** Options and flags a benchmark's `prepare` sees. */
export interface BenchContext {
  /** `--smoke`: a tiny workload and one repeat, to check that the benchmark runs (CI). */
  readonly smoke: boolean
  /** Repeats per contender. */
  readonly repeats: number
  /** The benchmark's own options (declared in {@link Benchmark.options}), as parsed. */
  readonly options: Readonly<Record<string, string | boolean | undefined>>
}

/** Our contender and its peers on one workload. */
export interface Comparison<W extends Workload> {
  /** Short id, unique in its benchmark. */
  readonly id: string
  /** Title of its table. */
  readonly title: string
  /** Builds the workload (generates files…). Called once per run, in the parent process. */
  prepare(context: BenchContext): W | Promise<W>
  /**
   * Says in a few words whether a contender's results agree with the workload's known truth,
   * e.g. `all 500,000 lines · sizes ✓ · UA cut at \" (7)`. Shown beside its figures. `ours` is
   * our contender's first run, to compare a peer with (undefined for ours itself, or if ours failed).
   */
  verdict?(workload: W, tally: Tally, ours: Tally | undefined): string
  /**
   * Extra columns after the standard ones: the median over the repeats of one of the
   * contenders' checks (accuracy, sizes…), formatted; `—` when a contender does not report it.
   */
  readonly columns?: readonly CheckColumn[]
  /**
   * What one item is, singular (`update`): adds a `ns/<item>` column (median wall time per item).
   */
  readonly perItem?: string
  readonly contenders: readonly Contender<W>[]
}

/** An extra column of a comparison's table, from the contenders' {@link Tally.checks}. */
export interface CheckColumn {
  /** The key in `checks`. */
  readonly check: string
  readonly header: string
  /** Formats the value (default: an integer with thousands separators). */
  readonly format?: (value: number) => string
}

/** One package's benchmark. */
export interface Benchmark {
  /** The package benchmarked (`logs` for `@shoal/logs`): names the results file. */
  readonly package: string
  readonly title: string
  /** What each comparison workload looks like by default, and how to change it (for `--help`). */
  readonly usage?: string
  /** The benchmark's own command-line options (node:util `parseArgs` syntax). */
  readonly options?: ParseArgsConfig['options']
  /** Repeats per contender when `--repeats` is not given (default 3; `--smoke` makes it 1). */
  readonly repeats?: number
  /**
   * Run each contender in its own child process (default `true`). Needed for per-contender peak
   * RSS; in-process runs are faster to iterate on but share one heap.
   */
  readonly isolate?: boolean
  // biome-ignore lint/suspicious/noExplicitAny: comparisons hold different workload types
  readonly comparisons: readonly Comparison<any>[]
}

/** One measured run of one contender. */
export interface RunRecord {
  readonly repeat: number
  /** Wall-clock seconds of the timed part. */
  readonly seconds: number
  /** User + system CPU seconds of the timed part (for a program: of the whole process), if known. */
  readonly cpuSeconds: number | null
  /** Peak resident set size of the process, MiB, if known. */
  readonly peakRssMiB: number | null
  /** Resident set size before the timed part began (Node contenders in a child process), MiB. */
  readonly startRssMiB: number | null
  readonly accepted: number
  readonly checks: Readonly<Record<string, number>>
}

/** Medians over the repeats of one contender. */
export interface Summary {
  readonly seconds: number
  readonly itemsPerSecond: number
  readonly megabytesPerSecond: number
  readonly cpuSeconds: number | null
  readonly peakRssMiB: number | null
  /** Ours ÷ this contender in items per second (how many times faster ours is). */
  readonly speedRatio: number | null
  /** Ours ÷ this contender in peak RSS (below 1: ours uses less memory). */
  readonly rssRatio: number | null
  /** The median of each check over the repeats. */
  readonly checks: Readonly<Record<string, number>>
}

/** A contender's entry in the results file. */
export interface ContenderResult {
  readonly name: string
  readonly description: string
  readonly ours: boolean
  readonly kind: 'node' | 'command'
  readonly skipped: string | null
  readonly error: string | null
  readonly verdict: string | null
  readonly median: Summary | null
  readonly runs: RunRecord[]
}

/** The machine the figures were measured on. */
export interface Machine {
  readonly cores: number
  readonly availableParallelism: number
  readonly cpuModel: string
  readonly totalMemoryMiB: number
  readonly node: string
  readonly v8: string
  readonly platform: string
  readonly arch: string
  readonly release: string
  readonly loadAverageBefore: readonly number[]
  readonly loadAverageAfter: readonly number[]
}

const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url))
const CACHE_DIR = fileURLToPath(new URL('../.cache/', import.meta.url))
const TIME_BIN = '/usr/bin/time'

const HARNESS_OPTIONS = {
  smoke: { type: 'boolean', default: false },
  repeats: { type: 'string' },
  only: { type: 'string' },
  'no-write': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  // internal: run one contender once and write its result (the parent passes these)
  child: { type: 'string' },
  contender: { type: 'string' },
  'workload-file': { type: 'string' },
  'result-file': { type: 'string' },
} as const satisfies ParseArgsConfig['options']

const MiB = 1024 * 1024

// ---------------------------------------------------------------- formatting

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })
const twoDecimals = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })

/** `1,234,567` */
export function formatInt(value: number): string {
  return integer.format(value)
}

function ratio(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—'
  return `${value >= 10 ? oneDecimal.format(value) : twoDecimals.format(value)}×`
}

function optional(value: number | null, format: Intl.NumberFormat): string {
  return value === null ? '—' : format.format(value)
}

/** Renders rows as a plain-text table; numeric-looking columns are right-aligned. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)))
  const numeric = header.map((_, i) => rows.every((row) => /^[-—\d.,×%]*$/.test(row[i] ?? '')))
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

// ---------------------------------------------------------------- statistics

/** The median (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

function medianOrNull(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null)
  return known.length === 0 ? null : median(known)
}

// ---------------------------------------------------------------- machine

function machine(loadAverageBefore: readonly number[]): Machine {
  const cpus = os.cpus()
  return {
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryMiB: Math.round(os.totalmem() / MiB),
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    release: os.release(),
    loadAverageBefore: loadAverageBefore.map((v) => Math.round(v * 100) / 100),
    loadAverageAfter: os.loadavg().map((v) => Math.round(v * 100) / 100),
  }
}

// ---------------------------------------------------------------- measuring

function isCommand<W extends Workload>(contender: Contender<W>): contender is CommandContender<W> {
  return 'command' in contender
}

/** Runs a loaded Node contender once in this process and measures it. */
async function measureHere(run: () => Promise<Tally>, repeat: number, isolated: boolean): Promise<RunRecord> {
  const startRss = process.memoryUsage.rss()
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const tally = await run()
  const t1 = performance.now()
  const cpu = process.cpuUsage(cpu0)
  const untimed = tally.untimed?.() ?? {}
  return {
    repeat,
    seconds: (t1 - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    // maxRSS is the process's high-water mark: only the contender's own in a child process
    peakRssMiB: isolated ? process.resourceUsage().maxRSS / 1024 : null,
    startRssMiB: isolated ? startRss / MiB : null,
    accepted: tally.accepted,
    checks: { ...tally.checks, ...untimed },
  }
}

/** How child processes start: the program arguments before the child-mode options. */
interface ChildLauncher {
  readonly argv: readonly string[]
  /** For the results file: what the children ran on. */
  readonly how: string
}

/**
 * Bundles the benchmark script (with the `@shoal/*` sources it imports) into one plain ES module
 * with esbuild, so each child is a bare `node` process: its peak RSS is then the contender's and
 * Node's, without a TypeScript loader's tens of MiB. npm packages stay external and load from
 * `node_modules` as usual. Falls back to running children under this process's loader (tsx)
 * when esbuild is not installed.
 */
async function childLauncher(script: string): Promise<ChildLauncher> {
  let esbuild: typeof import('esbuild')
  try {
    esbuild = await import('esbuild')
  } catch {
    return { argv: [...process.execArgv, script], how: `node ${process.execArgv.join(' ')} (no esbuild)` }
  }
  const outfile = join(CACHE_DIR, basename(script).replace(/\.[cm]?[jt]s$/, '.mjs'))
  await esbuild.build({
    entryPoints: [script],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@shoal/source'],
    logLevel: 'warning',
    plugins: [
      {
        name: 'external-packages',
        setup(build) {
          // bundle relative imports and the workspace's own packages; leave npm packages and builtins to Node
          build.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith('@shoal/') ? undefined : { path: args.path, external: true },
          )
        },
      },
    ],
  })
  return { argv: [outfile], how: `node, esbuild ${esbuild.version} bundle of ${basename(script)}` }
}

/** Runs one repeat of a Node contender in a child process: this same script, in `--child` mode. */
async function measureInChild(
  launcher: ChildLauncher,
  comparison: string,
  contender: string,
  workloadFile: string,
  scratch: string,
  repeat: number,
): Promise<RunRecord> {
  const resultFile = join(scratch, `result-${repeat}.json`)
  const args = [
    ...launcher.argv,
    '--child',
    comparison,
    '--contender',
    contender,
    '--workload-file',
    workloadFile,
    '--result-file',
    resultFile,
  ]
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] })
    child.on('error', reject)
    child.on('exit', (exitCode, signal) => resolve(signal === null ? exitCode : 128))
  })
  if (code !== 0 || !existsSync(resultFile)) throw new Error(`child process exited with code ${code}`)
  const record = JSON.parse(readFileSync(resultFile, 'utf8')) as RunRecord
  return { ...record, repeat }
}

/** Peak RSS of a running process, from `/proc/<pid>/status` (Linux), in KiB. */
function procPeakRssKiB(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) : null
  } catch {
    return null
  }
}

/** Runs an external program once, under `/usr/bin/time` when available, and measures it. */
async function measureCommand<W extends Workload>(
  contender: CommandContender<W>,
  workload: W,
  scratch: string,
  repeat: number,
): Promise<RunRecord> {
  const runDir = join(scratch, `run-${repeat}`)
  mkdirSync(runDir, { recursive: true })
  const { file, args } = contender.command(workload, runDir)
  const timeFile = join(runDir, 'time.txt')
  const useTime = existsSync(TIME_BIN)
  const argv = useTime ? ['-f', '%e %U %S %M', '-o', timeFile, file, ...args] : [...args]
  let polledKiB: number | null = null
  const t0 = performance.now()
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(useTime ? TIME_BIN : file, argv, { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (text: string) => {
      if (stderr.length < 4096) stderr += text
    })
    const poll =
      useTime || child.pid === undefined
        ? undefined
        : setInterval(() => {
            const kib = procPeakRssKiB(child.pid as number)
            if (kib !== null) polledKiB = Math.max(polledKiB ?? 0, kib)
          }, 20)
    child.on('error', reject)
    child.on('exit', (exitCode) => {
      if (poll) clearInterval(poll)
      if (exitCode !== 0) process.stderr.write(stderr)
      resolve(exitCode)
    })
  })
  const seconds = (performance.now() - t0) / 1000
  if (code !== 0) throw new Error(`${file} exited with code ${code}`)
  let cpuSeconds: number | null = null
  let peakKiB: number | null = polledKiB
  if (useTime) {
    // the last line is "%e %U %S %M"; earlier lines may report a non-zero exit status
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? ''
    const [, user, system, maxKiB] = last.split(' ').map(Number)
    if (user !== undefined && system !== undefined) cpuSeconds = user + system
    if (maxKiB !== undefined && Number.isFinite(maxKiB)) peakKiB = maxKiB
  }
  const tally = await contender.tally(workload, runDir)
  return {
    repeat,
    seconds,
    cpuSeconds,
    peakRssMiB: peakKiB === null ? null : peakKiB / 1024,
    startRssMiB: null,
    accepted: tally.accepted,
    checks: { ...tally.checks, ...tally.untimed?.() },
  }
}

// ---------------------------------------------------------------- child mode

async function runChild(
  bench: Benchmark,
  values: Record<string, string | boolean | undefined>,
): Promise<void> {
  const comparison = bench.comparisons.find((c) => c.id === values.child)
  const contender = comparison?.contenders.find((c) => c.name === values.contender)
  if (!comparison || !contender || isCommand(contender))
    throw new Error(`no Node contender ${String(values.contender)} in comparison ${String(values.child)}`)
  const workload = JSON.parse(readFileSync(String(values['workload-file']), 'utf8')) as Workload
  const run = await contender.load(workload)
  const record = await measureHere(run, 0, true)
  writeFileSync(String(values['result-file']), JSON.stringify(record))
}

// ---------------------------------------------------------------- the run

interface Entry {
  readonly contender: Contender<Workload>
  skipped: string | null
  error: string | null
  readonly runs: RunRecord[]
}

function summarise(
  workload: Workload,
  runs: readonly RunRecord[],
): Omit<Summary, 'speedRatio' | 'rssRatio'> | null {
  if (runs.length === 0) return null
  const seconds = median(runs.map((r) => r.seconds))
  const checks: Record<string, number> = {}
  for (const key of new Set(runs.flatMap((r) => Object.keys(r.checks))))
    checks[key] = median(runs.flatMap((r) => (r.checks[key] === undefined ? [] : [r.checks[key]])))
  return {
    seconds,
    itemsPerSecond: workload.items / seconds,
    megabytesPerSecond: workload.bytes / 1e6 / seconds,
    cpuSeconds: medianOrNull(runs.map((r) => r.cpuSeconds)),
    peakRssMiB: medianOrNull(runs.map((r) => r.peakRssMiB)),
    checks,
  }
}

function progress(text: string): void {
  process.stderr.write(`${text}\n`)
}

/**
 * Runs a benchmark from the command line: `tsx --conditions=@shoal/source <file>.bench.ts
 * [--smoke] [--repeats N] [--only a,b] [--no-write] [benchmark options]`.
 * Call it once, at the top level of the `*.bench.ts` module.
 */
export async function runBenchmark(bench: Benchmark): Promise<void> {
  const { values } = parseArgs({
    options: { ...HARNESS_OPTIONS, ...bench.options },
    allowPositionals: false,
  })
  const opts = values as Record<string, string | boolean | undefined>
  if (opts.child !== undefined) {
    await runChild(bench, opts)
    return
  }
  if (opts.help === true) {
    process.stdout.write(
      `${bench.title}\n\nOptions:\n  --smoke         tiny workload, one repeat\n  --repeats N     repeats per contender (median reported)\n` +
        `  --only a,b      run only these contenders (ours is always run)\n  --no-write      do not write bench/results/${bench.package}.json\n` +
        `${bench.usage ?? ''}\n`,
    )
    return
  }
  const smoke = opts.smoke === true
  const repeats = smoke ? 1 : Number(opts.repeats ?? bench.repeats ?? 3)
  if (!Number.isSafeInteger(repeats) || repeats < 1) throw new Error('--repeats must be a positive integer')
  const only = typeof opts.only === 'string' ? new Set(opts.only.split(',').map((s) => s.trim())) : null
  const isolate = bench.isolate ?? true
  const context: BenchContext = { smoke, repeats, options: opts }
  const script = process.argv[1]
  if (script === undefined) throw new Error('cannot tell which script is running')
  const loadBefore = os.loadavg()
  const started = new Date()
  const scratchRoot = mkdtempSync(join(os.tmpdir(), `shoal-bench-${bench.package}-`))
  const comparisonsOut: unknown[] = []
  let failures = 0
  let launcher: ChildLauncher | undefined

  try {
    for (const comparison of bench.comparisons as readonly Comparison<Workload>[]) {
      progress(`\n${bench.package} · ${comparison.title}: preparing…`)
      const workload = await comparison.prepare(context)
      const workloadFile = join(scratchRoot, `${comparison.id}.workload.json`)
      writeFileSync(workloadFile, JSON.stringify(workload))
      progress(`${workload.description}`)
      const entries: Entry[] = []
      for (const contender of comparison.contenders) {
        if (only && !contender.ours && !only.has(contender.name)) continue
        const reason = (await contender.unavailable?.(workload)) ?? null
        if (reason !== null) progress(`  skipped ${contender.name}: ${reason}`)
        entries.push({ contender, skipped: reason, error: null, runs: [] })
      }
      for (let repeat = 1; repeat <= repeats; repeat++) {
        for (const entry of entries) {
          if (entry.skipped !== null || entry.error !== null) continue
          if (repeat > (entry.contender.maxRepeats ?? repeats)) continue
          const { contender } = entry
          const scratch = join(scratchRoot, comparison.id, contender.name.replace(/[^\w.-]+/g, '_'))
          mkdirSync(scratch, { recursive: true })
          try {
            let record: RunRecord
            if (isCommand(contender)) record = await measureCommand(contender, workload, scratch, repeat)
            else if (isolate) {
              launcher ??= await childLauncher(script)
              record = await measureInChild(
                launcher,
                comparison.id,
                contender.name,
                workloadFile,
                scratch,
                repeat,
              )
            } else record = await measureHere(await contender.load(workload), repeat, false)
            entry.runs.push(record)
            const rate = formatInt(workload.items / record.seconds)
            const rss = record.peakRssMiB === null ? '' : `, ${oneDecimal.format(record.peakRssMiB)} MiB`
            const of = Math.min(repeats, contender.maxRepeats ?? repeats)
            progress(
              `  [${repeat}/${of}] ${contender.name}: ${rate} ${workload.unit ?? 'items'}/s (${record.seconds.toFixed(3)} s${rss})`,
            )
          } catch (error) {
            entry.error = error instanceof Error ? error.message : String(error)
            failures++
            progress(`  ${contender.name} failed: ${entry.error}`)
          }
        }
      }
      comparisonsOut.push(report(comparison, workload, entries, repeats))
    }
  } finally {
    rmSync(scratchRoot, { recursive: true, force: true })
  }

  const result = {
    package: bench.package,
    title: bench.title,
    date: started.toISOString(),
    smoke,
    repeats,
    isolated: isolate,
    children: launcher?.how ?? null,
    machine: machine(loadBefore),
    comparisons: comparisonsOut,
  }
  if (opts['no-write'] !== true) {
    mkdirSync(RESULTS_DIR, { recursive: true })
    const file = join(RESULTS_DIR, `${bench.package}${smoke ? '.smoke' : ''}.json`)
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`)
    process.stdout.write(`\nwrote ${file}\n`)
  }
  const m = result.machine
  process.stdout.write(
    `machine: ${m.cpuModel}, ${m.cores} cores, Node ${m.node}, ${m.platform}/${m.arch}; ` +
      `load average ${m.loadAverageBefore[0]} before, ${m.loadAverageAfter[0]} after\n`,
  )
  const load = Math.max(...m.loadAverageBefore.slice(0, 1), ...m.loadAverageAfter.slice(0, 1))
  if (load > m.availableParallelism * 0.75)
    process.stdout.write(
      `note: load average ${load} on ${m.availableParallelism} CPUs: other work shared the machine, so wall-clock ` +
        `figures are inflated; the per-CPU-second column is the more comparable one\n`,
    )
  if (failures > 0) process.exitCode = 1
}

/** Prints one comparison's table and returns its entry for the results file. */
function report(
  comparison: Comparison<Workload>,
  workload: Workload,
  entries: Entry[],
  repeats: number,
): unknown {
  const oursEntry = entries.find((e) => e.contender.ours)
  const ours = oursEntry ? summarise(workload, oursEntry.runs) : null
  const oursFirst = oursEntry?.runs[0]
  const results: ContenderResult[] = entries.map((entry) => {
    const base = summarise(workload, entry.runs)
    const median: Summary | null = base && {
      ...base,
      speedRatio: ours && !entry.contender.ours ? ours.itemsPerSecond / base.itemsPerSecond : null,
      rssRatio:
        ours?.peakRssMiB != null && base.peakRssMiB !== null && !entry.contender.ours
          ? ours.peakRssMiB / base.peakRssMiB
          : null,
    }
    const first = entry.runs[0]
    return {
      name: entry.contender.name,
      description: entry.contender.description,
      ours: entry.contender.ours === true,
      kind: isCommand(entry.contender) ? 'command' : 'node',
      skipped: entry.skipped,
      error: entry.error,
      verdict:
        first && comparison.verdict
          ? comparison.verdict(workload, first, entry.contender.ours ? undefined : oursFirst)
          : null,
      median,
      runs: entry.runs,
    }
  })

  const unit = workload.unit ?? 'items'
  // MB/s only when the workload has a size in bytes; ns/<item> and check columns when asked for
  const showBytes = workload.bytes > 0
  const perItem = comparison.perItem
  const columns = comparison.columns ?? []
  const header = [
    'contender',
    `${unit}/s`,
    ...(perItem === undefined ? [] : [`ns/${perItem}`]),
    ...(showBytes ? ['MB/s'] : []),
    'peak RSS MiB',
    'CPU s',
    `${unit}/CPU-s`,
    'accepted',
    'ours ÷ peer',
    'RSS ours ÷ peer',
    ...columns.map((c) => c.header),
  ]
  const rows = results.map((r) => {
    const name = r.ours ? `${r.name} (ours)` : r.name
    if (r.median === null) {
      const why = r.skipped !== null ? `skipped: ${r.skipped}` : `failed: ${r.error ?? 'no runs'}`
      // with extra columns the reason is printed under the table instead, to keep the table narrow
      const at = columns.length > 0 ? header.length : header.indexOf('ours ÷ peer')
      return header.map((_, i) => (i === 0 ? name : i < at ? '—' : i === at ? why : ''))
    }
    const { checks } = r.median
    return [
      name,
      formatInt(r.median.itemsPerSecond),
      ...(perItem === undefined ? [] : [oneDecimal.format((r.median.seconds / workload.items) * 1e9)]),
      ...(showBytes ? [oneDecimal.format(r.median.megabytesPerSecond)] : []),
      optional(r.median.peakRssMiB, oneDecimal),
      optional(r.median.cpuSeconds, twoDecimals),
      r.median.cpuSeconds === null ? '—' : formatInt(workload.items / r.median.cpuSeconds),
      formatInt(r.runs[0]?.accepted ?? 0),
      r.ours ? '—' : ratio(r.median.speedRatio),
      r.ours ? '—' : ratio(r.median.rssRatio),
      ...columns.map((c) => {
        const value = checks[c.check]
        return value === undefined ? '—' : (c.format ?? formatInt)(value)
      }),
    ]
  })
  const capped = results.filter((r) => r.median !== null && r.runs.length < repeats)
  const fewer =
    capped.length === 0
      ? ''
      : ` (${capped.map((r) => `${r.name}: ${r.runs.length} run${r.runs.length === 1 ? '' : 's'}`).join(', ')})`
  const notRun = (r: ContenderResult): string | null =>
    columns.length === 0 || r.median !== null
      ? null
      : r.skipped !== null
        ? `skipped: ${r.skipped}`
        : `failed: ${r.error ?? 'no runs'}`
  const verdicts = results
    .filter((r) => r.verdict !== null || notRun(r) !== null)
    .map(
      (r) => `  ${r.name.padEnd(Math.max(...results.map((x) => x.name.length)))}  ${r.verdict ?? notRun(r)}`,
    )
  process.stdout.write(
    `\n## ${comparison.title}\n${workload.description}; median of ${repeats} run${repeats === 1 ? '' : 's'}${fewer}\n\n` +
      `${renderTable(header, rows)}\n${verdicts.length > 0 ? `\nagreement:\n${verdicts.join('\n')}\n` : ''}`,
  )
  return {
    id: comparison.id,
    title: comparison.title,
    workload,
    contenders: results,
  }
}
