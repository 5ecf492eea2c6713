import { parseArgs } from 'node:util'
import { UsageError } from '@shoal/core'
import type { ProfileName } from '../core/config.js'

/** The parsed command line of `shoal-member`. */
export interface CliOptions {
  /** This member's name (`undefined`: the adapter's default). */
  readonly name: string | undefined
  /** The address to bind. */
  readonly bind: string
  /** The address to advertise, if not the bound one. */
  readonly advertise: string | undefined
  /** Seeds, from every `--join`. */
  readonly join: readonly string[]
  /** The cluster name. */
  readonly cluster: string
  /** Keys as given with `--key` (the `--key-file` is read when the run starts). */
  readonly keys: readonly string[]
  /** A file of keys, one a line. */
  readonly keyFile: string | undefined
  /** The timing profile. */
  readonly profile: ProfileName
  /** Metadata from every `--meta k=v`. */
  readonly meta: Readonly<Record<string, string>>
  /** List the members and leave, instead of running. */
  readonly list: boolean
  /** How long `--list` waits before it prints (ms). */
  readonly wait: number
  /** JSON lines instead of text. */
  readonly json: boolean
  /** Show the help. */
  readonly help: boolean
}

/** The text of `shoal-member --help`. */
export const HELP = `Usage: shoal-member [options]

Joins a SWIM + Lifeguard membership cluster (UDP probes and gossip, TCP push-pull on the same
port) and prints every membership change until interrupted; SIGINT or SIGTERM leaves the cluster
gracefully (peers see the member "left", not "dead"), then the process ends.

Options:
  -n, --name <name>        this member's unique name (default <hostname>-<pid>)
  -b, --bind <host:port>   the IP address and port to listen on, UDP and TCP (default
                           127.0.0.1:7946; port 0 picks a free one, printed first)
      --advertise <h:p>    the address peers reach this member at, when it is not the bound one
                           (NAT, containers)
  -j, --join <h:p,...>     members to join (IP host:port); repeatable, comma-separated
  -c, --cluster <name>     the cluster name (default shoal): other clusters' traffic is dropped
  -k, --key <key>          an AES-256 key, base64 or 64 hex digits: traffic is encrypted and
                           authenticated; repeatable, the first seals and every key opens
      --key-file <file>    keys, one a line (after any --key; # starts a comment)
  -p, --profile <name>     timing: lan (default; a crash detected in about 2 s), wan (four
                           times as patient) or local (tests on one machine)
  -m, --meta <k=v>         metadata to publish; repeatable
  -l, --list               join, wait --wait ms, print the members, leave and exit
  -w, --wait <ms>          how long --list waits for the cluster's state (default 2000)
      --json               JSON lines: {"type","member","state","incarnation","address","meta","time"}
                           for events, after a first {"type":"listening","address","name"} line;
                           one object per member with --list
  -h, --help               show this help

Exit codes: 0 ok, 1 failure (an address that cannot be bound, a key file that cannot be read,
--list that reached no member), 2 usage error.
`

const OPTIONS = {
  name: { type: 'string', short: 'n' },
  bind: { type: 'string', short: 'b' },
  advertise: { type: 'string' },
  join: { type: 'string', short: 'j', multiple: true },
  cluster: { type: 'string', short: 'c' },
  key: { type: 'string', short: 'k', multiple: true },
  'key-file': { type: 'string' },
  profile: { type: 'string', short: 'p' },
  meta: { type: 'string', short: 'm', multiple: true },
  list: { type: 'boolean', short: 'l' },
  wait: { type: 'string', short: 'w' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/**
 * Reads the command line of `shoal-member`.
 *
 * @throws {@link UsageError} for a mistake
 * @example
 * ```ts
 * const options = parseCliOptions(['--bind', '127.0.0.1:0', '--join', '127.0.0.1:7946', '--json'])
 * ```
 */
export function parseCliOptions(argv: readonly string[]): CliOptions {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; args: string[] }>>
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const { values } = parsed
  const profile = values.profile ?? 'lan'
  if (profile !== 'lan' && profile !== 'wan' && profile !== 'local')
    throw new UsageError(`--profile takes lan, wan or local, not "${profile}"`)
  const meta: Record<string, string> = {}
  for (const pair of values.meta ?? []) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new UsageError(`--meta takes key=value, not "${pair}"`)
    meta[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  let wait = 2_000
  if (values.wait !== undefined) {
    if (!/^\d{1,7}$/.test(values.wait))
      throw new UsageError(`--wait takes milliseconds, not "${values.wait}"`)
    if (values.list !== true) throw new UsageError('--wait applies to --list only')
    wait = Number(values.wait)
  }
  const join = (values.join ?? [])
    .flatMap((list) => list.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (values.name === '') throw new UsageError('--name must not be empty')
  return {
    name: values.name,
    bind: values.bind ?? '127.0.0.1:7946',
    advertise: values.advertise,
    join,
    cluster: values.cluster ?? 'shoal',
    keys: values.key ?? [],
    keyFile: values['key-file'],
    profile,
    meta,
    list: values.list === true,
    wait,
    json: values.json === true,
    help: values.help === true,
  }
}
