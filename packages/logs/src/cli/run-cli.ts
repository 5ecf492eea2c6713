import { EXIT_CODES, isShoalError, writeOutput } from '@shoal/core'
import { checkCommand } from './check-command.js'
import type { CliIo } from './cli-io.js'
import { HELP, parseCliOptions } from './cli-options.js'
import { detectCommand } from './detect-command.js'
import { followCommand } from './follow-command.js'
import { parseCommand } from './parse-command.js'

const COMMANDS = { parse: parseCommand, check: checkCommand, detect: detectCommand, follow: followCommand }

/** Runs `shoal-logs` with `argv` (without the program name) on `io`; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const options = parseCliOptions(argv)
    if (options.help) {
      await writeOutput(io.stdout, HELP)
      return EXIT_CODES.ok
    }
    return await COMMANDS[options.command](options, io)
  } catch (err) {
    if (isShoalError(err, 'ERR_USAGE')) {
      await writeOutput(io.stderr, `shoal-logs: ${err.message}\nRun shoal-logs --help for usage.\n`)
      return EXIT_CODES.usage
    }
    if (isShoalError(err, 'ERR_INVALID_FORMAT') || isShoalError(err, 'ERR_INVALID_ARGUMENT')) {
      await writeOutput(io.stderr, `shoal-logs: ${(err as Error).message}\n`)
      return EXIT_CODES.usage
    }
    // the reader went away (e.g. `| head`): nothing more to say
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return EXIT_CODES.ok
    await writeOutput(io.stderr, `shoal-logs: ${(err as Error).message}\n`).catch(() => undefined)
    return EXIT_CODES.failure
  }
}
