import { runCliProcess } from '@shoal/core'
import { runCli } from './run-cli.js'

// SIGINT and SIGTERM make the member leave the cluster gracefully; the process then ends by itself
await runCliProcess(runCli)
