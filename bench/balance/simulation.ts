/**
 * Prints the balancing simulation's table (see `simulate.ts` for the model) as markdown and writes
 * it to `bench/results/balance-simulation.json` (`.smoke.json` with `--smoke`).
 *
 *   npx tsx --conditions=@shoal/source bench/balance/simulation.ts             (~1 min)
 *   npx tsx --conditions=@shoal/source bench/balance/simulation.ts --smoke     (a few seconds)
 *   npx tsx --conditions=@shoal/source bench/balance/simulation.ts --service lognormal --seed 7
 *
 * Options: --smoke, --requests N, --servers N, --balancers C, --load ρ, --slow-factor X,
 * --service exponential|lognormal, --sigma S, --deltas 0,100,1000, --seed S, --no-write, --help.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { type PolicyResult, type SimulationResult, simulate, UNSTABLE_UTILIZATION } from './simulate.js'

const HELP = `Balancing simulation: heterogeneous servers, C independent balancers, stale shared load.

Options:
  --smoke              5,000 requests (a few seconds)
  --requests N         requests per run (default 200,000)
  --servers N          servers (default 20: one 10x slower, one failing fast)
  --balancers C        independent balancers (default 5)
  --load R             offered load as a share of working capacity (default 0.8)
  --slow-factor X      how much slower the slow server is (default 10)
  --service D          exponential (default) or lognormal service times
  --sigma S            lognormal shape (default 1)
  --deltas A,B,...     announcement periods in ms for shared-load policies (default 0,100,1000)
  --seed S             seed (default 1)
  --no-write           do not write bench/results/balance-simulation.json
`

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    requests: { type: 'string' },
    servers: { type: 'string' },
    balancers: { type: 'string' },
    load: { type: 'string' },
    'slow-factor': { type: 'string' },
    service: { type: 'string' },
    sigma: { type: 'string' },
    deltas: { type: 'string' },
    seed: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

const number = (value: string | undefined): number | undefined =>
  value === undefined ? undefined : Number(value)
const ms = (value: number): string =>
  Number.isNaN(value) ? '—' : value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')
const percent = (value: number): string => (Number.isNaN(value) ? '—' : `${(value * 100).toFixed(2)} %`)

/** The markdown table of a simulation's results. */
function table(result: SimulationResult): string {
  const header = [
    'policy',
    'recipe',
    'info',
    'Δ ms',
    'mean ms',
    'p99 ms',
    'p99.9 ms',
    'to slow',
    'slow ρ',
    'errors',
    'note',
  ]
  const row = (r: PolicyResult): string[] => {
    const notes: string[] = []
    if (r.refused !== null) notes.push('**refused** by the balancer (below)')
    if (r.unstable)
      notes.push(`**unstable**: a server at ρ ${r.maxUtilization.toFixed(2)}, its queue grew all run`)
    if (r.ejections > 0) notes.push(`${r.ejections} ejections`)
    if (!r.eject && r.info !== 'oracle') notes.push('no outlier ejection')
    return [
      r.policy,
      `\`${r.label}\``,
      r.info,
      r.deltaMs === null ? '—' : String(r.deltaMs),
      ms(r.meanMs),
      ms(r.p99Ms),
      ms(r.p999Ms),
      percent(r.slowShare),
      Number.isNaN(r.slowUtilization) ? '—' : r.slowUtilization.toFixed(2),
      percent(r.errorRate),
      notes.join('; '),
    ]
  }
  const lines = [header, header.map(() => '---'), ...result.results.map(row)]
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n')
}

function describe(result: SimulationResult, seconds: number): string {
  const o = result.options
  return [
    `N = ${o.servers} servers (${o.servers - o.slowServers - o.failingServers} of mean ${o.meanServiceMs} ms, ` +
      `${o.slowServers} ${o.slowFactor}× slower, ${o.failingServers} failing every request in ~${o.failingServiceMs} ms), ` +
      `${o.service} service times${o.service === 'lognormal' ? ` (σ ${o.sigma})` : ''}; C = ${o.balancers} balancers; ` +
      `ρ = ${o.load} of the working capacity (${Math.round(result.arrivalsPerSecond)} of ${Math.round(result.capacityPerSecond)} req/s, Poisson); ` +
      `${o.requests.toLocaleString('en-US')} requests, the first ${o.warmup * 100} % left out; seed ${o.seed}.`,
    `The slow server's share of the capacity is ${percent(result.slowCapacityShare)}: "to slow" above it overloads it ` +
      `("slow ρ", its utilization, above 1); a policy is marked unstable when a server got ≥ ${UNSTABLE_UTILIZATION} × what it can serve. ` +
      `Latencies are of the successful requests; "errors" counts requests answered by the failing server. ` +
      `Outlier ejection, where on, is 5 consecutive failures (Envoy's other defaults). ` +
      `Shared-load policies see each server's queue length announced every Δ ms (Δ = 0: on every change).`,
    `Simulated in ${seconds.toFixed(1)} s on Node ${process.version}.`,
  ].join('\n')
}

async function main(): Promise<void> {
  if (values.help) {
    process.stdout.write(HELP)
    return
  }
  const smoke = values.smoke === true
  const deltasMs = values.deltas?.split(',').map((d) => Number(d.trim()))
  const started = performance.now()
  const result = simulate({
    requests: number(values.requests) ?? (smoke ? 5_000 : undefined),
    servers: number(values.servers),
    balancers: number(values.balancers),
    load: number(values.load),
    slowFactor: number(values['slow-factor']),
    service: values.service as 'exponential' | 'lognormal' | undefined,
    sigma: number(values.sigma),
    deltasMs,
    seed: number(values.seed),
    onResult: (r) =>
      process.stderr.write(
        `  ${r.policy}${r.deltaMs === null ? '' : ` Δ=${r.deltaMs}`}: ${
          r.refused === null ? `mean ${ms(r.meanMs)} ms, p99 ${ms(r.p99Ms)} ms` : 'refused'
        }\n`,
      ),
  })
  const seconds = (performance.now() - started) / 1000
  const refused = result.results.filter((r) => r.refused !== null)
  process.stdout.write(
    `\n## Balancing simulation\n\n${describe(result, seconds)}\n\n${table(result)}\n` +
      refused.map((r) => `\nRefused: \`${r.label}\`:\n> ${r.refused}\n`).join(''),
  )
  if (values['no-write'] !== true) {
    const dir = fileURLToPath(new URL('../results/', import.meta.url))
    mkdirSync(dir, { recursive: true })
    const file = `${dir}balance-simulation${smoke ? '.smoke' : ''}.json`
    const record = {
      date: new Date().toISOString(),
      seconds,
      machine: {
        cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
        cores: os.cpus().length,
        node: process.version,
      },
      ...result,
    }
    // NaN (refused rows) is not JSON: write null
    writeFileSync(
      file,
      `${JSON.stringify(record, (_key, value) => (Number.isNaN(value) ? null : value), 2)}\n`,
    )
    process.stdout.write(`\nwrote ${file}\n`)
  }
}

await main()
