import { readFile } from 'node:fs/promises'
import { EXIT_CODES, isShoalError, sleep, UsageError, writeOutput } from '@shoal/core'
import type { MemberEvent, MemberEventType } from '../core/events.js'
import { Membership } from '../node/membership.js'
import { parseKey } from '../wire/keyring.js'
import type { CliIo } from './cli-io.js'
import { type CliOptions, HELP, parseCliOptions } from './cli-options.js'
import { formatEvent, formatMembers } from './report.js'

const EVENT_TYPES: readonly MemberEventType[] = ['join', 'alive', 'suspect', 'dead', 'left', 'update']

/**
 * Runs `shoal-member` with `argv` (without the program name) on `io`; resolves to the exit code.
 * A running member leaves when `io.signal` aborts.
 *
 * @example
 * ```ts
 * const controller = new AbortController()
 * process.once('SIGINT', () => controller.abort())
 * const io = { stdout: process.stdout, stderr: process.stderr, signal: controller.signal }
 * process.exitCode = await runCli(process.argv.slice(2), io)
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // The membership's sockets and timers are unref'd; the command keeps the process alive itself.
  const keepAlive = setInterval(() => {}, 1 << 30)
  try {
    const options = parseCliOptions(argv)
    if (options.help) {
      await writeOutput(io.stdout, HELP)
      return EXIT_CODES.ok
    }
    const keys = await readKeys(options)
    return await (options.list ? listMembers : runMember)(options, keys, io)
  } catch (err) {
    if (isShoalError(err, 'ERR_USAGE')) {
      await writeOutput(io.stderr, `shoal-member: ${err.message}\nRun shoal-member --help for usage.\n`)
      return EXIT_CODES.usage
    }
    if (isShoalError(err, 'ERR_INVALID_ARGUMENT')) {
      await writeOutput(io.stderr, `shoal-member: ${(err as Error).message}\n`)
      return EXIT_CODES.usage
    }
    // the reader went away (e.g. `| head`): nothing more to say
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return EXIT_CODES.ok
    await writeOutput(io.stderr, `shoal-member: ${(err as Error).message}\n`).catch(() => undefined)
    return EXIT_CODES.failure
  } finally {
    clearInterval(keepAlive)
  }
}

async function readKeys(options: CliOptions): Promise<Uint8Array[]> {
  const keys = options.keys.map((text) => parseKey(text))
  if (options.keyFile !== undefined) {
    const text = await readFile(options.keyFile, 'utf8')
    for (const line of text.split('\n')) {
      const key = line.replace(/#.*/, '').trim()
      if (key !== '') keys.push(parseKey(key))
    }
    if (keys.length === 0) throw new UsageError(`--key-file ${options.keyFile} holds no key`)
  }
  return keys
}

function createMembership(options: CliOptions, keys: Uint8Array[]): Membership {
  return new Membership({
    name: options.name,
    bind: options.bind,
    advertise: options.advertise,
    seeds: options.join,
    cluster: options.cluster,
    keys: keys.length > 0 ? keys : undefined,
    profile: options.profile,
    meta: options.meta,
  })
}

/** Writes in order, without waiting at each call; `done()` waits for everything written. */
function writer(io: CliIo): { out(text: string): void; done(): Promise<void> } {
  let chain = Promise.resolve()
  return {
    out(text) {
      chain = chain.then(() => writeOutput(io.stdout, text))
      chain.catch(() => undefined) // reported by done()
    },
    done: () => chain,
  }
}

/** Joins, prints every change until the signal aborts, then leaves. */
async function runMember(options: CliOptions, keys: Uint8Array[], io: CliIo): Promise<number> {
  const membership = createMembership(options, keys)
  const { out, done } = writer(io)
  // Events before the listening line (our own join) wait for it.
  let pending: string[] | undefined = []
  const onEvent = (event: CustomEvent<MemberEvent>): void => {
    const text = formatEvent(event.detail, options.json)
    if (pending === undefined) out(text)
    else pending.push(text)
  }
  for (const type of EVENT_TYPES) membership.addEventListener(type, onEvent)
  try {
    await membership.start()
    const { name, address } = membership
    out(
      options.json
        ? `${JSON.stringify({ type: 'listening', address, name, cluster: options.cluster, profile: options.profile })}\n`
        : `shoal-member: ${name} listening on ${address} (cluster ${options.cluster}, profile ${options.profile})\n`,
    )
    for (const text of pending) out(text)
    pending = undefined
    await untilAborted(io.signal)
    await membership.leave()
    const time = new Date().toISOString()
    out(
      options.json
        ? `${JSON.stringify({ type: 'stopped', name, time })}\n`
        : `${time} stopped ${name} left the cluster\n`,
    )
    await done()
    return EXIT_CODES.ok
  } finally {
    await membership.stop()
  }
}

/** Joins, waits, prints the members, leaves. */
async function listMembers(options: CliOptions, keys: Uint8Array[], io: CliIo): Promise<number> {
  const membership = createMembership(options, keys)
  try {
    await membership.start()
    await sleep(options.wait, { signal: io.signal }).catch(() => undefined)
    const members = membership.members()
    await membership.leave()
    await writeOutput(io.stdout, formatMembers(members, options.json))
    if (options.join.length > 0 && members.length <= 1) {
      await writeOutput(io.stderr, `shoal-member: no member answered at ${options.join.join(', ')}\n`)
      return EXIT_CODES.failure
    }
    return EXIT_CODES.ok
  } finally {
    await membership.stop()
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), { once: true })
  })
}
