import { parseArgs } from 'node:util'
import { UsageError } from '@shoal/core'

/** The commands of `shoal-logs`. */
export type Command = 'parse' | 'check' | 'detect' | 'follow'

/** The parsed command line. */
export interface CliOptions {
  readonly command: Command
  readonly files: readonly string[]
  readonly format: string
  readonly escape: 'default' | 'json' | 'none'
  readonly strict: boolean
  readonly json: boolean
  readonly maxLineBytes: number | undefined
  readonly limit: number | undefined
  readonly samples: number
  readonly from: 'start' | 'end'
  readonly checkpoint: string | undefined
  readonly pollMs: number | undefined
  readonly help: boolean
}

/** The text of `shoal-logs --help`. */
export const HELP = `Usage: shoal-logs <command> [options] [file ...]

Parse, check and follow web server and system logs. Reads the named files, or standard
input when none is named or the name is "-".

Commands:
  parse    print each record as a JSON line; a summary of bad lines goes to stderr
  check    count the bad lines by reason and show samples; exit 1 if there are any
  detect   name the formats that fit the input, with the share of lines each reads
  follow   follow one file as it grows (tail -F: survives rotation and truncation),
           printing each record as a JSON line until interrupted

Options:
  -f, --format <f>         a format name or an Apache LogFormat / nginx log_format
                           string; "auto" (the default) detects it from the first lines.
                           Names: common, combined, combinedio, vhost_combined (each also
                           with _d: %D appended), nginx_combined, nginx_main (and _d),
                           apache_error, syslog, w3c, json, logfmt
      --escape <mode>      nginx escape= of the format: default, json or none
      --strict             reject lines with trailing text or damaged quotes instead
                           of recovering them
      --max-line-bytes <n> longest line accepted (default 65536); longer ones are
                           reported once as "oversize"
      --json               check, detect: print JSON instead of a table
      --limit <n>          parse: stop after n records
      --samples <n>        check: bad lines shown per reason (default 3)
      --from <start|end>   follow: where to begin without a checkpoint (default end)
      --checkpoint <file>  follow: resume from, and keep saving, a position in this file
      --poll-ms <n>        follow: how often to look for growth and rotation (default 250)
  -h, --help               show this help

Exit codes: 0 ok, 1 failure (bad lines found by check, no format detected, I/O error),
2 usage error.
`

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 0)
    throw new UsageError(`--${name} takes a non-negative integer, not "${value}"`)
  return n
}

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
  const [command, ...files] = positionals
  if (values.help === true) return { ...defaults('parse'), help: true }
  if (command === undefined) throw new UsageError('a command is required: parse, check, detect or follow')
  if (!['parse', 'check', 'detect', 'follow'].includes(command))
    throw new UsageError(`unknown command "${command}"`)
  const escapeMode = values.escape ?? 'default'
  if (escapeMode !== 'default' && escapeMode !== 'json' && escapeMode !== 'none')
    throw new UsageError(`--escape takes default, json or none, not "${escapeMode}"`)
  const from = values.from ?? 'end'
  if (from !== 'start' && from !== 'end') throw new UsageError(`--from takes start or end, not "${from}"`)
  if (command === 'follow' && files.length !== 1) throw new UsageError('follow takes exactly one file')
  if (command !== 'follow' && (values.checkpoint !== undefined || values.from !== undefined)) {
    throw new UsageError('--from and --checkpoint apply to follow only')
  }
  return {
    command: command as Command,
    files,
    format: values.format ?? 'auto',
    escape: escapeMode,
    strict: values.strict === true,
    json: values.json === true,
    maxLineBytes: positiveInt('max-line-bytes', values['max-line-bytes']),
    limit: positiveInt('limit', values.limit),
    samples: positiveInt('samples', values.samples) ?? 3,
    from,
    checkpoint: values.checkpoint,
    pollMs: positiveInt('poll-ms', values['poll-ms']),
    help: false,
  }
}

const OPTIONS = {
  format: { type: 'string', short: 'f' },
  escape: { type: 'string' },
  strict: { type: 'boolean' },
  json: { type: 'boolean' },
  'max-line-bytes': { type: 'string' },
  limit: { type: 'string' },
  samples: { type: 'string' },
  from: { type: 'string' },
  checkpoint: { type: 'string' },
  'poll-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

function defaults(command: Command): CliOptions {
  return {
    command,
    files: [],
    format: 'auto',
    escape: 'default',
    strict: false,
    json: false,
    maxLineBytes: undefined,
    limit: undefined,
    samples: 3,
    from: 'end',
    checkpoint: undefined,
    pollMs: undefined,
    help: false,
  }
}
