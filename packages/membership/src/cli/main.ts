import { runCli } from './run-cli.js'

// SIGINT and SIGTERM make the member leave the cluster gracefully; the process then ends by itself
const controller = new AbortController()
process.once('SIGINT', () => controller.abort())
process.once('SIGTERM', () => controller.abort())
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') controller.abort()
})

// exitCode, never process.exit(): exiting drops output still queued for a pipe
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
})
