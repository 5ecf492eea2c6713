import { EXIT_CODES, writeOutput } from '@shoal/core'
import type { ConfigIssue } from '../config/config-types.js'
import { formatIssue, loadConfig } from '../config/load-config.js'
import { compileServing } from '../server/serving.js'
import type { CliIo } from './cli-io.js'
import type { CliOptions } from './cli-options.js'

/** `check`: the configuration, every zone and every pool; each problem as file:line; exit 1 if any. */
export async function checkCommand(options: CliOptions, io: CliIo): Promise<number> {
  const loaded = await loadConfig(options.config)
  let errors: readonly ConfigIssue[] = loaded.issues
  let warnings: readonly ConfigIssue[] = []
  let summary: { zones: { origin: string; records: number }[]; pools: number; dynamic: number } | undefined
  if (loaded.ok) {
    const compiled = await compileServing(loaded.config, { signal: io.signal })
    warnings = compiled.warnings
    if (compiled.ok) {
      const serving = compiled.serving
      summary = {
        zones: [...serving.zones.values()].map((z) => ({ origin: z.origin, records: z.records })),
        pools: serving.selector?.names().length ?? 0,
        dynamic: serving.stats.dynamic,
      }
      serving.close()
    } else errors = compiled.issues
  }
  if (options.json) {
    await writeOutput(
      io.stdout,
      `${JSON.stringify({ ok: errors.length === 0, errors: errors.map(plain), warnings: warnings.map(plain), ...summary })}\n`,
    )
  } else {
    for (const issue of errors) await writeOutput(io.stdout, `${formatIssue(issue)}\n`)
    for (const issue of warnings) await writeOutput(io.stdout, `warning: ${formatIssue(issue)}\n`)
    if (summary !== undefined) {
      const records = summary.zones.reduce((n, z) => n + z.records, 0)
      await writeOutput(
        io.stdout,
        `${options.config}: ok, ${summary.zones.length} zone${summary.zones.length === 1 ? '' : 's'} (${records} records), ${summary.pools} pools, ${summary.dynamic} dynamic names${warnings.length > 0 ? `, ${warnings.length} warnings` : ''}\n`,
      )
    } else await writeOutput(io.stdout, `${errors.length} problem${errors.length === 1 ? '' : 's'}\n`)
  }
  return errors.length === 0 ? EXIT_CODES.ok : EXIT_CODES.failure
}

function plain(issue: ConfigIssue): Record<string, unknown> {
  return {
    file: issue.file,
    line: issue.line,
    path: issue.path === '' ? undefined : issue.path,
    message: issue.message,
  }
}
