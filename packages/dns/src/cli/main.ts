import { runCliProcess } from '@shoal/core'
import { isDnsWorker, runDnsWorker } from './cluster.js'
import { runCli } from './run-cli.js'

if (isDnsWorker()) {
  // a `serve --workers` worker: the primary tells it what to serve and when to stop
  await runDnsWorker()
} else {
  // SIGINT and SIGTERM stop `serve`; SIGHUP reloads; output already written is flushed first
  const reloadListeners = new Set<() => void>()
  process.on('SIGHUP', () => {
    for (const listener of reloadListeners) listener()
  })
  await runCliProcess((argv, io) =>
    runCli(argv, {
      stdout: io.stdout,
      stderr: io.stderr,
      signal: io.signal,
      onReloadRequest: (listener) => {
        reloadListeners.add(listener)
        return () => reloadListeners.delete(listener)
      },
    }),
  )
  // a SIGHUP handler would keep no process alive, but an idle one should not outlive the command
  process.removeAllListeners('SIGHUP')
}
