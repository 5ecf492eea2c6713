import { EXIT_CODES, writeOutput } from '@shoal/core'
import { formatIssue, loadConfig } from '../config/load-config.js'
import { explainAnswer, formatExplanation } from '../server/explain.js'
import { FileHealthSource } from '../server/file-health-source.js'
import { Responder } from '../server/responder.js'
import { compileServing } from '../server/serving.js'
import type { CliIo } from './cli-io.js'
import type { CliOptions } from './cli-options.js'

/** `explain`: the reply a client would get for a name, the zone lookup and the selection's trace. */
export async function explainCommand(options: CliOptions, io: CliIo): Promise<number> {
  const loaded = await loadConfig(options.config)
  if (!loaded.ok) {
    for (const issue of loaded.issues) await writeOutput(io.stderr, `${formatIssue(issue)}\n`)
    return EXIT_CODES.failure
  }
  const config = loaded.config
  // the health feed as it is now, read once
  const health =
    config.health === undefined
      ? undefined
      : new FileHealthSource({ file: config.health.file, onError: () => {} })
  await health?.poll()
  const compiled = await compileServing(config, { health, signal: io.signal })
  if (!compiled.ok) {
    for (const issue of compiled.issues) await writeOutput(io.stderr, `${formatIssue(issue)}\n`)
    return EXIT_CODES.failure
  }
  try {
    const responder = new Responder({
      serving: compiled.serving,
      maxUdpPayload: config.maxUdpPayload,
      nsid: config.nsid,
    })
    const result = explainAnswer(responder, {
      name: options.name ?? '',
      type: options.type,
      client: options.client,
      ecs: options.ecs,
      transport: options.tcp ? 'tcp' : 'udp',
    })
    await writeOutput(io.stdout, options.json ? `${JSON.stringify(result)}\n` : formatExplanation(result))
    return EXIT_CODES.ok
  } finally {
    compiled.serving.close()
  }
}
