import { runCli } from './run-cli.js'

// An interrupt stops `follow` cleanly; output already written is flushed before the process ends.
const controller = new AbortController()
process.once('SIGINT', () => controller.abort())
process.once('SIGTERM', () => controller.abort())
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') controller.abort()
})

// exitCode, never process.exit(): exiting drops output still queued for a pipe
process.exitCode = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
})
