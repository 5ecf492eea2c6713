import { runCliProcess } from '@shoal/core'
import { runCli } from './run-cli.js'

// An interrupt stops `follow` cleanly; output already written is flushed before the process ends.
await runCliProcess(runCli)
