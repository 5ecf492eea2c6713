import { parseArgs } from 'node:util'
import { UsageError } from '@shoal/core'

/** The commands of `shoal-dns`. */
export type Command = 'serve' | 'check' | 'explain'

/** The parsed command line. */
export interface CliOptions {
  readonly command: Command
  readonly config: string
  readonly workers: number
  readonly watch: boolean
  readonly json: boolean
  readonly name: string | undefined
  readonly type: string
  readonly client: string
  readonly ecs: string | undefined
  readonly tcp: boolean
  readonly help: boolean
}

/** The text of `shoal-dns --help`. */
export const HELP = `Usage: shoal-dns <command> --config <file> [options]

An authoritative DNS server with answer selection: static zones from RFC 1035 master files,
dynamic names answered from pools through filter chains (health, geography, weights, failover).

Commands:
  serve     answer DNS over UDP and TCP on the configured addresses until interrupted;
            SIGHUP (and, by default, a change to the configuration or a zone file) reloads:
            the new configuration is checked whole and swapped in, or refused while the old
            one keeps serving
  check     check the configuration, every zone file and every pool; print each problem as
            file:line: message; exit 1 if there is any
  explain   show which answers a client would get for a name, and why (the reply, the zone
            lookup, and the selection pipeline's trace for a dynamic name)

Options:
  -c, --config <file>   the configuration file (JSON), required
  -w, --workers <n>     serve: answer with n processes sharing the sockets (node:cluster;
                        default 1). Each takes queries from the same UDP socket; /metrics
                        and /healthz are served once, for all of them
      --no-watch        serve: reload on SIGHUP only, not when the files change
  -n, --name <name>     explain: the query name
  -t, --type <type>     explain: the query type (default A)
      --client <addr>   explain: the resolver's address (default 127.0.0.1)
      --ecs <subnet>    explain: an EDNS Client Subnet, e.g. 198.51.100.0/24
      --tcp             explain: size the reply for TCP instead of UDP (1232 bytes)
      --json            print JSON instead of text (serve: one JSON line per event)
  -h, --help            show this help

Exit codes: 0 ok, 1 failure (problems found by check, a configuration or zone that cannot
be served, an address that cannot be bound), 2 usage error.
`

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  workers: { type: 'string', short: 'w' },
  'no-watch': { type: 'boolean' },
  name: { type: 'string', short: 'n' },
  type: { type: 'string', short: 't' },
  client: { type: 'string' },
  ecs: { type: 'string' },
  tcp: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** Reads the command line; throws {@link UsageError} for mistakes. */
export function parseCliOptions(argv: readonly string[]): CliOptions {
  let parsed: ReturnType<
    typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; args: string[] }>
  >
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const { values, positionals } = parsed
  const help = values.help === true
  const [command, ...rest] = positionals
  if (help)
    return {
      command: 'serve',
      config: '',
      workers: 1,
      watch: true,
      json: false,
      name: undefined,
      type: 'A',
      client: '127.0.0.1',
      ecs: undefined,
      tcp: false,
      help,
    }
  if (command === undefined) throw new UsageError('a command is required: serve, check or explain')
  if (command !== 'serve' && command !== 'check' && command !== 'explain')
    throw new UsageError(`unknown command "${command}"`)
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`)
  if (values.config === undefined || values.config === '') throw new UsageError('--config <file> is required')
  let workers = 1
  if (values.workers !== undefined) {
    if (command !== 'serve') throw new UsageError('--workers applies to serve only')
    workers = Number(values.workers)
    if (!/^\d+$/.test(values.workers) || workers < 1 || workers > 256)
      throw new UsageError(`--workers takes a number from 1 to 256, not "${values.workers}"`)
  }
  const explainOnly = ['name', 'type', 'client', 'ecs', 'tcp'] as const
  if (command !== 'explain')
    for (const key of explainOnly)
      if (values[key] !== undefined) throw new UsageError(`--${key} applies to explain only`)
  if (command === 'explain' && (values.name === undefined || values.name === ''))
    throw new UsageError('explain needs --name <name>')
  if (command !== 'serve' && values['no-watch'] === true)
    throw new UsageError('--no-watch applies to serve only')
  return {
    command,
    config: values.config,
    workers,
    watch: values['no-watch'] !== true,
    json: values.json === true,
    name: values.name,
    type: values.type ?? 'A',
    client: values.client ?? '127.0.0.1',
    ecs: values.ecs,
    tcp: values.tcp === true,
    help: false,
  }
}
