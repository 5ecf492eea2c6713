import { EXIT_CODES } from '@shoal/core'
import { DnsServer } from '../server/dns-server.js'
import type { CliIo } from './cli-io.js'
import type { CliOptions } from './cli-options.js'
import { serveCluster } from './cluster.js'
import { FileWatcher } from './file-watcher.js'
import { cliLogger, reporter, untilAborted, watchedFiles } from './serve-report.js'

/** `serve`: answers until the signal aborts; reloads on request and on file changes. */
export async function serveCommand(options: CliOptions, io: CliIo): Promise<number> {
  if (options.workers > 1) return serveCluster(options, io)
  const report = reporter(options, io)
  const server = new DnsServer({ configFile: options.config, logger: cliLogger(report) })
  try {
    await server.start()
  } catch (error) {
    await report.failure(error)
    return EXIT_CODES.failure
  }
  const reload = async (why: string): Promise<void> => {
    const result = await server.reload()
    await report.reloaded(why, result)
    if (result.ok) await watcher?.watch(watchedFiles(options.config, server.config))
  }
  const watcher = options.watch ? new FileWatcher(() => void reload('files changed')) : undefined
  await watcher?.watch(watchedFiles(options.config, server.config))
  const unsubscribe = io.onReloadRequest?.(() => void reload('SIGHUP'))
  // said once the watcher has its baseline: a change made after this line is seen
  await report.listening(server.addresses(), 1)
  await untilAborted(io.signal)
  unsubscribe?.()
  watcher?.close()
  await server.stop()
  await report.event('stopped', 'stopped')
  return EXIT_CODES.ok
}
