import { isShoalError } from '@shoal/core'
import { checkCommand } from './check-command.js'
import { type CliIo, EXIT, UsageError, write } from './cli-io.js'
import { HELP, parseCliOptions } from './cli-options.js'
import { explainCommand } from './explain-command.js'
import { serveCommand } from './serve-command.js'

const COMMANDS = { serve: serveCommand, check: checkCommand, explain: explainCommand }

/** Runs `shoal-dns` with `argv` (without the program name) on `io`; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const options = parseCliOptions(argv)
    if (options.help) {
      await write(io.stdout, HELP)
      return EXIT.ok
    }
    return await COMMANDS[options.command](options, io)
  } catch (err) {
    if (err instanceof UsageError) {
      await write(io.stderr, `shoal-dns: ${err.message}\nRun shoal-dns --help for usage.\n`)
      return EXIT.usage
    }
    if (isShoalError(err, 'ERR_INVALID_ARGUMENT')) {
      await write(io.stderr, `shoal-dns: ${(err as Error).message}\n`)
      return EXIT.usage
    }
    // the reader went away (e.g. `| head`): nothing more to say
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return EXIT.ok
    await write(io.stderr, `shoal-dns: ${(err as Error).message}\n`).catch(() => undefined)
    return EXIT.failure
  }
}
