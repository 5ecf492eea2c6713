import type { Logger } from '@shoal/core'
import { writeOutput } from '@shoal/core'
import type { ConfigIssue, DnsConfig } from '../config/config-types.js'
import { formatIssue } from '../config/load-config.js'
import type { BoundAddress, ReloadResult } from '../server/dns-server.js'
import type { CliIo } from './cli-io.js'
import type { CliOptions } from './cli-options.js'

/** The files whose change triggers a reload: the configuration and every zone file. */
export function watchedFiles(configFile: string, config: DnsConfig | undefined): string[] {
  return [configFile, ...(config?.zones.map((z) => z.file) ?? [])]
}

/** Resolves when `signal` aborts (never without one). */
export function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal === undefined) return
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), { once: true })
  })
}

/** What `serve` prints: text lines for a person, or JSON lines (`--json`). */
export interface Reporter {
  event(kind: string, text: string, data?: Record<string, unknown>): Promise<void>
  listening(addresses: readonly BoundAddress[], workers: number): Promise<void>
  reloaded(why: string, result: ReloadResult): Promise<void>
  failure(error: unknown): Promise<void>
}

/** The reporter of `serve` for these options. */
export function reporter(options: CliOptions, io: CliIo): Reporter {
  const event = async (kind: string, text: string, data: Record<string, unknown> = {}): Promise<void> => {
    if (options.json)
      await writeOutput(
        io.stdout,
        `${JSON.stringify({ event: kind, time: new Date().toISOString(), ...data })}\n`,
      )
    else
      await writeOutput(
        kind === 'error' || kind === 'warning' ? io.stderr : io.stdout,
        `shoal-dns: ${text}\n`,
      )
  }
  const issues = (list: readonly ConfigIssue[]) =>
    list.map((i) => ({
      file: i.file,
      line: i.line,
      path: i.path === '' ? undefined : i.path,
      message: i.message,
    }))
  return {
    event,
    listening: (addresses, workers) =>
      event(
        'listening',
        `answering on ${addresses
          .map((a) => `${a.transport} ${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`)
          .join(', ')}${workers > 1 ? ` with ${workers} workers` : ''}`,
        { addresses, workers },
      ),
    reloaded: async (why, result) => {
      if (result.ok) {
        await event('reloaded', `reloaded (${why})`, { why, warnings: issues(result.warnings) })
        if (!options.json)
          for (const w of result.warnings)
            await writeOutput(io.stderr, `shoal-dns: warning: ${formatIssue(w)}\n`)
      } else {
        await event('reload-refused', `reload refused (${why}); still serving the previous configuration:`, {
          why,
          errors: issues(result.issues),
        })
        if (!options.json)
          for (const i of result.issues) await writeOutput(io.stderr, `  ${formatIssue(i)}\n`)
      }
    },
    failure: async (error) => {
      const e = error as Error & { details?: { issues?: readonly ConfigIssue[] } }
      const list = e.details?.issues
      if (options.json) await event('error', e.message, list === undefined ? {} : { errors: issues(list) })
      else if (list !== undefined) {
        await writeOutput(io.stderr, `shoal-dns: cannot serve ${options.config}:\n`)
        for (const i of list) await writeOutput(io.stderr, `  ${formatIssue(i)}\n`)
      } else await writeOutput(io.stderr, `shoal-dns: ${e.message}\n`)
    },
  }
}

/** The server's logger in the CLI: warnings and errors as `warning` and `error` events, the rest silent. */
export function cliLogger(report: Reporter): Logger {
  const format = (message: string, args: unknown[]): string => {
    let i = 0
    return message.replace(/%[sd]/g, () => String(args[i++]))
  }
  return {
    debug() {},
    info() {},
    warn: (message, ...args) => void report.event('warning', format(message, args)),
    error: (message, ...args) => void report.event('error', format(message, args)),
  }
}
