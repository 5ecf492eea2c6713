/**
 * Checks that a pick allocates nothing: runs 10 M picks (pick + done where a real caller would
 * call both) of each main picker over 100 backends, each in its own process as a service would
 * run one balancer, and reports the heap before and after and the garbage collections that ran
 * meanwhile. A flat heap with no collection over 10 M picks means less than a tenth of a byte per
 * pick, that is none; the young generation is made large enough (256 MiB semi-spaces) that no
 * scavenge runs, so the heap's growth is what the picks allocated. Pre-hashed keys are passed as int32 (small integers in V8): an unsigned
 * hash above 2^31 - 1 is a heap number, which the call itself would allocate.
 *
 *   npx tsx --conditions=@shoal/source bench/balance/balance-allocations.ts            (~1 min)
 *   npx tsx --conditions=@shoal/source bench/balance/balance-allocations.ts --smoke    (100 k picks)
 *
 * Options: --picks N, --backends N, --no-write. Writes bench/results/balance-allocations.json.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { PerformanceObserver } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import {
  type Backend,
  Balancer,
  type BalancerOptions,
  byHealth,
  byLoad,
  byLogWindow,
  byRandom,
  edfWeightedRoundRobin,
  first,
  jump,
  leastLoaded,
  maglev,
  multiProbe,
  p2c,
  peakEwma,
  random,
  rendezvous,
  ring,
  roundRobin,
  shared,
  smoothWeightedRoundRobin,
  weightedRandom,
} from '@shoal/balance'
import { createRandom } from '@shoal/core'

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    picks: { type: 'string' },
    backends: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    // internal: measure one case in this process and print its row as JSON
    case: { type: 'string' },
  },
})
const smoke = values.smoke === true
const picks = Number(values.picks ?? (smoke ? 100_000 : 10_000_000))
const backends = Number(values.backends ?? 100)
if (!Number.isSafeInteger(picks) || picks < 1) throw new Error('--picks must be a positive integer')
if (!Number.isSafeInteger(backends) || backends < 1) throw new Error('--backends must be a positive integer')

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

type Options = BalancerOptions<Readonly<Record<string, string>>, unknown>

/** A case: a balancer recipe and how a pick is made (keyed or not, with done or not). */
interface Case {
  readonly name: string
  readonly options: () => Options
  readonly key: 'none' | 'string' | 'hash'
  readonly done: 'none' | 'done' | 'outcome'
  readonly weighted?: boolean
}

const CASES: readonly Case[] = [
  { name: 'roundRobin', options: () => ({ picker: roundRobin() }), key: 'none', done: 'none' },
  { name: 'random', options: () => ({ picker: random() }), key: 'none', done: 'none' },
  {
    name: 'smoothWeightedRoundRobin',
    options: () => ({ picker: smoothWeightedRoundRobin() }),
    key: 'none',
    done: 'none',
    weighted: true,
  },
  {
    name: 'edfWeightedRoundRobin',
    options: () => ({ picker: edfWeightedRoundRobin() }),
    key: 'none',
    done: 'none',
    weighted: true,
  },
  {
    name: 'weightedRandom',
    options: () => ({ picker: weightedRandom() }),
    key: 'none',
    done: 'none',
    weighted: true,
  },
  { name: 'p2c() pick + done', options: () => ({ picker: p2c() }), key: 'none', done: 'done' },
  {
    name: 'p2c(peakEwma) pick + done(outcome)',
    options: () => ({ picker: p2c({ signal: peakEwma() }) }),
    key: 'none',
    done: 'outcome',
  },
  {
    name: 'leastLoaded() pick + done',
    options: () => ({ picker: leastLoaded() }),
    key: 'none',
    done: 'done',
  },
  {
    name: 'byRandom, byLogWindow, byLoad(shared()), first()',
    options: () => ({
      stages: [byHealth(), byRandom(), byLogWindow(), byLoad({ signal: shared() })],
      picker: first(),
    }),
    key: 'none',
    done: 'done',
  },
  { name: 'maglev(key)', options: () => ({ picker: maglev() }), key: 'string', done: 'none' },
  { name: 'ring(key)', options: () => ({ picker: ring() }), key: 'string', done: 'none' },
  {
    name: "ring({ placement: 'ketama' })(key)",
    options: () => ({ picker: ring({ placement: 'ketama' }) }),
    key: 'string',
    done: 'none',
  },
  {
    name: 'ring({ boundedLoad: 1.25 })(key) + done',
    options: () => ({ picker: ring({ boundedLoad: 1.25 }) }),
    key: 'string',
    done: 'done',
  },
  { name: 'jump(hash)', options: () => ({ picker: jump() }), key: 'hash', done: 'none' },
  { name: 'rendezvous(key)', options: () => ({ picker: rendezvous() }), key: 'string', done: 'none' },
  { name: 'multiProbe(key)', options: () => ({ picker: multiProbe() }), key: 'string', done: 'none' },
]

/** 100 k distinct flat 20-character keys (a JSON round trip flattens concatenated strings). */
function flatKeys(count: number): string[] {
  const random = createRandom(1)
  const keys = Array.from({ length: count }, (_, i) => {
    let tail = ''
    for (let c = 0; c < 5; c++) tail += String.fromCharCode(97 + random.int(26))
    return `session:${String(i).padStart(6, '0')}:${tail}`
  })
  return JSON.parse(JSON.stringify(keys)) as string[]
}

const keys = flatKeys(100_000)
const hashes = Int32Array.from(keys, (_, i) => Math.imul(i + 1, 0x9e3779b1))
const OUTSTANDING = 32
const outcome = { ok: true, latencyMs: 12 }

/** Makes `count` picks the way the case says; returns a checksum. */
function run(lb: Balancer, c: Case, count: number, outstanding: Backend[]): number {
  let sum = 0
  let k = 0
  for (let i = 0; i < count; i++) {
    const backend = (
      c.key === 'string'
        ? lb.pick(keys[k] as string)
        : c.key === 'hash'
          ? lb.pick(hashes[k] as number)
          : lb.pick()
    ) as Backend
    if (++k === keys.length) k = 0
    sum += backend.slot
    if (c.done === 'none') continue
    const slot = i & (OUTSTANDING - 1)
    const previous = outstanding[slot]
    if (previous !== undefined) {
      if (c.done === 'done') lb.done(previous)
      else lb.done(previous, outcome)
    }
    outstanding[slot] = backend
  }
  return sum
}

interface Row {
  readonly picker: string
  readonly picks: number
  readonly heapBeforeMiB: number
  readonly heapAfterMiB: number
  readonly deltaBytes: number
  readonly gcsDuring: number
  readonly bytesPerPick: number
  readonly flat: boolean
}

/** Measures one case in this process. */
async function measure(c: Case): Promise<Row> {
  let gcs = 0
  const observer = new PerformanceObserver((list) => {
    gcs += list.getEntries().length
  })
  observer.observe({ entryTypes: ['gc'] })
  // lets the observer deliver the collections that ran so far
  const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 10))
  const lb = new Balancer(
    Array.from({ length: backends }, (_, i) => ({
      id: `10.0.${i >> 8}.${i & 255}:8080`,
      weight: c.weighted ? (i % 5) + 1 : 1,
    })),
    c.options(),
  )
  const outstanding: Backend[] = new Array(OUTSTANDING)
  // warm up (tables built, code optimised) before counting
  let checksum = run(lb, c, Math.min(picks, 200_000), outstanding)
  gc()
  await settle()
  const before = process.memoryUsage().heapUsed
  const gcsBefore = gcs
  checksum += run(lb, c, picks, outstanding)
  const after = process.memoryUsage().heapUsed
  await settle()
  observer.disconnect()
  const during = gcs - gcsBefore
  const delta = after - before
  process.stderr.write(`  ${c.name}: Δ ${delta} bytes, ${during} GCs (checksum ${checksum})\n`)
  return {
    picker: c.name,
    picks,
    heapBeforeMiB: before / 2 ** 20,
    heapAfterMiB: after / 2 ** 20,
    deltaBytes: delta,
    gcsDuring: during,
    bytesPerPick: Math.max(0, delta) / picks,
    // under a tenth of a byte per pick (and under 1 MiB, what compiling and timers leave on a short
    // run) is nothing the picks allocated; nor is a collection that leaves the heap where it was
    flat: delta < Math.max(0.1 * picks, 2 ** 20),
  }
}

if (values.case !== undefined) {
  const c = CASES[Number(values.case)]
  if (c === undefined) throw new Error(`no case ${values.case}`)
  process.stdout.write(JSON.stringify(await measure(c)))
} else {
  const rows: Row[] = []
  const script = process.argv[1] as string
  for (let i = 0; i < CASES.length; i++) {
    const child = spawnSync(
      process.execPath,
      // a young generation large enough that no scavenge hides what the picks allocate
      [
        ...process.execArgv,
        '--min-semi-space-size=256',
        '--max-semi-space-size=256',
        script,
        '--case',
        String(i),
        '--picks',
        String(picks),
        '--backends',
        String(backends),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    )
    if (child.status !== 0)
      throw new Error(`case ${CASES[i]?.name} failed with ${child.status ?? child.signal}`)
    rows.push(JSON.parse(child.stdout) as Row)
  }
  const header = [
    'picker',
    'picks',
    'heap before MiB',
    'heap after MiB',
    'Δ bytes',
    'GCs during',
    'bytes/pick',
    '',
  ]
  const lines = rows.map((r) => [
    r.picker,
    r.picks.toLocaleString('en-US'),
    r.heapBeforeMiB.toFixed(2),
    r.heapAfterMiB.toFixed(2),
    r.deltaBytes.toLocaleString('en-US'),
    String(r.gcsDuring),
    // a collection during the run freed some of what was allocated: the growth is then a floor
    `${r.gcsDuring > 0 ? '≥ ' : ''}${r.bytesPerPick.toFixed(3)}`,
    r.flat
      ? `flat: no allocation${r.gcsDuring > 0 ? ' (a collection ran, the heap stayed)' : ''}`
      : '**allocates**',
  ])
  process.stdout.write(
    `\n## Allocations per pick (${backends} backends, ${picks.toLocaleString('en-US')} picks each, one process per picker, Node ${process.version})\n\n` +
      [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n') +
      '\n',
  )
  if (values['no-write'] !== true) {
    const dir = fileURLToPath(new URL('../results/', import.meta.url))
    mkdirSync(dir, { recursive: true })
    const file = `${dir}balance-allocations${smoke ? '.smoke' : ''}.json`
    writeFileSync(
      file,
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, backends, rows }, null, 2)}\n`,
    )
    process.stdout.write(`\nwrote ${file}\n`)
  }
  if (rows.some((r) => !r.flat)) process.exitCode = 1
}
