import { isDnsWorker, runDnsWorker } from './cluster.js'
import { runCli } from './run-cli.js'

if (isDnsWorker()) {
  // a `serve --workers` worker: the primary tells it what to serve and when to stop
  await runDnsWorker()
} else {
  // SIGINT and SIGTERM stop `serve`; output already written is flushed before the process ends
  const controller = new AbortController()
  process.once('SIGINT', () => controller.abort())
  process.once('SIGTERM', () => controller.abort())
  const reloadListeners = new Set<() => void>()
  process.on('SIGHUP', () => {
    for (const listener of reloadListeners) listener()
  })
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') controller.abort()
  })

  // exitCode, never process.exit(): exiting drops output still queued for a pipe
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
    onReloadRequest: (listener) => {
      reloadListeners.add(listener)
      return () => reloadListeners.delete(listener)
    },
  })
  // a SIGHUP handler would keep no process alive, but an idle one should not outlive the command
  process.removeAllListeners('SIGHUP')
}
